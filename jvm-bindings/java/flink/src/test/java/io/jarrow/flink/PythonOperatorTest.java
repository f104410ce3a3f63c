package io.jarrow.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jarrow.ErrorPolicy;
import io.jarrow.TestPython;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.CloseableIterator;
import org.apache.flink.util.Collector;
import org.apache.flink.util.ExceptionUtils;
import org.apache.flink.util.OutputTag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * PythonOperator in real Flink jobs on a MiniCluster of two TaskManagers with two slots each
 * (one JVM: they share the test's Python interpreter). Each job ships the operator serialized,
 * as a cluster does.
 */
class PythonOperatorTest {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(2)
            .setNumberSlotsPerTaskManager(2)
            .build());

    static String transaction(long id) {
        return "{\"id\": " + id + ", \"amount\": " + (id + 0.5) + (id % 7 == 3 ? ", \"poison\": true" : ", \"poison\": false") + "}";
    }

    static String scored(long id) {
        return "{\"id\":" + id + ",\"score\":" + ((id + 0.5) * 2) + "}";
    }

    /** Transactions 0 .. n-1, at {@code perSecond} (0: as fast as they go), in order per source subtask. */
    static DataStream<String> transactions(StreamExecutionEnvironment env, long n, double perSecond) {
        DataGeneratorSource<String> source = new DataGeneratorSource<>(PythonOperatorTest::transaction, n,
                perSecond > 0 ? RateLimiterStrategy.perSecond(perSecond) : RateLimiterStrategy.noOp(), Types.STRING);
        return env.fromSource(source, WatermarkStrategy.noWatermarks(), "transactions");
    }

    static PythonOperator.Builder<String, String> scoring(String function) {
        return PythonOperator.builder("batching:" + function, FlinkFormat.json()).config(TestPython.config());
    }

    @SuppressWarnings("unchecked")
    static List<Long> batchSizes() {
        return (List<Long>) TestPython.runtime().function("batching:batch_sizes_seen").call();
    }

    static <T> List<T> collect(DataStream<T> stream) throws Exception {
        List<T> out = new ArrayList<>();
        try (CloseableIterator<T> it = stream.executeAndCollect()) {
            it.forEachRemaining(out::add);
        }
        return out;
    }

    static List<String> scoredIds(LongStream ids) {
        return ids.mapToObj(PythonOperatorTest::scored).toList();
    }

    @Test
    void everyRecordIsScoredOnceInOrder() throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        List<String> out = collect(scoring("reject_poison").name("in order").maxBatchSize(64)
                .applyTo(transactions(env, 3000, 0).filter(t -> t.contains("\"poison\": false"))));
        List<String> expected = LongStream.range(0, 3000).filter(i -> i % 7 != 3)
                .mapToObj(i -> "{\"id\":" + i + "}").toList();
        assertEquals(expected, out);
    }

    @Test
    void parallelSubtasksScoreEveryRecordExactlyOnce() throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(4);
        List<String> out = new ArrayList<>(collect(scoring("id_times_two_plus_one")
                .applyTo(transactions(env, 20_000, 0).rebalance())));
        List<String> expected = new ArrayList<>(LongStream.range(0, 20_000)
                .mapToObj(i -> "{\"id\":" + i + ",\"out\":" + (2 * i + 1) + "}").toList());
        out.sort(null);
        expected.sort(null);
        assertEquals(expected, out, "each of four subtasks' results belong to its own records");
    }

    @Test
    void twoJobsRunAtOnceOnOneClusterSharingItsInterpreter() throws Exception {
        List<CloseableIterator<String>> outputs = new ArrayList<>();
        List<JobClient> jobs = new ArrayList<>();
        for (String function : List.of("id_times_two_plus_one", "reject_poison")) {
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
            env.setParallelism(2);
            outputs.add(scoring(function).onError(ErrorPolicy.logAndSkip())
                    .applyTo(transactions(env, 5000, 2000).rebalance()).collectAsync());
            jobs.add(env.executeAsync(function));
        }
        List<List<String>> results = new ArrayList<>();
        for (CloseableIterator<String> output : outputs) {
            List<String> out = new ArrayList<>();
            output.forEachRemaining(out::add);
            out.sort(null);
            results.add(out);
        }
        for (JobClient job : jobs) {
            job.getJobExecutionResult().get();
        }
        List<String> doubled = new ArrayList<>(LongStream.range(0, 5000)
                .mapToObj(i -> "{\"id\":" + i + ",\"out\":" + (2 * i + 1) + "}").toList());
        List<String> kept = new ArrayList<>(LongStream.range(0, 5000).filter(i -> i % 7 != 3)
                .mapToObj(i -> "{\"id\":" + i + "}").toList());
        doubled.sort(null);
        kept.sort(null);
        assertEquals(doubled, results.get(0));
        assertEquals(kept, results.get(1));
    }

    @Test
    void fixedBatchesAreScoredWhole() throws Exception {
        batchSizes();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        List<String> out = collect(scoring("score").minBatchSize(50).maxBatchSize(50).maxLatency(Duration.ofHours(1))
                .applyTo(transactions(env, 1000, 0).filter(t -> t.contains("\"poison\": false"))));
        assertEquals(scoredIds(LongStream.range(0, 1000).filter(i -> i % 7 != 3)), out);
        List<Long> sizes = batchSizes();
        // 857 records: 17 full batches, and the rest at the end of input.
        assertEquals(18, sizes.size(), sizes.toString());
        assertTrue(sizes.subList(0, 17).stream().allMatch(s -> s == 50), sizes.toString());
        assertEquals(7, sizes.get(17));
    }

    @Test
    void aSlowStreamIsScoredWithinTheLatencyBoundNotWhenABatchFills() throws Exception {
        batchSizes();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        // 40 records at 20/s; a batch would wait for 1000 of them, but no record waits for more
        // than half of 200 ms.
        List<String> out = collect(scoring("score").minBatchSize(1000).maxBatchSize(1000).maxLatency(Duration.ofMillis(200))
                .applyTo(transactions(env, 40, 20).filter(t -> t.contains("\"poison\": false"))));
        assertEquals(scoredIds(LongStream.range(0, 40).filter(i -> i % 7 != 3)), out);
        List<Long> sizes = batchSizes();
        assertTrue(sizes.size() >= 5 && sizes.stream().allMatch(s -> s < 20), "small batches, one per latency bound: " + sizes);
    }

    @Test
    void checkpointBarriersFlushTheBuffer() throws Exception {
        batchSizes();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        env.enableCheckpointing(100);
        // Fixed batches of 1000 that never time out: only a barrier (or the end) lets records go.
        List<String> out = collect(scoring("score").minBatchSize(1000).maxBatchSize(1000).maxLatency(Duration.ofHours(1))
                .applyTo(transactions(env, 300, 200).filter(t -> t.contains("\"poison\": false"))));
        assertEquals(scoredIds(LongStream.range(0, 300).filter(i -> i % 7 != 3)), out);
        List<Long> sizes = batchSizes();
        assertTrue(sizes.size() >= 3, "the checkpoints during the 1.5 s of input each flushed a partial batch: " + sizes);
    }

    @Test
    void aWatermarkNeverOvertakesABufferedRecord() throws Exception {
        batchSizes();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        env.getConfig().setAutoWatermarkInterval(50);
        // Event time = id; fixed batches of 1000 that never time out: only a watermark (or the
        // end) lets records go, and each must come out before the watermark that follows it.
        DataGeneratorSource<String> source = new DataGeneratorSource<>(PythonOperatorTest::transaction, 600,
                RateLimiterStrategy.perSecond(400), Types.STRING);
        WatermarkStrategy<String> byId = WatermarkStrategy.<String>forMonotonousTimestamps()
                .withTimestampAssigner((t, previous) -> Long.parseLong(t.substring(t.indexOf(':') + 2, t.indexOf(','))));
        DataStream<String> scored = scoring("score").minBatchSize(1000).maxBatchSize(1000).maxLatency(Duration.ofHours(1))
                .applyTo(env.fromSource(source, byId, "transactions").filter(t -> t.contains("\"poison\": false")));
        List<String> late = collect(scored.process(new ProcessFunction<String, String>() {
            @Override
            public void processElement(String value, Context ctx, Collector<String> out) {
                if (ctx.timestamp() <= ctx.timerService().currentWatermark()) {
                    out.collect(value + " at " + ctx.timestamp() + " behind watermark " + ctx.timerService().currentWatermark());
                }
            }
        }));
        assertEquals(List.of(), late);
        List<Long> sizes = batchSizes();
        assertTrue(sizes.size() >= 5, "the watermarks during the 1.5 s of input each let a partial batch go: " + sizes);
    }

    @Test
    void aPythonErrorFailsTheJobNamingIt() {
        Configuration noRestart = new Configuration();
        noRestart.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(noRestart);
        env.setParallelism(1);
        // A source still running when the first batch fails, so that its failure is the job's.
        Exception e = assertThrows(Exception.class,
                () -> collect(scoring("reject_poison").applyTo(transactions(env, 1_000_000, 0))));
        String chain = ExceptionUtils.stringifyException(e);
        assertTrue(chain.contains("ValueError") && chain.contains("poisoned transaction in the batch"), chain);
        assertTrue(chain.contains("Traceback"), "the Python traceback is in the failure: " + chain);
    }

    @Test
    void logAndSkipDropsOnlyThePoisonedRecords() throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        List<String> out = collect(scoring("reject_poison").onError(ErrorPolicy.logAndSkip()).maxBatchSize(32)
                .applyTo(transactions(env, 500, 0)));
        assertEquals(LongStream.range(0, 500).filter(i -> i % 7 != 3).mapToObj(i -> "{\"id\":" + i + "}").toList(), out);
    }

    @Test
    void deadLettersGoToTheSideOutputWithTheirErrors() throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        OutputTag<DeadLetter<String>> failed = DeadLetter.tag("failed", Types.STRING);
        SingleOutputStreamOperator<String> scored = scoring("reject_poison").deadLetters(failed).maxBatchSize(32)
                .applyTo(transactions(env, 500, 0));
        CloseableIterator<String> out = scored.collectAsync();
        CloseableIterator<DeadLetter<String>> letters = scored.getSideOutput(failed).collectAsync();
        env.execute("dead letters");
        List<String> results = new ArrayList<>();
        out.forEachRemaining(results::add);
        List<DeadLetter<String>> dead = new ArrayList<>();
        letters.forEachRemaining(dead::add);
        assertEquals(LongStream.range(0, 500).filter(i -> i % 7 != 3).mapToObj(i -> "{\"id\":" + i + "}").toList(), results);
        assertEquals(LongStream.range(0, 500).filter(i -> i % 7 == 3).mapToObj(PythonOperatorTest::transaction).toList(),
                dead.stream().map(d -> d.value).toList());
        for (DeadLetter<String> letter : dead) {
            assertEquals("ValueError", letter.errorType);
            assertEquals("poisoned transaction in the batch", letter.errorMessage);
            assertTrue(letter.traceback.contains("reject_poison"), letter.traceback);
            assertEquals("batching:reject_poison", letter.function);
        }
    }

    @Test
    void settingsAreCheckedWhenSet() {
        assertThrows(IllegalArgumentException.class, () -> scoring("score").maxBatchSize(0));
        assertThrows(IllegalArgumentException.class, () -> scoring("score").onError(ErrorPolicy.deadLetter("t")));
        assertThrows(IllegalArgumentException.class, () -> scoring("score").minBatchSize(10).maxBatchSize(5).build());
    }
}
