package io.jarrow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;

/** JSON values to a Python function and back, decoded and encoded natively. */
class JsonFormatTest {
    static JsonValues transactions(int n) {
        JsonValues.Builder builder = JsonValues.builder(n);
        for (int i = 0; i < n; i++) {
            builder.add("{\"id\": " + i + ", \"amount\": " + (i * 10.5) + ", \"note\": \"line\\nbreak\"}");
        }
        return builder.build();
    }

    @Test
    void oneResultObjectPerValueInOrder() {
        PythonFunction flag = TestPython.runtime().function("batching:flag_large");
        try (JsonFormat json = JsonFormat.inferred()) {
            JsonValues out = json.apply(flag, transactions(50));
            assertEquals(50, out.size());
            assertEquals("{\"id\":0,\"large\":false}", out.getString(0));
            assertEquals("{\"id\":49,\"large\":true}", out.getString(49));
            JsonValues again = json.apply(flag, transactions(3).slice(1, 3));
            assertEquals(List.of("{\"id\":1,\"large\":false}", "{\"id\":2,\"large\":false}"),
                    List.of(again.getString(0), again.getString(1)));
        }
    }

    @Test
    void aGivenSchemaDecidesTheColumnsAndTypes() {
        PythonFunction identity = TestPython.runtime().function("udfs:identity");
        Schema schema = new Schema(List.of(
                Field.nullable("amount", new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)),
                Field.nullable("id", new ArrowType.Int(64, true))));
        try (JsonFormat json = JsonFormat.withSchema(schema)) {
            JsonValues out = json.apply(identity, JsonValues.of("{\"id\": 7, \"amount\": 3, \"extra\": [1]}".getBytes(),
                    "{\"id\": 8}".getBytes()));
            assertEquals("{\"amount\":3.0,\"id\":7}", out.getString(0));
            assertEquals("{\"id\":8}", out.getString(1), "a missing field is null and left out");
        }
    }

    @Test
    void badValuesAndBadResultsAreClearErrors() {
        PythonRuntime python = TestPython.runtime();
        try (JsonFormat json = JsonFormat.inferred()) {
            JarrowException notOne = assertThrows(JarrowException.class,
                    () -> json.apply(python.function("batching:flag_large"),
                            JsonValues.of("{\"id\": 1, \"amount\": 2.0}".getBytes(), "{\"id\": 2".getBytes())));
            assertEquals("CONVERSION", notOne.code());
            assertTrue(notOne.getMessage().contains("value 1 of the batch is not exactly one JSON object"), notOne.getMessage());
            JarrowException notFitting = assertThrows(JarrowException.class,
                    () -> json.apply(python.function("batching:flag_large"), JsonValues.of("{\"id\": \"x\", \"amount\": 1.0}".getBytes())));
            assertTrue(notFitting.getMessage().contains("does not fit the schema"), notFitting.getMessage());
            JarrowException rows = assertThrows(JarrowException.class,
                    () -> json.apply(python.function("batching:drop_last_row"), transactions(4)));
            assertTrue(rows.getMessage().contains("returned 3 rows for 4 input rows"), rows.getMessage());
            PythonException raised = assertThrows(PythonException.class,
                    () -> json.apply(python.function("batching:fail_on_negative"),
                            JsonValues.of("{\"id\": 1, \"amount\": -2.0}".getBytes())));
            assertEquals("ValueError", raised.pythonType());
            assertEquals(2, json.apply(python.function("batching:flag_large"), transactions(2)).size(), "the next call works");
        }
    }

    /** Issue 10, item 5: what a strict JSON parser rejects fails its batch, naming the value. */
    @Test
    void malformedValuesAreRejected() {
        PythonFunction flag = TestPython.runtime().function("batching:flag_large");
        try (JsonFormat json = JsonFormat.inferred()) {
            for (String malformed : List.of("{\"id\": 5000,, \"amount\": 1.0}", "{\"id\": 7500 \"amount\": 1.0}",
                    "{\"id\": 1, \"amount\": 1.0,}")) {
                JarrowException e = assertThrows(JarrowException.class, () -> json.apply(flag,
                        JsonValues.of("{\"id\": 1, \"amount\": 2.0}".getBytes(), malformed.getBytes())));
                assertEquals("CONVERSION", e.code());
                assertTrue(e.getMessage().contains("value 1 of the batch is not valid JSON: at byte "), e.getMessage());
            }
        }
    }

    /** Issue 10, item 6: one value of another type does not decide a column's type. */
    @Test
    void theInferredSchemaIsTheOneMostValuesAgreeOn() {
        PythonFunction flag = TestPython.runtime().function("batching:flag_large");
        try (JsonFormat json = JsonFormat.inferred()) {
            assertEquals(Optional.empty(), json.inference(), "nothing is inferred before the first batch");
            JarrowException bad = assertThrows(JarrowException.class, () -> json.apply(flag, JsonValues.of(
                    "{\"id\": 1, \"amount\": 2.0}".getBytes(), "{\"id\": 2, \"amount\": \"abc\"}".getBytes(),
                    "{\"id\": 3, \"amount\": 300}".getBytes())));
            assertTrue(bad.getMessage().contains(
                    "value 1 of the batch does not fit the schema: field \"amount\" is `\"abc\"`, expected a number"),
                    bad.getMessage());
            JsonFormat.Inference inference = json.inference().orElseThrow();
            assertEquals(2, inference.agreeing());
            assertEquals(3, inference.values());
            assertEquals(new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE),
                    inference.schema().findField("amount").getType());
            assertTrue(inference.toString().endsWith(" inferred from 2 of 3 records"), inference.toString());
            JsonValues out = json.apply(flag, JsonValues.of("{\"id\": 3, \"amount\": 300}".getBytes()));
            assertEquals("{\"id\":3,\"large\":true}", out.getString(0), "the values that agree are scored");
        }
        Schema given = new Schema(List.of(Field.nullable("id", new ArrowType.Int(64, true))));
        try (JsonFormat json = JsonFormat.withSchema(given)) {
            json.apply(TestPython.runtime().function("udfs:identity"), JsonValues.of("{\"id\": 1}".getBytes()));
            assertEquals(Optional.empty(), json.inference(), "a given schema is not inferred");
        }
    }

    @Test
    void aClosedFormatThrows() {
        JsonFormat json = JsonFormat.inferred();
        json.apply(TestPython.runtime().function("batching:flag_large"), transactions(1));
        json.close();
        assertThrows(IllegalStateException.class,
                () -> json.apply(TestPython.runtime().function("batching:flag_large"), transactions(1)));
    }
}
