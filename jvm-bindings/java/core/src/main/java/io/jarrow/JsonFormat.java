package io.jarrow;

import java.util.Objects;
import java.util.Optional;
import org.apache.arrow.c.ArrowSchema;
import org.apache.arrow.c.Data;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Record values as JSON objects, decoded into an Arrow batch and encoded back in native code (Rust
 * arrow-json), so no value is parsed in Java. {@link #apply} hands a batch of values to a Python
 * function as one {@code pyarrow.RecordBatch} (one row per value) and returns one JSON object per
 * result row, which must be one per value.
 *
 * <p>The schema is given ({@link #withSchema}) or inferred from the first batch
 * ({@link #inferred}: numbers with a fraction or exponent are float64, others int64; fields in name
 * order) and then kept: every batch has the same columns. Fields a value has beyond the schema are
 * ignored; a field it lacks is null. A value that is not one JSON object, or does not fit the
 * schema, fails its batch with a {@link JarrowException} of code {@code CONVERSION}.
 *
 * <p>Thread-safe. Closing frees the native codec; a use after close throws.
 */
public final class JsonFormat implements AutoCloseable {
    private final Schema schema;
    private Codec codec;
    private boolean closed;

    private JsonFormat(Schema schema) {
        this.schema = schema;
    }

    /** A format whose schema is inferred from the first batch. */
    public static JsonFormat inferred() {
        return new JsonFormat(null);
    }

    /** A format for values of this schema. */
    public static JsonFormat withSchema(Schema schema) {
        return new JsonFormat(Objects.requireNonNull(schema, "schema"));
    }

    /** The schema given, if any. */
    public Optional<Schema> schema() {
        return Optional.ofNullable(schema);
    }

    /**
     * Calls {@code function} on the values as one batch and returns its result rows as JSON
     * objects (null fields left out), in order.
     *
     * @throws PythonException if the function raised
     * @throws JarrowException (code {@code CONVERSION}) if a value is not a JSON object fitting the
     *     schema, or the result does not have one row per value
     */
    public JsonValues apply(PythonFunction function, JsonValues values) {
        Codec c = codec();
        long h = c.acquire();
        try {
            long f = function.acquire();
            try {
                int[] ends = new int[values.size()];
                byte[] data = nativeApply(h, f, values.data(), values.ends(), ends);
                return new JsonValues(data, ends);
            } finally {
                function.release();
            }
        } finally {
            c.release();
        }
    }

    /** The native codec, made at first use (when the runtime, and so the natives, are loaded). */
    private synchronized Codec codec() {
        if (closed) {
            throw new IllegalStateException("JsonFormat is closed");
        }
        if (codec == null) {
            if (schema == null) {
                codec = new Codec(nativeCreate(0));
            } else {
                NioAccess.require();
                try (BufferAllocator allocator = new RootAllocator();
                     ArrowSchema exported = ArrowSchema.allocateNew(allocator)) {
                    Data.exportSchema(allocator, schema, null, exported);
                    // The native side takes the exported schema over.
                    codec = new Codec(nativeCreate(exported.memoryAddress()));
                }
            }
        }
        return codec;
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (codec != null) {
            codec.close();
        }
    }

    @Override
    public String toString() {
        return "JsonFormat(" + (schema == null ? "inferred" : schema.toString()) + ")";
    }

    private static final class Codec extends NativeHandle {
        Codec(long handle) {
            super(handle, JsonFormat::nativeFree, "JsonFormat");
        }
    }

    private static native long nativeCreate(long schemaAddress);

    private static native void nativeFree(long handle);

    private static native byte[] nativeApply(long handle, long function, byte[] data, int[] ends, int[] outEnds);
}
