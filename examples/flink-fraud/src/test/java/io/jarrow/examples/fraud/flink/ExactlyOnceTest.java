package io.jarrow.examples.fraud.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jarrow.PythonConfig;
import io.jarrow.examples.fraud.FraudModel;
import io.jarrow.examples.fraud.LocalKafka;
import io.jarrow.examples.fraud.Transactions;
import io.jarrow.flink.FailAfterCheckpoints;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The Flink demo's job on a real Kafka broker: a job that fails after checkpoints restarts and
 * writes every transaction's score exactly once into its transactional Kafka sink (read
 * {@code read_committed}); and the SQL form (ML_PREDICT) scores every transaction as the
 * DataStream form does.
 */
class ExactlyOnceTest {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(2)
            .setNumberSlotsPerTaskManager(2)
            .build());

    static final int TRANSACTIONS = 20_000;
    static LocalKafka kafka;
    static PythonConfig python;

    @BeforeAll
    static void startKafka() throws Exception {
        kafka = LocalKafka.start();
        kafka.createTopics(2, "transactions");
        Transactions input = new Transactions(
                FraudModel.start(Path.of("target", "fraud-model.pkl")).function("fraud_model:transactions_json"),
                kafka.bootstrapServers());
        input.produceBacklog("transactions", TRANSACTIONS);
        python = FraudModel.config();
    }

    @AfterAll
    static void stopKafka() {
        if (kafka != null) {
            kafka.close();
        }
    }

    static StreamExecutionEnvironment environment() {
        Configuration config = new Configuration();
        config.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        config.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 2);
        config.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(200));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(config);
        env.setParallelism(2);
        return env;
    }

    static Committed read(String topic) {
        return Committed.read(kafka.bootstrapServers(), topic, Duration.ofSeconds(3), Duration.ofMinutes(2));
    }

    @Test
    void aJobThatFailsAfterCheckpointsWritesEveryScoreExactlyOnceToKafka() throws Exception {
        FailAfterCheckpoints.FAILED.set(false);
        kafka.createTopics(2, "scores-failed-once");
        StreamExecutionEnvironment env = environment();
        env.enableCheckpointing(FraudJob.CHECKPOINT_INTERVAL.toMillis());
        DataStream<byte[]> in = FraudJob.transactions(env, kafka.bootstrapServers(), "transactions", true)
                .map(new Throttle<byte[]>(2000)).returns(byte[].class);
        DataStream<byte[]> scores = FraudJob.score(in, python, 256)
                .map(new FailAfterCheckpoints<byte[]>()).returns(byte[].class);
        FraudJob.writeTo(scores, kafka.bootstrapServers(), "scores-failed-once");
        env.execute("fails once");
        assertTrue(FailAfterCheckpoints.FAILED.get(), "the job failed once, after two checkpoints");

        Committed committed = read("scores-failed-once");
        assertEquals(List.of(), committed.missing(TRANSACTIONS), "transactions with no committed score");
        assertEquals(List.of(), committed.duplicated(), "transactions scored twice");
        assertEquals(TRANSACTIONS, committed.scores());
    }

    @Test
    void theSqlFormScoresEveryTransactionAsTheDataStreamFormDoes() throws Exception {
        kafka.createTopics(2, "scores-datastream", "scores-sql");
        StreamExecutionEnvironment env = environment();
        FraudJob.dataStream(env, kafka.bootstrapServers(), "transactions", "scores-datastream", python, 1024, true);
        env.execute("datastream");
        FraudJob.runSql(FraudJob.tables(environment(), 1024),
                FraudJob.sql(kafka.bootstrapServers(), "transactions", "scores-sql", python, 1024, true)).await();

        Committed datastream = read("scores-datastream");
        Committed sql = read("scores-sql");
        for (Committed scores : List.of(datastream, sql)) {
            assertEquals(List.of(), scores.missing(TRANSACTIONS));
            assertEquals(List.of(), scores.duplicated());
        }
        int flagged = 0;
        for (int id = 0; id < TRANSACTIONS; id++) {
            // The same features reach the model by two ways: JSON decoded in native code, and
            // Flink's JSON format into SQL rows, converted to Python values.
            assertEquals(Double.parseDouble(datastream.field(id, "fraud_probability")),
                    Double.parseDouble(sql.field(id, "fraud_probability")), "fraud probability of " + id);
            assertEquals(datastream.field(id, "flagged"), sql.field(id, "flagged"), "flag of " + id);
            assertEquals(datastream.field(id, "is_fraud"), sql.field(id, "is_fraud"), "label of " + id);
            flagged += datastream.field(id, "flagged").equals("true") ? 1 : 0;
        }
        assertTrue(flagged > 20, "the model flags some transactions: " + flagged);
    }
}
