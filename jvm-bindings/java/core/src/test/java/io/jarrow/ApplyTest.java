package io.jarrow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.Test;

/** Batches through the C Data Interface: zero copy, results owned by the caller, no leaks. */
class ApplyTest {
    static VectorSchemaRoot batch(BufferAllocator allocator, int columns, int rows) {
        List<FieldVector> vectors = new ArrayList<>();
        for (int c = 0; c < columns; c++) {
            Float8Vector v = new Float8Vector("c" + c, allocator);
            v.allocateNew(rows);
            for (int r = 0; r < rows; r++) {
                if (c == 0 && r % 7 == 3) {
                    v.setNull(r);
                } else {
                    v.set(r, r * columns + c);
                }
            }
            v.setValueCount(rows);
            vectors.add(v);
        }
        return new VectorSchemaRoot(vectors);
    }

    @Test
    void pythonSeesTheJavaBuffersAtTheirAddresses() {
        PythonRuntime python = TestPython.runtime();
        PythonFunction record = python.function("batches:record_addresses");
        try (BufferAllocator allocator = new RootAllocator();
             VectorSchemaRoot input = batch(allocator, 10, 1000)) {
            VarCharVector strings = new VarCharVector("s", allocator);
            BigIntVector longs = new BigIntVector("i", allocator);
            strings.allocateNew(1000);
            longs.allocateNew(1000);
            for (int r = 0; r < 1000; r++) {
                if (r % 5 == 0) {
                    strings.setNull(r);
                } else {
                    strings.setSafe(r, ("s" + r).getBytes(java.nio.charset.StandardCharsets.UTF_8));
                }
                longs.set(r, r);
            }
            strings.setValueCount(1000);
            longs.setValueCount(1000);
            List<FieldVector> all = new ArrayList<>(input.getFieldVectors());
            all.add(strings);
            all.add(longs);
            try (VectorSchemaRoot wide = new VectorSchemaRoot(all);
                 VectorSchemaRoot result = record.apply(wide, allocator)) {
                @SuppressWarnings("unchecked")
                List<List<Long>> seen = (List<List<Long>>) python.eval("__import__('batches').seen_addresses");
                for (int c = 0; c < all.size(); c++) {
                    FieldVector v = all.get(c);
                    List<Long> expected = new ArrayList<>();
                    for (ArrowBuf buf : v.getFieldBuffers()) {
                        expected.add(buf.memoryAddress());
                    }
                    assertEquals(expected, seen.get(c), "buffers of column " + v.getName());
                }
                assertEquals(1000, result.getRowCount());
                assertEquals(12, result.getFieldVectors().size());
                assertEquals("s4", result.getVector("s").getObject(4).toString());
                // The identity result comes back over the same Java buffers.
                assertEquals(all.get(1).getDataBuffer().memoryAddress(),
                        result.getVector("c1").getDataBuffer().memoryAddress());
            }
        }
    }

    @Test
    void resultsAreOwnedByTheCallerAndEveryAllocatorClosesClean() {
        PythonFunction doubled = TestPython.runtime().function("batches:doubled");
        PythonFunction sum = TestPython.runtime().function("batches:column_sum_as_array");
        PythonFunction pandas = TestPython.runtime().function("batches:as_pandas");
        try (BufferAllocator allocator = new RootAllocator()) {
            for (int i = 0; i < 50; i++) {
                try (VectorSchemaRoot input = batch(allocator, 3, 100);
                     VectorSchemaRoot twice = doubled.apply(input, allocator);
                     VectorSchemaRoot total = sum.apply(input, allocator);
                     VectorSchemaRoot frame = pandas.apply(input, allocator)) {
                    assertEquals(2.0 * 4, ((Float8Vector) twice.getVector("c1")).get(1));
                    assertEquals("result", total.getSchema().getFields().get(0).getName());
                    assertEquals(3 + 4 + 5, ((Float8Vector) total.getVector(0)).get(1));
                    assertTrue(total.getVector(0).isNull(3), "null in, null out");
                    assertEquals(100, frame.getRowCount());
                }
            }
            assertEquals(0, allocator.getAllocatedMemory());
        }
    }

