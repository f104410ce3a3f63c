package io.jarrow.examples.fraud.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jarrow.PythonConfig;
import io.jarrow.examples.fraud.FraudModel;
import io.jarrow.examples.fraud.LocalKafka;
import io.jarrow.examples.fraud.Transactions;
import io.jarrow.flink.StandaloneCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Flink demo's job where Flink users run it: a standalone session cluster (JobManager and
 * TaskManager each a JVM of their own, jarrow on the cluster's class path as from lib/) scoring
 * from a real Kafka broker into a transactional Kafka sink. The TaskManager is killed with SIGKILL
 * mid-job (its Python interpreter, the batches in flight and the open Kafka transactions die with
 * it), a new one takes over, and every transaction is scored exactly once.
 */
class ClusterTest {
    @TempDir
    Path dir;
    private LocalKafka kafka;
    private StandaloneCluster cluster;

    @AfterEach
    void stop() throws InterruptedException {
        if (cluster != null) {
            cluster.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    /** The demo's job, its source throttled so that it runs for some seconds; {@code n} transactions in. */
    JobClient submit(String in, String out, int perSecondPerSubtask) throws Exception {
        StreamExecutionEnvironment env = cluster.environment();
        env.setParallelism(2);
        env.enableCheckpointing(FraudJob.CHECKPOINT_INTERVAL.toMillis());
        PythonConfig python = FraudModel.config();
        DataStream<byte[]> transactions = FraudJob.transactions(env, kafka.bootstrapServers(), in, true)
                .map(new Throttle<byte[]>(perSecondPerSubtask)).returns(byte[].class);
        FraudJob.writeTo(FraudJob.score(transactions, python, 256), kafka.bootstrapServers(), out);
        return env.executeAsync("fraud scoring " + in + " -> " + out);
    }

    static void assertExactlyOnce(Committed committed, int n) {
        assertEquals(List.of(), committed.missing(n), "transactions with no committed score");
        assertEquals(List.of(), committed.duplicated(), "transactions scored twice");
        assertEquals(n, committed.scores());
    }

    @Test
    void aTaskManagerKilledMidJobIsReplacedAndEveryTransactionIsScoredExactlyOnce() throws Exception {
        Path model = Path.of("target", "fraud-model.pkl").toAbsolutePath();
        kafka = LocalKafka.start();
        kafka.createTopics(2, "transactions", "scores", "transactions-2", "scores-2");
        Transactions input = new Transactions(FraudModel.start(model).function("fraud_model:transactions_json"),
                kafka.bootstrapServers());
        input.produceBacklog("transactions", 12_000);
        input.produceBacklog("transactions-2", 4_000);

        // The TaskManagers' interpreters find the model through $FRAUD_MODEL (fraud_model.score loads it).
        cluster = new StandaloneCluster(dir, Map.of("FRAUD_MODEL", model.toString()));
        cluster.startJobManager();
        Process first = cluster.startTaskManager("taskmanager-1");
        cluster.awaitTaskManagers(1, Duration.ofMinutes(2));
        JobClient job = submit("transactions", "scores", 1000);
        Committed before = awaitSomeCommitted("scores", Duration.ofMinutes(2));
        cluster.killAndReplace(first, "taskmanager-2");
        job.getJobExecutionResult().get(3, TimeUnit.MINUTES);
        assertTrue(cluster.failedOver(job.getJobID()), "the job failed over when its TaskManager died");
        Committed after = Committed.read(kafka.bootstrapServers(), "scores", Duration.ofSeconds(3), Duration.ofMinutes(2));
        assertTrue(before.scores() < 12_000, "the TaskManager died mid-job: " + before.scores() + " scores committed before");
        assertExactlyOnce(after, 12_000);

        // The same job again on the same cluster, on the new TaskManager's interpreter.
        submit("transactions-2", "scores-2", 100_000).getJobExecutionResult().get(3, TimeUnit.MINUTES);
        assertExactlyOnce(Committed.read(kafka.bootstrapServers(), "scores-2", Duration.ofSeconds(3), Duration.ofMinutes(2)), 4_000);
    }

    /** Waits until some scores are committed, and returns what is committed then. */
    Committed awaitSomeCommitted(String topic, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Committed committed = Committed.read(kafka.bootstrapServers(), topic, Duration.ofMillis(300), Duration.ofSeconds(5));
            if (committed.scores() > 0) {
                return committed;
            }
        }
        throw new AssertionError("no score committed within " + timeout + "; see " + dir);
    }
}
