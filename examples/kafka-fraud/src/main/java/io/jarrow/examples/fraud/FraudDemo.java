package io.jarrow.examples.fraud;

import io.jarrow.PythonFunction;
import io.jarrow.PythonRuntime;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The README's demo: a fraud-scoring Kafka Streams app, end to end.
 *
 * <ol>
 *   <li>Starts a single-node Kafka broker (KRaft, loopback), unless {@code --bootstrap-servers}
 *       names one, and creates the topics.
 *   <li>Trains a scikit-learn model on synthetic transactions (or loads the one it wrote before).
 *   <li>Produces synthetic card transactions (30 numeric features, about 0.5% fraud).
 *   <li>Scores them with the Kafka Streams app (one stream thread, {@code PythonProcessor} calling
 *       {@code fraud_model:score} on batches) and prints throughput, then end-to-end latency on a
 *       paced stream, and how much fraud was caught.
 * </ol>
 *
 * <pre>
 * FraudDemo [--bootstrap-servers HOST:PORT] [--transactions N] [--max-batch-size N] [--partitions N]
 *           [--exactly-once] [--model FILE]
 * </pre>
 */
public final class FraudDemo {
    private static final int LATENCY_TRANSACTIONS = 20_000;
    private static final int LATENCY_RATE = 10_000;

    private FraudDemo() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> options = FraudApp.options(args);
        int transactions = Integer.parseInt(options.getOrDefault("--transactions", "500000"));
        int batchSize = Integer.parseInt(options.getOrDefault("--max-batch-size", "1024"));
        int partitions = Integer.parseInt(options.getOrDefault("--partitions", "2"));
        boolean exactlyOnce = options.containsKey("--exactly-once");
        Path model = Path.of(options.getOrDefault("--model", "target/fraud-model.pkl"));
        String bootstrap = options.get("--bootstrap-servers");

        LocalKafka broker = null;
        if (bootstrap == null) {
            System.err.println("Starting a single-node Kafka broker (KRaft, loopback) ...");
            broker = LocalKafka.start();
            bootstrap = broker.bootstrapServers();
        }
        Path stateDir = Files.createTempDirectory("jarrow-fraud-state-");
        try {
            System.err.println("Kafka: " + bootstrap + (broker != null ? " (started for this run)" : ""));
            String run = UUID.randomUUID().toString().substring(0, 8);
            String in = FraudTopology.TRANSACTIONS + "-" + run;
            String out = FraudTopology.SCORES + "-" + run;
            createTopics(bootstrap, partitions, in, out, FraudTopology.DEAD_LETTERS);
            PythonRuntime python = FraudModel.start(model);
            PythonFunction generate = python.function("fraud_model:transactions_json");

            try (KafkaProducer<String, String> producer = producer(bootstrap);
                 ProgressBar bar = new ProgressBar("Producing transactions", transactions)) {
                for (int start = 0; start < transactions; start += 20_000) {
                    int n = Math.min(20_000, transactions - start);
                    for (String value : lines(generate.call(start, n, 1000 + start))) {
                        producer.send(new ProducerRecord<>(in, key(value), value));
                    }
                    bar.set(start + n);
                }
                producer.flush();
            }

            FraudTopology.Settings settings = new FraudTopology.Settings(batchSize, Duration.ofMillis(50), true);
            ScoresReader scores = new ScoresReader(bootstrap, out, transactions + LATENCY_TRANSACTIONS);
            double[] pacedCalls;
            scores.start();
            try (KafkaStreams streams = new KafkaStreams(FraudTopology.build(python, settings, in, out),
                    FraudApp.config(bootstrap, "jarrow-fraud-demo-" + run, stateDir, exactlyOnce))) {
                streams.start();
                try (ProgressBar bar = new ProgressBar("Scoring (batches of up to " + batchSize + ", 1 thread)", transactions)) {
                    while (scores.distinct(0, transactions) < transactions) {
                        bar.set(scores.distinct(0, transactions));
                        scores.check();
                        Thread.sleep(50);
                    }
                    bar.set(transactions);
                }
                double seconds = scores.backlogSeconds();
                double[] backlogCalls = calls(streams);
                System.err.printf("Scored %,d transactions in %.2f s: %,.0f transactions/s (first to last scored record); "
                        + "%,.0f Python calls, %.0f rows each on average%n",
                        transactions, seconds, transactions / seconds, backlogCalls[0], backlogCalls[1] / backlogCalls[0]);

                try (KafkaProducer<String, String> producer = producer(bootstrap);
                     ProgressBar bar = new ProgressBar("Paced stream at " + LATENCY_RATE + "/s", LATENCY_TRANSACTIONS)) {
                    List<String> values = lines(generate.call(transactions, LATENCY_TRANSACTIONS, 7));
                    long begin = System.nanoTime();
                    for (int i = 0; i < values.size(); i++) {
                        long due = begin + i * 1_000_000_000L / LATENCY_RATE;
                        while (System.nanoTime() < due) {
                            Thread.onSpinWait();
                        }
                        producer.send(new ProducerRecord<>(in, key(values.get(i)), values.get(i)));
                        if (i % 500 == 0) {
                            producer.flush();
                            bar.set(i);
                        }
                    }
                    producer.flush();
                    bar.set(values.size());
                }
                while (scores.distinct(transactions, transactions + LATENCY_TRANSACTIONS) < LATENCY_TRANSACTIONS) {
                    scores.check();
                    Thread.sleep(20);
                }
                double[] all = calls(streams);
                pacedCalls = new double[] {all[0] - backlogCalls[0], all[1] - backlogCalls[1]};
            }
            scores.close();
            long[] latencies = scores.latenciesMs();
            System.err.printf("End-to-end latency (produced -> scored record consumed): p50 %d ms, p99 %d ms; "
                    + "%,.0f Python calls, %.1f rows each on average%n",
                    percentile(latencies, 0.50), percentile(latencies, 0.99), pacedCalls[0], pacedCalls[1] / pacedCalls[0]);
            System.err.printf("Fraud caught: %,d of %,d (%.1f%%); %,d false alarms (%.3f%% of legitimate transactions)%n",
                    scores.caught(), scores.fraud(), 100.0 * scores.caught() / Math.max(1, scores.fraud()),
                    scores.falseAlarms(), 100.0 * scores.falseAlarms() / Math.max(1, scores.total() - scores.fraud()));
        } finally {
            if (broker != null) {
                broker.close();
            }
            try (var files = Files.walk(stateDir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        System.exit(0);
    }

    static List<String> lines(Object jsonLines) {
        return Arrays.asList(new String((byte[]) jsonLines, StandardCharsets.UTF_8).split("\n"));
    }

    /** The card of a transaction: the record key, so a card's transactions stay in order. */
    static String key(String transaction) {
        int at = transaction.indexOf("\"card\": \"") + 9;
        return transaction.substring(at, transaction.indexOf('"', at));
    }

    /** The transaction id of a scored record ({@code {"id":123,...}}, as fraud_model.score writes it). */
    static int id(String scored) {
        int at = scored.indexOf("\"id\":") + 5;
        return Integer.parseInt(scored.substring(at, scored.indexOf(',', at)));
    }

    /** Python calls and rows scored so far, summed over the processor's tasks (its metrics). */
    static double[] calls(KafkaStreams streams) {
        double[] sums = new double[2];
        streams.metrics().forEach((name, metric) -> {
            if (name.group().equals("stream-jarrow-processor-metrics")) {
                if (name.name().equals("python-call-total")) {
                    sums[0] += ((Number) metric.metricValue()).doubleValue();
                } else if (name.name().equals("rows-total")) {
                    sums[1] += ((Number) metric.metricValue()).doubleValue();
                }
            }
        });
        return sums;
    }

    static long percentile(long[] sorted, double p) {
        return sorted.length == 0 ? 0 : sorted[Math.min(sorted.length - 1, (int) (p * sorted.length))];
    }

    static KafkaProducer<String, String> producer(String bootstrap) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, 512 * 1024);
        props.put(ProducerConfig.ACKS_CONFIG, "1");
        return new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
    }

