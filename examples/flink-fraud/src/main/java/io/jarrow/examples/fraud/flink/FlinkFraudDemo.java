package io.jarrow.examples.fraud.flink;

import io.jarrow.PythonConfig;
import io.jarrow.PythonRuntime;
import io.jarrow.examples.fraud.FraudModel;
import io.jarrow.examples.fraud.LocalKafka;
import io.jarrow.examples.fraud.Options;
import io.jarrow.examples.fraud.ProgressBar;
import io.jarrow.examples.fraud.ScoresReader;
import io.jarrow.examples.fraud.Transactions;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The README's Flink demo: the fraud model of the Kafka demo scored by a Flink job, Kafka to
 * Kafka, exactly once, in its DataStream and its SQL ({@code ML_PREDICT}) form.
 *
 * <ol>
 *   <li>Starts a single-node Kafka broker (KRaft, loopback), unless {@code --bootstrap-servers}
 *       names one.
 *   <li>Loads the model (training it first if {@code --model} does not exist yet).
 *   <li>For each form: produces the transactions to a topic of their own, runs the job on a local
 *       Flink cluster in this JVM (one slot per partition, checkpoints every 500 ms), and prints
 *       its throughput, the end-to-end latency of a paced stream, and how much fraud was caught.
 *       The scores are read {@code read_committed}: a score is visible once the checkpoint after
 *       it has committed its Kafka transaction, which sets the latency floor of exactly-once.
 * </ol>
 *
 * <pre>
 * FlinkFraudDemo [--bootstrap-servers HOST:PORT] [--transactions N] [--max-batch-size N]
 *                [--partitions N] [--form datastream|sql|both] [--model FILE]
 * </pre>
 */
public final class FlinkFraudDemo {
    private static final int PACED_TRANSACTIONS = 20_000;
    private static final int PACED_RATE = 10_000;

    private FlinkFraudDemo() {}

    public static void main(String[] args) throws Exception {
        Options options = Options.parse(args);
        int transactions = options.integer("--transactions", 200_000);
        int batchSize = options.integer("--max-batch-size", 1024);
        int partitions = options.integer("--partitions", 2);
        String form = options.get("--form", "both");
        if (!List.of("datastream", "sql", "both").contains(form)) {
            throw new IllegalArgumentException("--form takes datastream, sql or both, not '" + form + "'");
        }
        Path model = Path.of(options.get("--model", "target/fraud-model.pkl"));
        String bootstrap = options.get("--bootstrap-servers");

        LocalKafka broker = LocalKafka.startUnless(bootstrap);
        if (broker != null) {
            bootstrap = broker.bootstrapServers();
        }
        try {
            PythonRuntime python = FraudModel.start(model);
            Transactions input = new Transactions(python.function("fraud_model:transactions_json"), bootstrap);
            Demo demo = new Demo(bootstrap, input, FraudModel.config(), transactions, batchSize, partitions);
            if (!form.equals("sql")) {
                demo.run("DataStream (PythonOperator)", "datastream");
            }
            if (!form.equals("datastream")) {
                demo.run("SQL (ML_PREDICT)", "sql");
            }
        } finally {
            if (broker != null) {
                broker.close();
            }
        }
        System.exit(0);
    }

    /** One form's run: its topics, its job, its figures. */
    private record Demo(String bootstrap, Transactions input, PythonConfig python, int transactions, int batchSize,
            int partitions) {
        void run(String title, String form) throws Exception {
            System.err.println();
            System.err.println("== " + title + ": Kafka -> Flink (parallelism " + partitions + ") -> Kafka, exactly once ==");
            String run = UUID.randomUUID().toString().substring(0, 8);
            String in = "transactions-" + form + "-" + run;
            String out = "fraud-scores-" + form + "-" + run;
            LocalKafka.createTopics(bootstrap, partitions, in, out);
            input.produceBacklog(in, transactions);

            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
            env.setParallelism(partitions);
            JobClient job;
            if (form.equals("sql")) {
                job = FraudJob.runSql(FraudJob.tables(env, batchSize), FraudJob.sql(bootstrap, in, out, python, batchSize, false))
                        .getJobClient().orElseThrow();
            } else {
                FraudJob.dataStream(env, bootstrap, in, out, python, batchSize, false);
                job = env.executeAsync("fraud scoring (DataStream)");
            }
            // Scores as they are written (for the throughput) and as they commit (for the rest).
            try (ScoresReader written = new ScoresReader(bootstrap, out, transactions, false);
                 ScoresReader scores = new ScoresReader(bootstrap, out, transactions)) {
                written.start();
                scores.start();
                try (ProgressBar bar = new ProgressBar("Scoring (batches of up to " + batchSize + ")", transactions)) {
                    scores.awaitAll(0, transactions, done -> {
                        bar.set(done);
                        failed(job);
                    });
                }
                written.awaitAll(0, transactions, done -> { });
                double seconds = written.backlogSeconds();
                System.err.printf("Scored %,d transactions in %.2f s: %,.0f transactions/s (first to last score written)%n",
                        transactions, seconds, transactions / seconds);
                input.producePaced(in, transactions, PACED_TRANSACTIONS, PACED_RATE);
                scores.awaitAll(transactions, transactions + PACED_TRANSACTIONS, done -> failed(job));
                job.cancel().get(1, TimeUnit.MINUTES);
                long[] latencies = scores.latenciesMs();
                System.err.printf("End-to-end latency at %,d/s (produced -> committed score consumed): p50 %d ms, p99 %d ms "
                        + "(checkpoints every %d ms commit the scores)%n", PACED_RATE,
                        ScoresReader.percentile(latencies, 0.50), ScoresReader.percentile(latencies, 0.99),
                        FraudJob.CHECKPOINT_INTERVAL.toMillis());
                System.err.printf("Every transaction scored exactly once: %,d scores, %,d duplicates%n",
                        scores.total(), scores.duplicates());
                System.err.println(scores.fraudSummary());
            }
        }

        /** Throws the job's failure, if it failed. */
        private static void failed(JobClient job) {
            var status = job.getJobStatus().join();
            if (status.isGloballyTerminalState()) {
                try {
                    job.getJobExecutionResult().get();
                } catch (Exception e) {
                    throw new IllegalStateException("the Flink job failed", e);
                }
                throw new IllegalStateException("the Flink job ended (" + status + ") before every transaction was scored");
            }
        }
    }
}
