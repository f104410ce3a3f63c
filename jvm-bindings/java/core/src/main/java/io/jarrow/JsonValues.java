package io.jarrow;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * JSON values laid end to end in one byte array: the form in which a batch of record values
 * crosses into native code in one call, whatever its size. Immutable.
 */
public final class JsonValues {
    private final byte[] data;
    private final int[] ends;

    JsonValues(byte[] data, int[] ends) {
        this.data = data;
        this.ends = ends;
    }

    /** A builder for about {@code expected} values. */
    public static Builder builder(int expected) {
        return new Builder(expected, Math.max(16, expected) * 64);
    }

    /**
     * A builder for {@code values} values of {@code bytes} bytes in all: built with no copy when
     * that is what is added.
     */
    public static Builder builder(int values, int bytes) {
        return new Builder(values, bytes);
    }

    /** The given UTF-8 encoded values. */
    public static JsonValues of(byte[]... values) {
        Builder builder = builder(values.length);
        for (byte[] value : values) {
            builder.add(value);
        }
        return builder.build();
    }

    /** The number of values. */
    public int size() {
        return ends.length;
    }

    /** Value {@code i}, a copy of its UTF-8 bytes. */
    public byte[] get(int i) {
        Objects.checkIndex(i, ends.length);
        return Arrays.copyOfRange(data, start(i), ends[i]);
    }

    /** Value {@code i} as a string. */
    public String getString(int i) {
        Objects.checkIndex(i, ends.length);
        return new String(data, start(i), ends[i] - start(i), StandardCharsets.UTF_8);
    }

    /** Values {@code from} (inclusive) to {@code to} (exclusive), copied. */
    public JsonValues slice(int from, int to) {
        Objects.checkFromToIndex(from, to, ends.length);
        int base = from == 0 ? 0 : ends[from - 1];
        int[] sliced = new int[to - from];
        for (int i = from; i < to; i++) {
            sliced[i - from] = ends[i] - base;
        }
        int end = to == from ? base : ends[to - 1];
        return new JsonValues(Arrays.copyOfRange(data, base, end), sliced);
    }

    private int start(int i) {
        return i == 0 ? 0 : ends[i - 1];
    }

    byte[] data() {
        return data;
    }

    int[] ends() {
        return ends;
    }

    /** Collects values into one array, growing it as needed. Not thread-safe. */
    public static final class Builder {
        private byte[] data;
        private int[] ends;
        private int size;
        private int length;

        private Builder(int expected, int bytes) {
            this.data = new byte[Math.max(0, bytes)];
            this.ends = new int[Math.max(1, expected)];
        }

        /** Appends one value (UTF-8 JSON bytes). */
        public Builder add(byte[] value) {
            return add(value, 0, value.length);
        }

        /** Appends {@code value[offset, offset + length)}. */
        public Builder add(byte[] value, int offset, int count) {
            Objects.checkFromIndexSize(offset, count, value.length);
            if (length + count > data.length) {
                long grown = Math.max(Math.max((long) data.length * 2, 64), (long) length + count);
                if (grown > Integer.MAX_VALUE - 8) {
                    throw new JarrowException("CONVERSION", "a batch of JSON values cannot exceed 2 GiB: use smaller batches");
                }
                data = Arrays.copyOf(data, (int) grown);
            }
            System.arraycopy(value, offset, data, length, count);
            length += count;
            if (size == ends.length) {
                ends = Arrays.copyOf(ends, ends.length * 2);
            }
            ends[size++] = length;
            return this;
        }

        /** Appends a value given as a string. */
        public Builder add(String value) {
            return add(value.getBytes(StandardCharsets.UTF_8));
        }

        /** The number of values added so far. */
        public int size() {
            return size;
        }

        /** The values added; the builder starts over empty. */
        public JsonValues build() {
            JsonValues values = new JsonValues(length == data.length ? data : Arrays.copyOf(data, length),
                    size == ends.length ? ends : Arrays.copyOf(ends, size));
            data = new byte[0];
            ends = new int[1];
            size = 0;
            length = 0;
            return values;
        }
    }
}