    @Test
    void aSlicedResultArrivesAsItsRowsNotItsBuffersStart() {
        // Arrow Java's importer ignores offsets: jarrow compacts a sliced result before it goes.
        PythonFunction middle = TestPython.runtime().function("batches:middle_rows");
        try (BufferAllocator allocator = new RootAllocator();
             VectorSchemaRoot input = batch(allocator, 2, 100);
             VectorSchemaRoot rows = middle.apply(input, allocator)) {
            assertEquals(20, rows.getRowCount());
            Float8Vector c1 = (Float8Vector) rows.getVector("c1");
            Float8Vector c0 = (Float8Vector) rows.getVector("c0");
            for (int r = 0; r < 20; r++) {
                assertEquals((40 + r) * 2 + 1, c1.get(r));
                assertEquals((40 + r) % 7 == 3, c0.isNull(r), "row " + r);
            }
            assertEquals(List.of("t45", "u45"), ((List<?>) rows.getVector("tags").getObject(5)).stream().map(Object::toString).toList());
        }
    }

    @Test
    void errorsLeakNothingAndTheNextCallWorks() {
        PythonRuntime python = TestPython.runtime();
        try (BufferAllocator allocator = new RootAllocator();
             VectorSchemaRoot input = batch(allocator, 2, 10)) {
            PythonException e = assertThrows(PythonException.class,
                    () -> python.function("batches:failing_batch").apply(input, allocator));
            assertEquals("ZeroDivisionError", e.pythonType());
            JarrowException wrong = assertThrows(JarrowException.class,
                    () -> python.function("udfs:returns_str").apply(input, allocator));
            assertEquals("CONVERSION", wrong.code());
            assertTrue(wrong.getMessage().contains("builtins.str") && wrong.getMessage().contains("pyarrow.RecordBatch"),
                    wrong.getMessage());
            try (VectorSchemaRoot ok = python.function("batches:doubled").apply(input, allocator)) {
                assertEquals(10, ok.getRowCount());
            }
        }
    }

