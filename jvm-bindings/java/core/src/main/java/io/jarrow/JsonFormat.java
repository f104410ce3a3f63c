package io.jarrow;

import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.arrow.c.ArrowSchema;
import org.apache.arrow.c.Data;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.types.pojo.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Record values as JSON objects, decoded into an Arrow batch and encoded back in native code (Rust
 * arrow-json), so no value is parsed in Java. {@link #apply} hands a batch of values to a Python
 * function as one {@code pyarrow.RecordBatch} (one row per value) and returns one JSON object per
 * result row, which must be one per value.
 *
 * <p>The schema is given ({@link #withSchema}) or inferred from the first batch
 * ({@link #inferred}: each field has the type most values give it, nulls aside; numbers with a
 * fraction or exponent are float64, others int64; fields in name order) and then kept: every batch
 * has the same columns. The inferred schema and how many values it was inferred from are logged
 * once, and given by {@link #inference()}. Fields a value has beyond the schema are ignored; a
 * field it lacks is null. A value that is not exactly one JSON object (as strictly as a strict
 * parser reads JSON), or does not fit the schema, fails its batch with a {@link JarrowException}
 * of code {@code CONVERSION} that names the value.
 *
 * <p>Thread-safe. Closing frees the native format; a use after close throws.
 */
public final class JsonFormat implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(JsonFormat.class);

    private final Schema schema;
    private Handle handle;
    private boolean closed;
    private final AtomicBoolean inferenceLogged = new AtomicBoolean();

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
     * How the schema was inferred, once the first batch was decoded; empty for a given schema.
     */
    public Optional<Inference> inference() {
        Handle c;
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("JsonFormat is closed");
            }
            c = handle;
        }
        if (schema != null || c == null) {
            return Optional.empty();
        }
        long h = c.acquire();
        try (BufferAllocator allocator = new RootAllocator();
             ArrowSchema exported = ArrowSchema.allocateNew(allocator)) {
            int[] counts = new int[2];
            if (!nativeInference(h, exported.memoryAddress(), counts)) {
                return Optional.empty();
            }
            return Optional.of(new Inference(Data.importSchema(allocator, exported, null), counts[0], counts[1]));
        } finally {
            c.release();
        }
    }

    /**
     * A schema inferred from a first batch of {@code values} values, each field with the type most
     * of them give it; {@code agreeing} of them agree with it (JSON objects each of whose fields is
     * null or of that type). The others fail on their own.
     */
    public record Inference(Schema schema, int agreeing, int values) {
        @Override
        public String toString() {
            return "schema " + schema + " inferred from " + agreeing + " of " + values + " records";
        }
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
        Handle c = handle();
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
            if (schema == null && !inferenceLogged.get()) {
                logInference();
            }
        }
    }

    /** Logs the inferred schema once, as soon as there is one (even if its batch failed). */
    private void logInference() {
        Handle c;
        synchronized (this) {
            c = handle;
        }
        try {
            long h = c.acquire();
            try {
                // Asking for the counts alone is cheap: the schema is exported only once there is one.
                if (!nativeInference(h, 0, new int[2])) {
                    return;
                }
            } finally {
                c.release();
            }
            Optional<Inference> inference = inference();
            if (inference.isPresent() && inferenceLogged.compareAndSet(false, true)) {
                LOG.info("JsonFormat: {}", inference.get());
            }
        } catch (IllegalStateException closedMeanwhile) {
            // Closed by another thread since the call: nothing more to say.
        }
    }

    /** The native format, made at first use (when the runtime, and so the natives, are loaded). */
    private synchronized Handle handle() {
        if (closed) {
            throw new IllegalStateException("JsonFormat is closed");
        }
        if (handle == null) {
            if (schema == null) {
                handle = new Handle(nativeCreate(0));
            } else {
                NioAccess.require();
                try (BufferAllocator allocator = new RootAllocator();
                     ArrowSchema exported = ArrowSchema.allocateNew(allocator)) {
                    Data.exportSchema(allocator, schema, null, exported);
                    // The native side takes the exported schema over.
                    handle = new Handle(nativeCreate(exported.memoryAddress()));
                }
            }
        }
        return handle;
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (handle != null) {
            handle.close();
        }
    }

    @Override
    public String toString() {
        return "JsonFormat(" + (schema == null ? "inferred" : schema.toString()) + ")";
    }

    private static final class Handle extends NativeHandle {
        Handle(long handle) {
            super(handle, JsonFormat::nativeFree, "JsonFormat");
        }
    }

    private static native long nativeCreate(long schemaAddress);

    private static native void nativeFree(long handle);

    private static native boolean nativeInference(long handle, long schemaAddress, int[] counts);

    private static native byte[] nativeApply(long handle, long function, byte[] data, int[] ends, int[] outEnds);
}
