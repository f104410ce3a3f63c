package io.jarrow.kafka;

import io.jarrow.MicroBatcher;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.metrics.stats.Avg;
import org.apache.kafka.common.metrics.stats.CumulativeSum;
import org.apache.kafka.common.metrics.stats.Max;
import org.apache.kafka.common.metrics.stats.Rate;
import org.apache.kafka.streams.StreamsMetrics;

/**
 * A processor's metrics, registered with Kafka Streams' metrics (so its reporters and JMX see
 * them): group {@code stream-jarrow-processor-metrics}, tags {@code thread-id}, {@code task-id}
 * and {@code jarrow-processor-id}.
 */
final class ProcessorMetrics implements MicroBatcher.Metrics, AutoCloseable {
    static final String SCOPE = "jarrow-processor";

    private final StreamsMetrics metrics;
    private final Sensor calls;
    private final Sensor rows;
    private final Sensor batchSize;
    private final Sensor errors;

    ProcessorMetrics(StreamsMetrics metrics, String processor, String taskId) {
        this.metrics = metrics;
        String entity = processor + "-" + taskId;
        String[] tags = {"task-id", taskId};
        this.calls = metrics.addLatencyRateTotalSensor(SCOPE, entity, "python-call", Sensor.RecordingLevel.INFO, tags);
        Map<String, String> ownTags = Map.of("task-id", taskId, SCOPE + "-id", entity);
        String group = "stream-" + SCOPE + "-metrics";
        this.rows = metrics.addSensor(entity + ".rows", Sensor.RecordingLevel.INFO);
        rows.add(new MetricName("rows-rate", group, "Records forwarded per second", ownTags), new Rate());
        rows.add(new MetricName("rows-total", group, "Records forwarded", ownTags), new CumulativeSum());
        this.errors = metrics.addSensor(entity + ".errors", Sensor.RecordingLevel.INFO);
        errors.add(new MetricName("errors-rate", group, "Records given to the error policy per second", ownTags), new Rate());
        errors.add(new MetricName("errors-total", group, "Records given to the error policy", ownTags), new CumulativeSum());
        this.batchSize = metrics.addSensor(entity + ".batch-size", Sensor.RecordingLevel.INFO);
        batchSize.add(new MetricName("batch-size-avg", group, "The average number of rows per Python call", ownTags), new Avg());
        batchSize.add(new MetricName("batch-size-max", group, "The most rows in one Python call", ownTags), new Max());
    }

    /** One Python call on {@code size} rows that took {@code nanos} (latency recorded in ms). */
    @Override
    public void call(int size, long nanos) {
        calls.record(nanos / 1e6);
        batchSize.record(size);
    }

    @Override
    public void forwarded(int records) {
        rows.record(records);
    }

    @Override
    public void failed(int records) {
        errors.record(records);
    }

    @Override
    public void close() {
        for (Sensor sensor : List.of(calls, rows, errors, batchSize)) {
            metrics.removeSensor(sensor);
        }
    }
}
