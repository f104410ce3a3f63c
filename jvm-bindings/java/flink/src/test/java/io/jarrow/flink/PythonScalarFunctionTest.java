package io.jarrow.flink;

import static org.apache.flink.table.api.DataTypes.INT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jarrow.TestPython;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.apache.flink.util.ExceptionUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** PythonScalarFunction in SQL queries, in real jobs on a MiniCluster. */
class PythonScalarFunctionTest {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(2)
            .setNumberSlotsPerTaskManager(2)
            .build());

    @Test
    void aSqlQueryCallsThePythonFunctionOnBatchesOfItsRows() throws Exception {
        Configuration config = new Configuration();
        config.setString("table.exec.async-scalar.max-concurrent-operations", "200");
        StreamTableEnvironment tEnv = Tables.withTransactions(3000, config);
        tEnv.createTemporarySystemFunction("score_of", PythonScalarFunction.builder("batching:score", DataTypes.DOUBLE())
                .arguments("id", "amount").result("score").config(TestPython.config()).build());
        tEnv.createTemporarySystemFunction("batch_size_of", PythonScalarFunction
                .builder("batching:rows_with_batch_size", DataTypes.BIGINT())
                .arguments("id").result("batch_size").config(TestPython.config()).build());
        List<Row> out = Tables.query(tEnv, "SELECT id, score_of(id, amount), batch_size_of(id) FROM transactions");
        assertEquals(3000, out.size());
        out.sort((a, b) -> Long.compare((Long) a.getField(0), (Long) b.getField(0)));
        long batched = 0;
        for (int i = 0; i < 3000; i++) {
            assertEquals((long) i, out.get(i).getField(0));
            assertEquals((i + 0.5) * 2, out.get(i).getField(1), "row " + i);
            batched += (Long) out.get(i).getField(2) > 1 ? 1 : 0;
        }
        assertTrue(batched > 1500, "most calls went in batches of several: " + batched + " of 3000");
    }

    @Test
    void aValueThatDoesNotFitTheResultTypeFailsTheQueryNamingIt() {
        Configuration config = new Configuration();
        config.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        // A source still running when the first batch fails, so that its failure is the job's.
        StreamTableEnvironment tEnv = Tables.withTransactions(1_000_000, config);
        tEnv.createTemporarySystemFunction("times_a_billion", PythonScalarFunction
                .builder("batching:id_times_two_plus_one", DataTypes.INT())
                .arguments("id").result("out").config(TestPython.config()).build());
        Exception e = assertThrows(Exception.class,
                () -> Tables.query(tEnv, "SELECT times_a_billion(id * 2000000000) FROM transactions"));
        String chain = ExceptionUtils.stringifyException(e);
        assertTrue(chain.contains("result column out holds Long") && chain.contains("which is not a INTEGER"), chain);
    }

    @Test
    void settingsAreCheckedWhenSet() {
        assertThrows(IllegalArgumentException.class, () -> PythonScalarFunction.builder("m:f", DataTypes.DATE()));
        assertThrows(IllegalArgumentException.class, () -> PythonScalarFunction.builder("m:f", INT()).arguments("a", "a"));
        assertThrows(IllegalStateException.class, () -> PythonScalarFunction.builder("m:f", INT()).arguments("a").build());
    }
}
