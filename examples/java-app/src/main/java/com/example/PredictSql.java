package com.example;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;

/**
 * The README's ML_PREDICT section: {@code predict.sql} (a model of the jarrow provider, and a
 * query scoring a table with it) run by Flink SQL in this JVM: {@code java ...
 * com.example.PredictSql /path/to/venv/bin/python}. The model names no Python executable, so it is
 * found as jarrow finds it: here the one given, as {@code -Djarrow.python} would give it.
 */
public final class PredictSql {
    public static void main(String[] args) throws Exception {
        System.setProperty("jarrow.python", args[0]);
        TableEnvironment tables = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
        tables.executeSql("CREATE TEMPORARY VIEW transactions AS SELECT * FROM (VALUES ('card-1', CAST(12.5 AS DOUBLE), 14), "
                + "('card-2', CAST(990.0 AS DOUBLE), 3), ('card-3', CAST(40.0 AS DOUBLE), 23)) AS t(card, amount, `hour`)");
        String[] statements = sql("predict.sql").split(";");
        tables.executeSql(statements[0]);
        List<Row> scores = new ArrayList<>();
        try (CloseableIterator<Row> rows = tables.executeSql(statements[1]).collect()) {
            rows.forEachRemaining(scores::add);
        }
        scores.forEach(System.out::println);
        if (scores.size() != 3 || scores.stream().anyMatch(r -> !(r.getField(3) instanceof Double))) {
            throw new IllegalStateException("expected 3 scored transactions, got " + scores);
        }
    }

    private static String sql(String resource) throws IOException {
        try (InputStream in = PredictSql.class.getResourceAsStream("/" + resource)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
