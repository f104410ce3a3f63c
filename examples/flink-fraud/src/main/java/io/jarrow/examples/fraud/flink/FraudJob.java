package io.jarrow.examples.fraud.flink;

import io.jarrow.PythonConfig;
import io.jarrow.examples.fraud.FraudModel;
import io.jarrow.flink.FlinkFormat;
import io.jarrow.flink.PythonOperator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The Flink demo's job, in its two forms: card transactions (JSON) read from Kafka, scored by the
 * Kafka demo's model ({@code fraud_model} in examples/kafka-fraud/python) in the TaskManager, and
 * written to Kafka exactly once (Kafka transactions committed with Flink's checkpoints). The demo,
 * its tests and the cluster test all run these.
 *
 * <ul>
 *   <li>DataStream: {@link #transactions} -> {@link #score} ({@link PythonOperator} calling
 *       {@code fraud_model:score} on batches; the JSON bytes are decoded and encoded in native
 *       code) -> {@link #writeTo}.
 *   <li>SQL: {@link #sql}, Kafka tables and {@code ML_PREDICT} with a model of the {@code jarrow}
 *       provider calling {@code fraud_model:predict}.
 * </ul>
 */
public final class FraudJob {
    /** How often a checkpoint commits the scores written since the last one. */
    public static final Duration CHECKPOINT_INTERVAL = Duration.ofMillis(500);

    private FraudJob() {}

    /** The transactions topic's values, from the earliest offset; {@code bounded}: up to the latest offset at the start. */
    public static DataStream<byte[]> transactions(StreamExecutionEnvironment env, String bootstrap, String topic, boolean bounded) {
        KafkaSourceBuilder<byte[]> source = KafkaSource.<byte[]>builder()
                .setBootstrapServers(bootstrap)
                .setTopics(topic)
                .setGroupId("jarrow-flink-fraud-" + topic)
                .setStartingOffsets(OffsetsInitializer.earliest())
                .setDeserializer(KafkaRecordDeserializationSchema.valueOnly(ByteArrayDeserializer.class));
        if (bounded) {
            source.setBounded(OffsetsInitializer.latest());
        }
        return env.fromSource(source.build(), WatermarkStrategy.noWatermarks(), "transactions");
    }

    /** Each transaction's score ({@code {"id":..,"is_fraud":..,"fraud_probability":..,"flagged":..}}), in batches of up to {@code maxBatchSize}. */
    public static DataStream<byte[]> score(DataStream<byte[]> transactions, PythonConfig python, int maxBatchSize) {
        return PythonOperator.builder("fraud_model:score", FlinkFormat.jsonBytes(FraudModel.TRANSACTIONS))
                .config(python)
                .name("fraud-scoring")
                .maxBatchSize(maxBatchSize)
                .maxLatency(Duration.ofMillis(50))
                .applyTo(transactions);
    }

    /** Writes the scores to {@code topic} exactly once: in Kafka transactions that commit with checkpoints. */
    public static void writeTo(DataStream<byte[]> scores, String bootstrap, String topic) {
        scores.sinkTo(KafkaSink.<byte[]>builder()
                .setBootstrapServers(bootstrap)
                .setRecordSerializer(KafkaRecordSerializationSchema.<byte[]>builder()
                        .setTopic(topic)
                        .setKafkaValueSerializer(ByteArraySerializer.class)
                        .build())
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix("jarrow-flink-fraud-" + topic)
                // Under the broker's transaction.max.timeout.ms (15 minutes by default).
                .setProperty("transaction.timeout.ms", "120000")
                .setProperty("linger.ms", "5")
                .build()).name("scores");
    }

    /** The DataStream job: the stream of {@code in} scored into {@code out}. */
    public static void dataStream(StreamExecutionEnvironment env, String bootstrap, String in, String out,
            PythonConfig python, int maxBatchSize, boolean bounded) {
        env.enableCheckpointing(CHECKPOINT_INTERVAL.toMillis());
        writeTo(score(transactions(env, bootstrap, in, bounded), python, maxBatchSize), bootstrap, out);
    }

    /**
     * A table environment on {@code env} for {@link #sql}: checkpoints every {@link
     * #CHECKPOINT_INTERVAL}, and as many rows in flight per subtask as two Python calls take (the
     * rows in flight are what ML_PREDICT's calls batch).
     */
    public static StreamTableEnvironment tables(StreamExecutionEnvironment env, int maxBatchSize) {
        env.enableCheckpointing(CHECKPOINT_INTERVAL.toMillis());
        StreamTableEnvironment tEnv = StreamTableEnvironment.create(env);
        tEnv.getConfig().set("table.exec.async-ml-predict.max-concurrent-operations", String.valueOf(2 * maxBatchSize));
        return tEnv;
    }

    /** Runs {@link #sql}'s statements; the result is the running INSERT's. */
    public static TableResult runSql(StreamTableEnvironment tEnv, List<String> statements) {
        for (String statement : statements.subList(0, statements.size() - 1)) {
            tEnv.executeSql(statement);
        }
        return tEnv.executeSql(statements.get(statements.size() - 1));
    }

    private static String quoted(String value) {
        return "'" + value.replace("'", "''") + "'";
    }

    /**
     * The SQL job, as statements for a table environment: the Kafka tables, the model, and the
     * {@code INSERT} that scores every transaction with ML_PREDICT. The last statement is the one
     * that runs the job. The event's Kafka timestamp goes from the transaction to its score.
     */
    public static List<String> sql(String bootstrap, String in, String out, PythonConfig python, int maxBatchSize, boolean bounded) {
        String features = IntStream.range(0, 28).mapToObj(i -> "v" + i).collect(Collectors.joining(", ")) + ", amount, `hour`";
        String featureColumns = IntStream.range(0, 28).mapToObj(i -> "v" + i + " DOUBLE").collect(Collectors.joining(", "))
                + ", amount DOUBLE, `hour` BIGINT";
        String pythonPath = python.pythonPath().stream().map(Object::toString).collect(Collectors.joining(":"));
        List<String> statements = new ArrayList<>();
        statements.add("CREATE TEMPORARY TABLE transactions (id BIGINT, card STRING, " + featureColumns
                + ", is_fraud BOOLEAN, ts TIMESTAMP_LTZ(3) METADATA FROM 'timestamp') WITH ("
                + "'connector' = 'kafka', 'topic' = " + quoted(in) + ", 'properties.bootstrap.servers' = " + quoted(bootstrap)
                + ", 'properties.group.id' = " + quoted("jarrow-flink-fraud-sql-" + in)
                + ", 'scan.startup.mode' = 'earliest-offset'"
                + (bounded ? ", 'scan.bounded.mode' = 'latest-offset'" : "")
                + ", 'format' = 'json')");
        statements.add("CREATE TEMPORARY TABLE scores (id BIGINT, is_fraud BOOLEAN, fraud_probability DOUBLE, flagged BOOLEAN, "
                + "ts TIMESTAMP_LTZ(3) METADATA FROM 'timestamp') WITH ("
                + "'connector' = 'kafka', 'topic' = " + quoted(out) + ", 'properties.bootstrap.servers' = " + quoted(bootstrap)
                + ", 'format' = 'json', 'sink.delivery-guarantee' = 'exactly-once'"
                + ", 'sink.transactional-id-prefix' = " + quoted("jarrow-flink-fraud-sql-" + out)
                + ", 'properties.transaction.timeout.ms' = '120000', 'properties.linger.ms' = '5')");
        statements.add("CREATE TEMPORARY MODEL fraud INPUT (" + featureColumns + ") "
                + "OUTPUT (fraud_probability DOUBLE, flagged BOOLEAN) WITH ("
                + "'provider' = 'jarrow', 'function' = 'fraud_model:predict', 'python' = "
                + quoted(python.resolveExecutable().toString()) + ", 'python-path' = " + quoted(pythonPath)
                + ", 'max-batch-size' = '" + maxBatchSize + "')");
        statements.add("INSERT INTO scores SELECT id, is_fraud, fraud_probability, flagged, ts "
                + "FROM ML_PREDICT(TABLE transactions, MODEL fraud, DESCRIPTOR(" + features + "))");
        return statements;
    }
}
