package io.jarrow.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jarrow.TestPython;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.apache.flink.util.ExceptionUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** SQL's ML_PREDICT on a model of the jarrow provider, in real jobs on a MiniCluster. */
class MlPredictTest {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(2)
            .setNumberSlotsPerTaskManager(2)
            .build());

    /** The model statement's WITH options for {@code function}, with the tests' Python path. */
    static String with(String function) {
        return "WITH ('provider' = 'jarrow', 'function' = '" + function + "', 'python-path' = '"
                + TestPython.config().pythonPath().get(0) + "')";
    }

    @Test
    void mlPredictScoresEveryRowWithThePythonModel() throws Exception {
        StreamTableEnvironment tEnv = Tables.withTransactions(2000, new Configuration());
        tEnv.executeSql("CREATE TEMPORARY MODEL doubler INPUT (id BIGINT, amount DOUBLE) OUTPUT (score DOUBLE) "
                + with("batching:score"));
        List<Row> out = Tables.query(tEnv, "SELECT id, amount, score FROM ML_PREDICT(TABLE transactions, MODEL doubler, "
                + "DESCRIPTOR(id, amount))");
        assertEquals(2000, out.size());
        out.sort((a, b) -> Long.compare((Long) a.getField(0), (Long) b.getField(0)));
        for (int i = 0; i < 2000; i++) {
            assertEquals((long) i, out.get(i).getField(0));
            assertEquals(i + 0.5, out.get(i).getField(1));
            assertEquals((i + 0.5) * 2, out.get(i).getField(2), "row " + i);
        }
    }

    @Test
    void rowsInFlightShareAPythonCall() throws Exception {
        Configuration config = new Configuration();
        config.setString("table.exec.async-ml-predict.max-concurrent-operations", "200");
        StreamTableEnvironment tEnv = Tables.withTransactions(3000, config);
        tEnv.executeSql("CREATE TEMPORARY MODEL sizes INPUT (id BIGINT) OUTPUT (batch_size BIGINT) "
                + with("batching:rows_with_batch_size"));
        List<Row> out = Tables.query(tEnv, "SELECT id, batch_size FROM ML_PREDICT(TABLE transactions, MODEL sizes, DESCRIPTOR(id))");
        assertEquals(3000, out.size());
        long batched = out.stream().filter(r -> (Long) r.getField(1) > 1).count();
        assertTrue(batched > 1500, "most rows went in batches of several: " + batched + " of 3000");
    }

    @Test
    void aMissingOutputColumnFailsTheQueryNamingIt() {
        Configuration noRestart = new Configuration();
        noRestart.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        // A source still running when the first batch fails, so that its failure is the job's.
        StreamTableEnvironment tEnv = Tables.withTransactions(1_000_000, noRestart);
        tEnv.executeSql("CREATE TEMPORARY MODEL wrong INPUT (id BIGINT, amount DOUBLE) OUTPUT (probability DOUBLE) "
                + with("batching:score"));
        Exception e = assertThrows(Exception.class, () -> Tables.query(tEnv,
                "SELECT * FROM ML_PREDICT(TABLE transactions, MODEL wrong, DESCRIPTOR(id, amount))"));
        String chain = ExceptionUtils.stringifyException(e);
        assertTrue(chain.contains("batching:score's result has no column probability"), chain);
    }

    @Test
    void aColumnTypeJarrowDoesNotConvertIsRefusedWhenTheQueryIsPlanned() {
        StreamTableEnvironment tEnv = Tables.withTransactions(10, new Configuration());
        tEnv.executeSql("CREATE TEMPORARY MODEL dated INPUT (id BIGINT, amount DOUBLE) OUTPUT (issued DATE) "
                + with("batching:score"));
        Exception e = assertThrows(Exception.class, () -> Tables.query(tEnv,
                "SELECT * FROM ML_PREDICT(TABLE transactions, MODEL dated, DESCRIPTOR(id, amount))"));
        String chain = ExceptionUtils.stringifyException(e);
        assertTrue(chain.contains("output column issued is DATE"), chain);
    }
}
