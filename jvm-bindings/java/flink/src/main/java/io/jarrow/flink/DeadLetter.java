package io.jarrow.flink;

import io.jarrow.MicroBatcher;
import java.util.Map;
import java.util.Objects;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.util.OutputTag;

/**
 * A record the Python function could not score, and why: what a {@link PythonOperator}'s
 * dead-letter side output carries. A Flink POJO: {@link #type} gives its type information for a
 * given record type, {@link #tag} the side output's tag.
 *
 * @param <IN> the record type
 */
public class DeadLetter<IN> {
    /** The record, as it came in. */
    public IN value;
    /** The Python exception type ({@code ValueError}), else {@code jarrow.<code>}, else the Java class. */
    public String errorType;
    /** The exception's message. */
    public String errorMessage;
    /** The Python traceback; empty for an error raised outside Python. */
    public String traceback;
    /** The Python function, {@code module:function}. */
    public String function;

    /** For Flink's POJO serializer. */
    public DeadLetter() {}

    DeadLetter(IN value, MicroBatcher.Failure<?> failure, String function) {
        this.value = value;
        this.errorType = failure.errorType();
        this.errorMessage = failure.errorMessage();
        this.traceback = failure.traceback();
        this.function = function;
    }

    /** The type information of dead letters holding records of {@code valueType}. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public static <IN> TypeInformation<DeadLetter<IN>> type(TypeInformation<IN> valueType) {
        Objects.requireNonNull(valueType, "valueType");
        return (TypeInformation<DeadLetter<IN>>) (TypeInformation) Types.POJO(DeadLetter.class, Map.of(
                "value", valueType, "errorType", Types.STRING, "errorMessage", Types.STRING,
                "traceback", Types.STRING, "function", Types.STRING));
    }

    /** A side-output tag for dead letters holding records of {@code valueType}. */
    public static <IN> OutputTag<DeadLetter<IN>> tag(String id, TypeInformation<IN> valueType) {
        return new OutputTag<>(id, type(valueType));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DeadLetter<?> other && Objects.equals(value, other.value) && Objects.equals(errorType, other.errorType)
                && Objects.equals(errorMessage, other.errorMessage) && Objects.equals(traceback, other.traceback)
                && Objects.equals(function, other.function);
    }

    @Override
    public int hashCode() {
        return Objects.hash(value, errorType, errorMessage, traceback, function);
    }

    @Override
    public String toString() {
        return "DeadLetter{" + value + ": " + errorType + ": " + errorMessage + " (" + function + ")}";
    }
}
