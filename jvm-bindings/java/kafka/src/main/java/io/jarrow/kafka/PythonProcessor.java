package io.jarrow.kafka;

import io.jarrow.BatchSettings;
import io.jarrow.ErrorPolicy;
import io.jarrow.MicroBatcher;
import io.jarrow.PythonConfig;
import io.jarrow.PythonFunction;
import io.jarrow.PythonRuntime;
import io.jarrow.ValueFormat;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.function.Function;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
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
 *         .maxBatchSize(1024)
 *         .maxLatency(Duration.ofMillis(100))
 *         .onError(ErrorPolicy.deadLetter("transactions-dead-letters"))
 *         .build());
 * }</pre>
 *
 * <p>Batching is adaptive (see {@link MicroBatcher}, which does the work): a batch is scored
 * whenever the function is free, with the records that arrived since the previous call began, up
 * to {@code maxBatchSize}; under load batches grow to the cap, on a quiet stream a record is
 * scored almost at once. One record is forwarded per input record, in order: the same key,
 * timestamp and headers, with the value made from its row of the result. A record with a null
 * value (a tombstone) is forwarded as it is, without calling the function. A batch is scored on a
 * scoring thread while the stream thread reads the next records; its records are forwarded on the
 * stream thread, with the next record that arrives after it is done or at the next punctuation
 * (every half {@code maxLatency}, at most 5 ms, wall-clock time).
 *
 * <p>Kafka Streams has latency floors of its own: an idle stream thread runs punctuations only
 * when its poll returns, after at most {@code poll.ms} (100 ms by default: set it to 5-10 ms for
 * low latency on a quiet topic), its producer lingers {@code linger.ms} before it sends, and under
 * exactly-once the output is visible to readers only at each commit ({@code commit.interval.ms},
 * 100 ms by default under exactly-once).
 *
 * <p>No record is lost: the records buffered when Kafka Streams commits are written, just before
 * the commit, to a changelogged store (see {@link BufferedRecords}), and scored after a restart if
 * the application stopped before forwarding them.
 * Under {@code processing.guarantee=exactly_once_v2}, the buffer, the outputs and the input
 * offsets commit together, so the output has no duplicates. The store is named after the
 * processor ({@link Builder#name}); buffered records are written with the key serde given to
 * {@link Builder#keySerde} or the application's {@code default.key.serde}, and the value serde of
 * the format (JSON: strings or bytes), else {@link Builder#valueSerde}, else the application's
 * {@code default.value.serde}.
 *
 * <p>Error policies ({@link ErrorPolicy}): {@code deadLetter(topic)} sends a failing record (its
 * key and value bytes, timestamp and headers) to that topic, {@code deadLetter()} to the
 * application's {@code errors.dead.letter.queue.topic.name}, with headers {@code
 * jarrow.error.type}, {@code jarrow.error.message}, {@code jarrow.error.traceback}, {@code
 * jarrow.error.function} and, when known, {@code jarrow.source.topic}, {@code
 * jarrow.source.partition} and {@code jarrow.source.offset}. It is sent by a producer of the
 * processor's own (configured from the application's producer settings, or made by {@link
 * Builder#deadLetterProducer}) and acknowledged before the batch is forwarded: at least once, also
 * under exactly-once processing. Under {@code fail}, the task fails with the Python exception and
 * Kafka Streams' uncaught exception handler decides what happens next; records buffered but not
 * forwarded stay in the changelogged buffer and are scored again when the task restarts.
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
    private BufferedRecords<V> buffer;
    private MicroBatcher<BufferedRecords.Entry<V>, V, VR> batcher;
    private ProcessorMetrics metrics;
    private Producer<byte[], byte[]> deadLetters;
    private String deadLetterTopic;

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
        Serde<Object> keySerde = (Serde<Object>) (settings.keySerde != null ? settings.keySerde : context.keySerde());
        if (keySerde == null) {
            throw new ConfigException("PythonProcessor " + settings.name() + " keeps buffered records in a changelogged store "
                    + "and needs their key serde: set default.key.serde or call keySerde(...) on its builder");
        }
        Serde<V> valueSerde = valueSerde(context);
        BufferStore store = context.getStateStore(settings.storeName());
        boolean exactlyOnce = String.valueOf(context.appConfigs().get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG))
                .startsWith("exactly_once");
        this.buffer = new BufferedRecords<>(store.records(), keySerde, valueSerde, exactlyOnce);
        List<BufferedRecords.Entry<V>> restored = buffer.restore();
        store.beforeCommit(buffer::persist);
        if (!restored.isEmpty()) {
            LOG.info("{}: {} records buffered before a restart will be scored first", settings.name(), restored.size());
        }
        this.metrics = new ProcessorMetrics(context.metrics(), settings.name(), context.taskId().toString());
        if (settings.errorPolicy.kind() == ErrorPolicy.Kind.DEAD_LETTER) {
            this.deadLetterTopic = deadLetterTopic(settings.errorPolicy, context.appConfigs());
            StreamsConfig streams = new StreamsConfig(context.appConfigs());
            this.deadLetters = settings.deadLetterProducer.apply(
                    streams.getProducerConfigs(context.applicationId() + "-" + settings.name() + "-dead-letters"));
        }
        this.function = runtime.function(settings.function);
        MicroBatcher.Builder<BufferedRecords.Entry<V>, V, VR> batching = MicroBatcher
                .<BufferedRecords.Entry<V>, V, VR>builder(function, settings.format, entry -> entry.record().value())
                .name(settings.name())
                .maxBatchSize(settings.maxBatchSize)
                .minBatchSize(settings.minBatchSize)
                .maxLatency(settings.maxLatency)
                .onError(settings.errorPolicy)
                .metrics(metrics)
                .serialized(BufferedRecords.Entry::value)
                .describe(PythonProcessor::where)
                .clock(context::currentSystemTimeMs)
                .output(new MicroBatcher.Output<>() {
                    @Override
                    public void forward(BufferedRecords.Entry<V> entry, VR result) {
                        context.forward(entry.record().withValue(result));
                    }

                    @Override
                    public void completed(List<BufferedRecords.Entry<V>> batch) {
                        buffer.completed(batch);
                    }
                });
        if (deadLetters != null) {
            batching.deadLetters(this::sendDeadLetters);
        }
        this.batcher = batching.build();
        batcher.restore(restored);
        context.schedule(batcher.pollInterval(), PunctuationType.WALL_CLOCK_TIME, now -> run(batcher::poll));
    }

    @Override
    public void process(FixedKeyRecord<Object, V> record) {
        BufferedRecords.Entry<V> entry = buffer.add(record, context.recordMetadata());
        run(() -> batcher.add(entry));
    }

    @Override
    public void close() {
        try {
            if (batcher != null) {
                run(batcher::flush);
            }
        } catch (RuntimeException e) {
            // Closing after a failure (or failing now): the records stay in the changelogged
            // buffer and are scored when the task runs again.
            LOG.warn("{}: {} buffered records not scored at close; they are kept for the restart: {}", settings.name(),
                    buffer.size(), e.getMessage());
        } finally {
            if (batcher != null) {
                batcher.close();
            }
            if (metrics != null) {
                metrics.close();
            }
            if (function != null) {
                function.close();
            }
            if (deadLetters != null) {
                deadLetters.close(Duration.ofSeconds(30));
            }
        }
    }

    /** Runs a batcher call; a failure fails the stream task, naming this processor. */
    private void run(Runnable call) {
        try {
            call.run();
        } catch (StreamsException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new StreamsException(e.getMessage(), e);
        }
    }

    /** The value serde: the format's, else the builder's, else the application's default. */
    @SuppressWarnings("unchecked")
    private Serde<V> valueSerde(FixedKeyProcessorContext<Object, VR> context) {
        if (settings.valueSerde != null) {
            return (Serde<V>) settings.valueSerde;
        }
        if (settings.format.valueClass().isPresent()) {
            return Serdes.serdeFrom(settings.format.valueClass().get());
        }
        Serde<V> serde = (Serde<V>) context.valueSerde();
        if (serde == null) {
            throw new ConfigException("PythonProcessor " + settings.name() + " keeps buffered records in a changelogged store "
                    + "and needs the serde of their values (" + settings.format + "): set default.value.serde or call "
                    + "valueSerde(...) on its builder");
        }
        return serde;
    }

    /** The dead-letter topic: the one the policy names, else the application's. */
    static String deadLetterTopic(ErrorPolicy policy, Map<String, Object> appConfigs) {
        if (policy.destination().isPresent()) {
            return policy.destination().get();
        }
        Object configured = appConfigs.get(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG);
        if (configured == null || configured.toString().isBlank()) {
            throw new ConfigException("ErrorPolicy.deadLetter() sends to the application's dead-letter topic, and "
                    + StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG + " is not set: set it, or name a topic "
                    + "with ErrorPolicy.deadLetter(topic)");
        }
        return configured.toString();
    }

    /** Sends failed records to the dead-letter topic and waits for their acknowledgements. */
    private void sendDeadLetters(List<MicroBatcher.Failure<BufferedRecords.Entry<V>>> failures) {
        List<Future<?>> sent = new ArrayList<>(failures.size());
        for (MicroBatcher.Failure<BufferedRecords.Entry<V>> failure : failures) {
            sent.add(deadLetters.send(deadLetter(failure)));
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

    private ProducerRecord<byte[], byte[]> deadLetter(MicroBatcher.Failure<BufferedRecords.Entry<V>> failure) {
        BufferedRecords.Entry<V> entry = failure.record();
        Headers headers = new RecordHeaders(entry.record().headers().toArray());
        headers.add("jarrow.error.type", utf8(failure.errorType()));
        headers.add("jarrow.error.message", utf8(failure.errorMessage()));
        headers.add("jarrow.error.traceback", utf8(failure.traceback()));
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
        return "the record at " + entry.sourceTopic().map(t -> t + "-" + entry.partition() + "@" + entry.offset())
                .orElse("an unknown offset");
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** The dead-letter producer made from the application's producer configuration. */
    private static Producer<byte[], byte[]> producer(Map<String, Object> config) {
        return new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /**
     * Builds the {@link FixedKeyProcessorSupplier} to pass to {@code KStream.processValues}; it
     * brings the processor's buffer store with it.
     */
    public static final class Builder<V, VR> {
        private final String function;
        private final ValueFormat<V, VR> format;
        private PythonRuntime runtime;
        private PythonConfig config;
        private int maxBatchSize = 1024;
        private int minBatchSize = 1;
        private Duration maxLatency = Duration.ofMillis(100);
        private ErrorPolicy errorPolicy = ErrorPolicy.fail();
        private Function<Map<String, Object>, Producer<byte[], byte[]>> deadLetterProducer = PythonProcessor::producer;
        private Serde<?> keySerde;
        private Serde<?> valueSerde;
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

        /** The most records one Python call gets (default 1024). */
        public Builder<V, VR> maxBatchSize(int records) {
            this.maxBatchSize = BatchSettings.maxBatchSize(records);
            return this;
        }

        /**
         * The fewest records a batch waits for, up to half {@code maxLatency} (default 1: a batch
         * is scored whenever the function is free). {@code minBatchSize(n).maxBatchSize(n)} gives
         * fixed batches of {@code n}.
         */
        public Builder<V, VR> minBatchSize(int records) {
            this.minBatchSize = BatchSettings.minBatchSize(records);
            return this;
        }

        /**
         * The longest a record waits in the processor besides the call before its own, in
         * wall-clock time (default 100 ms); Kafka Streams' own floors come on top (see the class
         * documentation).
         */
        public Builder<V, VR> maxLatency(Duration latency) {
            this.maxLatency = BatchSettings.maxLatency(latency);
            return this;
        }

        /** What to do with records the function cannot score (default: fail the task). */
        public Builder<V, VR> onError(ErrorPolicy policy) {
            this.errorPolicy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /**
         * How {@link ErrorPolicy#deadLetter} makes its producer from the application's producer
         * configuration (default: a {@code KafkaProducer}; a producer configured differently, or a
         * test's {@code MockProducer}).
         */
        public Builder<V, VR> deadLetterProducer(Function<Map<String, Object>, Producer<byte[], byte[]>> producers) {
            this.deadLetterProducer = Objects.requireNonNull(producers, "producers");
            return this;
        }

        /** The serde of record keys, for the buffer store (default: the application's default.key.serde). */
        public Builder<V, VR> keySerde(Serde<?> serde) {
            this.keySerde = Objects.requireNonNull(serde, "serde");
            return this;
        }

        /**
         * The serde of record values, for the buffer store (default: the format's for JSON, else
         * the application's default.value.serde).
         */
        public Builder<V, VR> valueSerde(Serde<V> serde) {
            this.valueSerde = Objects.requireNonNull(serde, "serde");
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
            BatchSettings.check(minBatchSize, maxBatchSize);
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
            b.maxBatchSize = maxBatchSize;
            b.minBatchSize = minBatchSize;
            b.maxLatency = maxLatency;
            b.errorPolicy = errorPolicy;
            b.deadLetterProducer = deadLetterProducer;
            b.keySerde = keySerde;
            b.valueSerde = valueSerde;
            b.name = name;
            return b;
        }
    }
}
