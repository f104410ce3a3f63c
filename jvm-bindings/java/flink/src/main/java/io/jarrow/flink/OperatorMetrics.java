package io.jarrow.flink;

import io.jarrow.MicroBatcher;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MeterView;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.ThreadSafeSimpleCounter;

/**
 * A {@link PythonOperator}'s metrics, in its operator metric group under {@code jarrow}: counters
 * {@code pythonCalls}, {@code rows} (records emitted scored) and {@code errors} (records given to
 * the error policy), each with a per-second meter ({@code pythonCallsPerSecond}, ...), and gauges
 * {@code batchSizeAvg}, {@code batchSizeMax}, {@code pythonCallLatencyAvgMs} and {@code
 * pythonCallLatencyMaxMs} over the subtask's life. Calls are counted on scoring threads.
 */
final class OperatorMetrics implements MicroBatcher.Metrics {
    private final Counter calls = new ThreadSafeSimpleCounter();
    private final Counter rows = new ThreadSafeSimpleCounter();
    private final Counter errors = new ThreadSafeSimpleCounter();
    private final AtomicLong rowsScored = new AtomicLong();
    private final AtomicLong maxBatch = new AtomicLong();
    private final AtomicLong callNanos = new AtomicLong();
    private final AtomicLong maxCallNanos = new AtomicLong();

    OperatorMetrics(MetricGroup operator) {
        MetricGroup group = operator.addGroup("jarrow");
        group.counter("pythonCalls", calls);
        group.counter("rows", rows);
        group.counter("errors", errors);
        group.meter("pythonCallsPerSecond", new MeterView(calls));
        group.meter("rowsPerSecond", new MeterView(rows));
        group.meter("errorsPerSecond", new MeterView(errors));
        group.gauge("batchSizeAvg", (Gauge<Double>) () -> average(rowsScored.get()));
        group.gauge("batchSizeMax", (Gauge<Long>) maxBatch::get);
        group.gauge("pythonCallLatencyAvgMs", (Gauge<Double>) () -> average(callNanos.get()) / 1e6);
        group.gauge("pythonCallLatencyMaxMs", (Gauge<Double>) () -> maxCallNanos.get() / 1e6);
    }

    private double average(long total) {
        long n = calls.getCount();
        return n == 0 ? 0 : (double) total / n;
    }

    @Override
    public void call(int size, long nanos) {
        rowsScored.addAndGet(size);
        maxBatch.accumulateAndGet(size, Math::max);
        callNanos.addAndGet(nanos);
        maxCallNanos.accumulateAndGet(nanos, Math::max);
        calls.inc();
    }

    @Override
    public void forwarded(int records) {
        rows.inc(records);
    }

    @Override
    public void failed(int records) {
        errors.inc(records);
    }
}
