package io.jarrow.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jarrow.TestPython;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.serialization.SimpleStringEncoder;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.connector.file.sink.FileSink;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.filesystem.rollingpolicies.OnCheckpointRollingPolicy;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.ExceptionUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stateful Python function in a Flink job: its instance's state is checkpointed with the
 * operator and restored after a failure, so its results are those of a run that never failed.
 */
class StatefulOperatorTest {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(2)
            .setNumberSlotsPerTaskManager(2)
            .build());

    static StreamExecutionEnvironment environment(int restarts) {
        Configuration config = new Configuration();
        config.set(RestartStrategyOptions.RESTART_STRATEGY, restarts > 0 ? "fixed-delay" : "none");
        config.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, Math.max(restarts, 1));
        config.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(100));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(config);
        env.setParallelism(1);
        env.enableCheckpointing(100);
        return env;
    }

    @Test
    void aStatefulFunctionRestartsFromItsCheckpointedInstance(@TempDir Path out) throws Exception {
        FailAfterCheckpoints.FAILED.set(false);
        StreamExecutionEnvironment env = environment(2);
        PythonOperator.builder("stateful:RunningCount.score", FlinkFormat.json()).config(TestPython.config())
                .stateful().maxBatchSize(64).maxLatency(Duration.ofMillis(20))
                .applyTo(PythonOperatorTest.transactions(env, 3000, 1000))
                .map(new FailAfterCheckpoints<String>())
                .sinkTo(FileSink.forRowFormat(new org.apache.flink.core.fs.Path(out.toUri()), new SimpleStringEncoder<String>())
                        .withRollingPolicy(OnCheckpointRollingPolicy.build()).build());
        env.execute("stateful");
        assertTrue(FailAfterCheckpoints.FAILED.get(), "the job failed once, after two checkpoints");

        List<String> written = new ArrayList<>(StandaloneClusterTest.written(out));
        assertEquals(3000, written.size(), "every record once");
        for (String line : written) {
            long id = Long.parseLong(line.substring(line.indexOf(':') + 1, line.indexOf(',')));
            // With a fresh instance after the restart, the count would start again from the
            // checkpoint's records: only the restored one counts on from where it was.
            assertEquals("{\"id\":" + id + ",\"seen\":" + (id + 1) + "}", line);
        }
    }

    @Test
    void statefulNeedsAnInstanceAndSaysSo() {
        StreamExecutionEnvironment env = environment(0);
        PythonOperator.builder("batching:id_times_two_plus_one", FlinkFormat.json()).config(TestPython.config())
                .stateful().applyTo(PythonOperatorTest.transactions(env, 1_000_000, 2000)).sinkTo(
                        new org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink<>());
        Exception e = assertThrows(Exception.class, () -> env.execute("stateful without an instance"));
        String chain = ExceptionUtils.stringifyException(e);
        assertTrue(chain.contains("stateful() needs a 'pkg.module:Class.method'"), chain);
    }
}
