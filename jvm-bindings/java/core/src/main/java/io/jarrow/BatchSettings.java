package io.jarrow;

import java.time.Duration;
import java.util.Objects;

/**
 * The batching options every adapter takes ({@code maxBatchSize}, {@code minBatchSize},
 * {@code maxLatency}: the one vocabulary of {@link MicroBatcher}, Kafka's {@code PythonProcessor}
 * and Flink's operators), checked the same way everywhere, so a wrong value gets the same message
 * whichever builder it was given to.
 */
public final class BatchSettings {
    private BatchSettings() {}

    /** {@code records}, if it can be a batch's cap. */
    public static int maxBatchSize(int records) {
        if (records < 1) {
            throw new IllegalArgumentException("maxBatchSize must be at least 1, got " + records);
        }
        return records;
    }

    /** {@code records}, if a batch can wait for that many. */
    public static int minBatchSize(int records) {
        if (records < 1) {
            throw new IllegalArgumentException("minBatchSize must be at least 1, got " + records);
        }
        return records;
    }

    /** {@code latency}, if it can bound a record's wait. */
    public static Duration maxLatency(Duration latency) {
        Objects.requireNonNull(latency, "maxLatency");
        if (latency.isNegative() || latency.toMillis() < 1) {
            throw new IllegalArgumentException("maxLatency must be at least 1 ms, got " + latency);
        }
        return latency;
    }

    /** Checks the sizes together. */
    public static void check(int minBatchSize, int maxBatchSize) {
        if (minBatchSize > maxBatchSize) {
            throw new IllegalArgumentException("minBatchSize (" + minBatchSize + ") is larger than maxBatchSize ("
                    + maxBatchSize + "): a batch could never be scored before its records waited maxLatency");
        }
    }
}
