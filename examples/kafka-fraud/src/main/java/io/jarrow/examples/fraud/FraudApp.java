package io.jarrow.examples.fraud;

import io.jarrow.PythonRuntime;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The fraud-scoring Kafka Streams application on its own: it runs until stopped (or killed). The
 * demo runs it in-process; the broker tests run it as a child process and kill it.
 *
 * <pre>
 * FraudApp --bootstrap-servers HOST:PORT [--application-id ID] [--state-dir DIR]
 *          [--exactly-once] [--max-batch-size N] [--min-batch-size N] [--max-latency-ms MS] [--model FILE]
 *          [--input TOPIC] [--output TOPIC]
 * </pre>
 */
public final class FraudApp {
    private FraudApp() {}

    /** The streams configuration the demo uses: one stream thread, frequent commits. */
    public static Properties config(String bootstrap, String applicationId, Path stateDir, boolean exactlyOnce) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG,
                exactlyOnce ? StreamsConfig.EXACTLY_ONCE_V2 : StreamsConfig.AT_LEAST_ONCE);
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 200);
        // What Kafka Streams 5 will do by default (and it stops a warning about it).
        props.put("processing.exception.handler.global.enabled", true);
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.MAX_POLL_RECORDS_CONFIG), 5000);
        // A crashed instance's partitions move to the others (or to its restart) after this long.
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), 10_000);
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG), 2_000);
        // Kafka Streams' own latency floors: its producer lingers 100 ms by default, and an idle
        // stream thread runs punctuations (which forward what was scored) once per poll.ms.
        props.put(StreamsConfig.producerPrefix("linger.ms"), 5);
        props.put(StreamsConfig.POLL_MS_CONFIG, 10);
        props.put(StreamsConfig.producerPrefix("batch.size"), 256 * 1024);
        return props;
    }

    public static void main(String[] args) throws Exception {
        Options options = Options.parse(args);
        String bootstrap = options.required("--bootstrap-servers");
        Path model = Path.of(options.get("--model", "target/fraud-model.pkl"));
        FraudTopology.Settings settings = new FraudTopology.Settings(options.integer("--max-batch-size", 1024),
                options.integer("--min-batch-size", 1), Duration.ofMillis(options.integer("--max-latency-ms", 50)), true);
        PythonRuntime python = FraudModel.start(model);
        Properties props = config(bootstrap, options.get("--application-id", "jarrow-fraud"),
                Path.of(options.get("--state-dir", "target/kafka-streams")), options.flag("--exactly-once"));
        String in = options.get("--input", FraudTopology.TRANSACTIONS);
        String out = options.get("--output", FraudTopology.SCORES);
        KafkaStreams streams = new KafkaStreams(FraudTopology.build(python, settings, in, out), props);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            streams.close(Duration.ofSeconds(30));
            stopped.countDown();
        }));
        streams.setStateListener((now, before) -> System.err.println("streams: " + before + " -> " + now));
        streams.start();
        stopped.await();
    }
}
