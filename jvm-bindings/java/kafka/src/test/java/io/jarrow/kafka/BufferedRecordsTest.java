package io.jarrow.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
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
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

/**
 * What a processor finds in its buffer store after a crash: the records it had not forwarded when
 * the last commit wrote the store, with their keys, values, timestamps, headers and source
 * offsets, in order; a forwarded record is deleted at the next commit (exactly once) or the one
 * after (at least once). (The store's changelog restoring it is Kafka Streams' part, covered by the
 * broker tests.)
 */
class BufferedRecordsTest {
    @SuppressWarnings("unchecked")
    static final Serde<Object> KEYS = (Serde<Object>) (Serde<?>) Serdes.String();

    static KeyValueStore<Long, byte[]> store() {
        KeyValueStore<Long, byte[]> store = Stores
                .keyValueStoreBuilder(Stores.inMemoryKeyValueStore("test-buffer"), Serdes.Long(), Serdes.ByteArray())
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

    static int stored(KeyValueStore<Long, byte[]> store) {
        int n = 0;
        try (KeyValueIterator<Long, byte[]> all = store.all()) {
            for (; all.hasNext(); all.next()) {
                n++;
            }
        }
        return n;
    }

    static List<String> keys(BufferedRecords<String> buffer) {
        List<String> keys = new ArrayList<>();
        for (BufferedRecords.Entry<String> e : buffer.take().entries()) {
            keys.add((String) e.record().key());
        }
        return keys;
    }

    @Test
    void recordsPendingAtTheLastCommitComeBackInOrderWithEverythingTheyCarried() {
        KeyValueStore<Long, byte[]> store = store();
        BufferedRecords<String> before = new BufferedRecords<>(store, KEYS, Serdes.String(), true);
        before.restore();
        for (int i = 0; i < 3; i++) {
            before.add(record(i), from(100 + i));
        }
        before.completed(before.take());
        before.add(record(3), from(103));
        before.take();                       // being scored when the commit comes
        before.add(record(4), Optional.empty());
        assertEquals(0, stored(store), "nothing is written before a commit");
        before.persist();                    // the commit: records 0-2 were forwarded before it
        before.add(record(5), from(105));    // after the commit: its offset is not committed

        BufferedRecords<String> after = new BufferedRecords<>(store, KEYS, Serdes.String(), true);
        after.restore();
        assertEquals(2, after.size());
        BufferedRecords.Batch<String> batch = after.take();
        FixedKeyRecord<Object, String> first = batch.entries().get(0).record();
        assertEquals(List.of("key-3", "{\"id\": 3}", 1003L), List.of(first.key(), first.value(), first.timestamp()));
        assertEquals("3", new String(first.headers().lastHeader("n").value(), StandardCharsets.UTF_8));
        assertNull(first.headers().lastHeader("empty").value());
        BufferedRecords.Entry<String> entry = batch.entries().get(0);
        assertEquals(List.of("transactions", 3, 103L), List.of(entry.topic(), entry.partition(), entry.offset()));
        assertTrue(batch.entries().get(1).sourceTopic().isEmpty());
        assertEquals("key-4", batch.entries().get(1).record().key());

        // Once the restored batch is forwarded, the next commit deletes it (exactly once).
        after.completed(batch);
        after.persist();
        assertEquals(0, stored(store));
    }

    @Test
    void atLeastOnceDeletesForwardedRecordsOneCommitLater() {
        KeyValueStore<Long, byte[]> store = store();
        BufferedRecords<String> buffer = new BufferedRecords<>(store, KEYS, Serdes.String(), false);
        buffer.restore();
        buffer.add(record(0), from(100));
        buffer.add(record(1), from(101));
        buffer.persist();                                  // commit 1: both pending, written
        buffer.completed(buffer.take());                   // forwarded after commit 1
        buffer.add(record(2), from(102));
        buffer.persist();                                  // commit 2: its flush makes the outputs durable...
        buffer.persist();                                  // (a second call in the same commit changes nothing)
        assertEquals(3, stored(store), "...so records 0 and 1 are still kept through commit 2");
        buffer.completed(buffer.take());
        buffer.persist();                                  // commit 3: 0 and 1 go; 2 waits one more
        BufferedRecords<String> restored = new BufferedRecords<>(store, KEYS, Serdes.String(), false);
        restored.restore();
        assertEquals(List.of("key-2"), keys(restored));
    }

    @Test
    void newRecordsAfterARestoreGetKeysAfterTheRestoredOnes() {
        KeyValueStore<Long, byte[]> store = store();
        BufferedRecords<String> first = new BufferedRecords<>(store, KEYS, Serdes.String(), true);
        first.restore();
        first.add(record(0), from(100));
        first.persist();
        BufferedRecords<String> second = new BufferedRecords<>(store, KEYS, Serdes.String(), true);
        second.restore();
        second.add(record(1), from(101));
        second.persist();
        BufferedRecords<String> third = new BufferedRecords<>(store, KEYS, Serdes.String(), true);
        third.restore();
        assertEquals(List.of("key-0", "key-1"), keys(third));
    }
}
