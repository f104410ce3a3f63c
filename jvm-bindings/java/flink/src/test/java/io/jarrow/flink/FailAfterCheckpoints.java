package io.jarrow.flink;

import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.state.CheckpointListener;

/**
 * Fails its task once, at the first record after two of its checkpoints completed: a failure
 * that a restart recovers from a checkpoint. For jobs on a MiniCluster, which runs them in the
 * test's JVM, where {@link #FAILED} tells whether it happened; a test resets it first.
 */
public final class FailAfterCheckpoints<T> implements MapFunction<T, T>, CheckpointListener {
    /** Whether the failure happened. */
    public static final AtomicBoolean FAILED = new AtomicBoolean();

    private transient int completed;

    @Override
    public T map(T value) {
        if (completed >= 2 && FAILED.compareAndSet(false, true)) {
            throw new IllegalStateException("injected failure after " + completed + " checkpoints");
        }
        return value;
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) {
        completed++;
    }
}
