package io.jarrow.examples.fraud;

import io.jarrow.PythonRuntime;
import io.jarrow.ErrorPolicy;
import io.jarrow.kafka.PythonProcessor;
import io.jarrow.ValueFormat;
import java.time.Duration;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;

/**
 * The demo's topology: card transactions (JSON) scored by {@code fraud_model:score} through a
 * {@link PythonProcessor}, written to the scores topic (JSON). The app, the broker tests and the
 * benchmark all run this one.
 */
public final class FraudTopology {
    public static final String TRANSACTIONS = "transactions";
    public static final String SCORES = "fraud-scores";
    public static final String DEAD_LETTERS = "transactions-dead-letters";

    /** The transactions' JSON schema: id, card, v0..v27, amount, hour, is_fraud. */
    public static final Schema SCHEMA = FraudModel.TRANSACTIONS;

    private FraudTopology() {}

    /**
     * Scoring settings: batches of at most {@code maxBatchSize} records, adaptive (a batch waits for
     * no company when {@code minBatchSize} is 1; {@code minBatchSize == maxBatchSize} gives fixed
     * batches).
     */
    public record Settings(int maxBatchSize, int minBatchSize, Duration maxLatency, boolean deadLetters) {
        /** Adaptive batches of at most {@code maxBatchSize} records. */
        public Settings(int maxBatchSize, Duration maxLatency, boolean deadLetters) {
            this(maxBatchSize, 1, maxLatency, deadLetters);
        }

        public static Settings defaults() {
            return new Settings(1024, Duration.ofMillis(50), true);
        }
    }

    public static Topology build(PythonRuntime python, Settings settings) {
        return build(python, settings, TRANSACTIONS, SCORES);
    }

    /** The topology between the given input and output topics. */
    public static Topology build(PythonRuntime python, Settings settings, String in, String out) {
        StreamsBuilder builder = new StreamsBuilder();
        // The JSON values stay bytes from the input topic to the output topic: they are decoded
        // and encoded in native code only, never turned into Java strings.
        builder.stream(in, Consumed.with(Serdes.String(), Serdes.ByteArray()))
                .processValues(PythonProcessor.builder("fraud_model:score", ValueFormat.jsonBytes(SCHEMA))
                        .runtime(python)
                        .name("fraud-scoring")
                        .keySerde(Serdes.String())
                        .maxBatchSize(settings.maxBatchSize())
                        .minBatchSize(settings.minBatchSize())
                        .maxLatency(settings.maxLatency())
                        .onError(settings.deadLetters() ? ErrorPolicy.deadLetter(DEAD_LETTERS) : ErrorPolicy.fail())
                        .build())
                .to(out, Produced.with(Serdes.String(), Serdes.ByteArray()));
        return builder.build();
    }
}
