package io.jarrow.examples.fraud;

import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads a scores topic on its own thread ({@code read_committed}, or {@code read_uncommitted} to
 * see when scores are written rather than when their transaction commits): which transactions were scored,
 * when, and how well. A transaction scored twice counts once ({@link #duplicates()} counts the
 * repeats). Records with an id from {@code latencyFrom} on are the paced stream's: their latency
 * is the time from the input record's timestamp (which the scored record keeps) to its arrival here.
 */
public final class ScoresReader extends Thread implements AutoCloseable {
    private final KafkaConsumer<String, String> consumer;
    private final String topic;
    private final BitSet seen = new BitSet();
    private final List<Long> latencies = new ArrayList<>();
    private final int latencyFrom;
    private volatile boolean running = true;
    private volatile Throwable failure;
    private long firstNanos;
    private long lastBacklogNanos;
    private int total;
    private int duplicates;
    private int fraud;
    private int caught;
    private int falseAlarms;

    /** A {@code read_committed} reader. */
    public ScoresReader(String bootstrap, String topic, int latencyFrom) {
        this(bootstrap, topic, latencyFrom, true);
    }

    public ScoresReader(String bootstrap, String topic, int latencyFrom, boolean committed) {
        super("scores-reader");
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "jarrow-fraud-demo-reader-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, committed ? "read_committed" : "read_uncommitted");
        this.consumer = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer());
        this.topic = topic;
        this.latencyFrom = latencyFrom;
        setDaemon(true);
    }

    /** The transaction id of a scored record ({@code {"id":123,...}}, as the demos write it). */
    public static int id(String scored) {
        int at = scored.indexOf("\"id\":") + 5;
        return Integer.parseInt(scored.substring(at, scored.indexOf(',', at)).trim());
    }

    public static long percentile(long[] sorted, double p) {
        return sorted.length == 0 ? 0 : sorted[Math.min(sorted.length - 1, (int) (p * sorted.length))];
    }

    @Override
    public void run() {
        try {
            consumer.subscribe(List.of(topic));
            while (running) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(50))) {
                    accept(record);
                }
            }
        } catch (Throwable t) {
            failure = t;
        } finally {
            consumer.close();
        }
    }

    private synchronized void accept(ConsumerRecord<String, String> record) {
        long now = System.nanoTime();
        String value = record.value();
        int id = id(value);
        if (seen.get(id)) {
            duplicates++;
            return;
        }
        seen.set(id);
        if (firstNanos == 0) {
            firstNanos = now;
        }
        if (id < latencyFrom) {
            lastBacklogNanos = now;
        } else {
            latencies.add(System.currentTimeMillis() - record.timestamp());
        }
        boolean isFraud = value.contains("\"is_fraud\":true");
        boolean flagged = value.contains("\"flagged\":true");
        total++;
        fraud += isFraud ? 1 : 0;
        caught += isFraud && flagged ? 1 : 0;
        falseAlarms += !isFraud && flagged ? 1 : 0;
    }

    /** How many distinct transactions with ids in [from, to) were read. */
    public synchronized int distinct(int from, int to) {
        return seen.get(from, to).cardinality();
    }

    /** Waits until every transaction with an id in [from, to) was read, calling {@code progress} on the way. */
    public void awaitAll(int from, int to, java.util.function.IntConsumer progress) throws InterruptedException {
        int done;
        while ((done = distinct(from, to)) < to - from) {
            progress.accept(done);
            check();
            Thread.sleep(20);
        }
        progress.accept(done);
    }

    /** Throws if reading failed. */
    public void check() {
        if (failure != null) {
            throw new IllegalStateException("reading the scores failed", failure);
        }
    }

    /** Seconds from the first scored record read to the last one below {@code latencyFrom}. */
    public synchronized double backlogSeconds() {
        return (lastBacklogNanos - firstNanos) / 1e9;
    }

    public synchronized long[] latenciesMs() {
        return latencies.stream().mapToLong(Long::longValue).sorted().toArray();
    }

    public synchronized int total() { return total; }
    public synchronized int duplicates() { return duplicates; }
    public synchronized int fraud() { return fraud; }
    public synchronized int caught() { return caught; }
    public synchronized int falseAlarms() { return falseAlarms; }

    /** The line the demos end with: how much fraud was caught, and how many false alarms. */
    public synchronized String fraudSummary() {
        return String.format("Fraud caught: %,d of %,d (%.1f%%); %,d false alarms (%.3f%% of legitimate transactions)",
                caught, fraud, 100.0 * caught / Math.max(1, fraud),
                falseAlarms, 100.0 * falseAlarms / Math.max(1, total - fraud));
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        join(10_000);
    }
}
