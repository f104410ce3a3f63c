import io.jarrow.PythonConfig;
import io.jarrow.PythonRuntime;
import io.jarrow.flink.FlinkFormat;
import io.jarrow.flink.PythonOperator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;

/**
 * Full-load throughput of one Flink subtask scoring the demo's transactions with the demo's
 * fraud model: {@code java FlinkBench <mode> <transactions.jsonl> <fraud_model dir> <model file>},
 * mode {@code java-only} (a map that does next to nothing: the engine's ceiling), {@code
 * java-model} (the same model in Java: each JSON value parsed with Jackson, the scaler and the
 * logistic regression computed from the trained model's parameters, a JSON result written: what a
 * team would write to do without Python), {@code jarrow-adaptive}
 * (PythonOperator, adaptive batches of up to 1024), {@code jarrow-<n>} (fixed batches of n) or
 * {@code jarrow-ml-predict} (SQL's ML_PREDICT on a jarrow model, on the transactions parsed to rows).
 * Runs one job of {@code -Dbench.records} records and times, after the scoring, the records past
 * the first quarter (a warm-up for the JIT compilers and Python, and the job's start, left out),
 * and prints {@code <mode> <records/s>}. One mode
 * per JVM: a JVM has one Python interpreter, and a mode measured after others measures what they
 * left.
 */
public final class FlinkBench {
    static final long RECORDS = Long.getLong("bench.records", 2_000_000L);

    /** When each record was made (paced modes; the local cluster runs in this JVM), in ns. */
    static long[] sentAt;

    /** Transaction {@code i % n} of the file, read when the source opens, with id {@code i}. */
    static final class Transactions implements GeneratorFunction<Long, String> {
        private final String path;
        private transient String[] lines;

        Transactions(String path) {
            this.path = path;
        }

        @Override
        public void open(SourceReaderContext context) throws Exception {
            lines = Files.readAllLines(Path.of(path)).toArray(String[]::new);
        }

        @Override
        public String map(Long i) {
            String line = lines[(int) (i % lines.length)];
            if (sentAt == null) {
                return line;
            }
            sentAt[(int) (long) i] = System.nanoTime();
            // The record's id is its number in the stream, so its latency can be found from its result.
            return "{\"id\": " + i + line.substring(line.indexOf(','));
        }
    }

    /** Times records past the first quarter, where the job's last operator sees them. */
    static final class Stopwatch implements org.apache.flink.api.common.functions.MapFunction<String, String> {
        static volatile long startedAt;
        static volatile long endedAt;
        private final long from;
        private final long to;
        private long seen;

        Stopwatch(long records) {
            this.from = records / 4;
            this.to = records;
        }

        @Override
        public String map(String value) {
            seen++;
            if (seen == from) {
                startedAt = System.nanoTime();
            } else if (seen == to) {
                endedAt = System.nanoTime();
            }
            return value;
        }
    }

    /** The transactions' columns, as the ML_PREDICT mode's table has them. */
    static final String[] COLUMNS = columns();

    static String[] columns() {
        String[] names = new String[31];
        names[0] = "id";
        for (int i = 0; i < 28; i++) {
            names[1 + i] = "v" + i;
        }
        names[29] = "amount";
        names[30] = "hour";
        return names;
    }

    /** A transaction's JSON as a row of {@link #COLUMNS} (Jackson), as a SQL source's JSON format makes it. */
    static final class ParseRow extends org.apache.flink.api.common.functions.RichMapFunction<String, org.apache.flink.types.Row> {
        private transient com.fasterxml.jackson.databind.ObjectMapper json;

        @Override
        public void open(org.apache.flink.api.common.functions.OpenContext context) {
            json = new com.fasterxml.jackson.databind.ObjectMapper();
        }

        @Override
        public org.apache.flink.types.Row map(String value) throws Exception {
            com.fasterxml.jackson.databind.JsonNode t = json.readTree(value);
            org.apache.flink.types.Row row = new org.apache.flink.types.Row(COLUMNS.length);
            row.setField(0, t.get("id").asLong());
            for (int i = 1; i < 30; i++) {
                row.setField(i, t.get(COLUMNS[i]).asDouble());
            }
            row.setField(30, t.get("hour").asLong());
            return row;
        }
    }