    static void createTopics(String bootstrap, int partitions, String... names) throws InterruptedException {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            List<NewTopic> topics = new ArrayList<>();
            for (String name : names) {
                topics.add(new NewTopic(name, partitions, (short) 1));
            }
            for (var result : admin.createTopics(topics).values().values()) {
                try {
                    result.get();
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("cannot create topics " + List.of(names), e.getCause());
                    }
                }
            }
        }
    }

    /** Reads the scores topic on its own thread: what was scored, when, and how well. */
    static final class ScoresReader extends Thread implements AutoCloseable {
        private final KafkaConsumer<String, String> consumer;
        private final String topic;
        private final BitSet seen = new BitSet();
        private final List<Long> latencies = new ArrayList<>();
        private final int latencyFrom;
        private volatile boolean running = true;
        private volatile Throwable failure;
        private long firstNanos;
        private long lastBacklogNanos;
        private int total;
        private int fraud;
        private int caught;
        private int falseAlarms;

        ScoresReader(String bootstrap, String topic, int expected) {
            super("scores-reader");
            Properties props = new Properties();
            props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            props.put(ConsumerConfig.GROUP_ID_CONFIG, "jarrow-fraud-demo-reader-" + UUID.randomUUID());
            props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            this.consumer = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer());
            this.topic = topic;
            this.latencyFrom = expected - LATENCY_TRANSACTIONS;
            setDaemon(true);
        }

        @Override
        public void run() {
            try {
                consumer.subscribe(List.of(topic));
                while (running) {
                    for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(50))) {
                        accept(record);
                    }
                }
            } catch (Throwable t) {
                failure = t;
            } finally {
                consumer.close();
            }
        }

        private synchronized void accept(ConsumerRecord<String, String> record) {
            long now = System.nanoTime();
            String value = record.value();
            int id = id(value);
            if (seen.get(id)) {
                return;
            }
            seen.set(id);
            if (firstNanos == 0) {
                firstNanos = now;
            }
            if (id < latencyFrom) {
                lastBacklogNanos = now;
            } else {
                latencies.add(System.currentTimeMillis() - record.timestamp());
            }
            boolean isFraud = value.contains("\"is_fraud\":true");
            boolean flagged = value.contains("\"flagged\":true");
            total++;
            fraud += isFraud ? 1 : 0;
            caught += isFraud && flagged ? 1 : 0;
            falseAlarms += !isFraud && flagged ? 1 : 0;
        }

        synchronized int distinct(int from, int to) {
            return seen.get(from, to).cardinality();
        }

        void check() {
            if (failure != null) {
                throw new IllegalStateException("reading the scores failed", failure);
            }
        }

        synchronized double backlogSeconds() {
            return (lastBacklogNanos - firstNanos) / 1e9;
        }

        synchronized long[] latenciesMs() {
            return latencies.stream().mapToLong(Long::longValue).sorted().toArray();
        }

        synchronized int total() { return total; }
        synchronized int fraud() { return fraud; }
        synchronized int caught() { return caught; }
        synchronized int falseAlarms() { return falseAlarms; }

        @Override
        public void close() throws InterruptedException {
            running = false;
            join(10_000);
        }
    }
}
