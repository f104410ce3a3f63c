package io.jarrow.kafka;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
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
 * The records a processor holds until its batch is scored, mirrored in a changelogged key-value
 * store so that they survive a crash: Kafka Streams commits input offsets whatever a processor
 * holds in memory, and restores the store (from its changelog) before the processor starts again.
 *
 * <p>Layout: every batch has a number (its generation). The record at position {@code i} of a
 * batch is kept under key {@code i} (even generations) or {@code SECOND + i} (odd ones, so that
 * the batch being scored and the one filling up meanwhile never share a key), with its
 * generation; key {@code -1} holds the number of the last batch forwarded. Records of later
 * generations are pending. Keys are reused by every other batch, so with the store's cache the
 * changelog receives at most one write per key per commit, however many records pass. Under
 * exactly-once processing the store's changelog, the outputs and the input offsets are committed
 * in one transaction.
 */
final class BufferedRecords<V> {
    static final int WATERMARK = -1;
    static final int SECOND = 1 << 30;

    /** A batch taken from the buffer to be scored. */
    record Batch<V>(long generation, List<Entry<V>> entries) {}

    /**
     * A buffered record, its value as the value serde wrote it, and where it came from (for the
     * dead-letter headers).
     */
    record Entry<V>(FixedKeyRecord<Object, V> record, byte[] value, String topic, int partition, long offset) {
        Optional<String> sourceTopic() {
            return Optional.ofNullable(topic);
        }
    }

    private final KeyValueStore<Integer, byte[]> store;
    private final Serde<Object> keySerde;
    private final Serde<V> valueSerde;
    private final String storeName;
    private List<Entry<V>> entries = new ArrayList<>();
    /** The generation of the batch filling up. */
    private long generation;

    BufferedRecords(KeyValueStore<Integer, byte[]> store, Serde<Object> keySerde, Serde<V> valueSerde) {
        this.store = store;
        this.keySerde = keySerde;
        this.valueSerde = valueSerde;
        this.storeName = store.name();
    }

    /**
     * Reads back the records a previous run buffered and did not forward (one or two batches),
     * in order, as the start of the batch filling up.
     */
    void restore() {
        byte[] watermark = store.get(WATERMARK);
        long completed = watermark == null ? -1 : ByteBuffer.wrap(watermark).getLong();
        generation = completed + 1;
        TreeMap<Long, Entry<V>> pending = new TreeMap<>();
        List<Integer> keys = new ArrayList<>();
        try (KeyValueIterator<Integer, byte[]> all = store.all()) {
            while (all.hasNext()) {
                KeyValue<Integer, byte[]> kv = all.next();
                long batch = kv.key == WATERMARK ? completed : ByteBuffer.wrap(kv.value).getLong();
                if (batch > completed) {
                    // Ordered by generation, then position.
                    pending.put((batch - completed) * SECOND * 2L + (kv.key % SECOND), decode(kv.value));
                    keys.add(kv.key);
                }
            }
        }
        for (int key : keys) {
            store.delete(key);
        }
        for (Entry<V> entry : pending.values()) {
            store.put(key(entries.size()), encode(entry));
            entries.add(entry);
        }
    }

    void add(FixedKeyRecord<Object, V> record, Optional<RecordMetadata> metadata) {
        String topic = metadata.map(RecordMetadata::topic).orElse(null);
        byte[] value = valueSerde.serializer().serialize(topic != null ? topic : storeName, record.value());
        Entry<V> entry = metadata
                .map(m -> new Entry<>(record, value, m.topic(), m.partition(), m.offset()))
                .orElseGet(() -> new Entry<>(record, value, null, -1, -1));
        store.put(key(entries.size()), encode(entry));
        entries.add(entry);
    }

    int size() {
        return entries.size();
    }

    boolean isEmpty() {
        return entries.isEmpty();
    }


    /** Takes the records buffered so far as one batch; the next ones start a new batch. */
    Batch<V> take() {
        Batch<V> batch = new Batch<>(generation, entries);
        entries = new ArrayList<>();
        generation++;
        return batch;
    }

    /**
     * The batch was forwarded (or given to the error policy): its records are no longer pending.
     * Batches complete in the order they were taken.
     */
    void completed(Batch<V> batch) {
        store.put(WATERMARK, ByteBuffer.allocate(Long.BYTES).putLong(batch.generation()).array());
    }

    /** The key of position {@code i} of the batch filling up. */
    private int key(int i) {
        if (i >= SECOND) {
            throw new IllegalStateException("a batch cannot hold " + SECOND + " records");
        }
        return generation % 2 == 0 ? i : SECOND + i;
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
        int size = 8 + 8 + sized(key) + sized(value) + sized(topic) + 4 + 8 + 4;
        for (int i = 0; i < headers.length; i++) {
            headerKeys[i] = headers[i].key().getBytes(StandardCharsets.UTF_8);
            size += sized(headerKeys[i]) + sized(headers[i].value());
        }
        ByteBuffer out = ByteBuffer.allocate(size);
        out.putLong(generation).putLong(r.timestamp());
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
        in.getLong();
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
