package io.jarrow.flink;

import io.jarrow.BatchOptions;
import io.jarrow.BatchSettings;
import io.jarrow.PythonConfig;
import java.io.Serializable;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;
import org.apache.flink.util.function.SerializableFunction;

/**
 * A Flink {@code AsyncFunction} over a Python batch function: each record's request joins the
 * requests in flight in one Arrow batch per Python call (a {@link BatchedFunction}), and gets its
 * own row of the result. For {@code AsyncDataStream.unorderedWait} or {@code orderedWait}:
 *
 * <pre>{@code
 * DataStream<Double> scores = AsyncDataStream.unorderedWait(transactions,
 *     PythonAsyncFunction.builder("fraud_model:score_rows",
 *             (Transaction t) -> Map.of("amount", t.amount, "hour", t.hour),
 *             row -> (Double) row.get("fraud_probability"), Types.DOUBLE)
 *         .config(config)
 *         .build(),
 *     30, TimeUnit.SECONDS, 1000);
 * }</pre>
 *
 * <p>The function is called whenever it is free, on every request that arrived since its previous
 * call began, up to {@code maxBatchSize}: a request never waits for company, so a partial batch
 * never stalls, whatever the async operator's capacity; under load batches grow by themselves.
 * The async operator's capacity bounds the requests in flight per subtask; {@code queueCapacity}
 * bounds those waiting for the Python function in the TaskManager (beyond it {@code asyncInvoke}
 * blocks: back-pressure); {@code timeout} bounds each request inside jarrow, and the async
 * operator's own timeout bounds it from Flink's side (keep it the larger). A Python exception
 * fails every request of its batch, and so the job (Flink's async operator has no side output):
 * for per-record error policies use {@link PythonOperator}.
 *
 * @param <IN> the input record type
 * @param <OUT> the output record type
 */
public final class PythonAsyncFunction<IN, OUT> extends RichAsyncFunction<IN, OUT> implements ResultTypeQueryable<OUT> {
    private static final long serialVersionUID = 1L;

    private final Builder<IN, OUT> settings;
    private transient BatchedCalls calls;

    private PythonAsyncFunction(Builder<IN, OUT> settings) {
        this.settings = settings;
    }

    /**
     * An async function calling {@code function} ({@code "package.module:function"}) on batches of
     * the rows {@code toRow} makes of records (column name to value, converted as {@link
     * PythonFunction#call} converts arguments); {@code fromRow} makes the output of a record's
     * result row, of type {@code outputType}.
     */
    public static <IN, OUT> Builder<IN, OUT> builder(String function, SerializableFunction<IN, Map<String, ?>> toRow,
            SerializableFunction<Map<String, Object>, OUT> fromRow, TypeInformation<OUT> outputType) {
        return new Builder<>(function, toRow, fromRow, outputType);
    }

    /** The type of the output records (so that the async operator needs no {@code returns}). */
    @Override
    public TypeInformation<OUT> getProducedType() {
        return settings.outputType;
    }

    @Override
    public void open(OpenContext context) {
        calls = new BatchedCalls(settings.config, settings.function, BatchOptions.builder()
                .maxBatchSize(settings.maxBatchSize)
                .queueCapacity(settings.queueCapacity)
                .timeout(settings.timeout)
                .build());
    }

    @Override
    public void asyncInvoke(IN input, ResultFuture<OUT> result) {
        calls.submit(settings.toRow.apply(input), settings.fromRow::apply).whenComplete((output, error) -> {
            if (error != null) {
                result.completeExceptionally(error);
            } else {
                result.complete(List.of(output));
            }
        });
    }

    @Override
    public void close() {
        if (calls != null) {
            calls.close();
        }
    }

    /** Builds a {@link PythonAsyncFunction}; the options are checked as they are set. */
    public static final class Builder<IN, OUT> implements Serializable {
        private static final long serialVersionUID = 1L;

        private final String function;
        private final SerializableFunction<IN, Map<String, ?>> toRow;
        private final SerializableFunction<Map<String, Object>, OUT> fromRow;
        private final TypeInformation<OUT> outputType;
        private PythonConfig config = PythonConfig.defaults();
        private int maxBatchSize = BatchOptions.defaults().maxBatchSize();
        private int queueCapacity = BatchOptions.defaults().queueCapacity();
        private Duration timeout = BatchOptions.defaults().timeout();

        private Builder(String function, SerializableFunction<IN, Map<String, ?>> toRow,
                SerializableFunction<Map<String, Object>, OUT> fromRow, TypeInformation<OUT> outputType) {
            this.function = Objects.requireNonNull(function, "function");
            this.outputType = Objects.requireNonNull(outputType, "outputType");
            this.toRow = Objects.requireNonNull(toRow, "toRow");
            this.fromRow = Objects.requireNonNull(fromRow, "fromRow");
        }

        /** The Python interpreter's configuration (default: {@link PythonConfig#defaults()}). */
        public Builder<IN, OUT> config(PythonConfig config) {
            this.config = Objects.requireNonNull(config, "config");
            return this;
        }

        /** The most rows one Python call gets (default 1024). */
        public Builder<IN, OUT> maxBatchSize(int rows) {
            this.maxBatchSize = BatchSettings.maxBatchSize(rows);
            return this;
        }

        /** Requests that may wait for the function (default 8192); beyond, asyncInvoke blocks. */
        public Builder<IN, OUT> queueCapacity(int requests) {
            if (requests < 1) {
                throw new IllegalArgumentException("queueCapacity must be at least 1, got " + requests);
            }
            this.queueCapacity = requests;
            return this;
        }

        /** The most one request may take inside jarrow (default 30 s): then it fails with TIMEOUT. */
        public Builder<IN, OUT> timeout(Duration timeout) {
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("timeout must be positive, got " + timeout);
            }
            this.timeout = timeout;
            return this;
        }

        public PythonAsyncFunction<IN, OUT> build() {
            return new PythonAsyncFunction<>(this);
        }
    }
}
