package io.jarrow;

import java.util.Objects;
import java.util.Optional;

/**
 * What a {@link MicroBatcher} (and so an engine adapter: Kafka Streams' {@code PythonProcessor},
 * Flink's operators) does with a record its function cannot score: one whose batch raised a
 * Python exception, or whose value is malformed (not a JSON object of the schema, say). A failing
 * batch is narrowed down, by splitting it, to the records that fail on their own; the rest of the
 * batch is handed back as usual.
 *
 * <ul>
 *   <li>{@link #fail()} (the default): the task fails with the error, and the engine's own failure
 *       handling decides what happens next (Kafka Streams' uncaught exception handler, Flink's
 *       restart strategy). Records not handed back are not lost: each engine keeps them (see its
 *       adapter) and scores them again when the task runs again.
 *   <li>{@link #logAndSkip()}: the record is logged (with the exception and traceback) and dropped.
 *   <li>{@link #deadLetter()} and {@link #deadLetter(String)}: the record and its error go to a
 *       dead-letter destination the engine provides (Kafka: a topic, with the error in headers),
 *       and are acknowledged there before the rest of the batch is handed back.
 * </ul>
 */
public final class ErrorPolicy {
    /** The policy's kind. */
    public enum Kind { FAIL, SKIP, DEAD_LETTER }

    private final Kind kind;
    private final String destination;

    private ErrorPolicy(Kind kind, String destination) {
        this.kind = kind;
        this.destination = destination;
    }

    /** Fail the task (the default). */
    public static ErrorPolicy fail() {
        return new ErrorPolicy(Kind.FAIL, null);
    }

    /** Log the record and its error, and drop it. */
    public static ErrorPolicy logAndSkip() {
        return new ErrorPolicy(Kind.SKIP, null);
    }

    /**
     * Send the record, with its error, to the application's dead-letter destination (Kafka
     * Streams: its {@code errors.dead.letter.queue.topic.name}, which its own exception handlers
     * use too; a task without one fails to start, saying so).
     */
    public static ErrorPolicy deadLetter() {
        return new ErrorPolicy(Kind.DEAD_LETTER, null);
    }

    /** Send the record, with its error, to {@code destination} (Kafka: a topic name). */
    public static ErrorPolicy deadLetter(String destination) {
        if (Objects.requireNonNull(destination, "destination").isBlank()) {
            throw new IllegalArgumentException("the dead-letter destination name is blank");
        }
        return new ErrorPolicy(Kind.DEAD_LETTER, destination);
    }

    public Kind kind() {
        return kind;
    }

    /** The dead-letter destination named, if one was; empty means the application's. */
    public Optional<String> destination() {
        return Optional.ofNullable(destination);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ErrorPolicy other && kind == other.kind && Objects.equals(destination, other.destination);
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, destination);
    }

    @Override
    public String toString() {
        return switch (kind) {
            case FAIL -> "fail";
            case SKIP -> "log and skip";
            case DEAD_LETTER -> "dead letter to " + (destination != null ? destination : "the application's dead-letter destination");
        };
    }
}
