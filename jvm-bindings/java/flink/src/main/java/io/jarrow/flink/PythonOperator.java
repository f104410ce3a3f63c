package io.jarrow.flink;

import io.jarrow.BatchSettings;
import io.jarrow.ErrorPolicy;
import io.jarrow.JarrowException;
import io.jarrow.MicroBatcher;
import io.jarrow.PythonConfig;
import io.jarrow.PythonFunction;
import io.jarrow.PythonRuntime;
import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ScheduledFuture;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.runtime.event.WatermarkEvent;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;

/**
 * Scores a Flink stream's records with a Python function, in micro-batches, in the TaskManager's
 * own process: one output record per input record, in order per subtask, with the input's
 * timestamp.
 *
 * <pre>{@code
 * OutputTag<DeadLetter<String>> failed = DeadLetter.tag("failed", Types.STRING);
 * SingleOutputStreamOperator<String> scored = PythonOperator
 *     .builder("fraud_model:score", FlinkFormat.json())
 *     .config(PythonConfig.builder().executable(Path.of("/opt/venv/bin/python")).build())
 *     .maxBatchSize(1024)
 *     .maxLatency(Duration.ofMillis(100))
 *     .deadLetters(failed)
 *     .applyTo(transactions);
 * DataStream<DeadLetter<String>> errors = scored.getSideOutput(failed);
 * }</pre>
 *
 * <p>Batching is adaptive (see {@link MicroBatcher}, which does the work): a batch is scored
 * whenever the function is free, with the records that arrived since the previous call began, up
 * to {@code maxBatchSize}; under load batches grow to the cap, on a quiet stream a record is
 * scored almost at once, and no record waits much longer than {@code maxLatency} (processing
 * time, so it holds on any stream, keyed or not). A batch is scored on a scoring thread while the
 * task reads the next records; its records are emitted on the task's thread.
 *
 * <p><b>Checkpoints without state.</b> Every buffered record is scored and emitted before the
 * operator passes on a checkpoint barrier ({@code prepareSnapshotPreBarrier}), a watermark (so a
 * watermark never overtakes a record it should follow) or the end of input: a checkpoint never
 * holds an unscored record, and a restart from it replays the records after it from the source.
 *
 * <p>Errors ({@link ErrorPolicy}): {@code fail()} (the default) fails the task with the Python
 * exception's type, message and traceback; {@code logAndSkip()} logs each failing record and goes
 * on; {@link Builder#deadLetters} emits each failing record, with its error, to a side output. A
 * failing batch is split until the records that fail on their own are found.
 *
 * <p>The TaskManager's JVM has one Python interpreter, started by the first operator that opens
 * with the job's {@link PythonConfig}; the slots of a TaskManager share it and its GIL (Python
 * code runs one call at a time per TaskManager; the native JSON decoding does not hold the GIL).
 * Metrics: see {@link OperatorMetrics} (group {@code jarrow} of the operator's metric group).
 *
 * @param <IN> the input record type
 * @param <OUT> the output record type
 */
