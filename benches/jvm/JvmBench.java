import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * jarrow against PemJa and JEP on the same workloads, one bridge per JVM process (two embedded
 * CPythons must not share a process): {@code java JvmBench <jarrow|pemja|jep> <python> <dir>}.
 * Prints one line per workload: {@code name nanoseconds-per-operation}. benches/jvm/run.sh runs all
 * three and prints the ratios.
 */
public final class JvmBench {
    static final int COLUMNS = 10;
    static final int ROWS = 1_000_000;

    interface Bridge extends AutoCloseable {
        long addOne(long x);

        Object three(long a, long b, long c);

        /** Sum of every value of the 1M x 10 batch, handed over the bridge's best way. */
        double total(double[][] columns);
    }

    public static void main(String[] args) throws Exception {
        String which = args[0];
        Path python = Path.of(args[1]);
        Path dir = Path.of(args[2]);
        double[][] columns = new double[COLUMNS][ROWS];
        double expected = 0;
        for (int c = 0; c < COLUMNS; c++) {
            for (int r = 0; r < ROWS; r++) {
                columns[c][r] = (r % 1000) * 0.5 + c;
                expected += columns[c][r];
            }
        }
        try (Bridge bridge = switch (which) {
            case "jarrow" -> new JarrowBridge(python, dir);
            case "pemja" -> new PemjaBridge(python, dir);
            case "jep" -> new JepBridge(python, dir);
            default -> throw new IllegalArgumentException("unknown bridge " + which);
        }) {
            if (bridge.addOne(41) != 42 || ((Number) bridge.three(1, 2, 3)).longValue() != 6) {
                throw new AssertionError(which + " computes wrong results");
            }
            double total = bridge.total(columns);
            if (Math.abs(total - expected) > 1e-6 * Math.abs(expected)) {
                throw new AssertionError(which + " batch total " + total + ", expected " + expected);
            }
            report("call_long", perOp(() -> {
                long acc = 0;
                for (int i = 0; i < 100_000; i++) {
                    acc += bridge.addOne(i);
                }
                return acc;
            }, 100_000));
            report("call_3_args", perOp(() -> {
                long acc = 0;
                for (int i = 0; i < 50_000; i++) {
                    acc += ((Number) bridge.three(i, 2, 3)).longValue();
                }
                return acc;
            }, 50_000));
            report("batch_1m_x_10", perOp(() -> (long) bridge.total(columns), 1));
            if (bridge instanceof JarrowBridge jarrow) {
                // What a hand-over costs, both ways, with almost no Python work in between.
                for (int rows : new int[] {1_000, 100_000, 1_000_000}) {
                    jarrow.prepare(rows);
                    report("apply_overhead_" + rows + "_x_10", perOp(jarrow::applyPrepared, 1));
                }
                // One record to score on an idle function: through the coalescer, or in a one-row
                // batch the caller builds and applies itself. Taking turns, so both see the same
                // machine.
                double[] medians = medianEach(jarrow::applyOneRow, jarrow::submitOneRow);
                report("single_row_direct", medians[0]);
                report("single_row_batched", medians[1]);
            }
        }
    }

    /** Median over repeated runs, after warm-up, of the time per operation. */
    static double perOp(LongSupplier run, int operations) {
        long sink = 0;
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (System.nanoTime() < deadline) {
            sink += run.getAsLong();
        }
        List<Double> samples = new ArrayList<>();
        long end = System.nanoTime() + 5_000_000_000L;
        while (samples.size() < 5 || (System.nanoTime() < end && samples.size() < 200)) {
            long start = System.nanoTime();
            sink += run.getAsLong();
            samples.add((System.nanoTime() - start) / (double) operations);
        }
        if (sink == 42) {
            System.out.print("");
        }
        double[] sorted = samples.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return sorted[sorted.length / 2];
    }

