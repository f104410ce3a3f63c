package io.jarrow.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jarrow.ErrorPolicy;
import java.util.Map;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A PythonOperator's metrics reach Flink's metric reporters. */
class MetricsTest {
    static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setConfiguration(REPORTER.addToConfiguration(new Configuration()))
            .setNumberTaskManagers(2)
            .setNumberSlotsPerTaskManager(1)
            .build());

    @Test
    void callsRowsErrorsAndBatchSizesAreReported() throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        PythonOperatorTest.scoring("reject_poison").onError(ErrorPolicy.logAndSkip()).minBatchSize(100).maxBatchSize(100)
                .maxLatency(java.time.Duration.ofHours(1))
                .applyTo(PythonOperatorTest.transactions(env, 700, 0))
                .sinkTo(new DiscardingSink<>());
        JobExecutionResult result = env.execute("metrics");
        Map<String, Metric> metrics = REPORTER.findMetrics(result.getJobID(), "jarrow");
        long rows = counter(metrics, "rows");
        long errors = counter(metrics, "errors");
        // 700 records, a poisoned one in every seven: 100 of them fail (each found by splitting).
        assertEquals(600, rows, metrics.keySet().toString());
        assertEquals(100, errors);
        assertTrue(counter(metrics, "pythonCalls") > 7, "the seven batches, and the calls that split them");
        assertEquals(100L, gauge(metrics, "batchSizeMax"));
        assertTrue(((Number) gauge(metrics, "pythonCallLatencyMaxMs")).doubleValue() > 0);
    }

    static long counter(Map<String, Metric> metrics, String name) {
        return ((Counter) find(metrics, name)).getCount();
    }

    static Object gauge(Map<String, Metric> metrics, String name) {
        return ((Gauge<?>) find(metrics, name)).getValue();
    }

    static Metric find(Map<String, Metric> metrics, String name) {
        return metrics.entrySet().stream().filter(e -> e.getKey().endsWith(".jarrow." + name)).map(Map.Entry::getValue)
                .findFirst().orElseThrow(() -> new AssertionError("no metric jarrow." + name + " in " + metrics.keySet()));
    }
}