    /**
     * {@code jarrow-ml-predict}: the transactions as a table (their JSON parsed by Jackson), scored
     * by SQL's ML_PREDICT on a jarrow model calling {@code fraud_model:predict}, rows in flight
     * coalesced into Python calls of up to 1024.
     */
    static DataStream<String> mlPredict(DataStream<String> in, PythonConfig config) {
        org.apache.flink.table.api.bridge.java.StreamTableEnvironment tEnv =
                org.apache.flink.table.api.bridge.java.StreamTableEnvironment.create(in.getExecutionEnvironment());
        tEnv.getConfig().set("table.exec.async-ml-predict.max-concurrent-operations", "2048");
        org.apache.flink.api.common.typeinfo.TypeInformation<?>[] types = new org.apache.flink.api.common.typeinfo.TypeInformation<?>[31];
        java.util.Arrays.fill(types, Types.DOUBLE);
        types[0] = Types.LONG;
        types[30] = Types.LONG;
        tEnv.createTemporaryView("transactions", tEnv.fromDataStream(in.map(new ParseRow()).returns(Types.ROW_NAMED(COLUMNS, types))));
        StringBuilder features = new StringBuilder();
        StringBuilder inputs = new StringBuilder();
        for (int i = 1; i < 31; i++) {
            String column = i == 30 ? "`hour`" : COLUMNS[i];
            features.append(i > 1 ? ", " : "").append(column);
            inputs.append(i > 1 ? ", " : "").append(column).append(i == 30 ? " BIGINT" : " DOUBLE");
        }
        tEnv.executeSql("CREATE TEMPORARY MODEL fraud INPUT (" + inputs + ") OUTPUT (fraud_probability DOUBLE, flagged BOOLEAN) "
                + "WITH ('provider' = 'jarrow', 'function' = 'fraud_model:predict', 'python-path' = '"
                + config.pythonPath().get(0) + "', 'max-batch-size' = '1024')");
        org.apache.flink.table.api.Table scored = tEnv.sqlQuery("SELECT id, fraud_probability, flagged FROM "
                + "ML_PREDICT(TABLE transactions, MODEL fraud, DESCRIPTOR(" + features + "))");
        return tEnv.toDataStream(scored)
                .map(row -> "{\"id\":" + row.getField(0) + ",\"fraud_probability\":" + row.getField(1) + "}")
                .returns(Types.STRING);
    }

    /** The demo's model in Java: its parameters from {@code bench.model.json}, written by run.sh. */
    static final class JavaModel extends org.apache.flink.api.common.functions.RichMapFunction<String, String> {
        private final String parameters;
        private transient com.fasterxml.jackson.databind.ObjectMapper json;
        private transient double[] mean;
        private transient double[] scale;
        private transient double[] coef;
        private transient double intercept;
        private transient double threshold;
        private transient String[] features;

        JavaModel(String parameters) {
            this.parameters = parameters;
        }

        @Override
        public void open(org.apache.flink.api.common.functions.OpenContext context) throws Exception {
            json = new com.fasterxml.jackson.databind.ObjectMapper();
            com.fasterxml.jackson.databind.JsonNode p = json.readTree(Path.of(parameters).toFile());
            mean = json.treeToValue(p.get("mean"), double[].class);
            scale = json.treeToValue(p.get("scale"), double[].class);
            coef = json.treeToValue(p.get("coef"), double[].class);
            intercept = p.get("intercept").asDouble();
            threshold = p.get("threshold").asDouble();
            features = new String[28];
            for (int i = 0; i < 28; i++) {
                features[i] = "v" + i;
            }
        }

        @Override
        public String map(String value) throws Exception {
            com.fasterxml.jackson.databind.JsonNode t = json.readTree(value);
            double z = intercept;
            for (int i = 0; i < 30; i++) {
                double x = i < 28 ? t.get(features[i]).asDouble()
                        : i == 28 ? Math.log1p(t.get("amount").asDouble()) : t.get("hour").asInt() < 6 ? 1.0 : 0.0;
                z += coef[i] * (x - mean[i]) / scale[i];
            }
            double probability = 1 / (1 + Math.exp(-z));
            com.fasterxml.jackson.databind.node.ObjectNode out = json.createObjectNode();
            out.put("id", t.get("id").asLong());
            out.put("is_fraud", t.get("is_fraud").asBoolean());
            out.put("fraud_probability", Math.round(probability * 1e5) / 1e5);
            out.put("flagged", probability >= threshold);
            return json.writeValueAsString(out);
        }
    }

