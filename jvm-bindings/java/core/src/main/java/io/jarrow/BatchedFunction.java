package io.jarrow;

import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Single-row calls of a batch function, coalesced: rows submitted from any number of threads are
 * gathered into one Arrow batch per Python call, and each caller gets its own row of the result.
 * The function is called whenever it is free (one call at a time), on every row submitted since its
 * previous call began, up to {@link BatchOptions#maxBatchSize()} rows. No row waits for company:
 * a row submitted while the function is idle goes out at once, alone; rows submitted while a call
 * runs go together into the next, so under load batches grow by themselves. Usable directly from
 * a Flink {@code AsyncFunction}:
 *
 * <pre>{@code
 * BatchedFunction score = python.function("fraud.model:score_batch").batched(BatchOptions.defaults());
 * score.submit(Map.of("amount", 12.5, "country", "DE"))
 *      .thenAccept(row -> resultFuture.complete(List.of(row.get("fraud_probability"))));
 * }</pre>
 *
 * A Python exception, or a result with another number of rows than its batch, completes every
 * future of that batch exceptionally.
 */
public final class BatchedFunction extends NativeHandle {
    /** How often a function's requests past their deadline are failed. */
    private static final long SWEEP_MILLIS = 10;
    private static final ScheduledExecutorService DEADLINES = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "jarrow-deadlines");
        t.setDaemon(true);
        return t;
    });

    private final String name;
    private final Duration timeout;
    /**
     * The requests not known to be answered, oldest first. All have the same timeout, so their
     * deadlines come in this order too: the sweep looks at the oldest only.
     */
    private final ConcurrentLinkedQueue<Waiting> waiting = new ConcurrentLinkedQueue<>();

    /** A request and when it times out ({@link System#nanoTime()}). */
    private record Waiting(long deadline, CompletableFuture<Map<String, Object>> future) {}

    BatchedFunction(String name, long handle, Duration timeout) {
        super(handle, BatchedFunction::nativeFree, "BatchedFunction " + name);
        this.name = name;
        this.timeout = timeout;
        DEADLINES.scheduleWithFixedDelay(new Sweep(this, waiting), SWEEP_MILLIS, SWEEP_MILLIS,
                TimeUnit.MILLISECONDS);
    }

    /**
     * Fails the requests whose deadline passed while their call ran (the native side answers
     * every request when its call ends, and fails those whose deadline passed before it began),
     * and forgets the answered ones. It ends once its function is closed or unreachable and
     * nothing waits any more; it holds the function weakly, so that it does not keep it alive.
     */
    private static final class Sweep implements Runnable {
        private final WeakReference<BatchedFunction> function;
        private final ConcurrentLinkedQueue<Waiting> waiting;
        private final String name;
        private final Duration timeout;

        Sweep(BatchedFunction function, ConcurrentLinkedQueue<Waiting> waiting) {
            this.function = new WeakReference<>(function);
            this.waiting = waiting;
            this.name = function.name;
            this.timeout = function.timeout;
        }

        @Override
        public void run() {
            long now = System.nanoTime();
            for (Waiting head = waiting.peek(); head != null; head = waiting.peek()) {
                if (!head.future().isDone() && head.deadline() - now > 0) {
                    break;
                }
                waiting.poll();
                if (!head.future().isDone()) {
                    head.future().completeExceptionally(new JarrowException("TIMEOUT", "timed out after "
                            + timeout.toMillis() + " ms: " + name + " gave no result for this row in time"));
                }
            }
            BatchedFunction live = function.get();
            if (waiting.isEmpty() && (live == null || live.isClosed())) {
                throw new CancellationException();
            }
        }
    }

    /** Ends a sweep's schedule (a periodic task that throws runs no more). */
    private static final class CancellationException extends RuntimeException {
        CancellationException() {
            super(null, null, false, false);
        }
    }

    /**
     * Submits one row (column name to value, converted as for {@link PythonFunction#call}). Blocks
     * the caller while the queue is full (back-pressure), then returns; the future completes with the
     * row of the result for this row, or exceptionally with a {@link JarrowException} (code
     * {@code TIMEOUT} once the request's timeout passed).
     */
    public CompletableFuture<Map<String, Object>> submit(Map<String, ?> row) {
        byte[] encoded = ValueCodec.encodeRow(Objects.requireNonNull(row, "row"));
        CompletableFuture<Map<String, Object>> future = new CompletableFuture<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        long h = acquire();
        try {
            nativeSubmit(h, encoded, future);
        } finally {
            release();
        }
        waiting.add(new Waiting(deadline, future));
        return future;
    }

    /** Called from native code with a result row. */
    static void complete(CompletableFuture<Map<String, Object>> future, byte[] row) {
        try {
            future.complete(ValueCodec.decodeRow(row));
        } catch (RuntimeException e) {
            future.completeExceptionally(e);
        }
    }

    /** Called from native code with an error. */
    static void fail(CompletableFuture<Map<String, Object>> future, Throwable error) {
        future.completeExceptionally(error);
    }

    @Override
    public String toString() {
        return "BatchedFunction{" + name + (isClosed() ? ", closed}" : "}");
    }

    static native long nativeCreate(long functionHandle, int maxBatchSize, int queueCapacity, long timeoutNanos);

    private static native void nativeFree(long handle);

    private static native void nativeSubmit(long handle, byte[] encodedRow, CompletableFuture<Map<String, Object>> future);
}
