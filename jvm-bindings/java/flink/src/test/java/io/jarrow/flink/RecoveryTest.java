package io.jarrow.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jarrow.TestPython;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.serialization.SimpleStringEncoder;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.connector.file.sink.FileSink;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.filesystem.rollingpolicies.OnCheckpointRollingPolicy;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A job with PythonOperator that fails after checkpoints, with records buffered at each, restarts
 * from the last one and writes every record exactly once to a sink that commits with checkpoints
 * (part files, finished only when their checkpoint completes).
 */
class RecoveryTest {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(2)
            .setNumberSlotsPerTaskManager(2)
            .build());

    /** Whether the injected failure happened (the MiniCluster runs the job in this JVM). */
    static final AtomicBoolean FAILED = new AtomicBoolean();

    /** Fails its task once, when the result of record {@code id} passes. */
    static final class FailOnce implements MapFunction<String, String> {
        private final String marker;

        FailOnce(long id) {
            this.marker = "{\"id\":" + id + ",";
        }

        @Override
        public String map(String value) {
            if (value.startsWith(marker) && FAILED.compareAndSet(false, true)) {
                throw new IllegalStateException("injected failure at " + value);
            }
            return value;
        }
    }

    @Test
    void aJobThatFailsAfterACheckpointRestartsAndWritesEveryRecordExactlyOnce(@TempDir Path out) throws Exception {
        Configuration config = new Configuration();
        config.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        config.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 2);
        config.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(100));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(config);
        env.setParallelism(2);
        env.enableCheckpointing(100);
        // Fixed batches of 200 that never time out: at every barrier, records are buffered.
        PythonOperator.builder("batching:id_times_two_plus_one", FlinkFormat.json()).config(TestPython.config())
                .minBatchSize(200).maxBatchSize(200).maxLatency(Duration.ofHours(1))
                .applyTo(PythonOperatorTest.transactions(env, 4000, 1000).rebalance())
                .map(new FailOnce(2500))
                .sinkTo(FileSink.forRowFormat(new org.apache.flink.core.fs.Path(out.toUri()), new SimpleStringEncoder<String>())
                        .withRollingPolicy(OnCheckpointRollingPolicy.build())
                        .build());
        env.execute("recovery");
        assertTrue(FAILED.get(), "the job failed once, after record 2500");

        List<String> written = StandaloneClusterTest.written(out);
        List<String> expected = StandaloneClusterTest.expected(4000);
        assertEquals(expected.size(), written.size(), "every record once, none lost and none twice");
        assertEquals(expected, written);
    }
}
