package io.jarrow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Java side of the cross-language contract (tests/contract/cases.json): every call, made
 * through {@link PythonFunction}, gives the result or the error the file says; the Rust core
 * (contract.rs) and Python (test_contract.py) check the same file.
 */
class ContractTest {
    @SuppressWarnings("unchecked")
    static Map<String, Object> cases() throws IOException {
        ObjectMapper json = new ObjectMapper().enable(DeserializationFeature.USE_LONG_FOR_INTS);
        return json.readValue(TestPython.tests().resolve("contract/cases.json").toFile(), Map.class);
    }

    @SuppressWarnings("unchecked")
    static Stream<Map<String, Object>> calls() throws IOException {
        return ((List<Map<String, Object>>) cases().get("calls")).stream();
    }

    @SuppressWarnings("unchecked")
    static Stream<Map<String, Object>> batches() throws IOException {
        return ((List<Map<String, Object>>) cases().get("batches")).stream();
    }

    @SuppressWarnings("unchecked")
    static void checkError(Map<String, Object> c, JarrowException error) {
        Map<String, Object> raises = (Map<String, Object>) c.get("raises");
        if (raises == null) {
            fail(c + ": unexpected error " + error);
        }
        assertEquals(raises.get("code"), error.code(), c + ": " + error);
        if (error instanceof PythonException python) {
            assertEquals(raises.get("type"), python.pythonType(), c.toString());
            assertEquals(raises.get("message"), python.pythonMessage(), c.toString());
            if (raises.containsKey("traceback_has")) {
                assertTrue(python.pythonTraceback().contains((String) raises.get("traceback_has")), python.pythonTraceback());
            }
        }
    }

    @ParameterizedTest
    @MethodSource("calls")
    @SuppressWarnings("unchecked")
    void everyCallGivesWhatTheContractSays(Map<String, Object> c) {
        Object result;
        try (PythonFunction function = TestPython.runtime().function((String) c.get("call"))) {
            Map<String, Object> kwargs = (Map<String, Object>) c.getOrDefault("kwargs", Map.of());
            result = function.call(((List<Object>) c.get("args")).toArray(), kwargs);
        } catch (JarrowException e) {
            checkError(c, e);
            return;
        }
        assertTrue(c.containsKey("returns"), c + ": expected an error, got " + result);
        assertEquals(c.get("returns"), result, c.toString());
    }

    @ParameterizedTest
    @MethodSource("batches")
    @SuppressWarnings("unchecked")
    void everyBatchGivesWhatTheContractSays(Map<String, Object> c) {
        try (BufferAllocator allocator = new RootAllocator();
             PythonFunction function = TestPython.runtime().function((String) c.get("apply"))) {
            List<FieldVector> vectors = new ArrayList<>();
            ((Map<String, Map<String, List<Object>>>) c.get("columns")).forEach((name, typed) -> vectors.add(vector(name, typed, allocator)));
            try (VectorSchemaRoot input = new VectorSchemaRoot(vectors)) {
                try (VectorSchemaRoot result = function.apply(input, allocator)) {
                    assertTrue(c.containsKey("returns"), c + ": expected an error, got " + result.contentToTSVString());
                    assertEquals(c.get("returns"), columnsOf(result), c.toString());
                } catch (JarrowException e) {
                    checkError(c, e);
                }
            }
        }
    }

    static FieldVector vector(String name, Map<String, List<Object>> typed, BufferAllocator allocator) {
        Map.Entry<String, List<Object>> only = typed.entrySet().iterator().next();
        List<Object> values = only.getValue();
        FieldVector vector = switch (only.getKey()) {
            case "int64" -> new BigIntVector(name, allocator);
            case "float64" -> new Float8Vector(name, allocator);
            case "utf8" -> new VarCharVector(name, allocator);
            default -> throw new IllegalArgumentException("cases.json: unknown column type " + only.getKey());
        };
        vector.setInitialCapacity(values.size());
        vector.allocateNew();
        for (int i = 0; i < values.size(); i++) {
            Object v = values.get(i);
            if (v == null) {
                vector.setNull(i);
            } else if (vector instanceof BigIntVector ints) {
                ints.setSafe(i, ((Number) v).longValue());
            } else if (vector instanceof Float8Vector floats) {
                floats.setSafe(i, ((Number) v).doubleValue());
            } else {
                ((VarCharVector) vector).setSafe(i, ((String) v).getBytes(StandardCharsets.UTF_8));
            }
        }
        vector.setValueCount(values.size());
        return vector;
    }

    /** The batch as cases.json writes it: {name: {type: values}}. */
    static Map<String, Object> columnsOf(VectorSchemaRoot batch) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (FieldVector vector : batch.getFieldVectors()) {
            String kind = vector instanceof BigIntVector ? "int64" : vector instanceof Float8Vector ? "float64"
                    : vector instanceof VarCharVector ? "utf8" : null;
            if (kind == null) {
                fail("a result column of type " + vector.getField().getType() + ", which cases.json cannot say");
            }
            List<Object> values = new ArrayList<>();
            for (int i = 0; i < vector.getValueCount(); i++) {
                Object v = vector.getObject(i);
                values.add(v == null ? null : vector instanceof VarCharVector ? v.toString() : v);
            }
            out.put(vector.getName(), Map.of(kind, values));
        }
        return out;
    }
}
