package io.jarrow;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * How record values of type {@code V} become one Arrow batch for the Python function, and how each
 * row of its result becomes an output value of type {@code VR}.
 *
 * <p>{@link #json()} and {@link #jsonBytes()}: values are JSON objects, decoded into Arrow and
 * encoded back in native code (no value is parsed in Java), with a schema inferred from the first
 * batch or given ({@link #json(Schema)}). {@link #mapper(RecordMapper)}: any value type, written
 * into Arrow Java vectors by a {@link RecordMapper}.
 *
 * @param <V> the input value type
 * @param <VR> the output value type
 */
public interface ValueFormat<V, VR> {
    /**
     * Opens a scorer for one stream task or subtask: it calls {@code function} on batches of
     * values. Closed with the task.
     */
    Scorer<V, VR> open(PythonFunction function);

    /**
     * The class of input values when the format fixes it ({@code String} or {@code byte[]} for
     * JSON), so an engine can pick their serializer; empty for a {@link #mapper}.
     */
    default Optional<Class<V>> valueClass() {
        return Optional.empty();
    }

    /** Scores batches of values for one task. */
    interface Scorer<V, VR> extends AutoCloseable {
        /**
         * One result per value, in order. {@code serialized}, when not null, holds each value's
         * bytes as the engine already has them (Kafka Streams serializes values for its buffer
         * store): a format whose batches are made of those bytes uses them instead of
         * serializing again.
         *
         * @throws io.jarrow.PythonException if the function raised
         * @throws io.jarrow.JarrowException if a value or the result could not be converted
         */
        List<VR> score(List<V> values, List<byte[]> serialized);

        @Override
        void close();
    }

    /**
     * JSON objects as strings; the schema is inferred from the first batch (each field with the
     * type most of its values give it: a value that disagrees fails on its own) and kept, so a
     * field none of its values had is ignored afterwards: give the schema ({@link #json(Schema)})
     * when the first batch may not show every field.
     */
    static ValueFormat<String, String> json() {
        return new Json<>(null, String.class, s -> s.getBytes(StandardCharsets.UTF_8), JsonValues::getString);
    }

    /** JSON objects as strings, of this schema. */
    static ValueFormat<String, String> json(Schema schema) {
        return new Json<>(schema, String.class, s -> s.getBytes(StandardCharsets.UTF_8), JsonValues::getString);
    }

    /** JSON objects as UTF-8 bytes; the schema is inferred from the first batch. */
    static ValueFormat<byte[], byte[]> jsonBytes() {
        return new Json<>(null, byte[].class, b -> b, JsonValues::get);
    }

    /** JSON objects as UTF-8 bytes, of this schema. */
    static ValueFormat<byte[], byte[]> jsonBytes(Schema schema) {
        return new Json<>(schema, byte[].class, b -> b, JsonValues::get);
    }

    /** Values of any type, written into Arrow vectors and read back by {@code mapper}. */
    static <V, VR> ValueFormat<V, VR> mapper(RecordMapper<V, VR> mapper) {
        return new MapperFormat<>(mapper);
    }

    /**
     * The JSON formats: one native call per batch on the values' UTF-8 bytes, results made from
     * the bytes that come back.
     */
    final class Json<T> implements ValueFormat<T, T> {
        private final Schema schema;
        private final Class<T> type;
        private final Function<T, byte[]> utf8;
        private final ValueAt<T> fromValues;

        /** Value {@code i} of some JSON values, as an output value. */
        interface ValueAt<T> {
            T get(JsonValues values, int i);
        }

        Json(Schema schema, Class<T> type, Function<T, byte[]> utf8, ValueAt<T> fromValues) {
            this.schema = schema;
            this.type = type;
            this.utf8 = utf8;
            this.fromValues = fromValues;
        }

        @Override
        public Optional<Class<T>> valueClass() {
            return Optional.of(type);
        }

        @Override
        public Scorer<T, T> open(PythonFunction function) {
            JsonFormat format = schema == null ? JsonFormat.inferred() : JsonFormat.withSchema(schema);
            return new Scorer<>() {
                @Override
                public List<T> score(List<T> values, List<byte[]> serialized) {
                    List<byte[]> encoded = serialized;
                    if (encoded == null) {
                        encoded = new ArrayList<>(values.size());
                        for (T value : values) {
                            encoded.add(value == null ? null : utf8.apply(value));
                        }
                    }
                    int bytes = 0;
                    for (byte[] value : encoded) {
                        bytes += value == null ? 0 : value.length;
                    }
                    JsonValues.Builder in = JsonValues.builder(values.size(), bytes);
                    for (byte[] value : encoded) {
                        if (value == null) {
                            throw new JarrowException("CONVERSION", "a null value is not a JSON object");
                        }
                        in.add(value);
                    }
                    JsonValues out = format.apply(function, in.build());
                    List<T> results = new ArrayList<>(out.size());
                    for (int i = 0; i < out.size(); i++) {
                        results.add(fromValues.get(out, i));
                    }
                    return results;
                }

                @Override
                public void close() {
                    format.close();
                }
            };
        }

        @Override
        public String toString() {
            return schema == null ? "json (schema inferred)" : "json " + schema;
        }
    }
}
