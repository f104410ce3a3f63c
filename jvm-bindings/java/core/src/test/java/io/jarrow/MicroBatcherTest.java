package io.jarrow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The engine-neutral scoring core on its own, with no engine: records are plain objects, the
 * "engine" is the test calling add / poll / flush, and the clock is the test's.
 */
class MicroBatcherTest {
    /** An engine's record: a key and a JSON value. */
    record Rec(String key, String value) {}

    /** The records' schema, given: a field only some records have is in every batch. */
    static final Schema SCHEMA = new Schema(List.of(Field.nullable("id", new ArrowType.Int(64, true)),
            Field.nullable("amount", new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)),
            Field.nullable("poison", ArrowType.Bool.INSTANCE)));

    final AtomicLong clock = new AtomicLong(1_000);
    final List<String> forwarded = new ArrayList<>();
    final List<List<String>> completed = new ArrayList<>();
    final List<MicroBatcher.Failure<Rec>> dead = new ArrayList<>();
    PythonFunction function;

    @BeforeEach
    void open() {
        function = TestPython.runtime().function("batching:score");
        sizes(0);
    }

    @AfterEach
    void close() {
        sizes(0);
        function.close();
    }

    /** The batch sizes seen since the last call; the calls after this one take {@code delay} s. */
    @SuppressWarnings("unchecked")
    static List<Long> sizes(double delay) {
        return (List<Long>) TestPython.runtime().function("batching:batch_sizes_seen").call(delay);
    }

    /** As {@link #sizes}, and each call computes for {@code cpuSeconds} of its thread's CPU time. */
    @SuppressWarnings("unchecked")
    static List<Long> sizesBusy(double cpuSeconds) {
        return (List<Long>) TestPython.runtime().function("batching:batch_sizes_seen").call(cpuSeconds, true);
    }

    MicroBatcher.Builder<Rec, String, String> batcher() {
        return MicroBatcher.<Rec, String, String>builder(function, ValueFormat.json(SCHEMA), Rec::value)
                .clock(clock::get)
                .output(new MicroBatcher.Output<>() {
                    @Override
                    public void forward(Rec record, String result) {
                        forwarded.add(record.key() + "=" + result);
                    }

                    @Override
                    public void completed(List<Rec> batch) {
                        completed.add(batch.stream().map(Rec::key).toList());
                    }
                });
    }

    static Rec rec(int id) {
        return new Rec("k" + id, "{\"id\": " + id + ", \"amount\": " + (id + 0.5) + "}");
    }

    static Rec poison(int id) {
        return new Rec("k" + id, "{\"id\": " + id + ", \"amount\": 1.0, \"poison\": true}");
    }

    static String scored(int id) {
        return "k" + id + "={\"id\":" + id + ",\"score\":" + ((id + 0.5) * 2) + "}";
    }

    static List<String> scored(int from, int to) {
        List<String> out = new ArrayList<>();
        for (int i = from; i < to; i++) {
            out.add(scored(i));
        }
        return out;
    }

    @Test
    void aLoneRecordIsScoredAtOnceAndHandedBackByTheNextPoll() {
        try (MicroBatcher<Rec, String, String> b = batcher().maxBatchSize(1024).build()) {
            b.add(rec(0));                  // to the scorer at once: no waiting for company
            b.poll();                       // nothing arrived since: it waits for the call
            assertEquals(List.of(scored(0)), forwarded);
            assertEquals(0, b.pending());
            assertEquals(List.of(1L), sizes(0));
        }
    }

    @Test
    void recordsArrivingWhileACallRunsMakeTheNextBatch() {
        // A cap this far off never fills within half maxLatency: every batch goes when the scorer is free.
        try (MicroBatcher<Rec, String, String> b = batcher().maxBatchSize(100_000).maxLatency(Duration.ofMillis(2)).build()) {
            sizes(0.2);                     // every call takes 200 ms
            b.add(rec(0));                  // the scorer is free: it goes at once, on a scoring thread
            for (int i = 1; i < 11; i++) {
                b.add(rec(i));              // the scorer is busy: they wait, together
            }
            assertEquals(List.of(), forwarded);
            assertEquals(11, b.pending());
            b.flush();
            assertEquals(scored(0, 11), forwarded, "in input order");
            assertEquals(List.of(1L, 10L), sizes(0), "what arrived during the call went in one batch");
        }
    }

    @Test
    void aStreamThatFillsTheCapSoonWaitsForFullBatches() {
        try (MicroBatcher<Rec, String, String> b = batcher().maxBatchSize(4).build()) {
            sizes(0.1);
            b.add(rec(0));                  // the first: scored in place
            for (int i = 1; i < 10; i++) {
                b.add(rec(i));              // microseconds apart: the cap fills long before 50 ms
            }
            b.flush();
            assertEquals(scored(0, 10), forwarded);
            assertEquals(List.of(1L, 4L, 4L, 1L), sizes(0));
            assertEquals(List.of(List.of("k0"), List.of("k1", "k2", "k3", "k4"), List.of("k5", "k6", "k7", "k8"),
                    List.of("k9")), completed, "each batch completed after its records were forwarded");
        }
    }

    @Test
    void theCapPushesBackWhileTheScorerIsBusy() {
        // A record a millisecond: 20 arrive during one 300 ms call, and 19 ms to fill the cap is
        // more than half of maxLatency (1 ms), so each batch goes when the scorer is free.
        try (MicroBatcher<Rec, String, String> b = batcher().maxBatchSize(20).maxLatency(Duration.ofMillis(2)).build()) {
            sizes(0.3);
            for (int i = 0; i < 26; i++) {
                b.add(rec(i));
                sleep(1);
            }
            b.flush();
            assertEquals(scored(0, 26), forwarded);
            // 0 goes at once; 1-20 reach the cap during its call, wait for it and go next, on a
            // scoring thread; 21-25 wait for them and are flushed.
            assertEquals(List.of(1L, 20L, 5L), sizes(0));
        }
    }

    @Test
    void betweenCallsTheScorerRestsLongerThanTheLastCallComputed() {
        AtomicLong lastCall = new AtomicLong();
        try (MicroBatcher<Rec, String, String> b = batcher().maxBatchSize(100_000).maxLatency(Duration.ofSeconds(20))
                .metrics(new MicroBatcher.Metrics() {
                    @Override
                    public void call(int rows, long nanos) {
                        lastCall.set(nanos);
                    }
                }).build()) {
            sizesBusy(0.02);                // every call computes for 20 ms
            b.add(rec(0));                  // the scorer is free and rested: at once
            b.poll();                       // waits for it (nothing else waits)
            long ended = System.nanoTime();
            long firstCall = lastCall.get();
            assertEquals(List.of(scored(0)), forwarded);
            b.add(rec(1));
            b.add(rec(2));
            b.poll();
            assertEquals(2, b.pending(), "right after a call, the records wait for the scorer's rest");
            long submitted = 0;
            while (b.pending() == 2 && System.nanoTime() - ended < Duration.ofSeconds(10).toNanos()) {
                b.poll();
                submitted = System.nanoTime();
                sleep(1);
            }
            b.flush();
            assertEquals(scored(0, 3), forwarded);
            assertEquals(List.of(1L, 2L), sizes(0), "what arrived during the rest went in one batch");
            assertTrue(submitted - ended >= MicroBatcher.REST_CALLS * 20_000_000L,
                    "the second call began " + (submitted - ended) / 1e6 + " ms after the first, which took "
                            + firstCall / 1e6 + " ms and computed for 20 ms");
        }
    }

    @Test
    void aCallThatWaitsWithoutComputingLeavesTheScorerAlmostNoRest() {
        try (MicroBatcher<Rec, String, String> b = batcher().maxBatchSize(100_000).maxLatency(Duration.ofSeconds(20)).build()) {
            sizes(0.1);                     // every call sleeps 100 ms (a model served elsewhere, say)
            b.add(rec(0));
            b.poll();                       // waits for it
            assertEquals(List.of(scored(0)), forwarded);
            // Resting after the call's 100 ms of wall time would leave the scorer idle for 100 ms
            // times REST_CALLS; the call used a few ms of CPU at most.
            assertTrue(b.restNanos() < MicroBatcher.REST_CALLS * 10_000_000L,
                    "the scorer rests " + b.restNanos() / 1e6 + " ms after a call that slept 100 ms");
        }
    }

    @Test
    void aPollOnAQuietStreamHandsBackTheSmallBatchInFlight() {
        try (MicroBatcher<Rec, String, String> b = batcher().maxBatchSize(100_000).maxLatency(Duration.ofMillis(2)).build()) {
            sizes(0.1);
            b.add(rec(0));                  // on a scoring thread, for 100 ms
            assertEquals(List.of(), forwarded);
            b.poll();                       // nothing arrived since: waits for it rather than leave it
            assertEquals(List.of(scored(0)), forwarded);
        }
    }

    @Test
    void fixedBatchesWaitForCompanyUpToHalfTheLatency() {
        try (MicroBatcher<Rec, String, String> b = batcher().maxBatchSize(4).minBatchSize(4)
                .maxLatency(Duration.ofMillis(100)).build()) {
            for (int i = 0; i < 6; i++) {
                b.add(rec(i));
            }
            b.poll();
            List<String> firstFour = new ArrayList<>(forwarded);
            assertEquals(scored(0, 4), firstFour, "a full batch, then 2 waiting for company");
            clock.addAndGet(49);
            b.poll();
            assertEquals(4, forwarded.size(), "49 ms: they wait on");
            clock.addAndGet(1);
            b.poll();
            assertEquals(scored(0, 6), forwarded, "half maxLatency: scored");
            assertEquals(List.of(4L, 2L), sizes(0));
        }
    }

    @Test
    void aNullValueIsHandedBackInItsPlaceWithoutACall() {
        try (MicroBatcher<Rec, String, String> b = batcher().maxBatchSize(4).minBatchSize(4).build()) {
            b.add(rec(0));
            b.add(new Rec("t1", null));
            b.add(rec(2));
            b.add(new Rec("t3", null));
            assertEquals(List.of(scored(0), "t1=null", scored(2), "t3=null"), forwarded);
            assertEquals(List.of(2L), sizes(0));
            for (int i = 0; i < 4; i++) {
                b.add(new Rec("t" + i, null));
            }
            assertEquals(List.of(), sizes(0), "no call for a batch of nulls");
            assertEquals(8, forwarded.size());
        }
    }

    @Test
    void restoredRecordsAreScoredFirstInBatchesOfTheCap() {
        try (MicroBatcher<Rec, String, String> b = batcher().maxBatchSize(3).build()) {
            b.restore(List.of(rec(0), rec(1), rec(2), rec(3), rec(4)));
            assertEquals(List.of(), forwarded, "restoring calls nothing");
            b.add(rec(5));
            b.flush();
            assertEquals(scored(0, 6), forwarded);
            assertTrue(sizes(0).stream().allMatch(n -> n <= 3));
        }
    }

    @Test
    void poisonRecordsAreFoundBySplittingAndSkipped() {
        AtomicInteger failures = new AtomicInteger();
        AtomicInteger calls = new AtomicInteger();
        try (MicroBatcher<Rec, String, String> b = batcher().maxBatchSize(8).minBatchSize(8).onError(ErrorPolicy.logAndSkip())
                .metrics(new MicroBatcher.Metrics() {
                    @Override
                    public void call(int rows, long nanos) {
                        calls.incrementAndGet();
                    }

                    @Override
                    public void failed(int records) {
                        failures.addAndGet(records);
                    }
                }).build()) {
            for (int i = 0; i < 8; i++) {
                b.add(i == 2 || i == 5 ? poison(i) : rec(i));
            }
            assertEquals(List.of(scored(0), scored(1), scored(3), scored(4), scored(6), scored(7)), forwarded);
            assertEquals(2, failures.get());
            // 8 -> 4 + 4 -> (2 + 2) + (2 + 2) -> the two failing pairs split into ones.
            assertEquals(List.of(8L, 4L, 2L, 2L, 1L, 1L, 4L, 2L, 1L, 1L, 2L), sizes(0));
            assertEquals(11, calls.get());
            assertEquals(List.of(List.of("k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7")), completed,
                    "the failed records complete with their batch");
        }
    }

    @Test
    void deadLettersGetTheRecordAndThePythonError() {
        try (MicroBatcher<Rec, String, String> b = batcher().maxBatchSize(3).minBatchSize(3)
                .onError(ErrorPolicy.deadLetter("somewhere")).deadLetters(dead::addAll).build()) {
            b.add(rec(0));
            b.add(poison(1));
            b.add(new Rec("k2", "{\"id\": 2,"));
            assertEquals(List.of(scored(0)), forwarded);
            assertEquals(2, dead.size());
            assertEquals("k1", dead.get(0).record().key());
            assertEquals("ValueError", dead.get(0).errorType());
            assertEquals("poisoned record in the batch", dead.get(0).errorMessage());
            assertTrue(dead.get(0).traceback().contains("in score"), dead.get(0).traceback());
            assertEquals("k2", dead.get(1).record().key());
            assertEquals("jarrow.CONVERSION", dead.get(1).errorType());
            assertEquals("", dead.get(1).traceback());
        }
    }

    @Test
    void underTheFailPolicyTheFirstFailureIsThrownNamingTheBatch() {
        try (MicroBatcher<Rec, String, String> b = batcher().name("scoring").maxBatchSize(2).minBatchSize(2).build()) {
            b.add(rec(0));
            JarrowException e = assertThrows(JarrowException.class, () -> b.add(poison(1)));
            assertEquals("PYTHON", e.code());
            assertTrue(e.getMessage().startsWith("scoring: batching:score failed on a batch of 2 records (error policy: fail)"),
                    e.getMessage());
            assertTrue(e.getMessage().contains("ValueError: poisoned record in the batch"), e.getMessage());
            assertTrue(e.getCause() instanceof PythonException);
            assertEquals(List.of(), forwarded);
        }
    }

    @Test
    void closeWaitsForTheBatchInFlightAndLaterCallsThrow() {
        MicroBatcher<Rec, String, String> b = batcher().build();
        sizes(0.1);
        b.add(rec(0));
        b.add(rec(1));
        b.close();
        b.close();
        assertEquals(List.of(), forwarded, "a close without a flush hands nothing back: the engine keeps it");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> b.add(rec(2)));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        assertThrows(IllegalStateException.class, b::poll);
        assertThrows(IllegalStateException.class, b::flush);
    }

    @Test
    void optionsAreCheckedWithMessagesThatSayWhatIsExpected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> batcher().maxBatchSize(0));
        assertEquals("maxBatchSize must be at least 1, got 0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> batcher().maxLatency(Duration.ZERO));
        assertTrue(e.getMessage().startsWith("maxLatency must be at least 1 ms"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> batcher().maxBatchSize(4).minBatchSize(8).build());
        assertTrue(e.getMessage().startsWith("minBatchSize (8) is larger than maxBatchSize (4)"), e.getMessage());
        IllegalStateException missing = assertThrows(IllegalStateException.class,
                () -> batcher().onError(ErrorPolicy.deadLetter()).build());
        assertTrue(missing.getMessage().contains("no dead-letter sink"), missing.getMessage());
        try (MicroBatcher<Rec, String, String> b = batcher().build()) {
            assertEquals(Duration.ofMillis(5), b.pollInterval());
        }
        try (MicroBatcher<Rec, String, String> b = batcher().maxLatency(Duration.ofMillis(4)).build()) {
            assertEquals(Duration.ofMillis(2), b.pollInterval());
        }
    }

    /**
     * The adaptive paths (in place, on a scoring thread, joined by a poll, pushed back by the cap)
     * against the plain answer, on random streams: every record comes back once, in order, with
     * its own result, whatever the interleaving of arrivals, polls, pauses, nulls and poison.
     */
    @Test
    void randomStreamsGiveWhatScoringEachRecordAloneGives() {
        Random random = new Random(7);
        for (int round = 0; round < 12; round++) {
            forwarded.clear();
            dead.clear();
            int cap = 1 + random.nextInt(40);
            List<String> expected = new ArrayList<>();
            List<String> expectedDead = new ArrayList<>();
            try (MicroBatcher<Rec, String, String> b = batcher().maxBatchSize(cap).minBatchSize(1 + random.nextInt(cap))
                    .maxLatency(Duration.ofMillis(2 + random.nextInt(50))).onError(ErrorPolicy.deadLetter())
                    .deadLetters(dead::addAll).build()) {
                for (int i = 0; i < 300; i++) {
                    int kind = random.nextInt(20);
                    if (kind == 0) {
                        b.add(poison(i));
                        expectedDead.add("k" + i);
                    } else if (kind == 1) {
                        b.add(new Rec("k" + i, null));
                        expected.add("k" + i + "=null");
                    } else {
                        b.add(rec(i));
                        expected.add(scored(i));
                    }
                    int next = random.nextInt(30);
                    if (next == 0) {
                        clock.addAndGet(random.nextInt(60));
                        b.poll();
                    } else if (next == 1) {
                        sleep(random.nextInt(3));
                    } else if (next == 2) {
                        b.poll();
                    }
                    if (random.nextInt(100) == 0) {
                        b.flush();
                    }
                }
                b.flush();
                assertEquals(0, b.pending());
            }
            assertEquals(expected, forwarded, "round " + round);
            assertEquals(expectedDead, dead.stream().map(f -> f.record().key()).toList(), "round " + round);
            assertTrue(sizes(0).stream().allMatch(n -> n <= cap), "no batch over the cap");
        }
    }

    static void sleep(int millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
