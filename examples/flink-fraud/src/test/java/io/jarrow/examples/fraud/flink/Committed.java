package io.jarrow.examples.fraud.flink;

import io.jarrow.examples.fraud.ScoresReader;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** What a topic holds as a {@code read_committed} consumer sees it: each transaction's scores, by id. */
record Committed(Map<Integer, List<String>> byId) {
    /** Reads {@code topic} from the start until it has been quiet for {@code quiet} (at most {@code timeout}). */
    static Committed read(String bootstrap, String topic, Duration quiet, Duration timeout) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "committed-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        Map<Integer, List<String>> byId = new HashMap<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + timeout.toNanos();
            long lastRecord = System.nanoTime();
            while (System.nanoTime() < deadline && System.nanoTime() - lastRecord < quiet.toNanos()) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    byId.computeIfAbsent(ScoresReader.id(record.value()), id -> new java.util.ArrayList<>()).add(record.value());
                    lastRecord = System.nanoTime();
                }
            }
        }
        return new Committed(byId);
    }

    /** Ids below {@code n} with no score. */
    List<Integer> missing(int n) {
        return java.util.stream.IntStream.range(0, n).filter(id -> !byId.containsKey(id)).boxed().limit(20).toList();
    }

    /** Ids with more than one score. */
    List<Integer> duplicated() {
        return byId.entrySet().stream().filter(e -> e.getValue().size() > 1).map(Map.Entry::getKey).sorted().limit(20).toList();
    }

    int scores() {
        return byId.values().stream().mapToInt(List::size).sum();
    }

    /** A field of transaction {@code id}'s (first) score, as its JSON text. */
    String field(int id, String name) {
        String value = byId.get(id).get(0);
        int at = value.indexOf("\"" + name + "\":");
        if (at < 0) {
            throw new AssertionError("score of " + id + " has no " + name + ": " + value);
        }
        at += name.length() + 3;
        int end = at;
        while (end < value.length() && ",}".indexOf(value.charAt(end)) < 0) {
            end++;
        }
        return value.substring(at, end).trim();
    }
}
