package io.jarrow.flink;

import io.jarrow.BatchOptions;
import io.jarrow.JarrowException;
import io.jarrow.PythonConfig;
import java.io.Serializable;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.functions.AsyncPredictFunction;
import org.apache.flink.table.functions.FunctionContext;
import org.apache.flink.table.types.logical.LogicalType;

/**
 * {@code ML_PREDICT} on a {@code jarrow} model: see {@link PythonModelProviderFactory}, which makes
 * it. Public because Flink's generated code refers to it.
 */
public final class PythonPredictFunction extends AsyncPredictFunction {
    private static final long serialVersionUID = 1L;

    /** A model's settings, as its provider resolved them. */
    record Settings(String model, String function, PythonConfig config, int maxBatchSize, Duration timeout,
            String[] inputNames, LogicalType[] inputTypes, String[] outputNames, LogicalType[] outputTypes)
            implements Serializable {}

    private final Settings settings;
    private transient BatchedCalls calls;

    PythonPredictFunction(Settings settings) {
        this.settings = settings;
    }

    @Override
    public void open(FunctionContext context) {
        calls = new BatchedCalls(settings.config(), settings.function(), BatchOptions.builder()
                .maxBatchSize(settings.maxBatchSize())
                .timeout(settings.timeout())
                .build());
    }

    @Override
    public CompletableFuture<Collection<RowData>> asyncPredict(RowData features) {
        Map<String, Object> row = new LinkedHashMap<>();
        for (int i = 0; i < settings.inputNames().length; i++) {
            row.put(settings.inputNames()[i], SqlValues.fromRow(features, i, settings.inputTypes()[i]));
        }
        return calls.submit(row, out -> List.of(toRow(out)));
    }

    /** A result row as the model's output columns. */
    private RowData toRow(Map<String, Object> out) {
        String[] names = settings.outputNames();
        GenericRowData row = new GenericRowData(names.length);
        for (int i = 0; i < names.length; i++) {
            if (!out.containsKey(names[i])) {
                throw new JarrowException("CONVERSION", "model " + settings.model() + ": " + settings.function()
                        + "'s result has no column " + names[i] + " (its columns: " + out.keySet() + ")");
            }
            row.setField(i, SqlValues.internal(SqlValues.fromPython(out.get(names[i]),
                    settings.outputTypes()[i].getTypeRoot(), "model " + settings.model() + "'s output column " + names[i])));
        }
        return row;
    }

    @Override
    public void close() {
        if (calls != null) {
            calls.close();
        }
    }
}
