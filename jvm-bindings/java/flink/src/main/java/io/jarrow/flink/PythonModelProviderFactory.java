package io.jarrow.flink;

import io.jarrow.BatchOptions;
import io.jarrow.PythonConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.catalog.Column;
import org.apache.flink.table.catalog.ResolvedSchema;
import org.apache.flink.table.factories.FactoryUtil;
import org.apache.flink.table.factories.ModelProviderFactory;
import org.apache.flink.table.functions.AsyncPredictFunction;
import org.apache.flink.table.ml.AsyncPredictRuntimeProvider;
import org.apache.flink.table.ml.ModelProvider;
import org.apache.flink.table.types.logical.LogicalType;

/**
 * The {@code jarrow} model provider: SQL models scored by a Python function in the TaskManager,
 * batched, through {@code ML_PREDICT}.
 *
 * <pre>{@code
 * CREATE MODEL fraud
 *   INPUT (amount DOUBLE, hour INT)
 *   OUTPUT (fraud_probability DOUBLE)
 *   WITH ('provider' = 'jarrow', 'function' = 'fraud_model:score', 'python' = '/opt/venv/bin/python');
 * SELECT * FROM ML_PREDICT(TABLE transactions, MODEL fraud, DESCRIPTOR(amount, hour));
 * }</pre>
 *
 * <p>Each row's features (the {@code DESCRIPTOR} columns, named as the model's input columns)
 * become a row of the Python function's batch; the rows in flight share one call (a {@link
 * io.jarrow.BatchedFunction}), and each row's output columns are read from its result row by
 * name. Options: {@code function} (required), {@code python} (the executable; default as {@link
 * PythonConfig#resolveExecutable}), {@code python-path} (entries put in front of {@code sys.path},
 * separated by {@code :}), {@code max-batch-size} (default 1024), {@code timeout} (per row inside
 * jarrow, default 30 s). Input columns are BOOLEAN, TINYINT, SMALLINT, INT, BIGINT, FLOAT, DOUBLE,
 * CHAR or VARCHAR; output columns DOUBLE, FLOAT, BIGINT, INT, BOOLEAN or STRING.
 */
public final class PythonModelProviderFactory implements ModelProviderFactory {
    public static final String IDENTIFIER = "jarrow";

    public static final ConfigOption<String> FUNCTION = ConfigOptions.key("function").stringType().noDefaultValue()
            .withDescription("The Python function, package.module:function");
    public static final ConfigOption<String> PYTHON = ConfigOptions.key("python").stringType().noDefaultValue()
            .withDescription("The Python executable (a venv's bin/python)");
    public static final ConfigOption<String> PYTHON_PATH = ConfigOptions.key("python-path").stringType().noDefaultValue()
            .withDescription("Entries put in front of sys.path, separated by ':'");
    public static final ConfigOption<Integer> MAX_BATCH_SIZE = ConfigOptions.key("max-batch-size").intType()
            .defaultValue(BatchOptions.defaults().maxBatchSize()).withDescription("The most rows one Python call gets");
    public static final ConfigOption<Duration> TIMEOUT = ConfigOptions.key("timeout").durationType()
            .defaultValue(BatchOptions.defaults().timeout()).withDescription("The most one row may take inside jarrow");

    @Override
    public String factoryIdentifier() {
        return IDENTIFIER;
    }

    @Override
    public Set<ConfigOption<?>> requiredOptions() {
        return Set.of(FUNCTION);
    }

    @Override
    public Set<ConfigOption<?>> optionalOptions() {
        return Set.of(PYTHON, PYTHON_PATH, MAX_BATCH_SIZE, TIMEOUT);
    }

    @Override
    public ModelProvider createModelProvider(Context context) {
        FactoryUtil.ModelProviderFactoryHelper helper = new FactoryUtil.ModelProviderFactoryHelper(this, context);
        helper.validate();
        ReadableConfig options = helper.getOptions();
        String model = context.getObjectIdentifier().asSummaryString();
        ResolvedSchema input = context.getCatalogModel().getResolvedInputSchema();
        ResolvedSchema output = context.getCatalogModel().getResolvedOutputSchema();
        check(model, "input", input, SqlValues.INPUTS);
        check(model, "output", output, SqlValues.RESULTS);
        if (options.get(MAX_BATCH_SIZE) < 1) {
            throw new ValidationException("model " + model + ": max-batch-size must be at least 1, got " + options.get(MAX_BATCH_SIZE));
        }
        PythonConfig.Builder config = PythonConfig.builder();
        options.getOptional(PYTHON).ifPresent(python -> config.executable(Path.of(python)));
        options.getOptional(PYTHON_PATH).ifPresent(path -> Arrays.stream(path.split(":"))
                .filter(entry -> !entry.isBlank()).forEach(entry -> config.addPythonPath(Path.of(entry))));
        return new Provider(new PythonPredictFunction.Settings(model, options.get(FUNCTION), config.build(),
                options.get(MAX_BATCH_SIZE), options.get(TIMEOUT), names(input), types(input), names(output), types(output)));
    }

    private static void check(String model, String side, ResolvedSchema schema, List<?> roots) {
        for (Column column : schema.getColumns()) {
            if (!roots.contains(column.getDataType().getLogicalType().getTypeRoot())) {
                throw new ValidationException("model " + model + ": " + side + " column " + column.getName() + " is "
                        + column.getDataType() + "; a jarrow model's " + side + " columns are of " + roots);
            }
        }
    }

    private static String[] names(ResolvedSchema schema) {
        return schema.getColumnNames().toArray(String[]::new);
    }

    private static LogicalType[] types(ResolvedSchema schema) {
        return schema.getColumnDataTypes().stream().map(t -> t.getLogicalType()).toArray(LogicalType[]::new);
    }

    /** The provider: an async predict function per use of the model. */
    private record Provider(PythonPredictFunction.Settings settings) implements AsyncPredictRuntimeProvider {
        @Override
        public AsyncPredictFunction createAsyncPredictFunction(ModelProvider.Context context) {
            return new PythonPredictFunction(settings);
        }

        @Override
        public ModelProvider copy() {
            return new Provider(settings);
        }
    }
}
