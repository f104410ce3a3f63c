import io.jarrow.PythonConfig;
import io.jarrow.PythonRuntime;
import io.jarrow.examples.fraud.FraudApp;
import io.jarrow.examples.fraud.FraudTopology;
import io.jarrow.examples.fraud.LocalKafka;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.UnaryOperator;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;

/**
 * The demo's topology, one stream thread. Full load, records/s: on Kafka Streams'
 * TopologyTestDriver (no broker; it commits after every record) through PythonProcessor at
 * several batch sizes, through one PemJa call per record (how it is done today), and through a
 * Java-only topology (the driver's own ceiling); then the same on a real single-node broker
 * started here (sharing this machine's cores). Paced, end-to-end latency on the real broker at
 * steady rates, jarrow against the Java-only topology. One mode per JVM (two CPythons must not
 * share a process, and a mode measured after others in one JVM measures what they left: heap,
 * JIT state): {@code java KafkaBench <mode> <transactions.jsonl> <fraud_model dir> <model file>},
 * mode one of {@code baseline} (Java-only), {@code jarrow-fixed} (fixed batches of 1024), {@code
 * jarrow-adaptive} (adaptive batches of up to 1024), {@code jarrow-sweep} (fixed batches of 1 to
 * 4096, driver only), {@code pemja}, {@code paced-baseline}, {@code paced-jarrow}, {@code
 * paced-jarrow-fixed}. Prints {@code name records_per_second} lines (full load), or
 * {@code setting name value} and {@code paced_<rate> ...} lines (paced).
 */
public final class KafkaBench {
    /**
     * On the driver, each mode streams this long before it is measured: a JVM's first seconds run
     * cold code (fixed batches of 1024, its own JVM, 3 s windows: 12k records/s in the first, 117k
     * in the second, then 120-180k, varying with the machine's load, for the next 80 s).
     */
    static final Duration WARM_UP = Duration.ofSeconds(15);
    static final Duration MEASURE = Duration.ofSeconds(5);
    static final int PARTITIONS = 2;

    static final int[] PACED_RATES = {1_000, 10_000, 50_000};
    static final Duration PACED_WARM_UP = Duration.ofSeconds(3);
    /**
     * Before the first rate, a stream at {@link #JIT_WARM_UP_RATE} for this long, not measured: for
     * about a minute after they start, this JVM's and the broker's C2 compiler threads take 30-48%
     * of a core each, most of this machine's two, and a rate measured then measures the compilers
     * (Java-only at 1k/s: p50 20 ms, p99 56 ms cold; 5 ms and 10 ms once they are done).
     */
    static final Duration JIT_WARM_UP = Duration.ofSeconds(40);
    static final int JIT_WARM_UP_RATE = 10_000;
    static final int JIT_WARM_UP_RECORDS = records(JIT_WARM_UP_RATE, JIT_WARM_UP);
    /** The measured window at a rate: at least 5,000 records, so that a p99 rests on 50 or more. */
    static Duration pacedWindow(int rate) {
        return Duration.ofSeconds(rate <= 1_000 ? 6 : 5);
    }

    // The batch settings are chosen in these two places only.

    /**
     * Fixed batches of {@code size} (minBatchSize = maxBatchSize: a batch waits for company, up to
     * half {@code maxLatency}), how jarrow batched before batching was adaptive.
     */
    static FraudTopology.Settings fixedBatches(int size, Duration maxLatency) {
        return new FraudTopology.Settings(size, size, maxLatency, false);
    }

    /**
     * The demo's settings ({@link FraudTopology.Settings#defaults()}) without its dead-letter
     * topic: adaptive batches of up to 1024 records.
     */
    static final FraudTopology.Settings DEMO_BATCHES = new FraudTopology.Settings(1024, Duration.ofMillis(50), false);

    /** The same cap, in fixed batches: the figure adaptive batching must not fall below. */
    static final FraudTopology.Settings FIXED_BATCHES = fixedBatches(1024, Duration.ofMillis(50));

    public static void main(String[] args) {
        try {
            run(args);
        } catch (Throwable t) {
            // A lost record or a failed run must fail the bench, not leave the JVM waiting on
            // Kafka's threads.
            t.printStackTrace();
            System.exit(1);
        }
        System.exit(0);
    }

