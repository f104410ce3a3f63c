package io.jarrow;

import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

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
    private final String name;

    BatchedFunction(String name, long handle) {
        super(handle, BatchedFunction::nativeFree, "BatchedFunction " + name);
        this.name = name;
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
        long h = acquire();
        try {
            nativeSubmit(h, encoded, future);
        } finally {
            release();
        }
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
