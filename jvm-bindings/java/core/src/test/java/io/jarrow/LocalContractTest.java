package io.jarrow;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.Test;

/**
 * The Python package's jarrow.function (how a data scientist tests a UDF) and the JVM's call give
 * identical results and identical errors on the same UDF and input.
 */
class LocalContractTest {
    private static List<Object> viaJvm(String name, Object... args) {
        try {
            return Arrays.asList("ok", TestPython.runtime().function(name).call(args));
        } catch (PythonException e) {
            return List.of("raised", e.pythonType(), e.pythonMessage());
        } catch (JarrowException e) {
            return List.of("error", e.code());
        }
    }

    private static Object viaLocal(String name, Object... args) {
        Object[] all = new Object[args.length + 1];
        all[0] = name;
        System.arraycopy(args, 0, all, 1, args.length);
        return TestPython.runtime().function("reentry:local_call").call(all);
    }

    @Test
    void sameResultsAndSameErrors() {
        Object[][] cases = {
            {"udfs:add_one", 41L},
            {"udfs:half", 3.0},
            {"udfs:identity", Map.of("k", List.of(1L, "x"))},
            {"udfs:identity", LocalDate.of(2024, 2, 29)},
            {"udfs:identity", new BigDecimal("1.25")},
            {"udfs:type_name", List.of()},
            {"udfs:raise_value_error", "bad input"},
            {"udfs:two_to_the_64"},
            {"udfs:unconvertible"},
            {"udfs:add_one", "not a number"},
        };
        for (Object[] c : cases) {
            String name = (String) c[0];
            Object[] args = Arrays.copyOfRange(c, 1, c.length);
            assertEquals(viaJvm(name, args), viaLocal(name, args), name + " " + Arrays.toString(args));
        }
    }

    @Test
    void sameBatchResults() {
        try (BufferAllocator allocator = new RootAllocator();
             VectorSchemaRoot input = ApplyTest.batch(allocator, 3, 50);
             VectorSchemaRoot viaJvm = TestPython.runtime().function("batches:column_sum_as_array").apply(input, allocator)) {
            PythonFunction local = TestPython.runtime().function("reentry:local_apply");
            // The local path gets the same batch (through the JVM's own apply) and must agree.
            TestPython.runtime().exec("import functools, reentry\n"
                    + "local_column_sum = functools.partial(reentry.local_apply, 'batches:column_sum_as_array')");
            try (VectorSchemaRoot viaLocal = TestPython.runtime().function("__main__:local_column_sum").apply(input, allocator)) {
                assertEquals(viaJvm.contentToTSVString(), viaLocal.contentToTSVString());
            }
            local.close();
        }
    }
}
