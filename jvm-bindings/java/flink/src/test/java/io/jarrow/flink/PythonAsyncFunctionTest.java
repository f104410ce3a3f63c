package io.jarrow.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jarrow.TestPython;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.apache.flink.util.ExceptionUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** PythonAsyncFunction under Flink's async operator, in real jobs on a MiniCluster. */
class PythonAsyncFunctionTest {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(2)
            .setNumberSlotsPerTaskManager(2)
            .build());

    static <T> List<T> collect(DataStream<T> stream) throws Exception {
        List<T> out = new ArrayList<>();
        try (CloseableIterator<T> it = stream.executeAndCollect()) {
            it.forEachRemaining(out::add);
        }
        return out;
    }

    /** Each id's result row as {@code id/batch_size}, from {@code batching:rows_with_batch_size}. */
    static PythonAsyncFunction<Long, String> withBatchSize() {
        return PythonAsyncFunction.<Long, String>builder("batching:rows_with_batch_size", id -> Map.of("id", id),
                        row -> row.get("id") + "/" + row.get("batch_size"), Types.STRING)
                .config(TestPython.config())
                .build();
    }

    @Test
    void requestsInFlightCoalesceIntoBatchesAndEachGetsItsRow() throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        DataStream<Long> ids = env.fromSequence(0, 19_999);
        List<String> out = collect(AsyncDataStream.unorderedWait(ids, withBatchSize(), 30, TimeUnit.SECONDS, 1000));
        assertEquals(20_000, out.size());
        List<Long> got = new ArrayList<>(out.stream().map(r -> Long.parseLong(r.split("/")[0])).toList());
        got.sort(null);
        assertEquals(LongStream.range(0, 20_000).boxed().toList(), got, "every record once, with its own row");
        long batched = out.stream().filter(r -> Long.parseLong(r.split("/")[1]) > 1).count();
        assertTrue(batched > 10_000, "most requests went in batches of several: " + batched + " of 20000");
    }

    @Test
    void orderedWaitKeepsTheInputOrder() throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        List<String> out = collect(AsyncDataStream.orderedWait(env.fromSequence(0, 4_999), withBatchSize(), 30,
                TimeUnit.SECONDS, 500));
        assertEquals(LongStream.range(0, 5_000).boxed().toList(),
                out.stream().map(r -> Long.parseLong(r.split("/")[0])).toList());
    }

    @Test
    void aPythonErrorFailsTheJobNamingIt() {
        Configuration noRestart = new Configuration();
        noRestart.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(noRestart);
        env.setParallelism(1);
        PythonAsyncFunction<Long, String> rejecting = PythonAsyncFunction.<Long, String>builder("batching:reject_poison",
                        id -> Map.of("id", id, "poison", id == 777), row -> String.valueOf(row.get("id")), Types.STRING)
                .config(TestPython.config())
                .build();
        // A source still running when the first batch fails, so that its failure is the job's.
        Exception e = assertThrows(Exception.class, () -> collect(AsyncDataStream.unorderedWait(env.fromSequence(0, 1_000_000),
                rejecting, 30, TimeUnit.SECONDS, 100)));
        String chain = ExceptionUtils.stringifyException(e);
        assertTrue(chain.contains("ValueError") && chain.contains("poisoned transaction in the batch"), chain);
    }

    @Test
    void optionsAreCheckedWhenSet() {
        var builder = PythonAsyncFunction.<Long, String>builder("batching:score", id -> Map.of("id", id),
                String::valueOf, Types.STRING);
        assertThrows(IllegalArgumentException.class, () -> builder.maxBatchSize(0));
        assertThrows(IllegalArgumentException.class, () -> builder.queueCapacity(0));
        assertThrows(IllegalArgumentException.class, () -> builder.timeout(Duration.ZERO));
    }
}
