package io.jarrow.flink;

import io.jarrow.RecordMapper;
import io.jarrow.ValueFormat;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.Objects;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.typeutils.RowTypeInfo;
import org.apache.flink.types.Row;
import org.apache.flink.util.function.SerializableSupplier;

/**
 * A {@link ValueFormat} that travels with a Flink job: Flink serializes its operators to ship them
 * to the TaskManagers, and a format holds native state, so what travels is how to make it (made
 * once per subtask, when the operator opens), with the type of the output records.
 *
 * @param <IN> the input record type
 * @param <OUT> the output record type
 */
public final class FlinkFormat<IN, OUT> implements Serializable {
    private static final long serialVersionUID = 1L;

    private final SerializableSupplier<ValueFormat<IN, OUT>> format;
    private final TypeInformation<OUT> outputType;
    private final String description;

    private FlinkFormat(SerializableSupplier<ValueFormat<IN, OUT>> format, TypeInformation<OUT> outputType, String description) {
        this.format = format;
        this.outputType = outputType;
        this.description = description;
    }

    /**
     * JSON objects as strings, decoded into Arrow and encoded back in native code ({@link
     * ValueFormat#json()}: the schema is inferred from each subtask's first batch).
     */
    public static FlinkFormat<String, String> json() {
        return new FlinkFormat<>(ValueFormat::json, Types.STRING, "json (schema inferred)");
    }

    /** JSON objects as strings, of this schema ({@link ValueFormat#json(Schema)}). */
    public static FlinkFormat<String, String> json(Schema schema) {
        String text = schema.toJson();
        return new FlinkFormat<>(() -> ValueFormat.json(parse(text)), Types.STRING, "json " + schema);
    }

    /** JSON objects as UTF-8 bytes ({@link ValueFormat#jsonBytes()}). */
    public static FlinkFormat<byte[], byte[]> jsonBytes() {
        return new FlinkFormat<>(ValueFormat::jsonBytes, PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO,
                "json bytes (schema inferred)");
    }

    /** JSON objects as UTF-8 bytes, of this schema ({@link ValueFormat#jsonBytes(Schema)}). */
    public static FlinkFormat<byte[], byte[]> jsonBytes(Schema schema) {
        String text = schema.toJson();
        return new FlinkFormat<>(() -> ValueFormat.jsonBytes(parse(text)), PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO,
                "json bytes " + schema);
    }

    /**
     * Records of any type (POJOs, say), written into Arrow vectors and read back by the mapper
     * {@code mappers} makes (one per subtask); {@code outputType} is the type of what it reads.
     */
    public static <IN, OUT> FlinkFormat<IN, OUT> mapper(SerializableSupplier<RecordMapper<IN, OUT>> mappers,
            TypeInformation<OUT> outputType) {
        Objects.requireNonNull(mappers, "mappers");
        return new FlinkFormat<>(() -> ValueFormat.mapper(mappers.get()), Objects.requireNonNull(outputType, "outputType"),
                "mapper to " + outputType);
    }

    /**
     * Flink {@link Row}s of type {@code input}, their fields as the batch's columns (by name),
     * and rows of type {@code output} made from the result's columns of those names; the type
     * mapping is {@link RowMapper}'s (the README has the table). A field of a type jarrow does not
     * map is refused here.
     */
    public static FlinkFormat<Row, Row> rows(RowTypeInfo input, RowTypeInfo output) {
        RowMapper.kinds(Objects.requireNonNull(input, "input"));
        RowMapper.kinds(Objects.requireNonNull(output, "output"));
        return new FlinkFormat<>(() -> ValueFormat.mapper(new RowMapper(input, output)), output, "rows " + input + " to " + output);
    }

    /** A new value format, for one subtask. */
    ValueFormat<IN, OUT> create() {
        return format.get();
    }

    /** The type of the output records. */
    public TypeInformation<OUT> outputType() {
        return outputType;
    }

    @Override
    public String toString() {
        return description;
    }

    private static Schema parse(String json) {
        try {
            return Schema.fromJSON(json);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read back an Arrow schema written by Schema.toJson", e);
        }
    }
}
