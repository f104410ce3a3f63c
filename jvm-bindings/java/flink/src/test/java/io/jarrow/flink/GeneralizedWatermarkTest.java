package io.jarrow.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.watermark.LongWatermark;
import org.apache.flink.runtime.event.WatermarkEvent;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * Flink 2's generalized watermarks (the DataStream V2 API's, which jobs of the V1 API do not
 * send, hence the operator test harness): like a timestamp watermark, one never overtakes a
 * buffered record.
 */
class GeneralizedWatermarkTest {
    @Test
    void aGeneralizedWatermarkIsPassedOnAfterTheRecordsBeforeIt() throws Exception {
        // Fixed batches of 100 that never time out: the three records stay buffered until the watermark.
        PythonOperator<String, String> operator = PythonOperatorTest.scoring("score")
                .minBatchSize(100).maxBatchSize(100).maxLatency(Duration.ofHours(1)).build();
        try (OneInputStreamOperatorTestHarness<String, String> harness = new OneInputStreamOperatorTestHarness<>(operator)) {
            harness.open();
            for (long id = 0; id < 3; id++) {
                harness.processElement(new StreamRecord<>(PythonOperatorTest.transaction(id), 10 + id));
            }
            assertEquals(0, harness.getOutput().size(), "buffered: " + harness.getOutput());
            WatermarkEvent watermark = new WatermarkEvent(new LongWatermark(42, "progress"), false);
            operator.processWatermark(watermark);

            List<Object> out = new ArrayList<>(harness.getOutput());
            assertEquals(4, out.size(), "three scores, then the watermark: " + out);
            for (int id = 0; id < 3; id++) {
                StreamRecord<?> record = assertInstanceOf(StreamRecord.class, out.get(id));
                assertEquals(PythonOperatorTest.scored(id), record.getValue());
                assertEquals(10 + id, record.getTimestamp());
            }
            assertEquals(watermark, out.get(3));
        }
    }
}
