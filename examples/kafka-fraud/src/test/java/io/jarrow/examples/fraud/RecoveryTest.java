package io.jarrow.examples.fraud;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The fraud app on a real broker, killed (SIGKILL) while records sit in its batch buffer with
 * their input offsets already committed, then restarted: every transaction is scored, and under
 * exactly_once_v2 exactly once. Without the changelogged buffer the buffered records would be lost.
 */
class RecoveryTest {
    static LocalKafka kafka;
    static final Path WORK = Path.of("target", "recovery-test");

    @BeforeAll
    static void startKafka() throws Exception {
        kafka = LocalKafka.start();
        Files.createDirectories(WORK);
    }

    @AfterAll
    static void stopKafka() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void atLeastOnceRecordsBufferedAtACrashAreScoredAfterTheRestart() throws Exception {
        killedWithRecordsBufferedThenRestarted(false);
    }

    @Test
    void exactlyOnceRecordsBufferedAtACrashAreScoredOnceAfterTheRestart() throws Exception {
        killedWithRecordsBufferedThenRestarted(true);
    }

    void killedWithRecordsBufferedThenRestarted(boolean exactlyOnce) throws Exception {
        String run = (exactlyOnce ? "eos-" : "alos-") + UUID.randomUUID().toString().substring(0, 8);
        String in = "transactions-" + run;
        String out = "scores-" + run;
        String appId = "fraud-" + run;
        kafka.createTopics(2, in, out);
        // 5,300 records over 2 partitions with batches of 1,000: each task scores two batches and
        // keeps the rest buffered, waiting for a latency flush an hour away.
        int total = 5_300;
        produce(in, total);
        Process app = startApp(appId, in, out, exactlyOnce, Duration.ofHours(1), run + "-1");
        try {
            Scores scores = new Scores(out);
            scores.await(s -> s.distinct() >= 2_000, Duration.ofMinutes(3), app);
            awaitCommitted(appId, total, Duration.ofSeconds(30));
            scores.poll(Duration.ofMillis(500));
            assertTrue(scores.distinct() <= 4_000, "the last 650 or so of each task are buffered: " + scores.distinct());
        } finally {
            app.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        Process restarted = startApp(appId, in, out, exactlyOnce, Duration.ofMillis(200), run + "-2");
        try {
            Scores scores = new Scores(out);
            scores.await(s -> s.distinct() == total, Duration.ofMinutes(3), restarted);
            if (exactlyOnce) {
                Thread.sleep(2_000);
                scores.poll(Duration.ofSeconds(2));
                assertEquals(total, scores.records(), "exactly once: no transaction scored twice");
            }
        } finally {
            restarted.destroy();
            restarted.waitFor(60, TimeUnit.SECONDS);
        }
    }

    /** Synthetic transactions from the demo's own generator (Python, through jarrow). */
    static void produce(String topic, int n) throws Exception {
        Object lines = FraudModel.start(WORK.resolve("fraud-model.pkl")).function("fraud_model:transactions_json").call(0, n, 42);
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
            for (String value : Transactions.lines(lines)) {
                producer.send(new ProducerRecord<>(topic, Transactions.key(value), value));
            }
            producer.flush();
        }
    }

    static Process startApp(String appId, String in, String out, boolean exactlyOnce, Duration maxLatency, String name)
            throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-opens=java.base/java.nio=ALL-UNNAMED",
                "-Djarrow.python=" + System.getProperty("jarrow.python", ""),
                "-Dfraud.python.path=" + Path.of("python").toAbsolutePath(),
                "-cp", System.getProperty("java.class.path"),
                FraudApp.class.getName(),
                "--bootstrap-servers", kafka.bootstrapServers(),
                "--application-id", appId,
                "--state-dir", WORK.resolve("state-" + name).toAbsolutePath().toString(),
                "--input", in, "--output", out,
                "--max-batch-size", "1000", "--min-batch-size", "1000",
                "--max-latency-ms", Long.toString(maxLatency.toMillis()),
                "--model", WORK.resolve("fraud-model.pkl").toAbsolutePath().toString()));
        if (exactlyOnce) {
            command.add("--exactly-once");
        }
        return new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(WORK.resolve(name + ".log").toFile())
                .start();
    }

    /** Waits until the application's committed input offsets cover all {@code total} records. */
    static void awaitCommitted(String appId, long total, Duration timeout) throws Exception {
        Instant deadline = Instant.now().plus(timeout);
        long committed = 0;
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            while (Instant.now().isBefore(deadline)) {
                Map<?, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(appId).partitionsToOffsetAndMetadata().get();
                committed = offsets.values().stream().filter(o -> o != null).mapToLong(OffsetAndMetadata::offset).sum();
                if (committed == total) {
                    return;
                }
                Thread.sleep(200);
            }
        }
        throw new AssertionError("the app committed offsets for " + committed + " of " + total + " records");
    }

    /** The scores topic as read so far (committed records only). */
    static final class Scores {
        private final KafkaConsumer<String, String> consumer;
        private final BitSet ids = new BitSet();
        private int records;

        Scores(String topic) {
            Properties props = new Properties();
            props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
            props.put(ConsumerConfig.GROUP_ID_CONFIG, "reader-" + UUID.randomUUID());
            props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            consumer = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer());
            consumer.subscribe(List.of(topic));
        }

        void poll(Duration time) {
            for (ConsumerRecord<String, String> record : consumer.poll(time)) {
                ids.set(ScoresReader.id(record.value()));
                records++;
            }
        }

        void await(java.util.function.Predicate<Scores> done, Duration timeout, Process app) throws IOException {
            Instant deadline = Instant.now().plus(timeout);
            while (!done.test(this)) {
                if (Instant.now().isAfter(deadline) || !app.isAlive()) {
                    consumer.close();
                    throw new AssertionError((app.isAlive() ? "timed out" : "the app exited") + " with " + distinct()
                            + " transactions scored; app log:\n" + tail(app));
                }
                poll(Duration.ofMillis(200));
            }
        }

        int distinct() {
            return ids.cardinality();
        }

        int records() {
            return records;
        }

        private static String tail(Process app) throws IOException {
            for (Path log : Files.list(WORK).filter(p -> p.toString().endsWith(".log")).toList()) {
                String text = Files.readString(log, StandardCharsets.UTF_8);
                if (text.length() > 4000) {
                    text = text.substring(text.length() - 4000);
                }
                return log + ":\n" + text;
            }
            return "(no log)";
        }
    }
}
