package io.jarrow.flink;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;

/** Table environments for the SQL tests, on the test's MiniCluster. */
final class Tables {
    private Tables() {}

    /** A table environment of parallelism 1, with {@code transactions(id, amount)} of n rows. */
    static StreamTableEnvironment withTransactions(int n, Configuration config) {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(config);
        env.setParallelism(1);
        StreamTableEnvironment tEnv = StreamTableEnvironment.create(env);
        DataStream<Row> rows = env.fromSequence(0, n - 1).map(i -> Row.of(i, i + 0.5))
                .returns(Types.ROW_NAMED(new String[] {"id", "amount"}, Types.LONG, Types.DOUBLE));
        tEnv.createTemporaryView("transactions", tEnv.fromDataStream(rows));
        return tEnv;
    }

    /** The rows a query gives. */
    static List<Row> query(StreamTableEnvironment tEnv, String sql) throws Exception {
        List<Row> out = new ArrayList<>();
        try (CloseableIterator<Row> it = tEnv.executeSql(sql).collect()) {
            it.forEachRemaining(out::add);
        }
        return out;
    }
}
