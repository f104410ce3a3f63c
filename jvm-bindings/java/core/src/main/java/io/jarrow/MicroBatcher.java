package io.jarrow;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scores a stream's records with a Python function in micro-batches, for any stream processor:
 * the engine-neutral core under the Kafka Streams and Flink adapters. The engine drives it from
 * its own thread with three calls: {@link #add} (a record arrived), {@link #poll} (time passed:
 * call it every {@link #pollInterval()}) and {@link #flush} (a commit, a checkpoint barrier, the
 * end of input). It hands the scored records back through its {@link Output}, on that same thread,
 * inside those calls, in input order.
 *
 * <p><b>Adaptive batching.</b> A batch is scored as soon as the scorer is free and rested: it
 * holds what arrived since the previous call began, up to {@code maxBatchSize} records. Under load
 * the records that arrive while Python scores a batch make the next one, so batches grow to the
 * cap by themselves; when the stream is quiet a record is scored almost at once. Between two
 * calls the scorer rests three times the CPU time the last call took (unless a batch is full, or
 * has waited half {@code maxLatency}), so that below full load it uses a quarter of a core at
 * most rather than spend cores the engine needs on many small calls (every call has a fixed
 * price in Python): batches then grow with the cost of a call, up to the cap. A batch is scored
 * on a scoring thread while the engine goes on adding records, one batch at a time, and handed
 * back by the next {@link #add} or {@link #poll} after its call; a poll with nothing waiting
 * behind a small batch in flight waits for its call rather than leave it till the next. Nothing
 * waits longer than {@code maxLatency} plus the call before it: a {@link #poll} hands back a batch
 * whose records have waited half of it, waiting for its call to end. {@code minBatchSize}
 * (default 1) makes a partial batch wait for company, up to half {@code maxLatency}; {@code
 * minBatchSize == maxBatchSize} gives fixed batches.
 *
 * <p>A record whose value is null (a Kafka tombstone) is handed back in its place with a null
 * result, without a Python call. A function that raises, or a value it cannot take, is handled by
 * the {@link ErrorPolicy}: the failing batch is split in two until the records that fail on their
 * own are found; under {@link ErrorPolicy#fail()} the first failure is thrown (a {@link
 * JarrowException} naming the batch, with the error as its cause) from the call that hands its
 * batch back.
 *
 * <p>Not thread-safe: one engine thread drives it. {@link #close} waits for a batch being scored
 * and frees the format's native state; a call after close throws {@link IllegalStateException}.
 *
 * @param <R> the engine's record type
 * @param <V> the value type the {@link ValueFormat} reads
 * @param <VR> the result type it makes
 */
public final class MicroBatcher<R, V, VR> implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MicroBatcher.class);

    /**
     * Batches smaller than this may be scored in place: handing them to a scoring thread and back
     * costs more than the engine's thread would do meanwhile.
     */
    static final int IN_PLACE_BELOW = 16;

    /**
     * Between two calls the scorer rests at least this many times the CPU time the last call took
     * (unless a batch is full, or has waited half {@code maxLatency}): below full load it uses a
     * quarter of a core at most, and batches grow with the cost of a call. CPU time, not wall
     * time: on a busy machine a call of 1 ms of CPU can take ten times that while other threads
     * run, and a rest counted from it would make the next records wait as long again (measured on
     * the paced Kafka bench, two cores shared by the broker, Kafka Streams and Python: 6 times the
     * CPU time gave p99 28-37 ms at 1k/s and 37-62 ms at 10k/s, 20 times the wall time 38-89 and
     * 53-87; 3 times the wall time fell behind at 50k/s). Three times rather than six: in three
     * interleaved rounds of that bench, p99 at 1k/s 16-17 ms against 19-26, at 10k/s and 50k/s
     * the same within the rounds' spread (25-32 against 28-37, 45-57 against 39-70), no rate left
     * behind; twice did no better.
     */
    static final long REST_CALLS = 3;

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final boolean CPU_TIME = THREADS.isCurrentThreadCpuTimeSupported();

    /** The longest {@link #pollInterval()}: short, so a quiet stream's last batch is not held. */
    static final Duration MAX_POLL_INTERVAL = Duration.ofMillis(5);

    /**
     * Scoring threads, shared by all batchers (daemons: they never hold the JVM up). Their context
     * class loader is jarrow's, not that of the thread that happened to start one: a pool thread
     * outlives it (a Flink job's thread, whose loader closes with the job), and must not hold it.
     */
    private static final ExecutorService SCORING = Executors.newCachedThreadPool(new java.util.concurrent.ThreadFactory() {
        private final AtomicInteger count = new AtomicInteger();

        @Override
        public Thread newThread(Runnable r) {
            Thread t = new Thread(r, "jarrow-scoring-" + count.incrementAndGet());
            t.setDaemon(true);
            t.setContextClassLoader(MicroBatcher.class.getClassLoader());
            return t;
        }
    });

    /** Where scored records go, on the engine's thread. */
    public interface Output<R, VR> {
        /** A scored record, in input order; {@code result} is null for a record with a null value. */
        void forward(R record, VR result);

        /**
         * Every record of {@code batch} is forwarded or given to the error policy (an engine that
         * keeps records until they are done, as Kafka's buffer store does, lets them go here).
         */
        default void completed(List<R> batch) {}
    }

    /** Takes records that failed on their own under {@link ErrorPolicy#deadLetter}. */
    public interface DeadLetters<R> {
        /** Sends the failures and returns once they are acknowledged; throws if they cannot be. */
        void send(List<Failure<R>> failures);
    }

    /** Counts what the batcher does (for an engine's metrics); the default counts nothing. */
    public interface Metrics {
        Metrics NONE = new Metrics() {};

        /** One Python call on {@code rows} rows that took {@code nanos}; runs on a scoring thread. */
        default void call(int rows, long nanos) {}

        /** Records handed back scored. */
        default void forwarded(int records) {}

        /** Records given to the error policy. */
        default void failed(int records) {}
    }

    /** A record that failed on its own, and its error. */
    public record Failure<R>(R record, RuntimeException error) {
        /** The Python exception type ({@code ValueError}), else {@code jarrow.<code>}, else the class. */
        public String errorType() {
            if (error instanceof PythonException python) {
                return python.pythonType();
            }
            return error instanceof JarrowException jarrow ? "jarrow." + jarrow.code() : error.getClass().getName();
        }

        /** The Python exception's message, else the error's. */
        public String errorMessage() {
            return error instanceof PythonException python ? python.pythonMessage() : String.valueOf(error.getMessage());
        }

        /** The Python traceback; empty for an error raised outside Python. */
        public String traceback() {
            return error instanceof PythonException python ? python.pythonTraceback() : "";
        }
    }

    private final String name;
    private final PythonFunction function;
    private final ValueFormat.Scorer<V, VR> scorer;
    private final Function<? super R, ? extends V> valueOf;
    private final Function<? super R, byte[]> bytesOf;
    private final Function<? super R, String> describe;
    private final Output<R, VR> output;
    private final ErrorPolicy policy;
    private final DeadLetters<R> deadLetters;
    private final Metrics metrics;
    private final LongSupplier clock;
    private final int maxBatchSize;
    private final int minBatchSize;
    private final long halfLatencyMillis;
    private final Duration pollInterval;

    /** The records that arrived since the batch in flight was taken, oldest first. */
    private List<R> filling = new ArrayList<>();
    /** When the first of them arrived (engine clock, ms). */
    private long fillingSince;
    /** The batch being scored, its size, and when its first record arrived (engine clock, ms). */
    private CompletableFuture<Scored<R>> inFlight;
    private int inFlightSize;
    private long inFlightSince;
    /**
     * The CPU time the last Python call took on its thread, and when it ended ({@link
     * System#nanoTime}; none yet: {@code Long.MIN_VALUE}); written on scoring threads.
     */
    private volatile long lastCallCpuNanos;
    private volatile long lastCallEnded = Long.MIN_VALUE;
    private boolean closed;

    private MicroBatcher(Builder<R, V, VR> b) {
        this.name = b.name != null ? b.name : b.function.name();
        this.function = b.function;
        this.valueOf = b.valueOf;
        this.bytesOf = b.bytesOf;
        this.describe = b.describe;
        this.output = Objects.requireNonNull(b.output, "output");
        this.policy = b.policy;
        this.deadLetters = b.deadLetters;
        this.metrics = b.metrics;
        this.clock = b.clock;
        this.maxBatchSize = b.maxBatchSize;
        this.minBatchSize = b.minBatchSize;
        this.halfLatencyMillis = Math.max(1, b.maxLatency.toMillis() / 2);
        Duration half = Duration.ofMillis(halfLatencyMillis);
        this.pollInterval = half.compareTo(MAX_POLL_INTERVAL) < 0 ? half : MAX_POLL_INTERVAL;
        this.scorer = b.format.open(function);
    }

    /**
     * A batcher scoring records with {@code function} on their values in {@code format};
     * {@code valueOf} reads a record's value.
     */
    public static <R, V, VR> Builder<R, V, VR> builder(PythonFunction function, ValueFormat<V, VR> format,
            Function<? super R, ? extends V> valueOf) {
        return new Builder<>(function, format, valueOf);
    }

    /** How often the engine should call {@link #poll}: half {@code maxLatency}, at most 5 ms. */
    public Duration pollInterval() {
        return pollInterval;
    }

    /** Records taken and not handed back yet: buffered, or in the batch being scored. */
    public int pending() {
        return filling.size() + (inFlight != null ? inFlightSize : 0);
    }

    /**
     * Records to score before any new one (an engine restoring what it kept across a restart):
     * buffered without a call, scored from the next {@link #add}, {@link #poll} or {@link #flush}.
     */
    public void restore(Collection<? extends R> records) {
        checkOpen();
        if (filling.isEmpty()) {
            startFilling();
        }
        filling.addAll(records);
    }

    /** A record arrived. Hands back the batch scored meanwhile, if any, and may start the next. */
    public void add(R record) {
        checkOpen();
        if (inFlight != null && inFlight.isDone()) {
            handBack();
        }
        if (filling.isEmpty()) {
            startFilling();
        }
        filling.add(record);
        if (filling.size() >= maxBatchSize) {
            if (inFlight != null) {
                handBack(); // the cap is reached: wait for the scorer (back-pressure)
            }
            submit(false);
        } else if (inFlight == null && filling.size() >= minBatchSize && rested()) {
            submit(false);
        }
        if (inFlight != null && inFlight.isDone()) {
            handBack();
        }
    }

    /**
     * Time passed (call it every {@link #pollInterval()}): hands back a batch that is scored, or
     * whose records have waited half {@code maxLatency} (waiting for its call), or that is small
     * while nothing arrived since (the stream is quiet: its records are not left waiting for the
     * next one); then scores what waits, if the scorer is free.
     */
    public void poll() {
        checkOpen();
        long now = clock.getAsLong();
        if (inFlight != null && (inFlight.isDone() || now - inFlightSince >= halfLatencyMillis || quietSmallInFlight())) {
            handBack();
        }
        if (inFlight == null && !filling.isEmpty()) {
            boolean due = now - fillingSince >= halfLatencyMillis;
            if (due || (filling.size() >= minBatchSize && rested())) {
                submit(due);
                if (inFlight.isDone() || quietSmallInFlight()) {
                    handBack();
                }
            }
        }
    }

    /** Scores everything pending and hands it back: a commit, a checkpoint barrier, the end. */
    public void flush() {
        checkOpen();
        if (inFlight != null) {
            handBack();
        }
        while (!filling.isEmpty()) {
            submit(true);
            handBack();
        }
    }

    /**
     * Waits for a batch being scored (its records are not handed back: an engine closing without
     * {@link #flush} keeps them for the restart) and frees the format's state. Closing twice is
     * harmless.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (inFlight != null) {
                try {
                    inFlight.join();
                } catch (RuntimeException ignored) {
                    // Its records were not handed back; the engine keeps them.
                }
                inFlight = null;
            }
        } finally {
            scorer.close();
        }
    }

    @Override
    public String toString() {
        return "MicroBatcher{" + name + ", maxBatchSize=" + maxBatchSize + ", minBatchSize=" + minBatchSize
                + ", maxLatency=" + Duration.ofMillis(2 * halfLatencyMillis) + ", " + policy + (closed ? ", closed}" : "}");
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("MicroBatcher " + name + " is closed");
        }
    }

    /**
     * Whether the scorer has rested long enough since its last call: {@value #REST_CALLS} times the
     * CPU time that call took (or half {@code maxLatency}, if less). A call costs Python a fixed
     * price, and the scorer's CPU is the engine's too: on a quiet stream a record is scored almost
     * at once, on a busy one batches grow with the cost of a call, up to the cap.
     */
    private boolean rested() {
        long ended = lastCallEnded;
        return ended == Long.MIN_VALUE || System.nanoTime() - ended >= restNanos();
    }

    /** How long the scorer rests after its last call, in ns. */
    long restNanos() {
        return Math.min(REST_CALLS * lastCallCpuNanos, halfLatencyMillis * 1_000_000L);
    }

    /** The records waiting from now on start a batch: latency is counted from here. */
    private void startFilling() {
        fillingSince = clock.getAsLong();
    }

    /**
     * Records a call that began at {@code start}, with the thread's CPU time {@code cpuStart} then.
     * Runs on the scoring thread.
     */
    private void called(int rows, long start, long cpuStart) {
        long end = System.nanoTime();
        long cpu = cpuNanos();
        metrics.call(rows, end - start);
        lastCallCpuNanos = cpu >= 0 && cpuStart >= 0 ? cpu - cpuStart : end - start;
        lastCallEnded = end;
    }

    /** The CPU time of the calling thread in ns; -1 if the JVM does not measure it. */
    private static long cpuNanos() {
        return CPU_TIME ? THREADS.getCurrentThreadCpuTime() : -1;
    }

    private boolean quietSmallInFlight() {
        return filling.isEmpty() && inFlightSize < IN_PLACE_BELOW;
    }

    /**
     * Takes up to {@code maxBatchSize} waiting records as a batch and scores it: in place when it
     * is handed back at once anyway ({@code handedBackNow}), or small and full (a tiny cap), else
     * on a scoring thread, so the engine's thread never waits for a call it could overlap. The
     * scorer must be free.
     */
    private void submit(boolean handedBackNow) {
        List<R> batch;
        if (filling.size() <= maxBatchSize) {
            batch = filling;
            filling = new ArrayList<>();
        } else {
            List<R> head = filling.subList(0, maxBatchSize);
            batch = new ArrayList<>(head);
            head.clear();
        }
        inFlightSize = batch.size();
        inFlightSince = fillingSince;
        startFilling();
        boolean small = batch.size() < IN_PLACE_BELOW;
        if (handedBackNow || (small && batch.size() >= maxBatchSize)) {
            try {
                inFlight = CompletableFuture.completedFuture(score(batch));
            } catch (RuntimeException e) {
                inFlight = CompletableFuture.failedFuture(e);
            }
        } else {
            inFlight = CompletableFuture.supplyAsync(() -> score(batch), SCORING);
        }
    }

    /** Waits for the batch in flight, gives its failures to the policy and forwards the rest. */
    private void handBack() {
        Scored<R> scored;
        try {
            scored = inFlight.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException cause ? cause : e;
        } finally {
            inFlight = null;
        }
        List<R> records = scored.records();
        List<Object> outcomes = scored.outcomes();
        List<Failure<R>> failures = new ArrayList<>();
        for (int i = 0; i < outcomes.size(); i++) {
            if (outcomes.get(i) instanceof Failed failed) {
                failures.add(new Failure<>(records.get(i), failed.error()));
            }
        }
        if (!failures.isEmpty()) {
            metrics.failed(failures.size());
            if (policy.kind() == ErrorPolicy.Kind.SKIP) {
                for (Failure<R> failure : failures) {
                    LOG.warn("{}: skipping {} ({}): {}", name, describe.apply(failure.record()), policy,
                            failure.error().getMessage());
                }
            } else {
                deadLetters.send(failures);
            }
        }
        for (int i = 0; i < outcomes.size(); i++) {
            Object outcome = outcomes.get(i);
            if (!(outcome instanceof Failed)) {
                @SuppressWarnings("unchecked")
                VR value = (VR) outcome;
                output.forward(records.get(i), value);
            }
        }
        metrics.forwarded(outcomes.size() - failures.size());
        output.completed(records);
    }

    /** One outcome per record: its result, null for a null value, or a {@link Failed}. */
    private Scored<R> score(List<R> records) {
        List<V> values = new ArrayList<>(records.size());
        List<byte[]> serialized = bytesOf != null ? new ArrayList<>(records.size()) : null;
        for (R record : records) {
            V value = valueOf.apply(record);
            if (value != null) {
                values.add(value);
                if (serialized != null) {
                    serialized.add(bytesOf.apply(record));
                }
            }
        }
        List<Object> scored = new ArrayList<>(values.size());
        if (!values.isEmpty()) {
            score(values, serialized, 0, values.size(), scored);
        }
        if (values.size() == records.size()) {
            return new Scored<>(records, scored);
        }
        List<Object> outcomes = new ArrayList<>(records.size());
        int next = 0;
        for (R record : records) {
            outcomes.add(valueOf.apply(record) == null ? null : scored.get(next++));
        }
        return new Scored<>(records, outcomes);
    }

    /**
     * Scores values {@code [from, to)}, appending one outcome per value: its result, or a {@link
     * Failed}. A failing range is split in two until the values that fail on their own are found;
     * under the fail policy, the first failure is thrown at once.
     */
    private void score(List<V> values, List<byte[]> serialized, int from, int to, List<Object> outcomes) {
        RuntimeException error;
        long start = System.nanoTime();
        long cpuStart = cpuNanos();
        try {
            List<VR> results = scorer.score(values.subList(from, to), serialized == null ? null : serialized.subList(from, to));
            called(to - from, start, cpuStart);
            if (results.size() != to - from) {
                throw new JarrowException("CONVERSION", function.name() + " gave " + results.size() + " results for "
                        + (to - from) + " values; expected one result per value");
            }
            outcomes.addAll(results);
            return;
        } catch (RuntimeException e) {
            called(to - from, start, cpuStart);
            error = e;
        }
        if (!isAboutTheRecords(error) || policy.kind() == ErrorPolicy.Kind.FAIL) {
            String message = name + ": " + function.name() + " failed on a batch of " + (to - from) + " records (error policy: "
                    + policy + "): " + error.getMessage();
            if (error instanceof JarrowException jarrow) {
                throw new JarrowException(jarrow.code(), message, error);
            }
            if (error instanceof IllegalStateException) {
                throw new IllegalStateException(message, error);
            }
            // A value format's own code (a RecordMapper) failed to convert the values.
            throw new JarrowException("CONVERSION", message, error);
        }
        if (to - from == 1) {
            outcomes.add(new Failed(error));
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

    /** A value that failed on its own. */
    private record Failed(RuntimeException error) {}

    /** A batch and its outcomes. */
    private record Scored<R>(List<R> records, List<Object> outcomes) {}

    /** Builds a {@link MicroBatcher}; the options are checked as they are set. */
    public static final class Builder<R, V, VR> {
        private final PythonFunction function;
        private final ValueFormat<V, VR> format;
        private final Function<? super R, ? extends V> valueOf;
        private Function<? super R, byte[]> bytesOf;
        private Function<? super R, String> describe = String::valueOf;
        private Output<R, VR> output;
        private String name;
        private int maxBatchSize = 1024;
        private int minBatchSize = 1;
        private Duration maxLatency = Duration.ofMillis(100);
        private ErrorPolicy policy = ErrorPolicy.fail();
        private DeadLetters<R> deadLetters;
        private Metrics metrics = Metrics.NONE;
        private LongSupplier clock = System::currentTimeMillis;

        private Builder(PythonFunction function, ValueFormat<V, VR> format, Function<? super R, ? extends V> valueOf) {
            this.function = Objects.requireNonNull(function, "function");
            this.format = Objects.requireNonNull(format, "format");
            this.valueOf = Objects.requireNonNull(valueOf, "valueOf");
        }

        /** Where scored records go (required). */
        public Builder<R, V, VR> output(Output<R, VR> output) {
            this.output = Objects.requireNonNull(output, "output");
            return this;
        }

        /** The name errors and logs give (default: the function's). */
        public Builder<R, V, VR> name(String name) {
            this.name = Objects.requireNonNull(name, "name");
            return this;
        }

        /** The most records one Python call gets (default 1024). */
        public Builder<R, V, VR> maxBatchSize(int records) {
            this.maxBatchSize = BatchSettings.maxBatchSize(records);
            return this;
        }

        /**
         * The fewest records a batch waits for, up to half {@code maxLatency} (default 1: a batch is
         * scored whenever the scorer is free). At most {@code maxBatchSize}, checked at build.
         */
        public Builder<R, V, VR> minBatchSize(int records) {
            this.minBatchSize = BatchSettings.minBatchSize(records);
            return this;
        }

        /** The longest a record waits, besides the call before its own (default 100 ms). */
        public Builder<R, V, VR> maxLatency(Duration latency) {
            this.maxLatency = BatchSettings.maxLatency(latency);
            return this;
        }

        /** What to do with records that cannot be scored (default: fail). */
        public Builder<R, V, VR> onError(ErrorPolicy policy) {
            this.policy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /** Where {@link ErrorPolicy#deadLetter} sends failures (required with that policy). */
        public Builder<R, V, VR> deadLetters(DeadLetters<R> deadLetters) {
            this.deadLetters = Objects.requireNonNull(deadLetters, "deadLetters");
            return this;
        }

        /** Counts calls, rows and failures (default: nothing). */
        public Builder<R, V, VR> metrics(Metrics metrics) {
            this.metrics = Objects.requireNonNull(metrics, "metrics");
            return this;
        }

        /** Each record's value bytes, when the engine has them already (see {@link ValueFormat.Scorer}). */
        public Builder<R, V, VR> serialized(Function<? super R, byte[]> bytesOf) {
            this.bytesOf = Objects.requireNonNull(bytesOf, "bytesOf");
            return this;
        }

        /** How logs name a record (default: {@code toString}). */
        public Builder<R, V, VR> describe(Function<? super R, String> describe) {
            this.describe = Objects.requireNonNull(describe, "describe");
            return this;
        }

        /** The engine's wall clock, in ms (default: the system's): latency is counted on it. */
        public Builder<R, V, VR> clock(LongSupplier millis) {
            this.clock = Objects.requireNonNull(millis, "millis");
            return this;
        }

        /** The batcher; it opens the format's scorer, freed by {@link MicroBatcher#close}. */
        public MicroBatcher<R, V, VR> build() {
            BatchSettings.check(minBatchSize, maxBatchSize);
            if (policy.kind() == ErrorPolicy.Kind.DEAD_LETTER && deadLetters == null) {
                throw new IllegalStateException("the error policy is " + policy + ", and no dead-letter sink was given");
            }
            return new MicroBatcher<>(this);
        }
    }
}
