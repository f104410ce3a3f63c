package io.jarrow;

import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import org.apache.arrow.c.ArrowArray;
import org.apache.arrow.c.ArrowSchema;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.dictionary.DictionaryProvider;

/**
 * A Python function, resolved once from its name and then called any number of times, from any
 * thread. Scalars: {@link #callLong}, {@link #callDouble} and {@link #call}. Arrow batches:
 * {@link #apply} hands a {@link VectorSchemaRoot} to Python without copying it (Python sees a
 * {@code pyarrow.RecordBatch} over the same buffers) and returns the function's result.
 *
 * <p>Conversions to Python: null, Boolean, Byte, Short, Integer, Long (int), BigInteger (int, of
 * any size), Float, Double (float), String, byte[] (bytes), primitive and object arrays and List
 * (list), Map (dict), LocalDate, LocalTime, LocalDateTime, OffsetDateTime, ZonedDateTime and Instant
 * (date, time, datetime; Python keeps microseconds), Duration (timedelta), BigDecimal (Decimal).
 * Back to Java: None is null, bool Boolean, int Long (BigInteger beyond 64 bits), float Double, str
 * String, bytes byte[], list and tuple ArrayList, dict LinkedHashMap, date LocalDate, time
 * LocalTime, naive datetime LocalDateTime, aware datetime OffsetDateTime, timedelta Duration,
 * Decimal BigDecimal. numpy scalars convert as their Python values do; numpy {@code datetime64} and
 * pandas {@code Timestamp} keep their nanoseconds, {@code timedelta64} and pandas
 * {@code Timedelta} become Duration, and {@code NaT} is null. A value Java cannot hold (a
 * datetime64 with digits below the nanosecond, a timedelta64 in months) is a CONVERSION error.
 * {@link #callLong} and {@link #callDouble} take the results {@link #call} takes as an integer
 * (and, for callDouble, a float).
 */
public final class PythonFunction extends NativeHandle {
    private final PythonRuntime runtime;
    private final String name;

    PythonFunction(PythonRuntime runtime, String name, long handle) {
        super(handle, PythonFunction::nativeFree, "PythonFunction " + name);
        this.runtime = runtime;
        this.name = name;
    }

    /** The name this function was resolved from. */
    public String name() {
        return name;
    }

    /** Calls {@code f(x)} for an int result, without boxing either way. */
    public long callLong(long x) {
        long h = acquire();
        try {
            return nativeCallLong(h, x);
        } finally {
            release();
        }
    }

    /** Calls {@code f(x)} for a float result (an int result is widened). */
    public double callDouble(double x) {
        long h = acquire();
        try {
            return nativeCallDouble(h, x);
        } finally {
            release();
        }
    }

    /** Calls {@code f(*args)} and converts the result. */
    public Object call(Object... args) {
        return call(args, Map.of());
    }

    /** Calls {@code f(*args, **kwargs)} and converts the result. */
    public Object call(Object[] args, Map<String, ?> kwargs) {
        byte[] encoded = ValueCodec.encodeCall(Objects.requireNonNull(args, "args"), Objects.requireNonNull(kwargs, "kwargs"));
        long h = acquire();
        try {
            return ValueCodec.decode(nativeCall(h, encoded));
        } finally {
            release();
        }
    }

    /**
     * Calls the function on a batch. {@code input} is exported through the Arrow C Data Interface
     * and the function receives a {@code pyarrow.RecordBatch} over its buffers: nothing is copied.
     * The function may return a pyarrow RecordBatch, Table, Array or ChunkedArray, a 1-D numpy
     * array, a pandas or polars DataFrame or Series, or anything with {@code __arrow_c_array__} or
     * {@code __arrow_c_stream__}; a bare array or series becomes one column named {@code result}.
     *
     * <p>{@code input} stays the caller's: close it as usual. The returned root is allocated from
     * {@code allocator} and owned by the caller, who must close it. A dictionary-encoded column of
     * the result arrives decoded (a root has no place for dictionaries); an input with
     * dictionary-encoded columns goes through {@link #apply(VectorSchemaRoot, DictionaryProvider,
     * BufferAllocator)}.
     */
    public VectorSchemaRoot apply(VectorSchemaRoot input, BufferAllocator allocator) {
        return apply(input, null, allocator);
    }

    /**
     * {@link #apply(VectorSchemaRoot, BufferAllocator)} for an input whose dictionary-encoded
     * columns have their dictionaries in {@code dictionaries}: Python receives them encoded (a
     * {@code pyarrow.DictionaryArray}), over the same buffers.
     */
    public VectorSchemaRoot apply(VectorSchemaRoot input, DictionaryProvider dictionaries, BufferAllocator allocator) {
        try (Exported in = export(input, dictionaries, allocator)) {
            return applyExported(in, allocator);
        }
    }

