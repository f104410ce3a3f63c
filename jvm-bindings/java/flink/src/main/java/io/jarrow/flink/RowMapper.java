package io.jarrow.flink;

import io.jarrow.JarrowException;
import io.jarrow.RecordMapper;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.SmallIntVector;
import org.apache.arrow.vector.TinyIntVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.flink.api.common.typeinfo.BasicTypeInfo;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.RowTypeInfo;
import org.apache.flink.types.Row;

/**
 * Flink {@link Row}s to Arrow columns and result columns back to rows, by field name, for {@link
 * FlinkFormat#rows}. Every field is nullable. The types (Flink, Java class, Arrow):
 *
 * <pre>
 * BOOLEAN    Boolean   Bool
 * TINYINT    Byte      Int(8)
 * SMALLINT   Short     Int(16)
 * INT        Integer   Int(32)
 * BIGINT     Long      Int(64)
 * FLOAT      Float     FloatingPoint(SINGLE)
 * DOUBLE     Double    FloatingPoint(DOUBLE)
 * STRING     String    Utf8
 * BYTES      byte[]    Binary
 * </pre>
 *
 * A result column must have exactly the Arrow type its output field maps to: a column of another
 * type (int64 where the field is INT, say) is an error that names it, never a silent narrowing.
 */
final class RowMapper implements RecordMapper<Row, Row> {
    /** A Flink type jarrow maps, with its Java class and Arrow type. */
    enum Kind {
        BOOLEAN(BasicTypeInfo.BOOLEAN_TYPE_INFO, Boolean.class, ArrowType.Bool.INSTANCE),
        TINYINT(BasicTypeInfo.BYTE_TYPE_INFO, Byte.class, new ArrowType.Int(8, true)),
        SMALLINT(BasicTypeInfo.SHORT_TYPE_INFO, Short.class, new ArrowType.Int(16, true)),
        INT(BasicTypeInfo.INT_TYPE_INFO, Integer.class, new ArrowType.Int(32, true)),
        BIGINT(BasicTypeInfo.LONG_TYPE_INFO, Long.class, new ArrowType.Int(64, true)),
        FLOAT(BasicTypeInfo.FLOAT_TYPE_INFO, Float.class, new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE)),
        DOUBLE(BasicTypeInfo.DOUBLE_TYPE_INFO, Double.class, new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)),
        STRING(BasicTypeInfo.STRING_TYPE_INFO, String.class, ArrowType.Utf8.INSTANCE),
        BYTES(PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO, byte[].class, ArrowType.Binary.INSTANCE);

        final TypeInformation<?> flink;
        final Class<?> javaClass;
        final ArrowType arrow;

        Kind(TypeInformation<?> flink, Class<?> java, ArrowType arrow) {
            this.flink = flink;
            this.javaClass = java;
            this.arrow = arrow;
        }

        static Kind of(String field, TypeInformation<?> type) {
            for (Kind kind : values()) {
                if (kind.flink.equals(type)) {
                    return kind;
                }
            }
            throw new IllegalArgumentException("field " + field + " is of Flink type " + type + ", which jarrow does not map "
                    + "to Arrow; the types it maps: " + Arrays.stream(values()).map(Kind::name)
                            .collect(Collectors.joining(", ")));
        }
    }

    private final String[] inNames;
    private final Kind[] inKinds;
    private final String[] outNames;
    private final Kind[] outKinds;
    private final Schema schema;
    /** The result last read from, and its columns of the output fields. */
    private VectorSchemaRoot lastResult;
    private FieldVector[] lastVectors;

    RowMapper(RowTypeInfo input, RowTypeInfo output) {
        this.inNames = input.getFieldNames();
        this.inKinds = kinds(input);
        this.outNames = output.getFieldNames();
        this.outKinds = kinds(output);
        List<Field> fields = new ArrayList<>();
        for (int i = 0; i < inNames.length; i++) {
            fields.add(Field.nullable(inNames[i], inKinds[i].arrow));
        }
        this.schema = new Schema(fields);
    }

    /** The kinds of a row type's fields; throws naming a field jarrow cannot map. */
    static Kind[] kinds(RowTypeInfo type) {
        Kind[] kinds = new Kind[type.getArity()];
        for (int i = 0; i < kinds.length; i++) {
            kinds[i] = Kind.of(type.getFieldNames()[i], type.getTypeAt(i));
        }
        return kinds;
    }

    @Override
    public Schema schema() {
        return schema;
    }

    @Override
    public void write(Row value, VectorSchemaRoot batch, int row) {
        if (value.getArity() != inKinds.length) {
            throw new JarrowException("CONVERSION", "a row of " + value.getArity() + " fields, where the input type has "
                    + inKinds.length + ": " + value);
        }
        for (int i = 0; i < inKinds.length; i++) {
            Object field = value.getField(i);
            FieldVector vector = batch.getVector(i);
            if (field == null) {
                vector.setNull(row);
                continue;
            }
            if (!inKinds[i].javaClass.isInstance(field)) {
                throw new JarrowException("CONVERSION", "field " + inNames[i] + " (" + inKinds[i] + ") holds a "
                        + field.getClass().getName() + ", expected a " + inKinds[i].javaClass.getName() + ": " + value);
            }
            switch (inKinds[i]) {
                case BOOLEAN -> ((BitVector) vector).setSafe(row, (Boolean) field ? 1 : 0);
                case TINYINT -> ((TinyIntVector) vector).setSafe(row, (Byte) field);
                case SMALLINT -> ((SmallIntVector) vector).setSafe(row, (Short) field);
                case INT -> ((IntVector) vector).setSafe(row, (Integer) field);
                case BIGINT -> ((BigIntVector) vector).setSafe(row, (Long) field);
                case FLOAT -> ((Float4Vector) vector).setSafe(row, (Float) field);
                case DOUBLE -> ((Float8Vector) vector).setSafe(row, (Double) field);
                case STRING -> ((VarCharVector) vector).setSafe(row, ((String) field).getBytes(StandardCharsets.UTF_8));
                case BYTES -> ((VarBinaryVector) vector).setSafe(row, (byte[]) field);
            }
        }
    }

    @Override
    public Row read(VectorSchemaRoot result, int row) {
        FieldVector[] vectors = outputVectors(result);
        Row out = new Row(outKinds.length);
        for (int i = 0; i < outKinds.length; i++) {
            FieldVector vector = vectors[i];
            if (vector.isNull(row)) {
                continue;
            }
            out.setField(i, switch (outKinds[i]) {
                case BOOLEAN -> ((BitVector) vector).get(row) != 0;
                case TINYINT -> ((TinyIntVector) vector).get(row);
                case SMALLINT -> ((SmallIntVector) vector).get(row);
                case INT -> ((IntVector) vector).get(row);
                case BIGINT -> ((BigIntVector) vector).get(row);
                case FLOAT -> ((Float4Vector) vector).get(row);
                case DOUBLE -> ((Float8Vector) vector).get(row);
                case STRING -> new String(((VarCharVector) vector).get(row), StandardCharsets.UTF_8);
                case BYTES -> ((VarBinaryVector) vector).get(row);
            });
        }
        return out;
    }

    /**
     * The result's column of each output field, found by name and checked against the field's
     * type once per result (rows are read one at a time, all from the same result).
     */
    private FieldVector[] outputVectors(VectorSchemaRoot result) {
        if (result == lastResult) {
            return lastVectors;
        }
        FieldVector[] vectors = new FieldVector[outKinds.length];
        for (int i = 0; i < outKinds.length; i++) {
            FieldVector vector = result.getVector(outNames[i]);
            if (vector == null) {
                throw new JarrowException("CONVERSION", "the function's result has no column " + outNames[i]
                        + " (its columns: " + result.getSchema().getFields().stream().map(Field::getName)
                                .collect(Collectors.joining(", ")) + ")");
            }
            ArrowType type = vector.getField().getType();
            if (!type.equals(outKinds[i].arrow)) {
                throw new JarrowException("CONVERSION", "the function's result column " + outNames[i] + " is " + type
                        + ", and the output field is " + outKinds[i] + ", which is " + outKinds[i].arrow
                        + " in Arrow: cast it in the function");
            }
            vectors[i] = vector;
        }
        lastResult = result;
        lastVectors = vectors;
        return vectors;
    }
}
