package io.jarrow.examples.fraud.flink;

import org.apache.flink.api.common.functions.MapFunction;

/**
 * Passes at most {@code perSecond} records a second per subtask, so that a job the tests hurt
 * lasts long enough to be hurt.
 */
final class Throttle<T> implements MapFunction<T, T> {
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
