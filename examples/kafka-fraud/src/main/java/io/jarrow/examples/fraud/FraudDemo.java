package io.jarrow.examples.fraud;

import io.jarrow.PythonRuntime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
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
        Options options = Options.parse(args);
        int transactions = options.integer("--transactions", 500_000);
        int batchSize = options.integer("--max-batch-size", 1024);
        int partitions = options.integer("--partitions", 2);
        boolean exactlyOnce = options.flag("--exactly-once");
        Path model = Path.of(options.get("--model", "target/fraud-model.pkl"));
        String bootstrap = options.get("--bootstrap-servers");

        LocalKafka broker = LocalKafka.startUnless(bootstrap);
        if (broker != null) {
            bootstrap = broker.bootstrapServers();
        }
        Path stateDir = Files.createTempDirectory("jarrow-fraud-state-");
        try {
            String run = UUID.randomUUID().toString().substring(0, 8);
            String in = FraudTopology.TRANSACTIONS + "-" + run;
            String out = FraudTopology.SCORES + "-" + run;
            LocalKafka.createTopics(bootstrap, partitions, in, out, FraudTopology.DEAD_LETTERS);
            PythonRuntime python = FraudModel.start(model);
            Transactions input = new Transactions(python.function("fraud_model:transactions_json"), bootstrap);
            input.produceBacklog(in, transactions);

            FraudTopology.Settings settings = new FraudTopology.Settings(batchSize, Duration.ofMillis(50), true);
            ScoresReader scores = new ScoresReader(bootstrap, out, transactions);
            double[] pacedCalls;
            scores.start();
            try (KafkaStreams streams = new KafkaStreams(FraudTopology.build(python, settings, in, out),
                    FraudApp.config(bootstrap, "jarrow-fraud-demo-" + run, stateDir, exactlyOnce))) {
                streams.start();
                try (ProgressBar bar = new ProgressBar("Scoring (batches of up to " + batchSize + ", 1 thread)", transactions)) {
                    scores.awaitAll(0, transactions, bar::set);
                }
                double seconds = scores.backlogSeconds();
                double[] backlogCalls = calls(streams);
                System.err.printf("Scored %,d transactions in %.2f s: %,.0f transactions/s (first to last scored record); "
                        + "%,.0f Python calls, %.0f rows each on average%n",
                        transactions, seconds, transactions / seconds, backlogCalls[0], backlogCalls[1] / backlogCalls[0]);

                input.producePaced(in, transactions, LATENCY_TRANSACTIONS, LATENCY_RATE);
                scores.awaitAll(transactions, transactions + LATENCY_TRANSACTIONS, done -> { });
                double[] all = calls(streams);
                pacedCalls = new double[] {all[0] - backlogCalls[0], all[1] - backlogCalls[1]};
            }
            scores.close();
            long[] latencies = scores.latenciesMs();
            System.err.printf("End-to-end latency (produced -> scored record consumed): p50 %d ms, p99 %d ms; "
                    + "%,.0f Python calls, %.1f rows each on average%n",
                    ScoresReader.percentile(latencies, 0.50), ScoresReader.percentile(latencies, 0.99),
                    pacedCalls[0], pacedCalls[1] / pacedCalls[0]);
            System.err.println(scores.fraudSummary());
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
}
