package io.jarrow;

import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link BatchedFunction} gathers single-row calls into batches. A row waits only for the
 * call before it: none is held back to wait for company. Immutable; defaults: 1024 rows per call,
 * 8192 queued requests, 30 s per request.
 */
public final class BatchOptions {
    private final int maxBatchSize;
    private final int queueCapacity;
    private final Duration timeout;

    private BatchOptions(Builder b) {
        this.maxBatchSize = b.maxBatchSize;
        this.queueCapacity = b.queueCapacity;
        this.timeout = b.timeout;
    }

    public static Builder builder() {
        return new Builder();
    }

    public static BatchOptions defaults() {
        return builder().build();
    }

    /** The most rows one Python call gets; rows beyond it wait for the next call. */
    public int maxBatchSize() {
        return maxBatchSize;
    }

    /** Requests that may wait; beyond that {@code submit} blocks its caller (back-pressure). */
    public int queueCapacity() {
        return queueCapacity;
    }

    /** The most one request may take, from submit to its result. */
    public Duration timeout() {
        return timeout;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BatchOptions other && maxBatchSize == other.maxBatchSize
                && queueCapacity == other.queueCapacity && timeout.equals(other.timeout);
    }

    @Override
    public int hashCode() {
        return Objects.hash(maxBatchSize, queueCapacity, timeout);
    }

    @Override
    public String toString() {
        return "BatchOptions{maxBatchSize=" + maxBatchSize + ", queueCapacity=" + queueCapacity + ", timeout="
                + timeout + "}";
    }

    /** Builds {@link BatchOptions}; values are checked when the batched function is made. */
    public static final class Builder {
        private int maxBatchSize = 1024;
        private int queueCapacity = 8192;
        private Duration timeout = Duration.ofSeconds(30);

        private Builder() {}

        public Builder maxBatchSize(int maxBatchSize) {
            this.maxBatchSize = maxBatchSize;
            return this;
        }

        public Builder queueCapacity(int queueCapacity) {
            this.queueCapacity = queueCapacity;
            return this;
        }

        public Builder timeout(Duration timeout) {
            this.timeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        public BatchOptions build() {
            return new BatchOptions(this);
        }
    }
}
