package io.jarrow;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.arrow.c.ArrowArray;
import org.apache.arrow.c.ArrowSchema;
import org.apache.arrow.c.Data;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TimeStampMicroVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.impl.UnionListWriter;
import org.junit.jupiter.api.Test;

/** jarrow's batch exporter against Arrow Java's own, on random batches of many column types. */
class BatchExportTest {
    static VectorSchemaRoot randomBatch(BufferAllocator allocator, Random rng, int rows) {
        IntVector ints = new IntVector("int", allocator);
        BigIntVector longs = new BigIntVector("long", allocator);
        Float8Vector doubles = new Float8Vector("double", allocator);
        Float4Vector floats = new Float4Vector("float", allocator);
        BitVector bits = new BitVector("bool", allocator);
        VarCharVector strings = new VarCharVector("string", allocator);
        VarBinaryVector binaries = new VarBinaryVector("binary", allocator);
        DateDayVector dates = new DateDayVector("date", allocator);
        TimeStampMicroVector times = new TimeStampMicroVector("timestamp", allocator);
        DecimalVector decimals = new DecimalVector("decimal", allocator, 20, 4);
        ListVector lists = ListVector.empty("list", allocator);
        List<FieldVector> all = List.of(ints, longs, doubles, floats, bits, strings, binaries, dates, times, decimals, lists);
        for (FieldVector v : all) {
            v.setInitialCapacity(rows);
            v.allocateNew();
        }
        UnionListWriter writer = lists.getWriter();
        double nulls = rng.nextInt(3) * 0.25;   // no nulls, some, half
        for (int r = 0; r < rows; r++) {
            boolean isNull = rng.nextDouble() < nulls;
            if (isNull) {
                for (FieldVector v : all) {
                    if (v != lists) {
                        v.setNull(r);
                    }
                }
                continue;
            }
            ints.setSafe(r, rng.nextInt());
            longs.setSafe(r, rng.nextLong());
            doubles.setSafe(r, rng.nextGaussian());
            floats.setSafe(r, rng.nextFloat());
            bits.setSafe(r, rng.nextBoolean() ? 1 : 0);
            byte[] text = ("s" + rng.nextInt(1000) + (rng.nextBoolean() ? "é" : "")).getBytes(StandardCharsets.UTF_8);
            strings.setSafe(r, rng.nextInt(10) == 0 ? new byte[0] : text);
            byte[] raw = new byte[rng.nextInt(5)];
            rng.nextBytes(raw);
            binaries.setSafe(r, raw);
            dates.setSafe(r, rng.nextInt(40_000));
            times.setSafe(r, rng.nextLong() >>> 12);
            decimals.setSafe(r, BigDecimal.valueOf(rng.nextInt(), 4));
            writer.setPosition(r);
            writer.startList();
            for (int i = rng.nextInt(3); i > 0; i--) {
                writer.integer().writeInt(rng.nextInt(100));
            }
            writer.endList();
        }
        for (FieldVector v : all) {
            v.setValueCount(rows);
        }
        return new VectorSchemaRoot(new ArrayList<>(all));
    }

    /** Every value of a batch as text (byte arrays by their contents). */
    static String render(VectorSchemaRoot root) {
        StringBuilder out = new StringBuilder();
        for (int r = 0; r < root.getRowCount(); r++) {
            for (FieldVector v : root.getFieldVectors()) {
                Object value = v.getObject(r);
                out.append(value instanceof byte[] b ? java.util.Arrays.toString(b) : String.valueOf(value)).append('\t');
            }
            out.append('\n');
        }
        return out.toString();
    }

    private static String viaExporter(BufferAllocator allocator, VectorSchemaRoot root, boolean jarrows) {
        try (ArrowArray array = ArrowArray.allocateNew(allocator);
             ArrowSchema schema = ArrowSchema.allocateNew(allocator)) {
            if (jarrows) {
                BatchExport.export(allocator, root, null, array, schema);
            } else {
                Data.exportVectorSchemaRoot(allocator, root, null, array, schema);
            }
            try (VectorSchemaRoot imported = Data.importVectorSchemaRoot(allocator, array, schema, null)) {
                StringBuilder nullCounts = new StringBuilder();
                for (FieldVector v : imported.getFieldVectors()) {
                    nullCounts.append(v.getName()).append('=').append(v.getNullCount()).append(' ');
                }
                return imported.getRowCount() + "\n" + nullCounts + "\n" + render(imported);
            }
        }
    }

    @Test
    void randomBatchesReadTheSameThroughEitherExporterAndThroughPython() {
        Random rng = new Random(11);
        PythonFunction identity = TestPython.runtime().function("udfs:identity");
        try (BufferAllocator allocator = new RootAllocator()) {
            for (int round = 0; round < 60; round++) {
                int rows = round % 10 == 0 ? 0 : rng.nextInt(300);
                try (VectorSchemaRoot root = randomBatch(allocator, rng, rows)) {
                    String expected = viaExporter(allocator, root, false);
                    assertEquals(expected, viaExporter(allocator, root, true), "round " + round);
                    try (VectorSchemaRoot back = identity.apply(root, allocator)) {
                        assertEquals(render(root), render(back), "round " + round);
                        for (FieldVector v : back.getFieldVectors()) {
                            assertEquals(root.getVector(v.getName()).getNullCount(), v.getNullCount(), v.getName());
                        }
                    }
                }
            }
            assertEquals(0, allocator.getAllocatedMemory());
        }
    }
}
