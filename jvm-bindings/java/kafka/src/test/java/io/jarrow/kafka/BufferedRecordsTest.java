package io.jarrow.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.HashSet;
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
 * offsets, in order; a forwarded record is done from the next commit on (exactly once) or the one
 * after (at least once); the store stays a few entries big however long it runs. (The store's
 * changelog restoring it is Kafka Streams' part, covered by the broker tests.)
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

    /** The keys a processor restarted on this store would score first, in order. */
    static List<String> afterRestart(KeyValueStore<Long, byte[]> store, boolean exactlyOnce) {
        BufferedRecords<String> restarted = new BufferedRecords<>(store, KEYS, Serdes.String(), exactlyOnce);
        return keys(restarted.restore());
    }

    static List<String> keys(List<BufferedRecords.Entry<String>> entries) {
        List<String> keys = new ArrayList<>();
        for (BufferedRecords.Entry<String> e : entries) {
            keys.add((String) e.record().key());
        }
        return keys;
    }

    @Test
    void recordsPendingAtTheLastCommitComeBackInOrderWithEverythingTheyCarried() {
        KeyValueStore<Long, byte[]> store = store();
        BufferedRecords<String> before = new BufferedRecords<>(store, KEYS, Serdes.String(), true);
        before.restore();
        List<BufferedRecords.Entry<String>> forwarded = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            forwarded.add(before.add(record(i), from(100 + i)));
        }
        before.completed(forwarded);
        before.add(record(3), from(103));    // being scored when the commit comes
        before.add(record(4), Optional.empty());
        assertEquals(0, stored(store), "nothing is written before a commit");
        before.persist();                    // the commit: records 0-2 were forwarded before it
        before.add(record(5), from(105));    // after the commit: its offset is not committed

        BufferedRecords<String> after = new BufferedRecords<>(store, KEYS, Serdes.String(), true);
        List<BufferedRecords.Entry<String>> batch = after.restore();
        assertEquals(2, after.size());
        assertEquals(2, batch.size());
        FixedKeyRecord<Object, String> first = batch.get(0).record();
        assertEquals(List.of("key-3", "{\"id\": 3}", 1003L), List.of(first.key(), first.value(), first.timestamp()));
        assertEquals("3", new String(first.headers().lastHeader("n").value(), StandardCharsets.UTF_8));
        assertNull(first.headers().lastHeader("empty").value());
        BufferedRecords.Entry<String> entry = batch.get(0);
        assertEquals(List.of("transactions", 3, 103L), List.of(entry.topic(), entry.partition(), entry.offset()));
        assertTrue(batch.get(1).sourceTopic().isEmpty());
        assertEquals("key-4", batch.get(1).record().key());

        // Once the restored batch is forwarded, it is done from the next commit on (exactly once).
        BufferedRecords.Entry<String> sixth = after.add(record(6), from(106));
        after.completed(batch);
        after.persist();
        assertEquals(List.of("key-6"), afterRestart(store, true));
        after.completed(List.of(sixth));
        after.persist();
        assertEquals(List.of(), afterRestart(store, true));
    }

    @Test
    void atLeastOnceLetsForwardedRecordsGoOneCommitLater() {
        KeyValueStore<Long, byte[]> store = store();
        BufferedRecords<String> buffer = new BufferedRecords<>(store, KEYS, Serdes.String(), false);
        buffer.restore();
        List<BufferedRecords.Entry<String>> first = List.of(buffer.add(record(0), from(100)), buffer.add(record(1), from(101)));
        buffer.persist();                                  // commit 1: both pending, written
        buffer.completed(first);                           // forwarded after commit 1
        BufferedRecords.Entry<String> second = buffer.add(record(2), from(102));
        buffer.persist();                                  // commit 2: its flush makes the outputs durable...
        buffer.persist();                                  // (a second call in the same commit changes nothing)
        assertEquals(List.of("key-0", "key-1", "key-2"), afterRestart(store, false),
                "...so records 0 and 1 are still kept through commit 2");
        buffer.completed(List.of(second));
        buffer.persist();                                  // commit 3: 0 and 1 go; 2 waits one more
        assertEquals(List.of("key-2"), afterRestart(store, false));
        buffer.persist();                                  // commit 4: nothing was done since commit 3
        assertEquals(List.of("key-2"), afterRestart(store, false));
        BufferedRecords.Entry<String> third = buffer.add(record(3), from(103));
        buffer.persist();                                  // commit 5: still nothing done since commit 3,
        assertEquals(List.of("key-2", "key-3"), afterRestart(store, false));  // so 2 is kept (safe side)
        buffer.completed(List.of(third));
        buffer.add(record(4), from(104));
        buffer.persist();                                  // commit 6: 3 was done after commit 5
        assertEquals(List.of("key-3", "key-4"), afterRestart(store, false));
    }

    @Test
    void manyRecordsPendingAtACommitAreWrittenInEntriesKafkaAccepts() throws Exception {
        KeyValueStore<Long, byte[]> store = store();
        BufferedRecords<String> buffer = new BufferedRecords<>(store, KEYS, Serdes.String(), true);
        buffer.restore();
        String big = "x".repeat(600_000);
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            String value = i == 1234 ? big : "{\"id\": " + i + ", \"pad\": \"" + "p".repeat(500) + "\"}";
            RecordHeaders headers = new RecordHeaders();
            buffer.add(InternalFixedKeyRecordFactory.create(new Record<>("key-" + i, value, i, headers)), from(i));
            expected.add("key-" + i);
        }
        buffer.persist();
        try (KeyValueIterator<Long, byte[]> all = store.all()) {
            while (all.hasNext()) {
                byte[] entry = all.next().value;
                assertTrue(entry.length <= BufferedRecords.SEGMENT_BYTES || entry.length < big.length() + 1000,
                        "an entry of " + entry.length + " bytes");
            }
        }
        assertTrue(stored(store) > 6, "3000 records of 500 bytes take several entries");
        assertEquals(expected, afterRestart(store, true));
    }

    @Test
    void theStoreStaysSmallWhenEveryRecordIsWrittenAndSlotsAreWrittenAgain() {
        for (boolean exactlyOnce : new boolean[] {true, false}) {
            KeyValueStore<Long, byte[]> store = store();
            BufferedRecords<String> buffer = new BufferedRecords<>(store, KEYS, Serdes.String(), exactlyOnce);
            buffer.restore();
            int n = 0;
            // A commit after every record (as TopologyTestDriver does), batches of 8, one in flight.
            List<BufferedRecords.Entry<String>> inFlight = null;
            for (int batch = 0; batch < 50; batch++) {
                List<BufferedRecords.Entry<String>> filling = new ArrayList<>();
                for (int i = 0; i < 8; i++, n++) {
                    filling.add(buffer.add(record(n), from(n)));
                    buffer.persist();
                }
                if (inFlight != null) {
                    buffer.completed(inFlight);
                }
                inFlight = filling;
            }
            buffer.persist();
            assertTrue(stored(store) <= 3 * 8 + 1, "the store holds " + stored(store) + " entries");
            List<String> expected = new ArrayList<>();
            for (int i = n - 8; i < n; i++) {
                expected.add("key-" + i);
            }
            if (exactlyOnce) {
                assertEquals(expected, afterRestart(store, true), "exactly once: only the batch in flight");
            } else {
                List<String> pending = afterRestart(store, false);
                assertEquals(expected, pending.subList(pending.size() - 8, pending.size()));
                assertTrue(pending.size() <= 16, "at least once: at most one batch more, got " + pending);
            }
        }
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
        assertEquals(List.of("key-0", "key-1"), keys(third.restore()));
    }

    /**
     * Random arrivals, completions, commits and restarts against the plain answer: after every
     * commit, a restart finds exactly the records pending then (exactly once), or those and a few
     * done just before them (at least once), in order.
     */
    @Test
    void aRestartAfterAnyCommitFindsThePendingRecords() {
        for (boolean exactlyOnce : new boolean[] {true, false}) {
            Random random = new Random(exactlyOnce ? 11 : 12);
            KeyValueStore<Long, byte[]> store = store();
            BufferedRecords<String> buffer = new BufferedRecords<>(store, KEYS, Serdes.String(), exactlyOnce);
            buffer.restore();
            List<BufferedRecords.Entry<String>> pending = new ArrayList<>();
            Set<String> done = new HashSet<>();
            int n = 0;
            for (int step = 0; step < 4000; step++) {
                double op = random.nextDouble();
                if (op < 0.5) {
                    pending.add(buffer.add(record(n), from(n)));
                    n++;
                } else if (op < 0.75 && !pending.isEmpty()) {
                    List<BufferedRecords.Entry<String>> batch = new ArrayList<>(pending.subList(0, 1 + random.nextInt(pending.size())));
                    buffer.completed(batch);
                    pending.subList(0, batch.size()).clear();
                    done.addAll(keys(batch));
                } else if (op < 0.97) {
                    buffer.persist();
                    List<String> restored = afterRestart(store, exactlyOnce);
                    List<String> expected = keys(pending);
                    if (exactlyOnce) {
                        assertEquals(expected, restored, "after commit at step " + step);
                    } else {
                        assertEquals(expected, restored.subList(restored.size() - expected.size(), restored.size()),
                                "after commit at step " + step);
                        assertTrue(done.containsAll(restored.subList(0, restored.size() - expected.size())),
                                "at step " + step + " a restart would score records never done: " + restored);
                    }
                } else {
                    // A crash after a commit: the records added since are read again from Kafka.
                    buffer.persist();
                    buffer = new BufferedRecords<>(store, KEYS, Serdes.String(), exactlyOnce);
                    List<BufferedRecords.Entry<String>> restored = buffer.restore();
                    List<String> expected = keys(pending);
                    List<String> got = keys(restored);
                    assertEquals(expected, got.subList(got.size() - expected.size(), got.size()), "restart at step " + step);
                    pending = new ArrayList<>(restored);
                }
            }
        }
    }
}
