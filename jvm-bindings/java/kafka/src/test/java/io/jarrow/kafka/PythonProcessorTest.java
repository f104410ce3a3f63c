package io.jarrow.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jarrow.ErrorPolicy;
import io.jarrow.TestPython;
import io.jarrow.ValueFormat;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorSupplier;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

/** PythonProcessor in a real topology, driven by Kafka Streams' TopologyTestDriver. */
class PythonProcessorTest {
    static final Instant START = Instant.parse("2026-01-01T00:00:00Z");

    /** A driver running {@code in -> PythonProcessor -> out}, with its topics. */
    record Driven(TopologyTestDriver driver, TestInputTopic<String, String> in, TestOutputTopic<String, String> out)
            implements AutoCloseable {
        @Override
        public void close() {
            driver.close();
        }
    }

    static Driven drive(FixedKeyProcessorSupplier<Object, String, String> processor) {
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream("in", Consumed.with(Serdes.String(), Serdes.String()))
                .processValues(processor)
                .to("out", Produced.with(Serdes.String(), Serdes.String()));
        Topology topology = builder.build();
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "jarrow-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:1");
        props.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.StringSerde.class);
        TopologyTestDriver driver = new TopologyTestDriver(topology, props, START);
        return new Driven(driver,
                driver.createInputTopic("in", new StringSerializer(), new StringSerializer(), START, Duration.ofMillis(1)),
                driver.createOutputTopic("out", new StringDeserializer(), new StringDeserializer()));
    }

    static PythonProcessor.Builder<String, String> scoring(String function) {
        return PythonProcessor.builder("batching:" + function, ValueFormat.json()).runtime(TestPython.runtime());
    }

    /** Today's fixed batches of {@code n}: the batching mechanics these tests pin down. */
    static PythonProcessor.Builder<String, String> fixed(PythonProcessor.Builder<String, String> b, int n) {
        return b.maxBatchSize(n).minBatchSize(n);
    }

    static String transaction(int id) {
        return "{\"id\": " + id + ", \"amount\": " + (id + 0.5) + "}";
    }

    static String scored(int id) {
        return "{\"id\":" + id + ",\"score\":" + ((id + 0.5) * 2) + "}";
    }

    @SuppressWarnings("unchecked")
    static List<Long> batchSizes() {
        return (List<Long>) TestPython.runtime().function("batching:batch_sizes_seen").call();
    }

    @Test
    void aFullBatchIsScoredInOneCallAndForwardedInOrder() {
        batchSizes();
        try (Driven t = drive(fixed(scoring("score"), 4).maxLatency(Duration.ofHours(1)).build())) {
            for (int i = 0; i < 3; i++) {
                t.in().pipeInput("card-" + i, transaction(i));
            }
            assertTrue(t.out().isEmpty(), "three records wait for the fourth");
            for (int i = 3; i < 10; i++) {
                t.in().pipeInput("card-" + i, transaction(i));
            }
            // Full batches are scored on a scoring thread; the flush waits for them.
            t.driver().advanceWallClockTime(Duration.ofHours(1));
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                expected.add(scored(i));
            }
            assertEquals(expected, t.out().readValuesToList());
            assertEquals(List.of(4L, 4L, 2L), batchSizes(), "one Python call per batch of 4, then the rest");
        }
    }

    @Test
    void byDefaultALoneRecordIsForwardedAtOnceAndBatchesGrowUnderLoad() {
        batchSizes();
        try (Driven t = drive(scoring("score_slowly").build())) {
            t.in().pipeInput("a", transaction(0));
            t.driver().advanceWallClockTime(Duration.ofMillis(5));   // the next punctuation: no waiting for company
            assertEquals(List.of(scored(0)), t.out().readValuesToList());
            assertEquals(List.of(1L), batchSizes());
            List<String> expected = new ArrayList<>();
            for (int i = 1; i <= 3000; i++) {
                t.in().pipeInput("card-" + i, transaction(i));
                expected.add(scored(i));
            }
            t.driver().advanceWallClockTime(Duration.ofMillis(100));
            assertEquals(expected, t.out().readValuesToList());
            List<Long> sizes = batchSizes();
            assertEquals(3000L, sizes.stream().mapToLong(Long::longValue).sum());
            // A call takes 20 ms; the driver pipes a record in well under 1 ms.
            assertTrue(sizes.size() < 3000 / 20, "records that arrive during a call share the next one: " + sizes);
            assertTrue(sizes.stream().allMatch(n -> n <= 1024), "never over maxBatchSize: " + sizes);
        }
    }

    @Test
    void aPartialBatchIsFlushedByWallClockTime() {
        try (Driven t = drive(fixed(scoring("score"), 1000).maxLatency(Duration.ofMillis(50)).build())) {
            t.in().pipeInput("a", transaction(1));
            t.in().pipeInput("b", transaction(2));
            assertTrue(t.out().isEmpty());
            t.driver().advanceWallClockTime(Duration.ofMillis(50));
            assertEquals(List.of(scored(1), scored(2)), t.out().readValuesToList());
        }
    }

    @Test
    void aLatencyFlushLeavesRecordsThatHaveNotWaitedYet() {
        // Punctuations flush partial batches whose records have waited 50 ms: none waits over 100 ms.
        try (Driven t = drive(fixed(scoring("score"), 1000).maxLatency(Duration.ofMillis(100)).build())) {
            t.driver().advanceWallClockTime(Duration.ofMillis(95));
            t.in().pipeInput("a", transaction(1));
            t.driver().advanceWallClockTime(Duration.ofMillis(10));   // a punctuation: "a" has waited 10 ms
            assertTrue(t.out().isEmpty(), "a record that just arrived is left to fill its batch");
            t.in().pipeInput("b", transaction(2));
            t.driver().advanceWallClockTime(Duration.ofMillis(50));   // the next: "a" has waited 60 ms
            assertEquals(List.of(scored(1), scored(2)), t.out().readValuesToList());
        }
    }

    @Test
    void keysTimestampsAndHeadersAreKept() {
        try (Driven t = drive(fixed(scoring("score"), 2).build())) {
            Headers headers = new RecordHeaders().add("trace", "abc".getBytes(StandardCharsets.UTF_8));
            t.in().pipeInput(new TestRecord<>("card-7", transaction(7), headers, START.plusSeconds(7)));
            t.in().pipeInput(new TestRecord<>("card-8", transaction(8), new RecordHeaders(), START.plusSeconds(3)));
            t.driver().advanceWallClockTime(Duration.ofSeconds(1));
            List<TestRecord<String, String>> out = t.out().readRecordsToList();
            assertEquals(List.of("card-7", "card-8"), out.stream().map(TestRecord::key).toList());
            assertEquals(List.of(START.plusSeconds(7), START.plusSeconds(3)), out.stream().map(TestRecord::getRecordTime).toList());
            assertEquals("abc", new String(out.get(0).headers().lastHeader("trace").value(), StandardCharsets.UTF_8));
            assertEquals(scored(7), out.get(0).value());
        }
    }

    @Test
    void tombstonesPassThroughInTheirPlaceWithoutAPythonCall() {
        batchSizes();
        try (Driven t = drive(fixed(scoring("score"), 3).build())) {
            t.in().pipeInput("a", transaction(1));
            t.in().pipeInput("b", (String) null);
            t.in().pipeInput("c", transaction(3));
            t.in().pipeInput("d", (String) null);
            t.in().pipeInput("e", (String) null);
            t.in().pipeInput("f", (String) null);
            t.driver().advanceWallClockTime(Duration.ofSeconds(1));
            List<TestRecord<String, String>> out = t.out().readRecordsToList();
            assertEquals(List.of("a", "b", "c", "d", "e", "f"), out.stream().map(TestRecord::key).toList());
            assertEquals(java.util.Arrays.asList(scored(1), null, scored(3), null, null, null),
                    out.stream().map(TestRecord::value).toList());
            assertEquals(List.of(2L), batchSizes(), "one call, for the two values; none for a batch of tombstones");
        }
    }

    @Test
    void closingFlushesWhatIsBuffered() {
        Driven t = drive(fixed(scoring("score"), 100).maxLatency(Duration.ofHours(1)).build());
        t.in().pipeInput("a", transaction(1));
        assertTrue(t.out().isEmpty());
        t.close();
        assertEquals(List.of(scored(1)), t.out().readValuesToList());
    }

    @Test
    void aResultWithTheWrongRowCountFailsTheTask() {
        try (Driven t = drive(fixed(scoring("drop_last_row"), 2).build())) {
            t.in().pipeInput("a", transaction(1));
            // The batch is full, and small: scored in place, and handed back at once.
            StreamsException e = assertThrows(StreamsException.class, () -> t.in().pipeInput("b", transaction(2)));
            assertTrue(messages(e).contains("returned 1 rows for 2 input rows"), messages(e));
        }
    }

    @Test
    void underTheFailPolicyAPythonExceptionFailsTheTaskWithItsTraceback() {
        try (Driven t = drive(fixed(scoring("reject_poison"), 2).build())) {
            t.in().pipeInput("a", "{\"id\": 1}");
            StreamsException e = assertThrows(StreamsException.class,
                    () -> t.in().pipeInput("b", "{\"id\": 2, \"poison\": true}"));
            assertTrue(messages(e).contains("ValueError: poisoned transaction in the batch"), messages(e));
            assertTrue(messages(e).contains("batching.py"), "the traceback names the Python file: " + messages(e));
        }
    }

    @Test
    void poisonRecordsAreIsolatedAndSkipped() {
        try (Driven t = drive(fixed(scoring("reject_poison"), 8).onError(ErrorPolicy.logAndSkip()).build())) {
            for (int i = 0; i < 8; i++) {
                t.in().pipeInput("k" + i, i == 2 || i == 5 ? "{\"id\": " + i + ", \"poison\": true}" : "{\"id\": " + i + "}");
            }
            t.driver().advanceWallClockTime(Duration.ofSeconds(1));
            List<String> expected = new ArrayList<>();
            for (int i : new int[] {0, 1, 3, 4, 6, 7}) {
                expected.add("{\"id\":" + i + "}");
            }
            assertEquals(expected, t.out().readValuesToList());
        }
    }

    @Test
    void poisonAndMalformedRecordsGoToTheDeadLetterTopicWithTheError() {
        MockProducer<byte[], byte[]> dlq = new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
        ErrorPolicy policy = ErrorPolicy.deadLetter("transactions-dlq");
        try (Driven t = drive(fixed(scoring("reject_poison"), 4).onError(policy).deadLetterProducer(config -> dlq).build())) {
            Headers headers = new RecordHeaders().add("trace", "t-1".getBytes(StandardCharsets.UTF_8));
            t.in().pipeInput("k0", "{\"id\": 0}");
            t.in().pipeInput(new TestRecord<>("k1", "{\"id\": 1, \"poison\": true}", headers, START.plusSeconds(1)));
            t.in().pipeInput("k2", "{\"id\": 2,");
            t.in().pipeInput("k3", "{\"id\": 3}");
            t.driver().advanceWallClockTime(Duration.ofSeconds(1));
            assertEquals(List.of("{\"id\":0}", "{\"id\":3}"), t.out().readValuesToList());
            List<ProducerRecord<byte[], byte[]>> dead = dlq.history();
            assertEquals(2, dead.size());
            ProducerRecord<byte[], byte[]> poison = dead.get(0);
            assertEquals("transactions-dlq", poison.topic());
            assertEquals("k1", new String(poison.key(), StandardCharsets.UTF_8));
            assertEquals("{\"id\": 1, \"poison\": true}", new String(poison.value(), StandardCharsets.UTF_8));
            assertEquals(START.plusSeconds(1).toEpochMilli(), poison.timestamp());
            assertEquals("ValueError", header(poison, "jarrow.error.type"));
            assertEquals("poisoned transaction in the batch", header(poison, "jarrow.error.message"));
            assertTrue(header(poison, "jarrow.error.traceback").contains("reject_poison"));
            assertEquals("t-1", header(poison, "trace"), "the record's own headers are kept");
            assertEquals("in", header(poison, "jarrow.source.topic"));
            assertEquals("1", header(poison, "jarrow.source.offset"));
            ProducerRecord<byte[], byte[]> malformed = dead.get(1);
            assertEquals("k2", new String(malformed.key(), StandardCharsets.UTF_8));
            assertEquals("jarrow.CONVERSION", header(malformed, "jarrow.error.type"));
            assertTrue(header(malformed, "jarrow.error.message").contains("not exactly one JSON object"),
                    header(malformed, "jarrow.error.message"));
        }
    }

    /** Issue 10, item 5: values a strict JSON parser rejects are not scored but dead-lettered, alone. */
    @Test
    void valuesAStrictParserRejectsGoToTheDeadLetterTopicAlone() {
        MockProducer<byte[], byte[]> dlq = new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
        Map<Integer, String> malformed = Map.of(1, "{\"id\": 5000,, \"amount\": 1.0}", 4, "{\"id\": 7500 \"amount\": 1.0}",
                6, "{\"id\": 6, \"amount\": 6.5,}");
        try (Driven t = drive(fixed(scoring("score"), 8).onError(ErrorPolicy.deadLetter("dlq")).deadLetterProducer(config -> dlq).build())) {
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                t.in().pipeInput("k" + i, malformed.getOrDefault(i, transaction(i)));
                if (!malformed.containsKey(i)) {
                    expected.add(scored(i));
                }
            }
            t.driver().advanceWallClockTime(Duration.ofSeconds(1));
            assertEquals(expected, t.out().readValuesToList());
            List<ProducerRecord<byte[], byte[]>> dead = dlq.history();
            assertEquals(List.of("k1", "k4", "k6"), dead.stream().map(r -> new String(r.key(), StandardCharsets.UTF_8)).toList());
            for (ProducerRecord<byte[], byte[]> record : dead) {
                int i = Integer.parseInt(new String(record.key(), StandardCharsets.UTF_8).substring(1));
                assertEquals(malformed.get(i), new String(record.value(), StandardCharsets.UTF_8));
                assertEquals("jarrow.CONVERSION", header(record, "jarrow.error.type"));
                assertTrue(header(record, "jarrow.error.message").contains("value 0 of the batch is not valid JSON: at byte "),
                        header(record, "jarrow.error.message"));
            }
        }
    }

    /**
     * Issue 10, item 6: with the schema inferred, one record of another type in the first batch is
     * dead-lettered alone; the others of its batch and of the next are scored.
     */
    @Test
    void oneRecordOfAnotherTypeInTheFirstBatchCostsOnlyItself() {
        MockProducer<byte[], byte[]> dlq = new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
        try (Driven t = drive(fixed(scoring("score"), 8).onError(ErrorPolicy.deadLetter("dlq")).deadLetterProducer(config -> dlq).build())) {
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                t.in().pipeInput("k" + i, i == 3 ? "{\"id\": 3, \"amount\": \"abc\"}" : transaction(i));
                if (i != 3) {
                    expected.add(scored(i));
                }
            }
            t.driver().advanceWallClockTime(Duration.ofSeconds(1));
            assertEquals(expected, t.out().readValuesToList());
            List<ProducerRecord<byte[], byte[]>> dead = dlq.history();
            assertEquals(1, dead.size());
            assertEquals("k3", new String(dead.get(0).key(), StandardCharsets.UTF_8));
            assertEquals("jarrow.CONVERSION", header(dead.get(0), "jarrow.error.type"));
            assertTrue(header(dead.get(0), "jarrow.error.message").contains("field \"amount\" is `\"abc\"`, expected a number"),
                    header(dead.get(0), "jarrow.error.message"));
        }
    }

    @Test
    void theApplicationsDeadLetterTopicIsKafkaStreamsOwnSetting() {
        ErrorPolicy policy = ErrorPolicy.deadLetter();
        assertEquals("app-dlq", PythonProcessor.deadLetterTopic(policy,
                java.util.Map.of(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, "app-dlq")));
        org.apache.kafka.common.config.ConfigException missing = assertThrows(org.apache.kafka.common.config.ConfigException.class,
                () -> PythonProcessor.deadLetterTopic(policy, java.util.Map.of()));
        assertTrue(missing.getMessage().contains("errors.dead.letter.queue.topic.name is not set"), missing.getMessage());
        assertEquals("given", PythonProcessor.deadLetterTopic(ErrorPolicy.deadLetter("given"), java.util.Map.of()));
    }

    @Test
    void metricsCountCallsRowsBatchSizesAndErrors() {
        try (Driven t = drive(fixed(scoring("reject_poison"), 4).onError(ErrorPolicy.logAndSkip()).build())) {
            for (int i = 0; i < 8; i++) {
                t.in().pipeInput("k" + i, i == 1 ? "{\"id\": 1, \"poison\": true}" : "{\"id\": " + i + "}");
            }
            t.driver().advanceWallClockTime(Duration.ofSeconds(1));
            assertEquals(7.0, metric(t, "rows-total"));
            assertEquals(1.0, metric(t, "errors-total"));
            // The poisoned batch: 4 rows, then 2 + 2, then 1 + 1; then one call for the clean one.
            assertEquals(6.0, metric(t, "python-call-total"));
            assertEquals(4.0, metric(t, "batch-size-max"));
        }
    }

    static double metric(Driven t, String name) {
        return t.driver().metrics().entrySet().stream()
                .filter(e -> e.getKey().group().equals("stream-jarrow-processor-metrics") && e.getKey().name().equals(name))
                .mapToDouble(e -> ((Number) e.getValue().metricValue()).doubleValue())
                .sum();
    }

    static String header(ProducerRecord<byte[], byte[]> record, String key) {
        return new String(record.headers().lastHeader(key).value(), StandardCharsets.UTF_8);
    }

    static String messages(Throwable e) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            all.append(t.getMessage()).append('\n');
        }
        return all.toString();
    }
}
