import io.jarrow.PythonConfig;
import io.jarrow.PythonRuntime;
import io.jarrow.examples.fraud.FraudApp;
import io.jarrow.examples.fraud.FraudTopology;
import io.jarrow.examples.fraud.LocalKafka;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.KafkaStreams;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.function.UnaryOperator;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;

/**
 * The demo's topology, one stream thread, records/s: on Kafka Streams' TopologyTestDriver (no
 * broker; it commits after every record) through PythonProcessor at several batch sizes, through
 * one PemJa call per record (how it is done today), and through a Java-only topology (the
 * driver's own ceiling); then the same on a real single-node broker started here (sharing this
 * machine's cores). One mode per JVM (two CPythons must not share a process):
 * {@code java KafkaBench <jarrow|pemja|baseline> <transactions.jsonl> <fraud_model dir> <model file>}.
 * Prints {@code name records_per_second} lines.
 */
public final class KafkaBench {
    static final Duration WARM_UP = Duration.ofSeconds(2);
    static final Duration MEASURE = Duration.ofSeconds(4);

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        List<String> transactions = Files.readAllLines(Path.of(args[1]));
        Path pythonDir = Path.of(args[2]);
        String model = args[3];
        switch (mode) {
            case "jarrow" -> {
                PythonRuntime python = PythonRuntime.start(PythonConfig.builder().addPythonPath(pythonDir).build());
                python.function("fraud_model:prepare").call(model);
                for (int batch : new int[] {1, 64, 256, 1024, 4096}) {
                    Topology topology = FraudTopology.build(python,
                            new FraudTopology.Settings(batch, Duration.ofHours(1), false), "in", "out");
                    System.out.printf("jarrow_batch_%d %.0f%n", batch, recordsPerSecond(topology, transactions));
                }
                Topology topology = FraudTopology.build(python,
                        new FraudTopology.Settings(1024, Duration.ofMillis(50), false), "in", "out");
                System.out.printf("broker_jarrow_batch_1024 %.0f%n", onBroker(topology, transactions, 500_000, 1_000_000));
            }
            case "pemja" -> {
                pemja.core.PythonInterpreter interpreter = new pemja.core.PythonInterpreter(
                        pemja.core.PythonInterpreterConfig.newBuilder()
                                .setPythonExec(System.getProperty("bench.python"))
                                // PemJa does not see a venv's site-packages by itself: add them.
                                .addPythonPaths(pythonDir.toString(), System.getProperty("bench.dir"),
                                        System.getProperty("bench.site.packages"))
                                .build());
                interpreter.exec("from pemja_fraud import prepare, score_one");
                interpreter.invoke("prepare", model);
                Topology topology = perRecord(value -> (String) interpreter.invoke("score_one", value));
                System.out.printf("pemja_per_record %.0f%n", recordsPerSecond(topology, transactions));
                System.out.printf("broker_pemja_per_record %.0f%n", onBroker(topology, transactions, 10_000, 20_000));
            }
            case "baseline" -> {
                Topology topology = perRecord(value -> value.substring(0, value.indexOf(',')));
                System.out.printf("java_only %.0f%n", recordsPerSecond(topology, transactions));
                System.out.printf("broker_java_only %.0f%n", onBroker(topology, transactions, 500_000, 1_000_000));
            }
            default -> throw new IllegalArgumentException("unknown mode " + mode);
        }
        System.exit(0);
    }

    /**
     * Produces {@code warmUp + n} transactions to a fresh broker, then runs the topology (one
     * stream thread, the demo's configuration) and reads its output: records/s over the last
     * {@code n} output records (the first ones warm up the broker's and this JVM's JIT compilers,
     * which otherwise take a third of the machine).
     */
    static double onBroker(Topology topology, List<String> transactions, int warmUp, int n) throws Exception {
        int total = warmUp + n;
        try (LocalKafka kafka = LocalKafka.start()) {
            kafka.createTopics(2, "in", "out");
            Properties producerProps = new Properties();
            producerProps.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
            producerProps.put(ProducerConfig.LINGER_MS_CONFIG, 5);
            producerProps.put(ProducerConfig.BATCH_SIZE_CONFIG, 512 * 1024);
            try (KafkaProducer<String, String> producer =
                    new KafkaProducer<>(producerProps, new StringSerializer(), new StringSerializer())) {
                for (int i = 0; i < total; i++) {
                    producer.send(new ProducerRecord<>("in", "card-" + (i % 50_000), transactions.get(i % transactions.size())));
                }
            }
            Properties consumerProps = new Properties();
            consumerProps.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
            consumerProps.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-reader");
            consumerProps.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            Path state = Files.createTempDirectory("kafka-bench-state-");
            try (KafkaStreams streams = new KafkaStreams(topology, FraudApp.config(kafka.bootstrapServers(), "kafka-bench", state, false));
                 KafkaConsumer<String, String> consumer =
                         new KafkaConsumer<>(consumerProps, new StringDeserializer(), new StringDeserializer())) {
                consumer.subscribe(List.of("out"));
                streams.start();
                long read = 0;
                long start = 0;
                long startRead = 0;
                long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
                while (read < total) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("only " + read + " of " + total + " records came out");
                    }
                    read += consumer.poll(Duration.ofMillis(100)).count();
                    if (start == 0 && read >= warmUp) {
                        start = System.nanoTime();
                        startRead = read;
                    }
                }
                return (read - startRead) / ((System.nanoTime() - start) / 1e9);
            }
        }
    }

    /** A topology that turns each value into {@code score(value)}, one record at a time. */
    static Topology perRecord(UnaryOperator<String> score) {
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream("in", Consumed.with(Serdes.String(), Serdes.String()))
                .processValues(() -> new FixedKeyProcessor<String, String, String>() {
                    private FixedKeyProcessorContext<String, String> context;

                    @Override
                    public void init(FixedKeyProcessorContext<String, String> context) {
                        this.context = context;
                    }

                    @Override
                    public void process(FixedKeyRecord<String, String> record) {
                        context.forward(record.withValue(score.apply(record.value())));
                    }
                })
                .to("out", Produced.with(Serdes.String(), Serdes.String()));
        return builder.build();
    }

    /** Pipes transactions through the topology for a while; records/s, all outputs read. */
    static double recordsPerSecond(Topology topology, List<String> transactions) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "jarrow-kafka-bench");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:1");
        try (TopologyTestDriver driver = new TopologyTestDriver(topology, props)) {
            TestInputTopic<String, String> in = driver.createInputTopic("in", new StringSerializer(), new StringSerializer());
            TestOutputTopic<String, String> out = driver.createOutputTopic("out", new StringDeserializer(), new StringDeserializer());
            run(driver, in, out, transactions, WARM_UP);
            long start = System.nanoTime();
            long records = run(driver, in, out, transactions, MEASURE);
            return records / ((System.nanoTime() - start) / 1e9);
        }
    }

    /**
     * Empties the driver's queues of the other topics written (the buffer store's changelog):
     * it keeps every record sent to a topic until read, and would otherwise fill the heap.
     */
    static void drainOtherTopics(TopologyTestDriver driver) {
        for (String topic : driver.producedTopicNames()) {
            if (!topic.equals("out")) {
                driver.createOutputTopic(topic, new ByteArrayDeserializer(), new ByteArrayDeserializer()).readRecordsToList();
            }
        }
    }

    static long run(TopologyTestDriver driver, TestInputTopic<String, String> in, TestOutputTopic<String, String> out,
            List<String> transactions, Duration time) {
        long end = System.nanoTime() + time.toNanos();
        long piped = 0;
        long read = 0;
        while (System.nanoTime() < end) {
            for (int i = 0; i < 4096; i++, piped++) {
                String t = transactions.get((int) (piped % transactions.size()));
                in.pipeInput("card-" + (piped % 50_000), t);
            }
            read += out.readValuesToList().size();
            drainOtherTopics(driver);
        }
        // What is still buffered is flushed and counted: every piped record was scored.
        driver.advanceWallClockTime(Duration.ofHours(2));
        read += out.readValuesToList().size();
        if (read != piped) {
            throw new IllegalStateException("piped " + piped + " records but read " + read);
        }
        return piped;
    }
}
