package io.jarrow.flink;

import io.jarrow.BatchOptions;
import io.jarrow.BatchedFunction;
import io.jarrow.PythonConfig;
import io.jarrow.PythonFunction;
import io.jarrow.PythonRuntime;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;

/**
 * One subtask's coalesced calls of a Python batch function, for the functions Flink calls once
 * per record and completes asynchronously ({@link PythonAsyncFunction}, {@link
 * PythonScalarFunction}, {@link PythonPredictFunction}): the function, its {@link BatchedFunction},
 * and each call's result made from its row.
 */
final class BatchedCalls implements AutoCloseable {
    private final PythonFunction function;
    private final BatchedFunction batched;

    /** Resolves {@code function} in the interpreter started with {@code config}, and batches its calls. */
    BatchedCalls(PythonConfig config, String function, BatchOptions options) {
        this.function = PythonRuntime.start(config).function(function);
        BatchedFunction made;
        try {
            made = this.function.batched(options);
        } catch (RuntimeException e) {
            this.function.close();
            throw e;
        }
        this.batched = made;
    }

    /**
     * Submits {@code row}; the future completes with {@code result} of its result row, or with the
     * error (the Python exception itself, not a wrapper) if the call or {@code result} failed.
     */
    <T> CompletableFuture<T> submit(Map<String, ?> row, Function<Map<String, Object>, T> result) {
        CompletableFuture<T> future = new CompletableFuture<>();
        batched.submit(row).whenComplete((out, error) -> {
            if (error != null) {
                future.completeExceptionally(error instanceof CompletionException && error.getCause() != null
                        ? error.getCause() : error);
                return;
            }
            try {
                future.complete(result.apply(out));
            } catch (RuntimeException e) {
                future.completeExceptionally(e);
            }
        });
        return future;
    }

    @Override
    public void close() {
        try {
            batched.close();
        } finally {
            function.close();
        }
    }
}