    /**
     * Median time of one operation of each kind, after warm-up, timed one operation at a time and
     * taking turns (so a machine busy with something else slows each kind alike).
     */
    static double[] medianEach(LongSupplier... operations) {
        long sink = 0;
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (System.nanoTime() < deadline) {
            for (LongSupplier operation : operations) {
                sink += operation.getAsLong();
            }
        }
        int turns = 5_000;
        double[][] samples = new double[operations.length][turns];
        for (int turn = 0; turn < turns; turn++) {
            for (int k = 0; k < operations.length; k++) {
                long start = System.nanoTime();
                sink += operations[k].getAsLong();
                samples[k][turn] = System.nanoTime() - start;
            }
        }
        if (sink == 42) {
            System.out.print("");
        }
        double[] medians = new double[operations.length];
        for (int k = 0; k < operations.length; k++) {
            java.util.Arrays.sort(samples[k]);
            medians[k] = samples[k][turns / 2];
        }
        return medians;
    }

    static void report(String name, double nanos) {
        System.out.println(String.format(Locale.ROOT, "%s %.1f", name, nanos));
    }

    static final class JarrowBridge implements Bridge {
        final io.jarrow.PythonRuntime python;
        final io.jarrow.PythonFunction addOne;
        final io.jarrow.PythonFunction three;
        final io.jarrow.PythonFunction totalBatch;
        final io.jarrow.PythonFunction prepared;
        final io.jarrow.PythonFunction scoreBatch;
        final io.jarrow.BatchedFunction scoreBatched;
        long nextId;
        final org.apache.arrow.memory.BufferAllocator allocator = new org.apache.arrow.memory.RootAllocator();
        org.apache.arrow.vector.VectorSchemaRoot root;
        double[][] exported;

        JarrowBridge(Path python, Path dir) {
            this.python = io.jarrow.PythonRuntime.start(io.jarrow.PythonConfig.builder().executable(python)
                    .addPythonPath(dir).redirectOutput(false).build());
            addOne = this.python.function("jvm_bench:add_one");
            three = this.python.function("jvm_bench:three");
            totalBatch = this.python.function("jvm_bench:total_batch");
            prepared = this.python.function("jvm_bench:prepared");
            scoreBatch = this.python.function("jvm_bench:score_batch");
            scoreBatched = scoreBatch.batched(io.jarrow.BatchOptions.defaults());
        }

        @Override
        public long addOne(long x) {
            return addOne.callLong(x);
        }

        @Override
        public Object three(long a, long b, long c) {
            return three.call(a, b, c);
        }

        @Override
        public double total(double[][] columns) {
            // The batch lives in Arrow vectors, as it would in an Arrow-based pipeline; filled once.
            if (exported != columns) {
                if (root != null) {
                    root.close();
                }
                List<org.apache.arrow.vector.FieldVector> vectors = new ArrayList<>();
                for (int c = 0; c < columns.length; c++) {
                    org.apache.arrow.vector.Float8Vector v = new org.apache.arrow.vector.Float8Vector("c" + c, allocator);
                    v.allocateNew(columns[c].length);
                    for (int r = 0; r < columns[c].length; r++) {
                        v.set(r, columns[c][r]);
                    }
                    v.setValueCount(columns[c].length);
                    vectors.add(v);
                }
                root = new org.apache.arrow.vector.VectorSchemaRoot(vectors);
                exported = columns;
            }
            try (org.apache.arrow.vector.VectorSchemaRoot result = totalBatch.apply(root, allocator)) {
                return ((org.apache.arrow.vector.Float8Vector) result.getVector(0)).get(0);
            }
        }

        /** A 10-column batch of {@code rows} rows to hand over, replacing the one held before. */
        void prepare(int rows) {
            double[][] columns = new double[COLUMNS][rows];
            for (double[] column : columns) {
                java.util.Arrays.fill(column, 1.5);
            }
            total(columns);
        }