    static void run(String[] args) throws Exception {
        String mode = args[0];
        List<String> transactions = Files.readAllLines(Path.of(args[1]));
        Path pythonDir = Path.of(args[2]);
        String model = args[3];
        switch (mode) {
            case "jarrow-sweep" -> {
                PythonRuntime python = fraudModel(pythonDir, model);
                for (int batch : new int[] {1, 64, 256, 4096}) {
                    Topology topology = FraudTopology.build(python, fixedBatches(batch, Duration.ofHours(1)), "in", "out");
                    System.out.printf("jarrow_batch_%d %.0f%n", batch, recordsPerSecond(topology, transactions));
                }
            }
            case "jarrow-fixed" -> fullLoad(fraudModel(pythonDir, model), "batch_1024",
                    fixedBatches(1024, Duration.ofHours(1)), FIXED_BATCHES, transactions);
            case "jarrow-adaptive" -> fullLoad(fraudModel(pythonDir, model), "adaptive_1024", DEMO_BATCHES, DEMO_BATCHES,
                    transactions);
            case "pemja" -> {
                pemja.core.PythonInterpreter interpreter = new pemja.core.PythonInterpreter(
                        pemja.core.PythonInterpreterConfig.newBuilder()
                                .setPythonExec(System.getProperty("bench.python"))
                                // PemJa does not see a venv's site-packages by itself: add them.
                                .addPythonPaths(pythonDir.toString(), System.getProperty("bench.dir"),
                                        System.getProperty("bench.site.packages"))
                                .build());
                interpreter.exec("from pemja_fraud import prepare, score_one");
                interpreter.invoke("prepare", model);
                Topology topology = perRecord(value -> (String) interpreter.invoke("score_one", value));
                System.out.printf("pemja_per_record %.0f%n", recordsPerSecond(topology, transactions));
                System.out.printf("broker_pemja_per_record %.0f%n", onBroker(topology, transactions, 10_000, 20_000));
            }
            case "baseline" -> {
                System.out.printf("java_only %.0f%n", recordsPerSecond(javaOnly(), transactions));
                System.out.printf("broker_java_only %.0f%n", onBroker(javaOnly(), transactions, 500_000, 1_000_000));
            }
            case "paced-jarrow" -> {
                PythonRuntime python = fraudModel(pythonDir, model);
                paced(FraudTopology.build(python, DEMO_BATCHES, "in", "out"), "jarrow " + DEMO_BATCHES, transactions);
            }
            case "paced-jarrow-fixed" -> {
                PythonRuntime python = fraudModel(pythonDir, model);
                paced(FraudTopology.build(python, FIXED_BATCHES, "in", "out"), "jarrow " + FIXED_BATCHES, transactions);
            }
            case "paced-baseline" -> paced(javaOnly(), "Java-only", transactions);
            default -> throw new IllegalArgumentException("unknown mode " + mode);
        }
    }

    /**
     * Full load through PythonProcessor on the driver, then on a broker: prints {@code
     * jarrow_<name>} and {@code broker_jarrow_<name>}.
     */
    static void fullLoad(PythonRuntime python, String name, FraudTopology.Settings onDriver,
            FraudTopology.Settings onBroker, List<String> transactions) throws Exception {
        System.out.printf("jarrow_%s %.0f%n", name,
                recordsPerSecond(FraudTopology.build(python, onDriver, "in", "out"), transactions));
        System.out.printf("broker_jarrow_%s %.0f%n", name,
                onBroker(FraudTopology.build(python, onBroker, "in", "out"), transactions, 500_000, 1_000_000));
    }

    static PythonRuntime fraudModel(Path pythonDir, String model) {
        PythonRuntime python = PythonRuntime.start(PythonConfig.builder().addPythonPath(pythonDir).build());
        python.function("fraud_model:prepare").call(model);
        return python;
    }

    /** The ceiling: the same topology shape with a processor that does next to nothing. */
    static Topology javaOnly() {
        return perRecord(value -> value.substring(0, value.indexOf(',')));
    }

