package io.jarrow.flink;

import io.jarrow.JarrowException;
import java.util.List;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.LogicalTypeRoot;

/**
 * SQL values to and from what a Python function takes and gives, for {@link PythonScalarFunction}
 * and the {@code jarrow} model provider. A Python value is converted to a SQL type only when it
 * fits exactly: a fraction for an integer type, an integer beyond the type's range or beyond
 * what a float represents exactly, is an error naming it, never a value narrowed in silence.
 */
final class SqlValues {
    /** The SQL types a Python result is converted to. */
    static final List<LogicalTypeRoot> RESULTS = List.of(LogicalTypeRoot.DOUBLE, LogicalTypeRoot.FLOAT,
            LogicalTypeRoot.BIGINT, LogicalTypeRoot.INTEGER, LogicalTypeRoot.BOOLEAN, LogicalTypeRoot.VARCHAR);
    /** The SQL types a model's input columns may have. */
    static final List<LogicalTypeRoot> INPUTS = List.of(LogicalTypeRoot.BOOLEAN, LogicalTypeRoot.TINYINT,
            LogicalTypeRoot.SMALLINT, LogicalTypeRoot.INTEGER, LogicalTypeRoot.BIGINT, LogicalTypeRoot.FLOAT,
            LogicalTypeRoot.DOUBLE, LogicalTypeRoot.CHAR, LogicalTypeRoot.VARCHAR);

    private SqlValues() {}

    /**
     * {@code value} (a Python value as {@code PythonFunction#call} gives it: Long, Double,
     * Boolean, String) as the Java value of {@code root}'s type; {@code where} names it in errors.
     */
    static Object fromPython(Object value, LogicalTypeRoot root, String where) {
        if (value == null) {
            return null;
        }
        Object converted = switch (root) {
            case DOUBLE -> value instanceof Double d ? d : value instanceof Long l && Math.abs(l) <= 1L << 53 ? (Object) (double) l : null;
            case FLOAT -> value instanceof Double d ? (Object) d.floatValue()
                    : value instanceof Long l && Math.abs(l) <= 1L << 24 ? (Object) (float) l : null;
            case BIGINT -> value instanceof Long l ? l : null;
            case INTEGER -> value instanceof Long l && l >= Integer.MIN_VALUE && l <= Integer.MAX_VALUE ? (Object) l.intValue() : null;
            case BOOLEAN -> value instanceof Boolean b ? b : null;
            case VARCHAR -> value instanceof String s ? s : null;
            default -> throw new IllegalArgumentException("no conversion to " + root + " (the result types: " + RESULTS + ")");
        };
        if (converted == null) {
            throw new JarrowException("CONVERSION", where + " holds " + value.getClass().getSimpleName() + " " + value
                    + ", which is not a " + root);
        }
        return converted;
    }

    /** Field {@code i} of {@code row}, of {@code type} (one of {@link #INPUTS}), as a Java value. */
    static Object fromRow(RowData row, int i, LogicalType type) {
        if (row.isNullAt(i)) {
            return null;
        }
        return switch (type.getTypeRoot()) {
            case BOOLEAN -> row.getBoolean(i);
            case TINYINT -> row.getByte(i);
            case SMALLINT -> row.getShort(i);
            case INTEGER -> row.getInt(i);
            case BIGINT -> row.getLong(i);
            case FLOAT -> row.getFloat(i);
            case DOUBLE -> row.getDouble(i);
            case CHAR, VARCHAR -> row.getString(i).toString();
            default -> throw new IllegalArgumentException("no conversion from " + type + " (the input types: " + INPUTS + ")");
        };
    }

    /** A Java value of {@link #RESULTS}' types as Flink's internal data ({@link StringData} for strings). */
    static Object internal(Object value) {
        return value instanceof String s ? StringData.fromString(s) : value;
    }
}
