package io.jarrow.flink;

import io.jarrow.BatchOptions;
import io.jarrow.BatchSettings;
import io.jarrow.JarrowException;
import io.jarrow.PythonConfig;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.table.catalog.DataTypeFactory;
import org.apache.flink.table.functions.AsyncScalarFunction;
import org.apache.flink.table.functions.FunctionContext;
import org.apache.flink.table.types.DataType;
import org.apache.flink.table.types.inference.ArgumentTypeStrategy;
import org.apache.flink.table.types.inference.InputTypeStrategies;
import org.apache.flink.table.types.inference.TypeInference;
import org.apache.flink.table.types.inference.TypeStrategies;

/**
 * A Table API and SQL function backed by a Python batch function: each call's arguments become a
 * row (named as given), the calls in flight coalesce into one Arrow batch per Python call (a
 * {@link BatchedFunction}), and each call gets one column of its own result row.
 *
 * <pre>{@code
 * tEnv.createTemporarySystemFunction("fraud_score", PythonScalarFunction
 *     .builder("fraud_model:score", DataTypes.DOUBLE())
 *     .arguments("amount", "hour")
 *     .result("fraud_probability")
 *     .config(config)
 *     .build());
 * tEnv.executeSql("SELECT id, fraud_score(amount, `hour`) FROM transactions");
 * }</pre>
 *
 * <p>An {@link AsyncScalarFunction}: Flink runs it on its async operator, so its options apply
 * ({@code table.exec.async-scalar.max-concurrent-operations}, default 10, bounds the calls in
 * flight per subtask, and so the largest batch: raise it to batch more; {@code
 * table.exec.async-scalar.timeout}, default 3 min). Arguments of any type {@code PythonFunction#call}
 * converts; the result is {@code DOUBLE}, {@code FLOAT}, {@code BIGINT}, {@code INT}, {@code
 * BOOLEAN} or {@code STRING}, and a Python value that does not fit it (a fraction for an {@code
 * INT}, an integer beyond an {@code INT}'s range) fails the call naming it. A Python exception
 * fails the calls of its batch, and so the job.
 */
public final class PythonScalarFunction extends AsyncScalarFunction {
    private static final long serialVersionUID = 1L;

    private final String function;
    private final DataType resultType;
    private final String[] arguments;
    private final String resultColumn;
    private final PythonConfig config;
    private final int maxBatchSize;
    private transient BatchedCalls calls;

    private PythonScalarFunction(Builder b) {
        this.function = b.function;
        this.resultType = b.resultType;
        this.arguments = b.arguments.clone();
        this.resultColumn = b.resultColumn;
        this.config = b.config;
        this.maxBatchSize = b.maxBatchSize;
    }

    /**
     * A function calling {@code function} ({@code "package.module:function"}) on batches of rows,
     * whose result column (see {@link Builder#result}) is of {@code resultType}.
     */
    public static Builder builder(String function, DataType resultType) {
        return new Builder(function, resultType);
    }

    @Override
    public TypeInference getTypeInference(DataTypeFactory typeFactory) {
        ArgumentTypeStrategy[] any = new ArgumentTypeStrategy[arguments.length];
        Arrays.fill(any, InputTypeStrategies.ANY);
        return TypeInference.newBuilder()
                .inputTypeStrategy(InputTypeStrategies.sequence(arguments, any))
                .outputTypeStrategy(TypeStrategies.explicit(resultType))
                .build();
    }

    @Override
    public void open(FunctionContext context) {
        calls = new BatchedCalls(config, function, BatchOptions.builder().maxBatchSize(maxBatchSize).build());
    }

    /** One call: its arguments as a row; completes with its row's result column. */
    public void eval(CompletableFuture<Object> result, Object... values) {
        Map<String, Object> row = new LinkedHashMap<>();
        for (int i = 0; i < arguments.length; i++) {
            row.put(arguments[i], values[i]);
        }
        calls.submit(row, this::convert).whenComplete((value, error) -> {
            if (error != null) {
                result.completeExceptionally(error);
            } else {
                result.complete(value);
            }
        });
    }

    /** The result column of a result row, as the result type's Java class. */
    private Object convert(Map<String, Object> out) {
        if (!out.containsKey(resultColumn)) {
            throw new JarrowException("CONVERSION", function + "'s result has no column " + resultColumn + " (its columns: "
                    + out.keySet() + ")");
        }
        return SqlValues.fromPython(out.get(resultColumn), resultType.getLogicalType().getTypeRoot(),
                function + "'s result column " + resultColumn);
    }

    @Override
    public void close() {
        if (calls != null) {
            calls.close();
        }
    }

    @Override
    public String toString() {
        return "PythonScalarFunction{" + function + "(" + String.join(", ", arguments) + ")." + resultColumn + " " + resultType + "}";
    }

    /** Builds a {@link PythonScalarFunction}; the options are checked as they are set. */
    public static final class Builder {
        private final String function;
        private final DataType resultType;
        private String[] arguments = {};
        private String resultColumn;
        private PythonConfig config = PythonConfig.defaults();
        private int maxBatchSize = BatchOptions.defaults().maxBatchSize();

        private Builder(String function, DataType resultType) {
            this.function = Objects.requireNonNull(function, "function");
            this.resultType = Objects.requireNonNull(resultType, "resultType");
            if (!SqlValues.RESULTS.contains(resultType.getLogicalType().getTypeRoot())) {
                throw new IllegalArgumentException("a PythonScalarFunction returns DOUBLE, FLOAT, BIGINT, INT, BOOLEAN or "
                        + "STRING, not " + resultType);
            }
        }

        /** The names of the function's arguments: the columns of the batch, in call order. */
        public Builder arguments(String... names) {
            if (names.length == 0 || Arrays.stream(names).anyMatch(n -> n == null || n.isBlank())
                    || Arrays.stream(names).distinct().count() != names.length) {
                throw new IllegalArgumentException("arguments are one or more distinct column names, got "
                        + Arrays.toString(names));
            }
            this.arguments = names.clone();
            return this;
        }

        /** The column of the Python function's result that is the call's value (required). */
        public Builder result(String column) {
            this.resultColumn = Objects.requireNonNull(column, "column");
            return this;
        }

        /** The Python interpreter's configuration (default: {@link PythonConfig#defaults()}). */
        public Builder config(PythonConfig config) {
            this.config = Objects.requireNonNull(config, "config");
            return this;
        }

        /** The most rows one Python call gets (default 1024). */
        public Builder maxBatchSize(int rows) {
            this.maxBatchSize = BatchSettings.maxBatchSize(rows);
            return this;
        }

        public PythonScalarFunction build() {
            if (arguments.length == 0) {
                throw new IllegalStateException("name the function's arguments: arguments(\"amount\", \"hour\")");
            }
            if (resultColumn == null) {
                throw new IllegalStateException("name the result column the call returns: result(\"score\")");
            }
            return new PythonScalarFunction(this);
        }
    }
}
