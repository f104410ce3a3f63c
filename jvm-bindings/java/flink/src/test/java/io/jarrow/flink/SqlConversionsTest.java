package io.jarrow.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The SQL conversions (a row's values to Python, a result's values back to SQL) on random rows of
 * every input type, with nulls and extreme values: ML_PREDICT on a model that gives its input back
 * returns each row's own values, exactly.
 */
class SqlConversionsTest {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(2)
            .setNumberSlotsPerTaskManager(2)
            .build());

    static final String[] NAMES = {"id", "b", "t", "s", "i", "l", "f", "d", "v"};
    static final TypeInformation<?>[] TYPES = {Types.LONG, Types.BOOLEAN, Types.BYTE, Types.SHORT, Types.INT, Types.LONG,
        Types.FLOAT, Types.DOUBLE, Types.STRING};

    static Object pick(Random random, Object... values) {
        return values[random.nextInt(values.length)];
    }

    /** A random value of column {@code c}: often an extreme, sometimes null. */
    static Object value(Random random, int c) {
        if (random.nextInt(10) == 0) {
            return null;
        }
        boolean extreme = random.nextInt(4) == 0;
        return switch (NAMES[c]) {
            case "b" -> random.nextBoolean();
            case "t" -> extreme ? pick(random, Byte.MIN_VALUE, Byte.MAX_VALUE, (byte) 0) : (byte) random.nextInt();
            case "s" -> extreme ? pick(random, Short.MIN_VALUE, Short.MAX_VALUE, (short) -1) : (short) random.nextInt();
            case "i" -> extreme ? pick(random, Integer.MIN_VALUE, Integer.MAX_VALUE, 0) : random.nextInt();
            case "l" -> extreme ? pick(random, Long.MIN_VALUE, Long.MAX_VALUE, 1L << 53, (1L << 53) + 1) : random.nextLong();
            case "f" -> extreme ? pick(random, Float.MIN_VALUE, Float.MAX_VALUE, -0.0f, Float.NaN, Float.NEGATIVE_INFINITY)
                    : Float.intBitsToFloat(random.nextInt()) ;
            case "d" -> extreme ? pick(random, Double.MIN_VALUE, -Double.MAX_VALUE, -0.0, Double.NaN, Double.POSITIVE_INFINITY)
                    : Double.longBitsToDouble(random.nextLong());
            case "v" -> extreme ? pick(random, "", "é€😀", "a\u0000b", "line\nbreak", "\"quoted\"") : Long.toString(random.nextLong(), 36);
            default -> throw new IllegalArgumentException(NAMES[c]);
        };
    }

    /** What a result column of {@code c}'s type gives back: TINYINT and SMALLINT come back as INT. */
    static Object widened(Object value) {
        if (value instanceof Byte b) {
            return (int) b;
        }
        if (value instanceof Short s) {
            return (int) s;
        }
        if (value instanceof Float f && Float.isNaN(f)) {
            return Float.NaN;  // one NaN: Arrow keeps the bits, Java's Float.equals compares NaNs as equal
        }
        return value;
    }

    @Test
    void everyValueOfEveryInputTypeComesBackExactly() throws Exception {
        Random random = new Random(20261204);
        List<Row> rows = new ArrayList<>();
        Map<Long, Row> byId = new HashMap<>();
        for (long id = 0; id < 3000; id++) {
            Row row = new Row(NAMES.length);
            row.setField(0, id);
            for (int c = 1; c < NAMES.length; c++) {
                row.setField(c, value(random, c));
            }
            rows.add(row);
            byId.put(id, row);
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(new Configuration());
        env.setParallelism(2);
        StreamTableEnvironment tEnv = StreamTableEnvironment.create(env);
        tEnv.getConfig().set("table.exec.async-ml-predict.max-concurrent-operations", "300");
        DataStream<Row> stream = env.fromData(rows).returns(Types.ROW_NAMED(NAMES, TYPES)).rebalance();
        tEnv.createTemporaryView("random_rows", tEnv.fromDataStream(stream));
        tEnv.executeSql("CREATE TEMPORARY MODEL echo "
                + "INPUT (b BOOLEAN, t TINYINT, s SMALLINT, i INT, l BIGINT, f FLOAT, d DOUBLE, v STRING) "
                + "OUTPUT (b_out BOOLEAN, t_out INT, s_out INT, i_out INT, l_out BIGINT, f_out FLOAT, d_out DOUBLE, v_out STRING) "
                + MlPredictTest.with("batching:echo_columns"));
        List<Row> out = Tables.query(tEnv, "SELECT id, b_out, t_out, s_out, i_out, l_out, f_out, d_out, v_out "
                + "FROM ML_PREDICT(TABLE random_rows, MODEL echo, DESCRIPTOR(b, t, s, i, l, f, d, v))");
        assertEquals(rows.size(), out.size());
        for (Row result : out) {
            Row input = byId.get((Long) result.getField(0));
            for (int c = 1; c < NAMES.length; c++) {
                assertEquals(widened(input.getField(c)), widened(result.getField(c)),
                        "column " + NAMES[c] + " of row " + input + " came back as " + result);
            }
        }
    }
}
