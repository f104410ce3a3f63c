package io.jarrow.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jarrow.RecordMapper;
import io.jarrow.TestPython;
import io.jarrow.ValueFormat;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.DoubleDeserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;
import org.junit.jupiter.api.Test;

/** The value formats besides JSON strings: JSON bytes, a given schema, and a RecordMapper. */
class ValueFormatTest {
    /** A user's value type, with a serde of its own ("id,amount"). */
    record Transaction(long id, double amount) {
        static final Serde<Transaction> SERDE = Serdes.serdeFrom(
                (topic, t) -> (t.id() + "," + t.amount()).getBytes(StandardCharsets.UTF_8),
                (topic, bytes) -> {
                    String[] parts = new String(bytes, StandardCharsets.UTF_8).split(",");
                    return new Transaction(Long.parseLong(parts[0]), Double.parseDouble(parts[1]));
                });
    }

    static final class TransactionMapper implements RecordMapper<Transaction, Double> {
        @Override
        public Schema schema() {
            return new Schema(List.of(Field.nullable("id", new ArrowType.Int(64, true)),
                    Field.nullable("amount", new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE))));
        }

        @Override
        public void write(Transaction t, VectorSchemaRoot batch, int row) {
            ((BigIntVector) batch.getVector("id")).setSafe(row, t.id());
            ((Float8Vector) batch.getVector("amount")).setSafe(row, t.amount());
        }

        @Override
        public Double read(VectorSchemaRoot result, int row) {
            return ((Float8Vector) result.getVector("score")).get(row);
        }
    }

    static Properties props() {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "jarrow-format-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:1");
        return props;
    }

    @Test
    void aRecordMapperWritesUserTypesIntoArrowAndReadsResultsBack() {
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream("in", Consumed.with(Serdes.String(), Transaction.SERDE))
                .processValues(PythonProcessor.builder("batching:amount_times_ten", ValueFormat.mapper(new TransactionMapper()))
                        .runtime(TestPython.runtime()).keySerde(Serdes.String()).valueSerde(Transaction.SERDE)
                        .maxBatchSize(3).minBatchSize(3).build())
                .to("out", Produced.with(Serdes.String(), Serdes.Double()));
        try (TopologyTestDriver driver = new TopologyTestDriver(builder.build(), props())) {
            TestInputTopic<String, Transaction> in = driver.createInputTopic("in", new StringSerializer(), Transaction.SERDE.serializer());
            TestOutputTopic<String, Double> out = driver.createOutputTopic("out", new StringDeserializer(), new DoubleDeserializer());
            for (int i = 0; i < 3; i++) {
                in.pipeInput("k" + i, new Transaction(i, i + 0.25));
            }
            driver.advanceWallClockTime(Duration.ofSeconds(1));
            assertEquals(List.of(2.5, 12.5, 22.5), out.readValuesToList());
        }
    }

    @Test
    void jsonBytesWithAGivenSchema() {
        Schema schema = new Schema(List.of(Field.nullable("id", new ArrowType.Int(64, true)),
                Field.nullable("amount", new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE))));
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream("in", Consumed.with(Serdes.String(), Serdes.ByteArray()))
                .processValues(PythonProcessor.builder("batching:score", ValueFormat.jsonBytes(schema))
                        .runtime(TestPython.runtime()).keySerde(Serdes.String()).maxBatchSize(2).minBatchSize(2).maxLatency(Duration.ofSeconds(5)).build())
                .to("out", Produced.with(Serdes.String(), Serdes.ByteArray()));
        try (TopologyTestDriver driver = new TopologyTestDriver(builder.build(), props())) {
            TestInputTopic<String, byte[]> in = driver.createInputTopic("in", new StringSerializer(), new ByteArraySerializer());
            TestOutputTopic<String, byte[]> out = driver.createOutputTopic("out", new StringDeserializer(), new ByteArrayDeserializer());
            // An integral amount is still a float64, as the schema says; fields beyond it are ignored.
            in.pipeInput("a", "{\"id\": 1, \"amount\": 3, \"note\": \"x\"}".getBytes(StandardCharsets.UTF_8));
            in.pipeInput("b", "{\"id\": 2, \"amount\": 0.5}".getBytes(StandardCharsets.UTF_8));
            driver.advanceWallClockTime(Duration.ofSeconds(5));
            assertEquals(List.of("{\"id\":1,\"score\":6.0}", "{\"id\":2,\"score\":1.0}"),
                    out.readValuesToList().stream().map(v -> new String(v, StandardCharsets.UTF_8)).toList());
        }
    }
}
