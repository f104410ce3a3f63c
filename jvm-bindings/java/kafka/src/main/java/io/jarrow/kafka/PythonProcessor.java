package io.jarrow.kafka;

import io.jarrow.JarrowException;
import io.jarrow.PythonConfig;
import io.jarrow.PythonException;
import io.jarrow.PythonFunction;
import io.jarrow.PythonRuntime;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorSupplier;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.StoreBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scores a stream's records with a Python function, in micro-batches, in this process. Used with
 * {@code KStream.processValues}:
 *
 * <pre>{@code
 * KStream<String, String> scored = transactions.processValues(
 *     PythonProcessor.builder("fraud_model:score", ValueFormat.json())
 *         .config(PythonConfig.builder().executable("/opt/venv/bin/python").build())
 *         .batchSize(1024)
 *         .maxLatency(Duration.ofMillis(100))
 *         .onError(ErrorPolicy.deadLetter("transactions-dead-letters"))
 *         .build());
 * }</pre>
 *
 * <p>Records are buffered until {@code batchSize} have arrived, or the first of them has waited
 * {@code maxLatency} of wall-clock time (a punctuation every half {@code maxLatency} flushes a
 * partial batch whose first record has waited half of it, so a quiet partition never holds
 * records, and a batch filling under load is left to fill), or the processor closes. The function
 * is then called once with the batch as one Arrow record batch, and one record is forwarded per
 * input record, in order: the same key, timestamp and headers, with the value made from its row of
 * the result. A result with another number of rows is an error. A record with a null value (a
 * tombstone) is forwarded as it is, without calling the function. A full batch (of 16 records or
 * more) is scored on a scoring thread while the stream thread goes on reading the next one (one
 * batch at a time per processor); its records are forwarded on the stream thread with the next
 * record that arrives after it is done, or at the next latency punctuation (which waits for it
 * once its records have waited half {@code maxLatency}).
 *
 * <p>No record is lost: the records buffered when Kafka Streams commits are written, just before
 * the commit, to a changelogged store (see {@link BufferedRecords}), and scored after a restart if
 * the application stopped before forwarding them.
 * Under {@code processing.guarantee=exactly_once_v2}, the buffer, the outputs and the input
 * offsets commit together, so the output has no duplicates. The store is named after the
 * processor ({@link Builder#name}); buffered records are written with the key serde given to
 * {@link Builder#keySerde} or the application's {@code default.key.serde}.
 *
 * <p>Metrics (group {@code stream-jarrow-processor-metrics}, tag {@code jarrow-processor-id}):
 * {@code python-call-rate/total/latency-avg/latency-max} (one per batch), {@code rows-rate/total},
 * {@code batch-size-avg/max}, {@code errors-rate/total} (records given to the error policy).
 */
public final class PythonProcessor<V, VR> implements FixedKeyProcessor<Object, V, VR> {
    private static final Logger LOG = LoggerFactory.getLogger(PythonProcessor.class);

    private final Builder<V, VR> settings;
    private FixedKeyProcessorContext<Object, VR> context;
    private PythonFunction function;
    private ValueFormat.Scorer<V, VR> scorer;
    private BufferedRecords<V> buffer;
    private ProcessorMetrics metrics;
    private Producer<byte[], byte[]> deadLetters;
    private String deadLetterTopic;
    /** The batch being scored on a scoring thread, if any. */
    private CompletableFuture<Scored<V>> inFlight;
    /** When the first record of the batch filling, and of the batch in flight, arrived (wall clock, ms). */
    private long fillingSince;
    private long inFlightSince;

    /**
     * Batches smaller than this are scored on the stream thread: handing them to a scoring thread
     * and back costs more than the stream thread would do meanwhile.
     */
    static final int SCORED_IN_PLACE_BELOW = 16;

    /** Scoring threads, shared by all processors (daemons: they never hold the JVM up). */
    private static final ExecutorService SCORING = Executors.newCachedThreadPool(new ThreadFactory() {
        private final AtomicInteger count = new AtomicInteger();

        @Override
        public Thread newThread(Runnable r) {
            Thread t = new Thread(r, "jarrow-scoring-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        }
    });

    private PythonProcessor(Builder<V, VR> settings) {
        this.settings = settings;
    }

    /**
     * A processor calling {@code function} ({@code "package.module:function"}) on batches of
     * values in {@code format}.
     */
    public static <V, VR> Builder<V, VR> builder(String function, ValueFormat<V, VR> format) {
        return new Builder<>(function, format);
    }

    @Override
    @SuppressWarnings("unchecked")
    public void init(FixedKeyProcessorContext<Object, VR> context) {
        this.context = context;
        PythonRuntime runtime = settings.runtime != null ? settings.runtime : PythonRuntime.start(settings.config);
        this.function = runtime.function(settings.function);
        this.scorer = settings.format.open(function);
        Serde<Object> keySerde = (Serde<Object>) (settings.keySerde != null ? settings.keySerde : context.keySerde());
        if (keySerde == null) {
            throw new ConfigException("PythonProcessor " + settings.name() + " keeps buffered records in a changelogged store "
                    + "and needs their key serde: set default.key.serde or call keySerde(...) on its builder");
        }
        BufferStore store = context.getStateStore(settings.storeName());
        boolean exactlyOnce = String.valueOf(context.appConfigs().get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG))
                .startsWith("exactly_once");
        this.buffer = new BufferedRecords<>(store.records(), keySerde, settings.format.valueSerde(), exactlyOnce);
        buffer.restore();
        store.beforeCommit(buffer::persist);
        if (!buffer.isEmpty()) {
            LOG.info("{}: {} records buffered before a restart will be scored first", settings.name(), buffer.size());
        }
        this.metrics = new ProcessorMetrics(context.metrics(), settings.name(), context.taskId().toString());
        if (settings.errorPolicy.kind() == ErrorPolicy.Kind.DEAD_LETTER) {
            this.deadLetterTopic = settings.errorPolicy.topic(context.appConfigs());
            StreamsConfig streams = new StreamsConfig(context.appConfigs());
            this.deadLetters = settings.errorPolicy.newProducer(
                    streams.getProducerConfigs(context.applicationId() + "-" + settings.name() + "-dead-letters"));
        }
        // Every half maxLatency, records that have waited half of it are flushed: none waits
        // longer than maxLatency, and batches filling under load are left to fill.
        long half = Math.max(1, settings.maxLatency.toMillis() / 2);
        context.schedule(Duration.ofMillis(half), PunctuationType.WALL_CLOCK_TIME, now -> flushOlderThan(now - half));
    }

    @Override
    public void process(FixedKeyRecord<Object, V> record) {
        if (inFlight != null && inFlight.isDone()) {
            forwardScored();
        }
        if (buffer.isEmpty()) {
            fillingSince = context.currentSystemTimeMs();
        }
        buffer.add(record, context.recordMetadata());
        if (buffer.size() >= settings.batchSize) {
            submit(buffer.size() < SCORED_IN_PLACE_BELOW);
        }
    }

    @Override
    public void close() {
        try {
            flush();
        } catch (RuntimeException e) {
            // Closing after a failure (or failing now): the records stay in the changelogged
            // buffer and are scored when the task runs again.
            LOG.warn("{}: {} buffered records not scored at close; they are kept for the restart: {}", settings.name(),
                    buffer.size(), e.getMessage());
        } finally {
            if (metrics != null) {
                metrics.close();
            }
            if (scorer != null) {
                scorer.close();
            }
            if (function != null) {
                function.close();
            }
            if (deadLetters != null) {
                deadLetters.close(Duration.ofSeconds(30));
            }
        }
    }

    /**
     * The latency punctuation: forwards the batch being scored if it is done, or if its records
     * arrived before {@code cutoff} (waiting for it); flushes the records buffered if the first
     * arrived before {@code cutoff}.
     */
    private void flushOlderThan(long cutoff) {
        if (inFlight != null && (inFlight.isDone() || inFlightSince <= cutoff)) {
            forwardScored();
        }
        if (!buffer.isEmpty() && fillingSince <= cutoff) {
            flush();
        }
    }

    /** Scores everything buffered and forwards it: a latency flush, or the last one at close. */
    private void flush() {
        if (inFlight != null) {
            forwardScored();
        }
        if (!buffer.isEmpty()) {
            submit(true);
            forwardScored();
        }
    }

    /**
     * Takes the buffered records as a batch and scores it on a scoring thread, so that the stream
     * thread goes on reading records meanwhile; one batch is scored at a time (the previous one
     * is waited for and forwarded first). Forwarding happens on the stream thread, in order. A
     * batch whose records are forwarded at once anyway ({@code inPlace}: a flush), or too small to
     * be worth handing over, is scored on the stream thread.
     */
    private void submit(boolean inPlace) {
        if (inFlight != null) {
            forwardScored();
        }
        BufferedRecords.Batch<V> batch = buffer.take();
        inFlightSince = fillingSince;
        if (!inPlace) {
            inFlight = CompletableFuture.supplyAsync(() -> new Scored<>(batch, score(batch.entries())), SCORING);
            return;
        }
        try {
            inFlight = CompletableFuture.completedFuture(new Scored<>(batch, score(batch.entries())));
        } catch (RuntimeException e) {
            inFlight = CompletableFuture.failedFuture(e);
        }
    }

    /** Waits for the batch being scored, forwards its records, and gives failing ones to the policy. */
    private void forwardScored() {
        Scored<V> scored;
        try {
            scored = inFlight.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException cause ? cause : e;
        } finally {
            inFlight = null;
        }
        List<BufferedRecords.Entry<V>> entries = scored.batch().entries();
        List<Object> outcomes = scored.outcomes();
        List<Failure> failures = new ArrayList<>();
        for (Object outcome : outcomes) {
            if (outcome instanceof Failure failure) {
                failures.add(failure);
            }
        }
        if (!failures.isEmpty()) {
            handle(entries, failures);
        }
        for (int i = 0; i < outcomes.size(); i++) {
            if (!(outcomes.get(i) instanceof Failure)) {
                @SuppressWarnings("unchecked")
                VR value = (VR) outcomes.get(i);
                context.forward(entries.get(i).record().withValue(value));
            }
        }
        metrics.rows(outcomes.size() - failures.size());
        buffer.completed(scored.batch());
    }

    /** One outcome per record: its result, or a {@link Failure}. Runs on a scoring thread. */
    private List<Object> score(List<BufferedRecords.Entry<V>> entries) {
        // A null value (a tombstone) has nothing to score: it is forwarded as it is, in its place.
        List<V> values = new ArrayList<>(entries.size());
        List<byte[]> serialized = new ArrayList<>(entries.size());
        for (BufferedRecords.Entry<V> entry : entries) {
            if (entry.record().value() != null) {
                values.add(entry.record().value());
                serialized.add(entry.value());
            }
        }
        List<Object> scored = new ArrayList<>(values.size());
        if (!values.isEmpty()) {
            score(values, serialized, 0, values.size(), scored);
        }
        if (values.size() == entries.size()) {
            return scored;
        }
        List<Object> outcomes = new ArrayList<>(entries.size());
        int next = 0;
        for (BufferedRecords.Entry<V> entry : entries) {
            if (entry.record().value() == null) {
                outcomes.add(null);
            } else {
                Object outcome = scored.get(next++);
                outcomes.add(outcome instanceof Failure failure ? new Failure(outcomes.size(), failure.error()) : outcome);
            }
        }
        return outcomes;
    }

    /**
     * Scores values {@code [from, to)}, appending one outcome per value: its result, or a {@link
     * Failure}. A failing range is split in two until the values that fail on their own are found;
     * under the fail policy, the first failure fails the task at once.
     */
    private void score(List<V> values, List<byte[]> serialized, int from, int to, List<Object> outcomes) {
        RuntimeException error;
        long start = System.nanoTime();
        try {
            List<VR> results = scorer.score(values.subList(from, to), serialized.subList(from, to));
            metrics.call(to - from, System.nanoTime() - start);
            outcomes.addAll(results);
            return;
        } catch (RuntimeException e) {
            metrics.call(to - from, System.nanoTime() - start);
            error = e;
        }
        if (!isAboutTheRecords(error) || settings.errorPolicy.kind() == ErrorPolicy.Kind.FAIL) {
            throw new StreamsException(settings.name() + ": " + settings.function + " failed on a batch of " + (to - from)
                    + " records (error policy: " + settings.errorPolicy + "): " + error.getMessage(), error);
        }
        if (to - from == 1) {
            outcomes.add(new Failure(from, error));
            return;
        }
        int middle = (from + to) >>> 1;
        score(values, serialized, from, middle, outcomes);
        score(values, serialized, middle, to, outcomes);
    }

    /** Python exceptions and conversion errors concern the records; anything else, jarrow itself. */
    private static boolean isAboutTheRecords(RuntimeException error) {
        if (error instanceof PythonException) {
            return true;
        }
        if (error instanceof JarrowException jarrow) {
            return jarrow.code().equals("CONVERSION");
        }
        return !(error instanceof IllegalStateException);
    }

    private void handle(List<BufferedRecords.Entry<V>> entries, List<Failure> failures) {
        metrics.errors(failures.size());
        if (settings.errorPolicy.kind() == ErrorPolicy.Kind.SKIP) {
            for (Failure failure : failures) {
                BufferedRecords.Entry<V> entry = entries.get(failure.index());
                LOG.warn("{}: skipping the record at {} ({}): {}", settings.name(), where(entry), settings.errorPolicy,
                        failure.error().getMessage());
            }
            return;
        }
        List<Future<?>> sent = new ArrayList<>(failures.size());
        for (Failure failure : failures) {
            BufferedRecords.Entry<V> entry = entries.get(failure.index());
            sent.add(deadLetters.send(deadLetter(entry, failure.error())));
        }
        deadLetters.flush();
        try {
            for (Future<?> f : sent) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StreamsException(settings.name() + ": interrupted while sending to " + deadLetterTopic, e);
        } catch (ExecutionException e) {
            throw new StreamsException(settings.name() + ": cannot send failed records to the dead-letter topic "
                    + deadLetterTopic, e.getCause());
        }
    }

    private ProducerRecord<byte[], byte[]> deadLetter(BufferedRecords.Entry<V> entry, RuntimeException error) {
        Headers headers = new RecordHeaders(entry.record().headers().toArray());
        String type;
        String message;
        String traceback;
        if (error instanceof PythonException python) {
            type = python.pythonType();
            message = python.pythonMessage();
            traceback = python.pythonTraceback();
        } else {
            type = error instanceof JarrowException jarrow ? "jarrow." + jarrow.code() : error.getClass().getName();
            message = String.valueOf(error.getMessage());
            traceback = "";
        }
        headers.add("jarrow.error.type", utf8(type));
        headers.add("jarrow.error.message", utf8(message));
        headers.add("jarrow.error.traceback", utf8(traceback));
        headers.add("jarrow.error.function", utf8(settings.function));
        entry.sourceTopic().ifPresent(topic -> {
            headers.add("jarrow.source.topic", utf8(topic));
            headers.add("jarrow.source.partition", utf8(Integer.toString(entry.partition())));
            headers.add("jarrow.source.offset", utf8(Long.toString(entry.offset())));
        });
        return new ProducerRecord<>(deadLetterTopic, null, entry.record().timestamp(), buffer.keyBytes(entry),
                entry.value(), headers);
    }

    private static String where(BufferedRecords.Entry<?> entry) {
        return entry.sourceTopic().map(t -> t + "-" + entry.partition() + "@" + entry.offset()).orElse("an unknown offset");
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** A value that failed on its own, at its position in the batch. */
    private record Failure(int index, RuntimeException error) {}

    /** A batch and its outcomes. */
    private record Scored<V>(BufferedRecords.Batch<V> batch, List<Object> outcomes) {}

    /**
     * Builds the {@link FixedKeyProcessorSupplier} to pass to {@code KStream.processValues}; it
     * brings the processor's buffer store with it.
     */
    public static final class Builder<V, VR> {
        private final String function;
        private final ValueFormat<V, VR> format;
        private PythonRuntime runtime;
        private PythonConfig config;
        private int batchSize = 1024;
        private Duration maxLatency = Duration.ofMillis(100);
        private ErrorPolicy errorPolicy = ErrorPolicy.fail();
        private Serde<?> keySerde;
        private String name;

        private Builder(String function, ValueFormat<V, VR> format) {
            this.function = Objects.requireNonNull(function, "function");
            this.format = Objects.requireNonNull(format, "format");
        }

        /** The Python runtime to use (else one started from {@link #config}, else the default). */
        public Builder<V, VR> runtime(PythonRuntime runtime) {
            this.runtime = Objects.requireNonNull(runtime, "runtime");
            return this;
        }

        /** The Python configuration the runtime is started with, when no runtime is given. */
        public Builder<V, VR> config(PythonConfig config) {
            this.config = Objects.requireNonNull(config, "config");
            return this;
        }

        /** Rows per Python call (default 1024). */
        public Builder<V, VR> batchSize(int rows) {
            if (rows < 1) {
                throw new IllegalArgumentException("batchSize must be at least 1, got " + rows);
            }
            this.batchSize = rows;
            return this;
        }

        /** The longest a record waits for its batch to fill, in wall-clock time (default 100 ms). */
        public Builder<V, VR> maxLatency(Duration latency) {
            if (latency.isNegative() || latency.toMillis() < 1) {
                throw new IllegalArgumentException("maxLatency must be at least 1 ms, got " + latency);
            }
            this.maxLatency = latency;
            return this;
        }

        /** What to do with records the function cannot score (default: fail the task). */
        public Builder<V, VR> onError(ErrorPolicy policy) {
            this.errorPolicy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /** The serde of record keys, for the buffer store (default: the application's default.key.serde). */
        public Builder<V, VR> keySerde(Serde<?> serde) {
            this.keySerde = Objects.requireNonNull(serde, "serde");
            return this;
        }

        /**
         * The processor's name, unique in the topology: it names the buffer store
         * ({@code <name>-buffer}), its changelog topic, and the metrics. Default: from the function.
         */
        public Builder<V, VR> name(String name) {
            if (!name.matches("[a-zA-Z0-9._-]+")) {
                throw new IllegalArgumentException("a processor name may hold letters, digits, '.', '_' and '-', got " + name);
            }
            this.name = name;
            return this;
        }

        String name() {
            return name != null ? name : "jarrow-" + function.replaceAll("[^a-zA-Z0-9._-]", "-");
        }

        String storeName() {
            return name() + "-buffer";
        }

        /** The supplier for {@code KStream.processValues}. */
        public FixedKeyProcessorSupplier<Object, V, VR> build() {
            if (runtime == null && config == null) {
                config = PythonConfig.defaults();
            }
            Builder<V, VR> settings = this.copy();
            StoreBuilder<BufferStore> store = BufferStore.builder(settings.storeName());
            return new FixedKeyProcessorSupplier<>() {
                @Override
                public FixedKeyProcessor<Object, V, VR> get() {
                    return new PythonProcessor<>(settings);
                }

                @Override
                public Set<StoreBuilder<?>> stores() {
                    return Set.of(store);
                }
            };
        }

        private Builder<V, VR> copy() {
            Builder<V, VR> b = new Builder<>(function, format);
            b.runtime = runtime;
            b.config = config;
            b.batchSize = batchSize;
            b.maxLatency = maxLatency;
            b.errorPolicy = errorPolicy;
            b.keySerde = keySerde;
            b.name = name;
            return b;
        }
    }
}
