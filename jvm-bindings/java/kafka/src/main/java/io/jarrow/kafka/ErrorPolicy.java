package io.jarrow.kafka;

import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.StreamsConfig;

/**
 * What a {@link PythonProcessor} does with a record its function cannot score: one whose batch
 * raised a Python exception, or whose value is malformed (not a JSON object of the schema, say).
 * A failing batch is narrowed down, by splitting it, to the records that fail on their own; the
 * rest of the batch is forwarded as usual.
 *
 * <ul>
 *   <li>{@link #fail()} (the default): the stream task fails with the Python exception, and Kafka
 *       Streams' uncaught exception handler decides what happens next. Records buffered but not
 *       forwarded stay in the processor's changelogged buffer and are scored again when the task
 *       restarts. (The exception passes through Kafka Streams' processing exception handler,
 *       for whichever record was being processed; if that handler continues, the whole batch is
 *       dropped: to keep the rest of a batch, use {@link #logAndSkip()} or {@link #deadLetter}.)
 *   <li>{@link #logAndSkip()}: the record is logged (with the exception and traceback) and dropped.
 *   <li>{@link #deadLetter(String)}, or {@link #deadLetter()} for the application's
 *       {@code errors.dead.letter.queue.topic.name}: the record (its key and value bytes, timestamp
 *       and headers) is sent to a dead-letter topic, with headers {@code jarrow.error.type}, {@code
 *       jarrow.error.message}, {@code jarrow.error.traceback}, {@code jarrow.error.function} and,
 *       when known, {@code jarrow.source.topic}, {@code jarrow.source.partition} and {@code
 *       jarrow.source.offset}. It is sent by a producer of the processor's own (configured from the
 *       application's producer settings) and acknowledged before the batch is forwarded: at least
 *       once, also under exactly-once processing.
 * </ul>
 */
public final class ErrorPolicy {
    enum Kind { FAIL, SKIP, DEAD_LETTER }

    private final Kind kind;
    private final String topic;
    private final Function<Map<String, Object>, Producer<byte[], byte[]>> producers;

    private ErrorPolicy(Kind kind, String topic, Function<Map<String, Object>, Producer<byte[], byte[]>> producers) {
        this.kind = kind;
        this.topic = topic;
        this.producers = producers;
    }

    /** Fail the stream task (the default). */
    public static ErrorPolicy fail() {
        return new ErrorPolicy(Kind.FAIL, null, null);
    }

    /** Log the record and its error, and drop it. */
    public static ErrorPolicy logAndSkip() {
        return new ErrorPolicy(Kind.SKIP, null, null);
    }

    /**
     * Send the record, with the error in its headers, to the application's dead-letter topic:
     * Kafka Streams' {@code errors.dead.letter.queue.topic.name}, which its own exception handlers
     * use too (a task without it set fails to start, saying so).
     */
    public static ErrorPolicy deadLetter() {
        return new ErrorPolicy(Kind.DEAD_LETTER, null, ErrorPolicy::producer);
    }

    /** Send the record to {@code topic} with the error in its headers. */
    public static ErrorPolicy deadLetter(String topic) {
        return deadLetter(topic, ErrorPolicy::producer);
    }

    /**
     * Send the record to {@code topic} through a producer made by {@code producers} from the
     * application's producer configuration (for a producer configured differently, or a test's
     * {@code MockProducer}).
     */
    public static ErrorPolicy deadLetter(String topic, Function<Map<String, Object>, Producer<byte[], byte[]>> producers) {
        if (Objects.requireNonNull(topic, "topic").isBlank()) {
            throw new IllegalArgumentException("the dead-letter topic name is blank");
        }
        return new ErrorPolicy(Kind.DEAD_LETTER, topic, Objects.requireNonNull(producers, "producers"));
    }

    /** The dead-letter producer made from the application's producer configuration. */
    private static Producer<byte[], byte[]> producer(Map<String, Object> config) {
        return new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
    }

    Kind kind() {
        return kind;
    }

    /** The dead-letter topic: the one given, else the application's. */
    String topic(Map<String, Object> appConfigs) {
        if (topic != null) {
            return topic;
        }
        Object configured = appConfigs.get(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG);
        if (configured == null || configured.toString().isBlank()) {
            throw new ConfigException("ErrorPolicy.deadLetter() sends to the application's dead-letter topic, and "
                    + StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG + " is not set: set it, or name a topic "
                    + "with ErrorPolicy.deadLetter(topic)");
        }
        return configured.toString();
    }

    Producer<byte[], byte[]> newProducer(Map<String, Object> config) {
        return producers.apply(config);
    }

    @Override
    public String toString() {
        return switch (kind) {
            case FAIL -> "fail";
            case SKIP -> "log and skip";
            case DEAD_LETTER -> "dead letter to " + (topic != null ? topic : "the application's dead-letter topic");
        };
    }
}
