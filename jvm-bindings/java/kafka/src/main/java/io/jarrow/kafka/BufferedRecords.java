package io.jarrow.kafka;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.processor.api.InternalFixedKeyRecordFactory;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The records a processor holds until their batch is forwarded, written to a changelogged
 * key-value store before every commit ({@link #persist}, run by {@link BufferStore}) so that they
 * survive a crash: Kafka Streams commits input offsets whatever a processor holds in memory, and
 * restores the store (from its changelog) before the processor starts again. A record forwarded
 * before the next commit is never written at all.
 *
 * <p>Every record written has a key of its own: its batch's number (generation) in the high 32
 * bits, its position in the batch in the low ones, so whatever the store holds is pending and
 * comes back in order. A forwarded batch's written records are deleted at a later commit. Under
 * exactly-once processing that is the next commit: the deletes, the outputs and the input offsets
 * commit in one transaction. Under at-least-once it is the commit after that: a commit flushes
 * the producer before it commits offsets, so by then the outputs are known to be written, whereas
 * deletes sent with the outputs could reach the changelog without them before a crash. A restored
 * record is scored again rather than lost: under at-least-once, the records of the last batch or
 * two before a stop (even a clean one) may be scored twice.
 */
final class BufferedRecords<V> {
    /** A batch: its number, its records, and the store keys of those written so far (in order). */
    static final class Batch<V> {
        final long generation;
        final List<Entry<V>> entries;
        final List<Long> keys = new ArrayList<>();

        Batch(long generation, List<Entry<V>> entries) {
            this.generation = generation;
            this.entries = entries;
        }

        List<Entry<V>> entries() {
            return entries;
        }
    }

    /**
     * A buffered record, its value as the value serde wrote it, and where it came from (for the
     * dead-letter headers).
     */
    record Entry<V>(FixedKeyRecord<Object, V> record, byte[] value, String topic, int partition, long offset) {
        Optional<String> sourceTopic() {
            return Optional.ofNullable(topic);
        }
    }

    private final KeyValueStore<Long, byte[]> store;
    private final Serde<Object> keySerde;
    private final Serde<V> valueSerde;
    private final String storeName;
    private final boolean exactlyOnce;
    /** The batch filling up. */
    private Batch<V> filling = new Batch<>(0, new ArrayList<>());
    /** Batches taken to be scored and not yet forwarded, oldest first. */
    private final Deque<Batch<V>> taken = new ArrayDeque<>();
    /** Keys of forwarded records: to delete at the next commit, and at the one after it. */
    private List<Long> forwarded = new ArrayList<>();
    private List<Long> forwardedBeforeLastCommit = new ArrayList<>();

    BufferedRecords(KeyValueStore<Long, byte[]> store, Serde<Object> keySerde, Serde<V> valueSerde, boolean exactlyOnce) {
        this.store = store;
        this.keySerde = keySerde;
        this.valueSerde = valueSerde;
        this.storeName = store.name();
        this.exactlyOnce = exactlyOnce;
    }

    /** Reads back the records a previous run wrote and did not forward, in order. */
    void restore() {
        long last = -1;
        try (KeyValueIterator<Long, byte[]> all = store.all()) {
            while (all.hasNext()) {
                KeyValue<Long, byte[]> kv = all.next();
                filling.entries.add(decode(kv.value));
                filling.keys.add(kv.key);
                last = Math.max(last, kv.key >>> 32);
            }
        }
        // New records get keys after every restored one (the store iterates in key order).
        Batch<V> restored = filling;
        filling = new Batch<>(last + 1, restored.entries);
        filling.keys.addAll(restored.keys);
    }

    void add(FixedKeyRecord<Object, V> record, Optional<RecordMetadata> metadata) {
        String topic = metadata.map(RecordMetadata::topic).orElse(null);
        byte[] value = valueSerde.serializer().serialize(topic != null ? topic : storeName, record.value());
        Entry<V> entry = metadata
                .map(m -> new Entry<>(record, value, m.topic(), m.partition(), m.offset()))
                .orElseGet(() -> new Entry<>(record, value, null, -1, -1));
        filling.entries.add(entry);
    }

    int size() {
        return filling.entries.size();
    }

    boolean isEmpty() {
        return filling.entries.isEmpty();
    }

    /** Takes the records buffered so far as one batch; the next ones start a new batch. */
    Batch<V> take() {
        Batch<V> batch = filling;
        taken.addLast(batch);
        filling = new Batch<>(batch.generation + 1, new ArrayList<>());
        return batch;
    }

    /**
     * The batch was forwarded (or given to the error policy): its records are no longer pending.
     * Batches complete in the order they were taken.
     */
    void completed(Batch<V> batch) {
        if (taken.peekFirst() != batch) {
            throw new IllegalStateException("batch " + batch.generation + " completed out of order");
        }
        taken.removeFirst();
        forwarded.addAll(batch.keys);
    }

    /**
     * Run before every commit: writes the pending records not written yet, and deletes forwarded
     * ones (see the class documentation for when).
     */
    void persist() {
        if (exactlyOnce) {
            delete(forwarded);
            forwarded = new ArrayList<>();
        } else if (!forwarded.isEmpty()) {
            // Shifted only when something was forwarded since the last call, so that a second
            // call within one commit deletes nothing early.
            delete(forwardedBeforeLastCommit);
            forwardedBeforeLastCommit = forwarded;
            forwarded = new ArrayList<>();
        }
        for (Batch<V> batch : taken) {
            persist(batch);
        }
        persist(filling);
    }

    private void delete(List<Long> keys) {
        for (long key : keys) {
            store.delete(key);
        }
    }

    private void persist(Batch<V> batch) {
        for (int i = batch.keys.size(); i < batch.entries.size(); i++) {
            long key = (batch.generation << 32) | i;
            store.put(key, encode(batch.entries.get(i)));
            batch.keys.add(key);
        }
    }

    byte[] keyBytes(Entry<V> entry) {
        return keySerde.serializer().serialize(entry.topic() != null ? entry.topic() : storeName, entry.record().key());
    }

    private byte[] encode(Entry<V> entry) {
        FixedKeyRecord<Object, V> r = entry.record();
        byte[] key = keyBytes(entry);
        byte[] value = entry.value();
        byte[] topic = entry.topic() == null ? null : entry.topic().getBytes(StandardCharsets.UTF_8);
        Header[] headers = r.headers().toArray();
        byte[][] headerKeys = new byte[headers.length][];
        int size = 8 + sized(key) + sized(value) + sized(topic) + 4 + 8 + 4;
        for (int i = 0; i < headers.length; i++) {
            headerKeys[i] = headers[i].key().getBytes(StandardCharsets.UTF_8);
            size += sized(headerKeys[i]) + sized(headers[i].value());
        }
        ByteBuffer out = ByteBuffer.allocate(size);
        out.putLong(r.timestamp());
        put(out, key);
        put(out, value);
        put(out, topic);
        out.putInt(entry.partition()).putLong(entry.offset());
        out.putInt(headers.length);
        for (int i = 0; i < headers.length; i++) {
            put(out, headerKeys[i]);
            put(out, headers[i].value());
        }
        return out.array();
    }

    private Entry<V> decode(byte[] bytes) {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        long timestamp = in.getLong();
        byte[] key = get(in);
        byte[] value = get(in);
        byte[] topic = get(in);
        int partition = in.getInt();
        long offset = in.getLong();
        Headers headers = new RecordHeaders();
        for (int n = in.getInt(); n > 0; n--) {
            headers.add(new String(get(in), StandardCharsets.UTF_8), get(in));
        }
        String topicName = topic == null ? null : new String(topic, StandardCharsets.UTF_8);
        String serdeTopic = topicName != null ? topicName : storeName;
        Record<Object, V> record = new Record<>(keySerde.deserializer().deserialize(serdeTopic, key),
                valueSerde.deserializer().deserialize(serdeTopic, value), timestamp, headers);
        // A FixedKeyProcessor can only forward FixedKeyRecords, which Kafka Streams alone makes;
        // this factory is its way of making one for a record it did not hand over itself.
        return new Entry<>(InternalFixedKeyRecordFactory.create(record), value, topicName, partition, offset);
    }

    private static int sized(byte[] bytes) {
        return 4 + (bytes == null ? 0 : bytes.length);
    }

    private static void put(ByteBuffer out, byte[] bytes) {
        if (bytes == null) {
            out.putInt(-1);
        } else {
            out.putInt(bytes.length).put(bytes);
        }
    }

    private static byte[] get(ByteBuffer in) {
        int length = in.getInt();
        if (length < 0) {
            return null;
        }
        byte[] bytes = new byte[length];
        in.get(bytes);
        return bytes;
    }
}