    /** Latencies of the paced records past the first quarter, in ns, by the order they came out. */
    static final class Latency implements org.apache.flink.api.common.functions.MapFunction<String, String> {
        static long[] latencies;
        static int count;
        private final long from;

        Latency(long records) {
            this.from = records / 4;
        }

        @Override
        public String map(String value) {
            int colon = value.indexOf(':');
            int end = colon + 1;
            while (end < value.length() && value.charAt(end) != ',' && value.charAt(end) != '}') {
                end++;
            }
            long id = Long.parseLong(value.substring(colon + 1, end).trim());
            if (id >= from) {
                latencies[count++] = System.nanoTime() - sentAt[(int) id];
            }
            return value;
        }
    }

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        if (mode.startsWith("paced-")) {
            paced(mode.substring("paced-".length()), args);
            return;
        }
        PythonConfig config = PythonConfig.builder().addPythonPath(Path.of(args[2])).build();
        if (mode.startsWith("jarrow")) {
            PythonRuntime.start(config).function("fraud_model:prepare").call(args[3]);
        }
        run(mode, args[1], config, RECORDS);
        double seconds = (Stopwatch.endedAt - Stopwatch.startedAt) / 1e9;
        System.out.printf("%s %.0f%n", mode, (RECORDS - RECORDS / 4) / seconds);
        System.exit(0);
    }

    /**
     * {@code paced-<java-only|jarrow-adaptive>}: {@code -Dbench.rate} records/s for 20 s, and the
     * p50/p99/max latency from a record's making to its result, past the first 5 s: prints {@code
     * paced-<mode>-<rate> p50_ms p99_ms max_ms}.
     */
    static void paced(String mode, String[] args) throws Exception {
        int rate = Integer.getInteger("bench.rate", 10_000);
        long records = rate * 20L;
        sentAt = new long[(int) records];
        Latency.latencies = new long[(int) records];
        PythonConfig config = PythonConfig.builder().addPythonPath(Path.of(args[2])).build();
        if (mode.startsWith("jarrow")) {
            PythonRuntime.start(config).function("fraud_model:prepare").call(args[3]);
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        DataStream<String> in = env.fromSource(new DataGeneratorSource<>(new Transactions(args[1]), records,
                org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy.perSecond(rate), Types.STRING),
                WatermarkStrategy.noWatermarks(), "transactions");
        scored(mode, in, config).map(new Latency(records)).returns(Types.STRING).sinkTo(new DiscardingSink<>());
        env.execute(mode);
        long[] sorted = java.util.Arrays.copyOf(Latency.latencies, Latency.count);
        java.util.Arrays.sort(sorted);
        System.out.printf("paced-%s-%d %.1f %.1f %.1f%n", mode, rate, sorted[sorted.length / 2] / 1e6,
                sorted[(int) (sorted.length * 0.99)] / 1e6, sorted[sorted.length - 1] / 1e6);
        System.exit(0);
    }

    static void run(String mode, String transactions, PythonConfig config, long records) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        DataStream<String> in = env.fromSource(new DataGeneratorSource<>(new Transactions(transactions), records, Types.STRING),
                WatermarkStrategy.noWatermarks(), "transactions");
        scored(mode, in, config).map(new Stopwatch(records)).returns(Types.STRING).sinkTo(new DiscardingSink<>());
        env.execute(mode);
    }

    /** The mode's scoring of {@code in}. */
    static DataStream<String> scored(String mode, DataStream<String> in, PythonConfig config) {
        DataStream<String> out;
        if (mode.equals("java-only")) {
            out = in.map(value -> value.substring(0, value.indexOf(','))).returns(Types.STRING);
        } else if (mode.equals("java-model")) {
            out = in.map(new JavaModel(System.getProperty("bench.model.json"))).returns(Types.STRING);
        } else if (mode.equals("jarrow-ml-predict")) {
            out = mlPredict(in, config);
        } else {
            PythonOperator.Builder<String, String> scoring = PythonOperator.builder("fraud_model:score", FlinkFormat.json())
                    .config(config);
            if (mode.startsWith("jarrow-") && !mode.equals("jarrow-adaptive")) {
                int n = Integer.parseInt(mode.substring("jarrow-".length()));
                scoring.minBatchSize(n).maxBatchSize(n).maxLatency(Duration.ofHours(1));
            } else {
                scoring.maxBatchSize(1024).maxLatency(Duration.ofMillis(50));
            }
            out = scoring.applyTo(in);
        }
        return out;
    }
}