    /**
     * {@link #apply} on {@code executor}. The input is exported before this returns, so the caller
     * may close {@code input} at once; the result belongs to whoever completes the future.
     */
    public CompletableFuture<VectorSchemaRoot> applyAsync(VectorSchemaRoot input, BufferAllocator allocator,
            Executor executor) {
        Exported in = export(input, null, allocator);
        return CompletableFuture.supplyAsync(() -> {
            try (in) {
                return applyExported(in, allocator);
            }
        }, executor);
    }

    /** A batch exported into C Data Interface structs; closing frees the structs only. */
    private record Exported(ArrowArray array, ArrowSchema schema) implements AutoCloseable {
        @Override
        public void close() {
            array.close();
            schema.close();
        }
    }

    private static Exported export(VectorSchemaRoot input, DictionaryProvider dictionaries, BufferAllocator allocator) {
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(allocator, "allocator");
        NioAccess.require();
        Exported exported = new Exported(ArrowArray.allocateNew(allocator), ArrowSchema.allocateNew(allocator));
        try {
            BatchExport.export(allocator, input, dictionaries, exported.array(), exported.schema());
        } catch (RuntimeException e) {
            exported.close();
            throw e;
        }
        return exported;
    }

    /** {@link #applyAsync(VectorSchemaRoot, BufferAllocator, Executor)} on the common pool. */
    public CompletableFuture<VectorSchemaRoot> applyAsync(VectorSchemaRoot input, BufferAllocator allocator) {
        return applyAsync(input, allocator, ForkJoinPool.commonPool());
    }

    private VectorSchemaRoot applyExported(Exported in, BufferAllocator allocator) {
        ArrowArray inArray = in.array();
        ArrowSchema inSchema = in.schema();
        try (ArrowArray outArray = ArrowArray.allocateNew(allocator);
             ArrowSchema outSchema = ArrowSchema.allocateNew(allocator)) {
            long h;
            try {
                h = acquire();
            } catch (IllegalStateException e) {
                inArray.release();
                inSchema.release();
                throw e;
            }
            try {
                // The native side takes the input over (releasing it whatever happens).
                nativeApply(h, inArray.memoryAddress(), inSchema.memoryAddress(), outArray.memoryAddress(),
                        outSchema.memoryAddress());
            } finally {
                release();
            }
            return ArrowImport.importRoot(allocator, outArray, outSchema);
        }
    }

    /**
     * A handle that coalesces single-row calls from many threads into one batch per Python call:
     * whenever the function is free it is called on every row submitted since its previous call
     * began, up to {@link BatchOptions#maxBatchSize()}, so a row submitted while it is idle goes
     * out at once. The function must take a {@code pyarrow.RecordBatch} and return one row per
     * input row.
     */
    public BatchedFunction batched(BatchOptions options) {
        Objects.requireNonNull(options, "options");
        long h = acquire();
        try {
            BatchedFunction batched = new BatchedFunction(name, BatchedFunction.nativeCreate(h,
                    options.maxBatchSize(), options.queueCapacity(), options.timeout().toNanos()), options.timeout());
            runtime.adopt(batched);
            return batched;
        } finally {
            release();
        }
    }

    /**
     * The state of the instance a {@code "pkg.module:Class.method"} is bound to, pickled (its
     * {@code __getstate__}, if any, decides what goes in); null for a function, which has no
     * instance. An instance that cannot be pickled is the {@link PythonException} that says why.
     */
    public byte[] snapshot() {
        long h = acquire();
        try {
            return nativeSnapshot(h);
        } finally {
            release();
        }
    }

    /**
     * The same method bound to the instance unpickled from {@code state} (a {@link #snapshot()} of
     * an instance of the same class; its {@code __setstate__}, if any, puts it back): a new
     * function, closed with the runtime like the others, whose calls see the state as it was at
     * the snapshot. This function is left as it is. A function without an instance, state of
     * another class, or bytes that are no pickle, are the {@link PythonException} that says so.
     */
    public PythonFunction restored(byte[] state) {
        Objects.requireNonNull(state, "state");
        long h = acquire();
        try {
            PythonFunction restored = new PythonFunction(runtime, name, nativeRestored(h, state));
            runtime.adopt(restored);
            return restored;
        } finally {
            release();
        }
    }

    @Override
    public String toString() {
        return "PythonFunction{" + name + (isClosed() ? ", closed}" : "}");
    }

    static native long nativeResolve(String name);

    private static native void nativeFree(long handle);

    private static native long nativeCallLong(long handle, long x);

    private static native double nativeCallDouble(long handle, double x);

    private static native byte[] nativeCall(long handle, byte[] encodedArgs);

    private static native void nativeApply(long handle, long inArray, long inSchema, long outArray, long outSchema);

    private static native byte[] nativeSnapshot(long handle);

    private static native long nativeRestored(long handle, byte[] state);
}