        /**
         * Applies a function that returns a batch it made before, of the input's shape and without
         * validity bitmaps (as numpy-built columns are), and reads one value of the result.
         */
        long applyPrepared() {
            try (org.apache.arrow.vector.VectorSchemaRoot result = prepared.apply(root, allocator)) {
                if (result.getRowCount() != root.getRowCount()) {
                    throw new AssertionError("prepared batch has " + result.getRowCount() + " rows");
                }
                return (long) ((org.apache.arrow.vector.Float8Vector) result.getVector(9)).get(0);
            }
        }

        /** Scores one record by building a one-row batch and applying the function to it. */
        long applyOneRow() {
            long id = nextId++;
            try (org.apache.arrow.vector.BigIntVector ids = new org.apache.arrow.vector.BigIntVector("id", allocator)) {
                ids.allocateNew(1);
                ids.set(0, id);
                ids.setValueCount(1);
                try (org.apache.arrow.vector.VectorSchemaRoot batch = org.apache.arrow.vector.VectorSchemaRoot.of(ids);
                     org.apache.arrow.vector.VectorSchemaRoot result = scoreBatch.apply(batch, allocator)) {
                    return checked(id, ((org.apache.arrow.vector.BigIntVector) result.getVector("score")).get(0));
                }
            }
        }

        /** Scores one record through the batched function, waiting for its result. */
        long submitOneRow() {
            long id = nextId++;
            try {
                return checked(id, (Long) scoreBatched.submit(java.util.Map.of("id", id)).get().get("score"));
            } catch (InterruptedException | java.util.concurrent.ExecutionException e) {
                throw new IllegalStateException(e);
            }
        }

        static long checked(long id, long score) {
            if (score != 2 * id + 1) {
                throw new AssertionError("score " + score + " for id " + id);
            }
            return score;
        }

        @Override
        public void close() {
            scoreBatched.close();
            if (root != null) {
                root.close();
            }
            allocator.close();
            python.close();
        }
    }

    /** A peer that calls the bench's Python functions by name. */
    abstract static class InvokingBridge implements Bridge {
        abstract Object invoke(String function, Object... args);

        @Override
        public long addOne(long x) {
            return ((Number) invoke("add_one", x)).longValue();
        }

        @Override
        public Object three(long a, long b, long c) {
            return invoke("three", a, b, c);
        }

        @Override
        public double total(double[][] columns) {
            return ((Number) invoke("total_arrays", (Object[]) columns)).doubleValue();
        }
    }

    static final class PemjaBridge extends InvokingBridge {
        final pemja.core.PythonInterpreter interpreter;

        PemjaBridge(Path python, Path dir) {
            // PemJa does not see a venv's site-packages by itself: add them.
            pemja.core.PythonInterpreterConfig config = pemja.core.PythonInterpreterConfig.newBuilder()
                    .setPythonExec(python.toString())
                    .addPythonPaths(dir.toString(), System.getProperty("bench.site.packages"))
                    .build();
            interpreter = new pemja.core.PythonInterpreter(config);
            interpreter.exec("from jvm_bench import add_one, three, total_arrays");
        }

        @Override
        Object invoke(String function, Object... args) {
            return interpreter.invoke(function, args);
        }

        @Override
        public void close() {
            interpreter.close();
        }
    }

    static final class JepBridge extends InvokingBridge {
        final jep.Interpreter interpreter;

        JepBridge(Path python, Path dir) throws Exception {
            String sitePackages = System.getProperty("bench.site.packages");
            jep.MainInterpreter.setJepLibraryPath(Path.of(sitePackages, "jep", "libjep.so").toString());
            jep.MainInterpreter.setInitParams(new jep.PyConfig().setPythonHome(System.getProperty("bench.python.home")));
            // JEP does not see a venv's site-packages by itself either.
            jep.SharedInterpreter.setConfig(new jep.JepConfig().addIncludePaths(dir.toString(), sitePackages));
            interpreter = new jep.SharedInterpreter();
            interpreter.exec("from jvm_bench import add_one, three, total_arrays");
        }

        @Override
        Object invoke(String function, Object... args) {
            return interpreter.invoke(function, args);
        }

        @Override
        public void close() throws Exception {
            interpreter.close();
        }
    }
}
