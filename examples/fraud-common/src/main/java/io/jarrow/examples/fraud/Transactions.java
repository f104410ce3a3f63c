package io.jarrow.examples.fraud;

import io.jarrow.PythonFunction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The demos' input: synthetic card transactions (JSON, one per record, keyed by card) made by
 * {@code fraud_model:transactions_json} and produced to a topic, as a backlog or at a steady rate.
 */
public final class Transactions {
    private final PythonFunction generate;
    private final String bootstrap;

    /** {@code generate} is {@code fraud_model:transactions_json}. */
    public Transactions(PythonFunction generate, String bootstrap) {
        this.generate = generate;
        this.bootstrap = bootstrap;
    }

    /** Produces transactions {@code 0 .. n - 1} to {@code topic} as fast as the broker takes them, with a progress bar. */
    public void produceBacklog(String topic, int n) {
        try (KafkaProducer<String, String> producer = producer(bootstrap);
             ProgressBar bar = new ProgressBar("Producing transactions", n)) {
            for (int start = 0; start < n; start += 20_000) {
                int count = Math.min(20_000, n - start);
                for (String value : lines(generate.call(start, count, 1000 + start))) {
                    producer.send(new ProducerRecord<>(topic, key(value), value));
                }
                bar.set(start + count);
            }
            producer.flush();
        }
    }

    /** Produces transactions {@code from .. from + n - 1} to {@code topic} at {@code perSecond}, with a progress bar. */
    public void producePaced(String topic, int from, int n, int perSecond) {
        List<String> values = lines(generate.call(from, n, 7));
        try (KafkaProducer<String, String> producer = producer(bootstrap);
             ProgressBar bar = new ProgressBar("Paced stream at " + perSecond + "/s", n)) {
            long begin = System.nanoTime();
            for (int i = 0; i < values.size(); i++) {
                long due = begin + i * 1_000_000_000L / perSecond;
                while (System.nanoTime() < due) {
                    Thread.onSpinWait();
                }
                producer.send(new ProducerRecord<>(topic, key(values.get(i)), values.get(i)));
                if (i % 500 == 0) {
                    producer.flush();
                    bar.set(i);
                }
            }
            producer.flush();
            bar.set(values.size());
        }
    }

    /** The lines of {@code transactions_json}'s result. */
    public static List<String> lines(Object jsonLines) {
        return Arrays.asList(new String((byte[]) jsonLines, StandardCharsets.UTF_8).split("\n"));
    }

    /** The card of a transaction: the record key, so a card's transactions stay in order. */
    public static String key(String transaction) {
        int at = transaction.indexOf("\"card\": \"") + 9;
        return transaction.substring(at, transaction.indexOf('"', at));
    }

    public static KafkaProducer<String, String> producer(String bootstrap) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, 512 * 1024);
        props.put(ProducerConfig.ACKS_CONFIG, "1");
        return new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
    }
}