    @Test
    void applyAsyncExportsAtOnceSoTheInputMayCloseEarly() throws Exception {
        PythonFunction doubled = TestPython.runtime().function("batches:doubled");
        try (BufferAllocator allocator = new RootAllocator()) {
            List<CompletableFuture<VectorSchemaRoot>> futures = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                try (VectorSchemaRoot input = batch(allocator, 2, 100 + i)) {
                    futures.add(doubled.applyAsync(input, allocator));
                }
            }
            for (int i = 0; i < futures.size(); i++) {
                try (VectorSchemaRoot result = futures.get(i).get()) {
                    assertEquals(100 + i, result.getRowCount());
                }
            }
            PythonFunction failing = TestPython.runtime().function("batches:failing_batch");
            CompletableFuture<VectorSchemaRoot> failed;
            try (VectorSchemaRoot input = batch(allocator, 2, 10)) {
                failed = failing.applyAsync(input, allocator);
            }
            ExecutionException e = assertThrows(ExecutionException.class, failed::get);
            assertTrue(e.getCause() instanceof PythonException, e.toString());
        }
    }

    @Test
    void aWriteIntoOneResultChangesNoOtherResult() {
        // An all-valid result column gets a validity bitmap of its own, however cheaply it is made.
        PythonFunction fresh = TestPython.runtime().function("batches:fresh_column");
        try (BufferAllocator allocator = new RootAllocator();
             VectorSchemaRoot input = batch(allocator, 1, 1000)) {
            try (VectorSchemaRoot first = fresh.apply(input, allocator);
                 VectorSchemaRoot second = fresh.apply(input, allocator)) {
                Float8Vector x = (Float8Vector) first.getVector("x");
                x.setNull(0);
                x.setNull(999);
                assertTrue(x.isNull(0) && x.isNull(999) && !x.isNull(1), "the write took effect");
                Float8Vector other = (Float8Vector) second.getVector("x");
                assertTrue(!other.isNull(0) && !other.isNull(999), "a write into one result changed another");
                assertEquals(999.0, other.get(999));
            }
            for (int i = 0; i < 3; i++) {
                try (VectorSchemaRoot later = fresh.apply(input, allocator);
                     VectorSchemaRoot sum = TestPython.runtime().function("batches:column_sum_as_array").apply(input, allocator)) {
                    Float8Vector x = (Float8Vector) later.getVector("x");
                    for (int r = 0; r < 1000; r++) {
                        assertTrue(!x.isNull(r), "row " + r + " of a later result is null");
                    }
                    assertTrue(sum.getVector(0).isNull(3), "a result with nulls keeps them");
                }
            }
        }
    }

    @Test
    void aMalformedBatchIsRefusedBeforeTheOtherSideReadsIt() {
        PythonFunction identity = TestPython.runtime().function("udfs:identity");
        try (BufferAllocator allocator = new RootAllocator()) {
            // A closed root still reports its row count; its vectors are empty.
            VectorSchemaRoot closed = batch(allocator, 2, 3);
            closed.close();
            JarrowException e = assertThrows(JarrowException.class, () -> identity.apply(closed, allocator));
            assertEquals("ARROW", e.code());
            assertTrue(e.getMessage().contains("column \"c0\" has 0 rows, but the batch needs 3")
                    && e.getMessage().contains("closed"), e.getMessage());
            // A Python result that says it has more rows than its column holds never reaches Java.
            try (VectorSchemaRoot input = batch(allocator, 1, 5)) {
                JarrowException result = assertThrows(JarrowException.class,
                        () -> TestPython.runtime().function("batches:short_column").apply(input, allocator));
                assertTrue(result.getMessage().contains("0 vs 5") || result.getMessage().contains("has 0 rows"),
                        result.getMessage());
                try (VectorSchemaRoot ok = identity.apply(input, allocator)) {
                    assertEquals(5, ok.getRowCount());
                }
            }
            assertEquals(0, allocator.getAllocatedMemory());
        }
    }

    @Test
    void dictionaryEncodedColumnsGoToPythonEncodedAndComeBackDecoded() {
        PythonFunction describe = TestPython.runtime().function("batches:dictionary_types");
        PythonFunction identity = TestPython.runtime().function("udfs:identity");
        try (BufferAllocator allocator = new RootAllocator();
             VarCharVector words = new VarCharVector("words", allocator);
             VarCharVector values = new VarCharVector("values", allocator)) {
            String[] dictionary = {"low", "high", "médium"};
            values.allocateNew();
            for (int i = 0; i < dictionary.length; i++) {
                values.setSafe(i, dictionary[i].getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
            values.setValueCount(dictionary.length);
            String[] rows = {"high", null, "low", "médium", "high"};
            words.allocateNew();
            for (int i = 0; i < rows.length; i++) {
                if (rows[i] == null) {
                    words.setNull(i);
                } else {
                    words.setSafe(i, rows[i].getBytes(java.nio.charset.StandardCharsets.UTF_8));
                }
            }
            words.setValueCount(rows.length);
            org.apache.arrow.vector.dictionary.Dictionary encoding = new org.apache.arrow.vector.dictionary.Dictionary(values,
                    new org.apache.arrow.vector.types.pojo.DictionaryEncoding(7, false, null));
            org.apache.arrow.vector.dictionary.DictionaryProvider.MapDictionaryProvider provider =
                    new org.apache.arrow.vector.dictionary.DictionaryProvider.MapDictionaryProvider(encoding);
            try (FieldVector indices = (FieldVector) org.apache.arrow.vector.dictionary.DictionaryEncoder.encode(words, encoding);
                 VectorSchemaRoot input = new VectorSchemaRoot(List.of(indices))) {
                JarrowException missing = assertThrows(JarrowException.class, () -> identity.apply(input, allocator));
                assertEquals("ARROW", missing.code());
                assertTrue(missing.getMessage().contains("column words is dictionary-encoded"), missing.getMessage());
                try (VectorSchemaRoot seen = describe.apply(input, provider, allocator)) {
                    assertEquals("dictionary<values=string, indices=int32, ordered=0>", seen.getVector(0).getObject(0).toString());
                }
                try (VectorSchemaRoot back = identity.apply(input, provider, allocator)) {
                    VarCharVector decoded = (VarCharVector) back.getVector("words");
                    for (int i = 0; i < rows.length; i++) {
                        assertEquals(rows[i], decoded.isNull(i) ? null : new String(decoded.get(i), java.nio.charset.StandardCharsets.UTF_8));
                    }
                }
            }
        }
    }
}
