package io.jarrow.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jarrow.RecordMapper;
import io.jarrow.TestPython;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.typeutils.RowTypeInfo;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;
import org.apache.flink.util.ExceptionUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Rows and POJOs through PythonOperator, in real jobs on a MiniCluster. */
class FormatsTest {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(2)
            .setNumberSlotsPerTaskManager(2)
            .build());

    static final RowTypeInfo EVERY_TYPE = new RowTypeInfo(
            new TypeInformation<?>[] {Types.BOOLEAN, Types.BYTE, Types.SHORT, Types.INT, Types.LONG, Types.FLOAT,
                Types.DOUBLE, Types.STRING, Types.PRIMITIVE_ARRAY(Types.BYTE)},
            new String[] {"flag", "tiny", "small", "count", "id", "ratio", "amount", "name", "payload"});

    static <T> List<T> collect(DataStream<T> stream) throws Exception {
        List<T> out = new ArrayList<>();
        try (CloseableIterator<T> it = stream.executeAndCollect()) {
            it.forEachRemaining(out::add);
        }
        return out;
    }

    /** Rows of every mapped type, each field null one time in five, with awkward values. */
    static List<Row> randomRows(int n, long seed) {
        Random random = new Random(seed);
        String[] words = {"", "plain", "ünïcödé", "emoji \uD83D\uDE00", "quote \" and \\ backslash", "line\nbreak"};
        double[] doubles = {0.0, -0.0, Double.NaN, Double.MAX_VALUE, Double.MIN_VALUE, Double.NEGATIVE_INFINITY};
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Object[] fields = {
                random.nextBoolean(),
                (byte) random.nextInt(),
                (short) random.nextInt(),
                random.nextInt(),
                random.nextLong(),
                random.nextFloat() * 1e6f - 5e5f,
                random.nextInt(4) == 0 ? doubles[random.nextInt(doubles.length)] : random.nextGaussian() * 1e9,
                words[random.nextInt(words.length)] + random.nextInt(1000),
                random.ints(random.nextInt(5), 0, 256).collect(StringBuilder::new, StringBuilder::appendCodePoint,
                        StringBuilder::append).toString().getBytes(StandardCharsets.ISO_8859_1),
            };
            for (int f = 0; f < fields.length; f++) {
                if (random.nextInt(5) == 0) {
                    fields[f] = null;
                }
            }
            rows.add(Row.of(fields));
        }
        return rows;
    }

    @Test
    void rowsOfEveryMappedTypeComeBackAsTheyWent() throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        List<Row> rows = randomRows(3000, 42);
        List<Row> out = collect(PythonOperator.builder("batches:same", FlinkFormat.rows(EVERY_TYPE, EVERY_TYPE))
                .config(TestPython.config()).maxBatchSize(500)
                .applyTo(env.fromData(rows, EVERY_TYPE)));
        assertEquals(rows.size(), out.size());
        for (int i = 0; i < rows.size(); i++) {
            assertEquals(rows.get(i), out.get(i), "row " + i);
        }
    }

    @Test
    void aResultColumnOfAnotherTypeIsAnErrorNamingIt() {
        Configuration noRestart = new Configuration();
        noRestart.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(noRestart);
        env.setParallelism(1);
        RowTypeInfo ints = new RowTypeInfo(new TypeInformation<?>[] {Types.INT}, new String[] {"count"});
        Exception e = assertThrows(Exception.class, () -> collect(PythonOperator
                .builder("batches:as_int64", FlinkFormat.rows(ints, ints)).config(TestPython.config())
                .applyTo(env.fromData(List.of(Row.of(1), Row.of(2)), ints))));
        String chain = ExceptionUtils.stringifyException(e);
        assertTrue(chain.contains("result column count is Int(64, true)") && chain.contains("the output field is INT"), chain);
    }

    @Test
    void aTypeWithoutAnArrowMappingIsRefusedWhenTheFormatIsMade() {
        RowTypeInfo times = new RowTypeInfo(new TypeInformation<?>[] {Types.LOCAL_DATE_TIME}, new String[] {"at"});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FlinkFormat.rows(times, times));
        assertTrue(e.getMessage().contains("field at") && e.getMessage().contains("BIGINT"), e.getMessage());
    }

    /** A POJO, as a DataStream job would have it. */
    public static class Transaction {
        public long id;
        public double amount;

        public Transaction() {}

        Transaction(long id, double amount) {
            this.id = id;
            this.amount = amount;
        }
    }

    /** Transactions to Arrow and scores back, for {@code batching:score}. */
    static final class TransactionMapper implements RecordMapper<Transaction, String> {
        @Override
        public Schema schema() {
            return new Schema(List.of(Field.nullable("id", new ArrowType.Int(64, true)),
                    Field.nullable("amount", new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE))));
        }

        @Override
        public void write(Transaction t, VectorSchemaRoot batch, int row) {
            ((BigIntVector) batch.getVector("id")).setSafe(row, t.id);
            ((Float8Vector) batch.getVector("amount")).setSafe(row, t.amount);
        }

        @Override
        public String read(VectorSchemaRoot result, int row) {
            return ((BigIntVector) result.getVector("id")).get(row) + ":" + ((Float8Vector) result.getVector("score")).get(row);
        }
    }

    @Test
    void pojosGoThroughARecordMapper() throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        List<Transaction> transactions = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            transactions.add(new Transaction(i, i + 0.25));
        }
        List<String> out = collect(PythonOperator
                .builder("batching:score", FlinkFormat.mapper(TransactionMapper::new, Types.STRING))
                .config(TestPython.config()).maxBatchSize(100)
                .applyTo(env.fromData(transactions, Types.POJO(Transaction.class))));
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            expected.add(i + ":" + (i + 0.25) * 2);
        }
        assertEquals(expected, out);
    }
}
