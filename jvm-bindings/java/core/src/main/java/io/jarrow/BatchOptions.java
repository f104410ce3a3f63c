package io.jarrow;

import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link BatchedFunction} gathers single-row calls into batches. Immutable; defaults: 1024
 * rows, 5 ms, 8192 queued requests, 30 s per request.
 */
public final class BatchOptions {
    private final int maxRows;
    private final Duration maxDelay;
    private final int queueCapacity;
    private final Duration timeout;

    private BatchOptions(Builder b) {
        this.maxRows = b.maxRows;
        this.maxDelay = b.maxDelay;
        this.queueCapacity = b.queueCapacity;
        this.timeout = b.timeout;
    }

    public static Builder builder() {
        return new Builder();
    }

    public static BatchOptions defaults() {
        return builder().build();
    }

    /** The most rows one Python call gets; a batch is sent as soon as it has this many. */
    public int maxRows() {
        return maxRows;
    }

    /** How long the first row of a batch waits for company before the batch is sent anyway. */
    public Duration maxDelay() {
        return maxDelay;
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
        return o instanceof BatchOptions other && maxRows == other.maxRows && maxDelay.equals(other.maxDelay)
                && queueCapacity == other.queueCapacity && timeout.equals(other.timeout);
    }

    @Override
    public int hashCode() {
        return Objects.hash(maxRows, maxDelay, queueCapacity, timeout);
    }

    @Override
    public String toString() {
        return "BatchOptions{maxRows=" + maxRows + ", maxDelay=" + maxDelay + ", queueCapacity=" + queueCapacity
                + ", timeout=" + timeout + "}";
    }

    /** Builds {@link BatchOptions}; values are checked when the batched function is made. */
    public static final class Builder {
        private int maxRows = 1024;
        private Duration maxDelay = Duration.ofMillis(5);
        private int queueCapacity = 8192;
        private Duration timeout = Duration.ofSeconds(30);

        private Builder() {}

        public Builder maxRows(int maxRows) {
            this.maxRows = maxRows;
            return this;
        }

        public Builder maxDelay(Duration maxDelay) {
            this.maxDelay = Objects.requireNonNull(maxDelay, "maxDelay");
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