    /**
     * Produces {@code warmUp + n} transactions to a fresh broker, then runs the topology (one
     * stream thread, the demo's configuration) and reads its output: records/s over the last
     * {@code n} output records (the first ones warm up the broker's and this JVM's JIT compilers,
     * which otherwise take a third of the machine).
     */
    static double onBroker(Topology topology, List<String> transactions, int warmUp, int n) throws Exception {
        int total = warmUp + n;
        try (LocalKafka kafka = LocalKafka.start()) {
            kafka.createTopics(PARTITIONS, "in", "out");
            Properties producerProps = new Properties();
            producerProps.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
            producerProps.put(ProducerConfig.LINGER_MS_CONFIG, 5);
            producerProps.put(ProducerConfig.BATCH_SIZE_CONFIG, 512 * 1024);
            try (KafkaProducer<String, String> producer =
                    new KafkaProducer<>(producerProps, new StringSerializer(), new StringSerializer())) {
                for (int i = 0; i < total; i++) {
                    producer.send(new ProducerRecord<>("in", "card-" + (i % 50_000), transactions.get(i % transactions.size())));
                }
            }
            Properties consumerProps = new Properties();
            consumerProps.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
            consumerProps.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-reader");
            consumerProps.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            Path state = Files.createTempDirectory("kafka-bench-state-");
            try (KafkaStreams streams = new KafkaStreams(topology, FraudApp.config(kafka.bootstrapServers(), "kafka-bench", state, false));
                 KafkaConsumer<String, String> consumer =
                         new KafkaConsumer<>(consumerProps, new StringDeserializer(), new StringDeserializer())) {
                consumer.subscribe(List.of("out"));
                streams.start();
                long read = 0;
                long start = 0;
                long startRead = 0;
                long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
                while (read < total) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("only " + read + " of " + total + " records came out");
                    }
                    read += consumer.poll(Duration.ofMillis(100)).count();
                    if (start == 0 && read >= warmUp) {
                        start = System.nanoTime();
                        startRead = read;
                    }
                }
                return (read - startRead) / ((System.nanoTime() - start) / 1e9);
            }
        }
    }

    /**
     * End-to-end latency on a fresh broker, one stream thread, the demo's configuration (and the
     * bench's overrides, if any, the same for every mode): after {@link #JIT_WARM_UP} at {@link
     * #JIT_WARM_UP_RATE}, not measured, for each rate a producer sends
     * transactions at that steady rate, a warm-up and then the measured window, each record's
     * timestamp its send time and its number in a header; a reader records, per output record,
     * when it is read minus its timestamp (Kafka Streams keeps the input's timestamp and headers
     * on a processValues output). Prints the settings in force, then one line per rate:
     * {@code paced_<rate> sent read duplicates p50_ms p99_ms max_ms sender_late_max_ms sent_per_s}. A record
     * of a window that does not come out fails the run.
     */
    static void paced(Topology topology, String processor, List<String> transactions) throws Exception {
        Map<String, String> overrides = overrides(System.getProperty("bench.streams.overrides", ""));
        int total = JIT_WARM_UP_RECORDS;
        for (int rate : PACED_RATES) {
            total += records(rate, PACED_WARM_UP) + records(rate, pacedWindow(rate));
        }
        try (LocalKafka kafka = LocalKafka.start()) {
            kafka.createTopics(PARTITIONS, "in", "out");
            Properties config = FraudApp.config(kafka.bootstrapServers(), "kafka-bench-paced",
                    Files.createTempDirectory("kafka-bench-state-"), false);
            config.putAll(overrides);
            Properties input = new Properties();
            input.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
            // Sent at once: the input side adds no wait of its own to the figures.
            input.put(ProducerConfig.LINGER_MS_CONFIG, 0);
            printSettings(processor, config, overrides, input);
            try (OutputReader reader = new OutputReader(kafka.bootstrapServers(), "out", total);
                 KafkaProducer<String, String> producer = new KafkaProducer<>(input, new StringSerializer(), new StringSerializer());
                 KafkaStreams streams = new KafkaStreams(topology, config)) {
                CountDownLatch running = new CountDownLatch(1);
                streams.setStateListener((now, before) -> {
                    if (now == KafkaStreams.State.RUNNING) {
                        running.countDown();
                    }
                });
                streams.start();
                if (!running.await(1, TimeUnit.MINUTES)) {
                    throw new IllegalStateException("Kafka Streams is not running after a minute: " + streams.state());
                }
                reader.start();
                int next = new Pacer(producer, transactions, JIT_WARM_UP_RATE).send(0, JIT_WARM_UP_RECORDS);
                for (int rate : PACED_RATES) {
                    next = new Pacer(producer, transactions, rate).send(next, records(rate, PACED_WARM_UP));
                    Pacer window = new Pacer(producer, transactions, rate);
                    int end = window.send(next, records(rate, pacedWindow(rate)));
                    producer.flush();
                    window.check();
                    reader.awaitAll(next, end, Duration.ofSeconds(30), rate);
                    int[] latencies = reader.latenciesMs(next, end);
                    System.out.printf("paced_%d %d %d %d %d %d %d %.1f %.0f%n", rate, end - next, latencies.length,
                            reader.duplicates(next, end), percentile(latencies, 0.50), percentile(latencies, 0.99),
                            latencies[latencies.length - 1], window.maxBehindMs(), window.sentPerSecond());
                    next = end;
                }
                reader.check();
            }
        }
    }

    static int records(int rate, Duration time) {
        return (int) (rate * time.toMillis() / 1000);
    }

    static int percentile(int[] sorted, double p) {
        return sorted[Math.min(sorted.length - 1, (int) (p * sorted.length))];
    }

    /** {@code name=value,name=value} (Kafka Streams properties, prefixes included), in order. */
    static Map<String, String> overrides(String spec) {
        Map<String, String> overrides = new LinkedHashMap<>();
        for (String item : spec.split(",")) {
            if (!item.isBlank()) {
                String[] kv = item.split("=", 2);
                if (kv.length != 2) {
                    throw new IllegalArgumentException("a bench override is name=value, got " + item);
                }
                overrides.put(kv[0].trim(), kv[1].trim());
            }
        }
        return overrides;
    }

    /**
     * The settings that bound latency, as the stream thread, its producer and its consumer will
     * see them (defaults included): {@code setting name value} lines.
     */
    static void printSettings(String processor, Properties config, Map<String, String> overrides, Properties input) {
        StreamsConfig streams = new StreamsConfig(config);
        // Kafka Streams adds the (de)serializers itself when it creates its clients.
        Map<String, Object> producerConfigs = new HashMap<>(streams.getProducerConfigs("bench"));
        producerConfigs.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        producerConfigs.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        Map<String, ?> producer = new ProducerConfig(producerConfigs).values();
        Map<String, Object> consumerConfigs = new HashMap<>(streams.getMainConsumerConfigs("bench", "bench", 0));
        consumerConfigs.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        consumerConfigs.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        Map<String, ?> consumer = new ConsumerConfig(consumerConfigs).values();
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("processor", processor);
        settings.put("partitions", PARTITIONS);
        settings.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, streams.getInt(StreamsConfig.NUM_STREAM_THREADS_CONFIG));
        settings.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, streams.getString(StreamsConfig.PROCESSING_GUARANTEE_CONFIG));
        settings.put(StreamsConfig.POLL_MS_CONFIG, streams.getLong(StreamsConfig.POLL_MS_CONFIG));
        settings.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, streams.getLong(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG));
        for (String name : List.of(ProducerConfig.LINGER_MS_CONFIG, ProducerConfig.BATCH_SIZE_CONFIG, ProducerConfig.ACKS_CONFIG)) {
            settings.put("producer." + name, producer.get(name));
        }
        for (String name : List.of(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, ConsumerConfig.FETCH_MIN_BYTES_CONFIG,
                ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG)) {
            settings.put("consumer." + name, consumer.get(name));
        }
        settings.put("bench.overrides", overrides.isEmpty() ? "none" : overrides.toString());
        settings.put("input.linger.ms", input.get(ProducerConfig.LINGER_MS_CONFIG));
        settings.put("jit.warm.up", JIT_WARM_UP.toSeconds() + " s at " + JIT_WARM_UP_RATE + "/s");
        if ("-1".equals(String.valueOf(settings.get("producer.acks")))) {
            settings.put("producer.acks", "all");
        }
        settings.forEach((name, value) -> System.out.printf("setting %s %s%n", name, value));
    }

    /**
     * Sends transactions at a steady rate by the clock: the records due by now are sent, then the
     * thread sleeps until the next is due (at most 1 ms), so the pace does not drift with the time
     * a send takes. Each record's timestamp is its send time; its number is in header {@code n}.
     */
    static final class Pacer {
        private final KafkaProducer<String, String> producer;
        private final List<String> transactions;
        private final int rate;
        private volatile Exception failure;
        private long maxBehindNanos;
        private double sentPerSecond;

        Pacer(KafkaProducer<String, String> producer, List<String> transactions, int rate) {
            this.producer = producer;
            this.transactions = transactions;
            this.rate = rate;
        }

        /** Sends records {@code first} to {@code first + n - 1}; returns {@code first + n}. */
        int send(int first, int n) {
            long begin = System.nanoTime();
            int sent = 0;
            while (sent < n) {
                long now = System.nanoTime();
                int due = (int) Math.min(n, (now - begin) * rate / 1_000_000_000L + 1);
                if (sent < due) {
                    maxBehindNanos = Math.max(maxBehindNanos, now - dueAt(begin, sent));
                }
                for (; sent < due; sent++) {
                    int number = first + sent;
                    ProducerRecord<String, String> record = new ProducerRecord<>("in", null, System.currentTimeMillis(),
                            "card-" + (number % 50_000), transactions.get(number % transactions.size()),
                            List.<Header>of(new RecordHeader("n", ByteBuffer.allocate(4).putInt(number).array())));
                    producer.send(record, (metadata, e) -> {
                        if (e != null) {
                            failure = e;
                        }
                    });
                }
                long wait = Math.min(dueAt(begin, sent) - System.nanoTime(), 1_000_000);
                if (sent < n && wait > 0) {
                    LockSupport.parkNanos(wait);
                }
            }
            sentPerSecond = n / ((System.nanoTime() - begin) / 1e9);
            return first + n;
        }

        private long dueAt(long begin, int record) {
            return begin + record * 1_000_000_000L / rate;
        }

        /** How late the latest send was against its due time: whether the pace was kept. */
        double maxBehindMs() {
            return maxBehindNanos / 1e6;
        }

        /** The rate held over the last {@link #send}. */
        double sentPerSecond() {
            return sentPerSecond;
        }

        void check() {
            if (failure != null) {
                throw new IllegalStateException("sending the paced transactions failed", failure);
            }
        }
    }

    /**
     * Reads the output topic from its beginning on its own thread (assigned, not subscribed: no
     * group to join) and keeps, per record number, when it was first read minus its timestamp.
     */
    static final class OutputReader extends Thread implements AutoCloseable {
        private final KafkaConsumer<byte[], byte[]> consumer;
        private final int[] latencyMs;
        private final BitSet seen;
        private final BitSet duplicated;
        private volatile boolean running = true;
        private volatile Throwable failure;

        OutputReader(String bootstrap, String topic, int records) {
            super("bench-output-reader");
            Properties props = new Properties();
            props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            this.consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
            List<TopicPartition> partitions = new ArrayList<>();
            consumer.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            // The seek happens now, not at the first poll of the measured run.
            partitions.forEach(consumer::position);
            this.latencyMs = new int[records];
            this.seen = new BitSet(records);
            this.duplicated = new BitSet(records);
            setDaemon(true);
        }

        @Override
        public void run() {
            try {
                while (running) {
                    ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(20));
                    accept(records, System.currentTimeMillis());
                }
            } catch (Throwable t) {
                failure = t;
            } finally {
                consumer.close();
            }
        }

        private synchronized void accept(ConsumerRecords<byte[], byte[]> records, long now) {
            for (ConsumerRecord<byte[], byte[]> record : records) {
                Header n = record.headers().lastHeader("n");
                if (n == null || record.timestampType() != TimestampType.CREATE_TIME) {
                    throw new IllegalStateException("an output record without its input's number or send time: "
                            + record.timestampType() + ", headers " + record.headers());
                }
                int number = ByteBuffer.wrap(n.value()).getInt();
                if (seen.get(number)) {
                    duplicated.set(number);
                    continue;
                }
                seen.set(number);
                latencyMs[number] = (int) (now - record.timestamp());
            }
        }

        /** Waits until every record of {@code [from, to)} was read, at most {@code timeout}. */
        void awaitAll(int from, int to, Duration timeout, int rate) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (read(from, to) < to - from) {
                check();
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("lost records: " + read(from, to) + " of the " + (to - from) + " sent at "
                            + rate + "/s came out within " + timeout.toSeconds() + " s after the last was sent");
                }
                Thread.sleep(10);
            }
        }

        private synchronized int read(int from, int to) {
            return seen.get(from, to).cardinality();
        }

        synchronized int[] latenciesMs(int from, int to) {
            int[] latencies = Arrays.copyOfRange(latencyMs, from, to);
            Arrays.sort(latencies);
            return latencies;
        }

        /** How many records of {@code [from, to)} were read more than once. */
        synchronized int duplicates(int from, int to) {
            return duplicated.get(from, to).cardinality();
        }

        void check() {
            if (failure != null) {
                throw new IllegalStateException("reading the output failed", failure);
            }
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            join(10_000);
        }
    }

    /** A topology that turns each value into {@code score(value)}, one record at a time. */
    static Topology perRecord(UnaryOperator<String> score) {
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream("in", Consumed.with(Serdes.String(), Serdes.String()))
                .processValues(() -> new FixedKeyProcessor<String, String, String>() {
                    private FixedKeyProcessorContext<String, String> context;

                    @Override
                    public void init(FixedKeyProcessorContext<String, String> context) {
                        this.context = context;
                    }

                    @Override
                    public void process(FixedKeyRecord<String, String> record) {
                        context.forward(record.withValue(score.apply(record.value())));
                    }
                })
                .to("out", Produced.with(Serdes.String(), Serdes.String()));
        return builder.build();
    }

    /** Pipes transactions through the topology for a while; records/s, all outputs read. */
    static double recordsPerSecond(Topology topology, List<String> transactions) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "jarrow-kafka-bench");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:1");
        try (TopologyTestDriver driver = new TopologyTestDriver(topology, props)) {
            TestInputTopic<String, String> in = driver.createInputTopic("in", new StringSerializer(), new StringSerializer());
            TestOutputTopic<String, String> out = driver.createOutputTopic("out", new StringDeserializer(), new StringDeserializer());
            run(driver, in, out, transactions, WARM_UP);
            long start = System.nanoTime();
            long records = run(driver, in, out, transactions, MEASURE);
            return records / ((System.nanoTime() - start) / 1e9);
        }
    }

    /**
     * Empties the driver's queues of the other topics written (the buffer store's changelog):
     * it keeps every record sent to a topic until read, and would otherwise fill the heap.
     */
    static void drainOtherTopics(TopologyTestDriver driver) {
        for (String topic : driver.producedTopicNames()) {
            if (!topic.equals("out")) {
                driver.createOutputTopic(topic, new ByteArrayDeserializer(), new ByteArrayDeserializer()).readRecordsToList();
            }
        }
    }

    static long run(TopologyTestDriver driver, TestInputTopic<String, String> in, TestOutputTopic<String, String> out,
            List<String> transactions, Duration time) {
        long end = System.nanoTime() + time.toNanos();
        long piped = 0;
        long read = 0;
        while (System.nanoTime() < end) {
            for (int i = 0; i < 4096; i++, piped++) {
                String t = transactions.get((int) (piped % transactions.size()));
                in.pipeInput("card-" + (piped % 50_000), t);
            }
            read += out.readValuesToList().size();
            drainOtherTopics(driver);
        }
        // What is still buffered is flushed and counted: every piped record was scored.
        driver.advanceWallClockTime(Duration.ofHours(2));
        read += out.readValuesToList().size();
        if (read != piped) {
            throw new IllegalStateException("piped " + piped + " records but read " + read);
        }
        return piped;
    }
}
