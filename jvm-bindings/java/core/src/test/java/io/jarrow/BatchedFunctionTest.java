package io.jarrow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Single-row calls from many threads, coalesced into batches; each caller gets its own row. */
class BatchedFunctionTest {
    @Test
    void everyCallerGetsExactlyItsOwnRow() throws Exception {
        BatchedFunction score = TestPython.runtime().function("batching:score_rows")
                .batched(BatchOptions.builder().maxBatchSize(256).build());
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Integer>> threads = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                final long base = t * 100_000L;
                threads.add(pool.submit(() -> {
                    List<CompletableFuture<Map<String, Object>>> futures = new ArrayList<>();
                    for (long i = 0; i < 1000; i++) {
                        futures.add(score.submit(Map.of("id", base + i)));
                    }
                    for (int i = 0; i < futures.size(); i++) {
                        Map<String, Object> row = futures.get(i).get(30, TimeUnit.SECONDS);
                        assertEquals(2 * (base + i) + 1, row.get("score"));
                    }
                    return futures.size();
                }));
            }
            int total = 0;
            for (Future<Integer> f : threads) {
                total += f.get();
            }
            assertEquals(8000, total);
        } finally {
            pool.shutdownNow();
            score.close();
        }
    }

    @Test
    void aLoneRowToAnIdleFunctionGoesOutAtOnceAlone() throws Exception {
        // A timeout far beyond the wait below: only a function called as soon as it is free
        // answers each row before the next is submitted.
        try (BatchedFunction sizes = TestPython.runtime().function("batching:rows_with_batch_size")
                .batched(BatchOptions.builder().timeout(Duration.ofMinutes(10)).build())) {
            for (long id = 0; id < 3; id++) {
                Map<String, Object> row = sizes.submit(Map.of("id", id)).get(20, TimeUnit.SECONDS);
                assertEquals(Map.of("id", id, "batch_size", 1L), row);
            }
        }
    }

    @Test
    void rowsSubmittedDuringACallGoIntoTheNextCallsUpToMaxBatchSize() throws Exception {
        PythonRuntime python = TestPython.runtime();
        try (BatchedFunction sizes = python.function("batching:gated_batch")
                .batched(BatchOptions.builder().maxBatchSize(4).build())) {
            List<CompletableFuture<Map<String, Object>>> futures = new ArrayList<>();
            futures.add(sizes.submit(Map.of("gate", "load", "id", 0L)));
            assertEquals(true, python.function("batching:wait_for_call").call("load"));
            for (long id = 1; id <= 10; id++) {
                futures.add(sizes.submit(Map.of("gate", "load", "id", id)));
            }
            python.function("batching:open_gate").call("load");
            List<Object> batchSizes = new ArrayList<>();
            for (int id = 0; id < futures.size(); id++) {
                Map<String, Object> row = futures.get(id).get(30, TimeUnit.SECONDS);
                assertEquals((long) id, row.get("id"));
                batchSizes.add(row.get("batch_size"));
            }
            // The first row alone, then the 10 submitted during its call, 4 to a call at most.
            assertEquals(List.of(1L, 4L, 4L, 4L, 4L, 4L, 4L, 4L, 4L, 2L, 2L), batchSizes);
        }
    }

    @Test
    void aRowWhoseCallOutlastsItsTimeoutFailsAtTheDeadlineAndTheNextRowsGoOn() throws Exception {
        PythonRuntime python = TestPython.runtime();
        try (BatchedFunction gated = python.function("batching:gated_batch")
                .batched(BatchOptions.builder().timeout(Duration.ofMillis(300)).build())) {
            long start = System.nanoTime();
            CompletableFuture<Map<String, Object>> stuck = gated.submit(Map.of("gate", "deadline", "id", 0L));
            assertEquals(true, python.function("batching:wait_for_call").call("deadline"));
            // The call is under way, and stays so: the row fails at its deadline all the same.
            ExecutionException e = assertThrows(ExecutionException.class, () -> stuck.get(10, TimeUnit.SECONDS));
            long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertEquals("TIMEOUT", ((JarrowException) e.getCause()).code(), e.getCause().getMessage());
            assertTrue(waited >= 300 && waited < 5_000, "failed after " + waited + " ms");
            python.function("batching:open_gate").call("deadline");
            assertEquals(1L, gated.submit(Map.of("gate", "deadline", "id", 1L)).get(10, TimeUnit.SECONDS).get("id"));
        }
    }

    @Test
    void aBatchErrorCompletesEveryFutureOfItExceptionally() throws Exception {
        PythonRuntime python = TestPython.runtime();
        try (BatchedFunction drop = python.function("batching:drop_last_row").batched(BatchOptions.defaults());
             BatchedFunction fail = python.function("batches:failing_batch").batched(BatchOptions.defaults())) {
            ExecutionException mismatch = assertThrows(ExecutionException.class,
                    () -> drop.submit(Map.of("id", 1L)).get(30, TimeUnit.SECONDS));
            JarrowException cause = (JarrowException) mismatch.getCause();
            assertEquals("CONVERSION", cause.code(), "one broken contract, one code, wherever it is found");
            assertTrue(cause.getMessage().contains("expected one result row per input row"), cause.getMessage());
            ExecutionException raised = assertThrows(ExecutionException.class,
                    () -> fail.submit(Map.of("id", 1L)).get(30, TimeUnit.SECONDS));
            assertEquals("ZeroDivisionError", ((PythonException) raised.getCause()).pythonType());
        }
    }

    @Test
    void badOptionsAndUseAfterCloseAreClearErrors() {
        PythonFunction f = TestPython.runtime().function("batching:score_rows");
        JarrowException zero = assertThrows(JarrowException.class,
                () -> f.batched(BatchOptions.builder().maxBatchSize(0).build()));
        assertEquals("CONFIG", zero.code());
        assertTrue(zero.getMessage().contains("max_batch_size"), zero.getMessage());
        BatchedFunction batched = f.batched(BatchOptions.defaults());
        batched.close();
        assertThrows(IllegalStateException.class, () -> batched.submit(Map.of("id", 1L)));
        JarrowException unsupported = assertThrows(JarrowException.class,
                () -> f.batched(BatchOptions.defaults()).submit(Map.of("id", new Object())));
        assertEquals("CONVERSION", unsupported.code());
    }
}