public final class PythonOperator<IN, OUT> extends AbstractStreamOperator<OUT>
        implements OneInputStreamOperator<IN, OUT>, BoundedOneInput {
    private static final long serialVersionUID = 1L;

    private final Builder<IN, OUT> settings;
    private transient PythonFunction function;
    private transient MicroBatcher<Pending<IN>, IN, OUT> batcher;
    private transient ScheduledFuture<?> polling;
    private transient StreamRecord<OUT> reuse;
    /** A stateful function's checkpointed instance, and the one restored from it, if any. */
    private transient ListState<byte[]> pythonState;
    private transient byte[] restoredState;

    private PythonOperator(Builder<IN, OUT> settings) {
        this.settings = settings;
    }

    /**
     * An operator calling {@code function} ({@code "package.module:function"}) on batches of
     * records in {@code format}.
     */
    public static <IN, OUT> Builder<IN, OUT> builder(String function, FlinkFormat<IN, OUT> format) {
        return new Builder<>(function, format);
    }

    /** A record waiting for its batch, with its timestamp if it has one. */
    private record Pending<IN>(IN value, boolean timestamped, long timestamp) {}

    /** A stateful function's instance comes back from the last checkpoint, if there is one. */
    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        if (!settings.stateful) {
            return;
        }
        pythonState = context.getOperatorStateStore().getListState(
                new ListStateDescriptor<>("jarrow-python-state", PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        List<byte[]> states = new ArrayList<>();
        pythonState.get().forEach(states::add);
        if (states.size() > 1) {
            throw new JarrowException("CONFIG", settings.name() + ": this subtask was given the state of " + states.size()
                    + " instances of " + settings.function + " (the job was restored at a lower parallelism), and "
                    + "one Python instance cannot hold several: restore a stateful function at the same or a higher "
                    + "parallelism");
        }
        restoredState = states.isEmpty() ? null : states.get(0);
    }

    /** A stateful function's instance, as it is after every record before the barrier (flushed first). */
    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        if (settings.stateful) {
            byte[] state = function.snapshot();
            if (state == null) {
                throw new JarrowException("CONFIG", settings.name() + ": stateful() needs a 'pkg.module:Class.method', "
                        + "whose instance holds the state; " + settings.function + " is a function");
            }
            pythonState.update(List.of(state));
        }
    }

    @Override
    public void open() throws Exception {
        super.open();
        reuse = new StreamRecord<>(null);
        function = PythonRuntime.start(settings.config).function(settings.function);
        if (restoredState != null) {
            PythonFunction restored = function.restored(restoredState);
            function.close();
            function = restored;
            restoredState = null;
        }
        OperatorMetrics metrics = new OperatorMetrics(getMetricGroup());
        MicroBatcher.Builder<Pending<IN>, IN, OUT> batching = MicroBatcher
                .<Pending<IN>, IN, OUT>builder(function, settings.format.create(), Pending::value)
                .name(settings.name() + " (subtask " + getRuntimeContext().getTaskInfo().getIndexOfThisSubtask() + ")")
                .maxBatchSize(settings.maxBatchSize)
                .minBatchSize(settings.minBatchSize)
                .maxLatency(settings.maxLatency)
                .onError(settings.policy())
                .metrics(metrics)
                .describe(pending -> "the record " + pending.value())
                .clock(getProcessingTimeService()::getCurrentProcessingTime)
                .output(new MicroBatcher.Output<>() {
                    @Override
                    public void forward(Pending<IN> record, OUT result) {
                        emit(record, result);
                    }
                });
        if (settings.deadLetters != null) {
            OutputTag<DeadLetter<IN>> tag = settings.deadLetters;
            batching.deadLetters(failures -> sendDeadLetters(tag, failures));
        }
        batcher = batching.build();
        long every = batcher.pollInterval().toMillis();
        polling = getProcessingTimeService().scheduleWithFixedDelay(time -> batcher.poll(), every, every);
    }

    @Override
    public void processElement(StreamRecord<IN> element) {
        batcher.add(new Pending<>(element.getValue(), element.hasTimestamp(), element.getTimestamp()));
    }

    /** Emits every buffered record first: a watermark never overtakes a record. */
    @Override
    public void processWatermark(Watermark mark) throws Exception {
        batcher.flush();
        super.processWatermark(mark);
    }

    /** The same for a generalized watermark (Flink 2's DataStream API): emitted after the records before it. */
    @Override
    public void processWatermark(WatermarkEvent watermark) throws Exception {
        batcher.flush();
        super.processWatermark(watermark);
    }

    /** Emits every buffered record before the barrier: the checkpoint holds none. */
    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        super.prepareSnapshotPreBarrier(checkpointId);
        batcher.flush();
    }

    @Override
    public void endInput() {
        batcher.flush();
    }

    @Override
    public void finish() throws Exception {
        stopPolling();
        batcher.flush();
        super.finish();
    }

    @Override
    public void close() throws Exception {
        try {
            stopPolling();
            if (batcher != null) {
                batcher.close();
            }
        } finally {
            try {
                if (function != null) {
                    function.close();
                }
            } finally {
                super.close();
            }
        }
    }

    private void stopPolling() {
        if (polling != null) {
            polling.cancel(false);
            polling = null;
        }
    }

    private void emit(Pending<IN> record, OUT result) {
        if (record.timestamped()) {
            output.collect(reuse.replace(result, record.timestamp()));
        } else {
            reuse.eraseTimestamp();
            output.collect(reuse.replace(result));
        }
    }

    private void sendDeadLetters(OutputTag<DeadLetter<IN>> tag, List<MicroBatcher.Failure<Pending<IN>>> failures) {
        for (MicroBatcher.Failure<Pending<IN>> failure : failures) {
            Pending<IN> record = failure.record();
            DeadLetter<IN> letter = new DeadLetter<>(record.value(), failure, settings.function);
            output.collect(tag, record.timestamped() ? new StreamRecord<>(letter, record.timestamp()) : new StreamRecord<>(letter));
        }
    }

    /** Builds a {@link PythonOperator}; the options are checked as they are set. */
    public static final class Builder<IN, OUT> implements Serializable {
        private static final long serialVersionUID = 1L;

        private final String function;
        private final FlinkFormat<IN, OUT> format;
        private PythonConfig config = PythonConfig.defaults();
        private int maxBatchSize = 1024;
        private int minBatchSize = 1;
        private Duration maxLatency = Duration.ofMillis(100);
        private ErrorPolicy.Kind onError = ErrorPolicy.Kind.FAIL;
        private OutputTag<DeadLetter<IN>> deadLetters;
        private String name;
        private boolean stateful;

        private Builder(String function, FlinkFormat<IN, OUT> format) {
            this.function = Objects.requireNonNull(function, "function");
            this.format = Objects.requireNonNull(format, "format");
        }

        /** The Python interpreter's configuration (default: {@link PythonConfig#defaults()}). */
        public Builder<IN, OUT> config(PythonConfig config) {
            this.config = Objects.requireNonNull(config, "config");
            return this;
        }

        /** The most records one Python call gets (default 1024). */
        public Builder<IN, OUT> maxBatchSize(int records) {
            this.maxBatchSize = BatchSettings.maxBatchSize(records);
            return this;
        }

        /**
         * The fewest records a batch waits for, up to half {@code maxLatency} (default 1: a batch
         * is scored whenever the function is free). {@code minBatchSize(n).maxBatchSize(n)} gives
         * fixed batches of {@code n}.
         */
        public Builder<IN, OUT> minBatchSize(int records) {
            this.minBatchSize = BatchSettings.minBatchSize(records);
            return this;
        }

        /** The longest a record waits besides the call before its own, in processing time (default 100 ms). */
        public Builder<IN, OUT> maxLatency(Duration latency) {
            this.maxLatency = BatchSettings.maxLatency(latency);
            return this;
        }

        /**
         * {@link ErrorPolicy#fail()} (the default) or {@link ErrorPolicy#logAndSkip()}; dead
         * letters go to a side output: {@link #deadLetters}.
         */
        public Builder<IN, OUT> onError(ErrorPolicy policy) {
            if (policy.kind() == ErrorPolicy.Kind.DEAD_LETTER) {
                throw new IllegalArgumentException("a Flink PythonOperator sends dead letters to a side output: call "
                        + "deadLetters(DeadLetter.tag(\"name\", type)) instead of onError(" + policy + ")");
            }
            this.onError = policy.kind();
            this.deadLetters = null;
            return this;
        }

        /** Records that fail on their own go, with their error, to this side output. */
        public Builder<IN, OUT> deadLetters(OutputTag<DeadLetter<IN>> tag) {
            this.deadLetters = Objects.requireNonNull(tag, "tag");
            this.onError = ErrorPolicy.Kind.DEAD_LETTER;
            return this;
        }

        /**
         * The function is a {@code "pkg.module:Class.method"} whose instance (one per subtask)
         * holds state: it is pickled into the operator's state at each checkpoint, after every
         * record before the barrier was scored, and restored from it after a failure, so the
         * instance goes on as if nothing happened. A job restored at a higher parallelism gives the
         * new subtasks fresh instances; at a lower one, a subtask given several instances' states
         * fails with a {@code CONFIG} error (one instance cannot hold several).
         */
        public Builder<IN, OUT> stateful() {
            this.stateful = true;
            return this;
        }

        /** The operator's name in the job graph (default: {@code jarrow <function>}). */
        public Builder<IN, OUT> name(String name) {
            this.name = Objects.requireNonNull(name, "name");
            return this;
        }

        String name() {
            return name != null ? name : "jarrow " + function;
        }

        ErrorPolicy policy() {
            return switch (onError) {
                case FAIL -> ErrorPolicy.fail();
                case SKIP -> ErrorPolicy.logAndSkip();
                case DEAD_LETTER -> ErrorPolicy.deadLetter(deadLetters.getId());
            };
        }

        /** The operator, for {@code DataStream.transform(name, format.outputType(), operator)}. */
        public PythonOperator<IN, OUT> build() {
            BatchSettings.check(minBatchSize, maxBatchSize);
            return new PythonOperator<>(this.copy());
        }

        /** Scores {@code stream}: the stream of results (and of dead letters, as a side output). */
        public SingleOutputStreamOperator<OUT> applyTo(DataStream<IN> stream) {
            return stream.transform(name(), format.outputType(), build());
        }

        private Builder<IN, OUT> copy() {
            Builder<IN, OUT> b = new Builder<>(function, format);
            b.config = config;
            b.maxBatchSize = maxBatchSize;
            b.minBatchSize = minBatchSize;
            b.maxLatency = maxLatency;
            b.onError = onError;
            b.deadLetters = deadLetters;
            b.name = name;
            b.stateful = stateful;
            return b;
        }
    }
}
