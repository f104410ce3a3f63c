package io.jarrow.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.processor.api.InternalFixedKeyRecordFactory;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

/**
 * What a processor finds in its buffer store after a crash: the records of the batch it had not
 * forwarded, with their keys, values, timestamps, headers and source offsets; nothing it had.
 * (The store's changelog restoring it is Kafka Streams' part, covered by the broker tests.)
 */
class BufferedRecordsTest {
    @SuppressWarnings("unchecked")
    static final Serde<Object> KEYS = (Serde<Object>) (Serde<?>) Serdes.String();

    static KeyValueStore<Integer, byte[]> store() {
        KeyValueStore<Integer, byte[]> store = Stores
                .keyValueStoreBuilder(Stores.inMemoryKeyValueStore("test-buffer"), Serdes.Integer(), Serdes.ByteArray())
                .withLoggingDisabled()
                .build();
        store.init(new MockProcessorContext<>().getStateStoreContext(), store);
        return store;
    }

    static FixedKeyRecord<Object, String> record(int i) {
        RecordHeaders headers = new RecordHeaders();
        headers.add("n", Integer.toString(i).getBytes(StandardCharsets.UTF_8));
        headers.add("empty", null);
        return InternalFixedKeyRecordFactory.create(new Record<>("key-" + i, "{\"id\": " + i + "}", 1000L + i, headers));
    }

    static Optional<RecordMetadata> from(long offset) {
        return Optional.of(new RecordMetadata() {
            public String topic() { return "transactions"; }
            public int partition() { return 3; }
            public long offset() { return offset; }
        });
    }

    @Test
    void recordsNotForwardedBeforeACrashArePendingAfterIt() {
        KeyValueStore<Integer, byte[]> store = store();
        BufferedRecords<String> before = new BufferedRecords<>(store, KEYS, Serdes.String());
        before.restore();
        for (int i = 0; i < 3; i++) {
            before.add(record(i), from(100 + i));
        }
        before.completed(before.take());
        // One batch taken (being scored when the crash comes), the next one filling up.
        before.add(record(3), from(103));
        before.take();
        before.add(record(4), Optional.empty());

        BufferedRecords<String> after = new BufferedRecords<>(store, KEYS, Serdes.String());
        after.restore();
        List<BufferedRecords.Entry<String>> pending = after.take().entries();
        assertEquals(2, pending.size(), "the forwarded batch is not pending; the two after it are, in order");
        FixedKeyRecord<Object, String> first = pending.get(0).record();
        assertEquals(List.of("key-3", "{\"id\": 3}", 1003L), List.of(first.key(), first.value(), first.timestamp()));
        assertEquals("3", new String(first.headers().lastHeader("n").value(), StandardCharsets.UTF_8));
        assertEquals(null, first.headers().lastHeader("empty").value());
        assertEquals(List.of("transactions", 3, 103L),
                List.of(pending.get(0).topic(), pending.get(0).partition(), pending.get(0).offset()));
        assertTrue(pending.get(1).sourceTopic().isEmpty());
        assertEquals("key-4", pending.get(1).record().key());

        BufferedRecords<String> afterThat = new BufferedRecords<>(store, KEYS, Serdes.String());
        afterThat.restore();
        assertEquals(2, afterThat.size(), "restored records stay pending until forwarded");
        afterThat.add(record(5), from(105));
        afterThat.completed(afterThat.take());
        BufferedRecords<String> again = new BufferedRecords<>(store, KEYS, Serdes.String());
        again.restore();
        assertTrue(again.isEmpty(), "restored records, once forwarded, are not pending again");
    }
}
