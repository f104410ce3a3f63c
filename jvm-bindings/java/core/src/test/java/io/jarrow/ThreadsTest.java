package io.jarrow;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.Test;

/** Any Java thread calls any function, concurrently. */
class ThreadsTest {
    @Test
    void eightThreadsOfMixedCalls() throws Exception {
        PythonRuntime python = TestPython.runtime();
        PythonFunction addOne = python.function("udfs:add_one");
        PythonFunction half = python.function("udfs:half");
        PythonFunction three = python.function("udfs:three");
        PythonFunction doubled = python.function("batches:doubled");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try (BufferAllocator allocator = new RootAllocator()) {
            List<Future<Long>> results = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                final long base = t * 1_000_000L;
                results.add(pool.submit(() -> {
                    long checked = 0;
                    for (long i = 0; i < 100_000; i++) {
                        long x = base + i;
                        switch ((int) (i % 4)) {
                            case 0 -> assertEquals(x + 1, addOne.callLong(x));
                            case 1 -> assertEquals(x / 2.0, half.callDouble(x));
                            case 2 -> assertEquals(x + 3, three.call(x, 1, (short) 2));
                            default -> {
                                if (i % 1000 == 3) {
                                    try (VectorSchemaRoot in = ApplyTest.batch(allocator, 2, 10);
                                         VectorSchemaRoot out = doubled.apply(in, allocator)) {
                                        assertEquals(10, out.getRowCount());
                                    }
                                } else {
                                    assertEquals(x + 1, addOne.call(x));
                                }
                            }
                        }
                        checked++;
                    }
                    return checked;
                }));
            }
            long total = 0;
            for (Future<Long> f : results) {
                total += f.get();
            }
            assertEquals(800_000, total);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void callsFromAThreadOtherThanTheStartingOne() throws Exception {
        Thread other = new Thread(() -> assertEquals(8L, TestPython.runtime().function("udfs:add_one").callLong(7)));
        List<Throwable> failures = new ArrayList<>();
        other.setUncaughtExceptionHandler((t, e) -> failures.add(e));
        other.start();
        other.join();
        assertEquals(List.of(), failures);
    }
}
