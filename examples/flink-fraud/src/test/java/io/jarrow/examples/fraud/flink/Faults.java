package io.jarrow.examples.fraud.flink;

import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.state.CheckpointListener;

/** Maps the tests put into the demo's job: a throttle, and a failure injected once. */
final class Faults {
    private Faults() {}

    /** Passes at most {@code perSecond} records a second per subtask, so that a job lasts long enough to be hurt. */
    static final class Throttle<T> implements MapFunction<T, T> {
        private final long nanosPerRecord;
        private transient long next;

        Throttle(int perSecond) {
            this.nanosPerRecord = 1_000_000_000L / perSecond;
        }

        @Override
        public T map(T value) throws InterruptedException {
            long now = System.nanoTime();
            if (next == 0) {
                next = now;
            }
            next += nanosPerRecord;
            if (next > now) {
                Thread.sleep((next - now) / 1_000_000, (int) ((next - now) % 1_000_000));
            }
            return value;
        }
    }

    /** Whether the injected failure happened (a MiniCluster runs the job in the test's JVM). */
    static final AtomicBoolean FAILED = new AtomicBoolean();

    /** Fails its task once, at the first record after two of its checkpoints completed. */
    static final class FailAfterCheckpoints<T> implements MapFunction<T, T>, CheckpointListener {
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
}
