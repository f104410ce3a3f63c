package io.jarrow.kafka;

import java.util.Map;
import java.util.Objects;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.query.Position;
import org.apache.kafka.streams.query.PositionBound;
import org.apache.kafka.streams.query.Query;
import org.apache.kafka.streams.query.QueryConfig;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.internals.CacheFlushListener;
import org.apache.kafka.streams.state.internals.CachedStateStore;

/**
 * A processor's buffer store: a changelogged key-value store that lets its processor write what
 * it buffers just before Kafka Streams commits. Before it flushes a task's producer and commits
 * the task's input offsets (in the same transaction under exactly-once), Kafka Streams flushes the
 * caches of the task's stores, writing what they hold to the changelogs; this store takes part as
 * a cached store whose "cache" is the processor's buffer, so the records buffered at that moment
 * (and only those) reach the changelog with the commit, instead of every record being written as
 * it arrives.
 *
 * <p>Taking part in the cache flush means implementing {@link CachedStateStore}, an interface of
 * Kafka Streams' internals: the broker tests (a crash with records buffered, under at-least-once
 * and exactly-once) fail if a Kafka Streams version stops calling it there.
 */
final class BufferStore implements StateStore, CachedStateStore<Long, byte[]> {
    private final KeyValueStore<Long, byte[]> records;
    private Runnable beforeCommit = () -> {};

    private BufferStore(KeyValueStore<Long, byte[]> records) {
        this.records = records;
    }

    /** The builder of a store named {@code name}: in memory, changelogged, not cached. */
    static StoreBuilder<BufferStore> builder(String name) {
        return new Builder(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(name), Serdes.Long(), Serdes.ByteArray())
                .withCachingDisabled());
    }

    /** The records, by key (see {@link BufferedRecords}). */
    KeyValueStore<Long, byte[]> records() {
        return records;
    }

    /** What to run before every commit: write what is buffered. */
    void beforeCommit(Runnable hook) {
        this.beforeCommit = Objects.requireNonNull(hook);
    }

    @Override
    public String name() {
        return records.name();
    }

    @Override
    public void init(StateStoreContext context, StateStore root) {
        records.init(context, root);
    }

    /** Called by Kafka Streams before every commit's producer flush: writes what is buffered. */
    @Override
    public void flushCache() {
        beforeCommit.run();
    }

    @Override
    public void clearCache() {}

    @Override
    public boolean setFlushListener(CacheFlushListener<Long, byte[]> listener, boolean sendOldValues) {
        return false;
    }

    @Override
    public void flush() {
        records.flush();
    }

    @Override
    public void commit(Map<TopicPartition, Long> changelogOffsets) {
        records.commit(changelogOffsets);
    }

    @Override
    public Long committedOffset(TopicPartition partition) {
        return records.committedOffset(partition);
    }

    @Override
    public boolean managesOffsets() {
        return records.managesOffsets();
    }

    @Override
    public long approximateNumUncommittedBytes() {
        return records.approximateNumUncommittedBytes();
    }

    @Override
    public void close() {
        records.close();
    }

    @Override
    public boolean persistent() {
        return records.persistent();
    }

    @Override
    public boolean isOpen() {
        return records.isOpen();
    }

    @Override
    public <R> QueryResult<R> query(Query<R> query, PositionBound bound, QueryConfig config) {
        return records.query(query, bound, config);
    }

    @Override
    public Position getPosition() {
        return records.getPosition();
    }

    private static final class Builder implements StoreBuilder<BufferStore> {
        private final StoreBuilder<KeyValueStore<Long, byte[]>> records;

        Builder(StoreBuilder<KeyValueStore<Long, byte[]>> records) {
            this.records = records;
        }

        @Override
        public StoreBuilder<BufferStore> withCachingEnabled() {
            throw new UnsupportedOperationException("a PythonProcessor's buffer store writes at commit time; it has no cache");
        }

        @Override
        public StoreBuilder<BufferStore> withCachingDisabled() {
            return this;
        }

        @Override
        public StoreBuilder<BufferStore> withLoggingEnabled(Map<String, String> config) {
            records.withLoggingEnabled(config);
            return this;
        }

        @Override
        public StoreBuilder<BufferStore> withLoggingDisabled() {
            throw new UnsupportedOperationException("a PythonProcessor's buffer store must be changelogged: it is what keeps records");
        }

        @Override
        public BufferStore build() {
            return new BufferStore(records.build());
        }

        @Override
        public Map<String, String> logConfig() {
            return records.logConfig();
        }

        @Override
        public boolean loggingEnabled() {
            return records.loggingEnabled();
        }

        @Override
        public String name() {
            return records.name();
        }
    }
}
