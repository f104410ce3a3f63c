package io.jarrow.kafka;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Deque;
import java.util.Iterator;
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
 * <p>Every record has a sequence number, in arrival order. A commit writes the records pending
 * then and not written before as segments (store entries of up to {@value #SEGMENT_BYTES} bytes,
 * under slot keys), and, when it moved, the watermark (under key {@value #WATERMARK}): the
 * sequence number below which every record is done. A restart scores the written records at or above the watermark, in order; those
 * below it are ignored, and a segment whose records are all below it has its slot used again by
 * a later segment, so nothing is ever deleted and the store holds a few segments at most. Under
 * exactly-once processing the watermark is the first pending record: it, the outputs and the
 * input offsets commit in one transaction. Under at-least-once it is the first record pending at
 * the commit before: a commit flushes the producer before it commits offsets, so only then are
 * the outputs of the records forwarded before it known to be written, whereas a watermark sent
 * with the outputs could reach the changelog without them before a crash. So a restored record is
 * scored again rather than lost: under at-least-once, the records of the last batch or two before
 * a stop (even a clean one) may be scored twice.
 */
final class BufferedRecords<V> {
    /** The key of the watermark entry; segments are under keys 0, 1, 2... */
    static final long WATERMARK = -1;
    /**
     * The most a segment holds, in bytes (unless one record is bigger), so that a store entry
     * stays well within Kafka's default record and request size limits (1 MiB).
     */
    static final int SEGMENT_BYTES = 256 * 1024;

    /**
     * A buffered record, its sequence number, its value as the value serde wrote it, and where it
     * came from (for the dead-letter headers).
     */
    record Entry<V>(long seq, FixedKeyRecord<Object, V> record, byte[] value, String topic, int partition, long offset) {
        Optional<String> sourceTopic() {
            return Optional.ofNullable(topic);
        }
    }

    /** A segment in the store: its slot, and the sequence number of its last record. */
    private record Segment(long slot, long last) {}

    private final KeyValueStore<Long, byte[]> store;
    private final Serde<Object> keySerde;
    private final Serde<V> valueSerde;
    private final String storeName;
    private final boolean exactlyOnce;
    /** The records not done yet (buffered or being scored), in sequence order. */
    private final Deque<Entry<V>> pending = new ArrayDeque<>();
    /** The next record's sequence number. */
    private long next;
    /** Every pending record below it is written to the store. */
    private long writtenBelow;
    /** Every record below it is done, as far as the store knows. */
    private long watermark;
    /** The first pending record at the last commit (at-least-once: the next watermark). */
    private long pendingAtLastCommit = -1;
    /** Segments holding records at or above the watermark, oldest first. */
    private final Deque<Segment> live = new ArrayDeque<>();
    /** Slots whose segments are all below the watermark, to write again. */
    private final Deque<Long> freeSlots = new ArrayDeque<>();
    private long nextSlot;
    /** The last source topic seen, and its UTF-8 bytes. */
    private String lastTopic;
    private byte[] lastTopicBytes;
    /** Where a segment is put together (kept between commits), its records and the last one. */
    private ByteBuffer segment = ByteBuffer.allocate(SEGMENT_BYTES).putInt(0);
    private int segmentCount;
    private long segmentLast;

    BufferedRecords(KeyValueStore<Long, byte[]> store, Serde<Object> keySerde, Serde<V> valueSerde, boolean exactlyOnce) {
        this.store = store;
        this.keySerde = keySerde;
        this.valueSerde = valueSerde;
        this.storeName = store.name();
        this.exactlyOnce = exactlyOnce;
    }

    /**
     * Reads back the records a previous run wrote and did not finish, in order; they are pending
     * (to be scored first) and written.
     */
    List<Entry<V>> restore() {
        List<Entry<V>> records = new ArrayList<>();
        List<Segment> segments = new ArrayList<>();
        try (KeyValueIterator<Long, byte[]> all = store.all()) {
            while (all.hasNext()) {
                KeyValue<Long, byte[]> kv = all.next();
                if (kv.key == WATERMARK) {
                    watermark = ByteBuffer.wrap(kv.value).getLong();
                    continue;
                }
                ByteBuffer in = ByteBuffer.wrap(kv.value);
                long last = -1;
                for (int n = in.getInt(); n > 0; n--) {
                    Entry<V> entry = decode(in);
                    records.add(entry);
                    last = Math.max(last, entry.seq());
                }
                segments.add(new Segment(kv.key, last));
                nextSlot = Math.max(nextSlot, kv.key + 1);
                next = Math.max(next, last + 1);
            }
        }
        next = Math.max(next, watermark);
        records.removeIf(e -> e.seq() < watermark);
        records.sort(Comparator.comparingLong(Entry::seq));
        segments.sort(Comparator.comparingLong(Segment::last));
        for (Segment segment : segments) {
            if (segment.last() < watermark) {
                freeSlots.add(segment.slot());
            } else {
                live.add(segment);
            }
        }
        pending.addAll(records);
        writtenBelow = next;
        return records;
    }

    /** A record arrived: it is pending until {@link #completed}. */
    Entry<V> add(FixedKeyRecord<Object, V> record, Optional<RecordMetadata> metadata) {
        String topic = metadata.isPresent() ? metadata.get().topic() : null;
        byte[] value = valueSerde.serializer().serialize(topic != null ? topic : storeName, record.value());
        Entry<V> entry = topic != null
                ? new Entry<>(next++, record, value, topic, metadata.get().partition(), metadata.get().offset())
                : new Entry<>(next++, record, value, null, -1, -1);
        pending.addLast(entry);
        return entry;
    }

    /** Records pending. */
    int size() {
        return pending.size();
    }

    /**
     * The records were forwarded (or given to the error policy): they are done. They are the
     * oldest pending ones, in order: records complete in the order they arrived.
     */
    void completed(List<Entry<V>> records) {
        for (Entry<V> entry : records) {
            if (pending.peekFirst() != entry) {
                throw new IllegalStateException("a record completed out of order");
            }
            pending.removeFirst();
        }
    }

    /**
     * Run before every commit: moves the watermark (see the class documentation for how far),
     * and writes the pending records not written yet as one segment.
     */
    void persist() {
        long first = firstPending();
        long done = watermark;
        if (exactlyOnce) {
            done = first;
        } else if (first != pendingAtLastCommit) {
            // Moved only when records were done since the last call, so that a second call
            // within one commit moves nothing early.
            done = Math.max(done, pendingAtLastCommit);
            pendingAtLastCommit = first;
        }
        if (done > watermark) {
            watermark = done;
            store.put(WATERMARK, ByteBuffer.allocate(8).putLong(done).array());
            while (!live.isEmpty() && live.peekFirst().last() < watermark) {
                freeSlots.add(live.removeFirst().slot());
            }
        }
        // The records not written yet are the newest pending ones (records arrive and complete in
        // order): found from the end, so that a commit costs what arrived since the last one,
        // not what is pending (TopologyTestDriver commits after every record).
        int unwritten = (int) Math.min(pending.size(), next - Math.max(writtenBelow, first));
        if (unwritten > 0) {
            Iterator<Entry<V>> newest = pending.descendingIterator();
            @SuppressWarnings("unchecked")
            Entry<V>[] fresh = new Entry[unwritten];
            for (int i = unwritten - 1; i >= 0; i--) {
                fresh[i] = newest.next();
            }
            for (Entry<V> entry : fresh) {
                encode(entry);
            }
        }
        writtenBelow = next;
        endSegment();
    }

    /** The sequence number of the first record not done (the next one's when none is pending). */
    private long firstPending() {
        return pending.isEmpty() ? next : pending.peekFirst().seq();
    }

    /** Writes the segment put together so far, if any, under a free slot. */
    private void endSegment() {
        if (segmentCount == 0) {
            return;
        }
        segment.putInt(0, segmentCount);
        Long slot = freeSlots.pollFirst();
        if (slot == null) {
            slot = nextSlot++;
        }
        store.put(slot, Arrays.copyOf(segment.array(), segment.position()));
        live.addLast(new Segment(slot, segmentLast));
        segment.clear().putInt(0);
        segmentCount = 0;
    }

    byte[] keyBytes(Entry<V> entry) {
        return keySerde.serializer().serialize(entry.topic() != null ? entry.topic() : storeName, entry.record().key());
    }

    private byte[] topicBytes(String topic) {
        if (topic == null) {
            return null;
        }
        if (!topic.equals(lastTopic)) {
            lastTopic = topic;
            lastTopicBytes = topic.getBytes(StandardCharsets.UTF_8);
        }
        return lastTopicBytes;
    }

    /** Appends {@code entry} to the segment being written. */
    private void encode(Entry<V> entry) {
        FixedKeyRecord<Object, V> r = entry.record();
        byte[] key = keyBytes(entry);
        byte[] topic = topicBytes(entry.topic());
        // At most this many bytes: a header key takes at most three UTF-8 bytes per char.
        int size = 8 + 8 + sized(key) + sized(entry.value()) + sized(topic) + 4 + 8 + 4;
        int headers = 0;
        for (Header header : r.headers()) {
            size += 4 + 3 * header.key().length() + sized(header.value());
            headers++;
        }
        if (segmentCount > 0 && segment.position() + size > SEGMENT_BYTES) {
            endSegment();
        }
        if (segment.remaining() < size) {
            ByteBuffer grown = ByteBuffer.allocate(segment.position() + size);
            segment = grown.put(segment.flip());
        }
        segmentCount++;
        segmentLast = entry.seq();
        segment.putLong(entry.seq()).putLong(r.timestamp());
        put(segment, key);
        put(segment, entry.value());
        put(segment, topic);
        segment.putInt(entry.partition()).putLong(entry.offset());
        segment.putInt(headers);
        for (Header header : r.headers()) {
            put(segment, header.key().getBytes(StandardCharsets.UTF_8));
            put(segment, header.value());
        }
    }

    private Entry<V> decode(ByteBuffer in) {
        long seq = in.getLong();
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
        return new Entry<>(seq, InternalFixedKeyRecordFactory.create(record), value, topicName, partition, offset);
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
