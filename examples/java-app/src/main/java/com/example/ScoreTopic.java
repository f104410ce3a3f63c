package com.example;

import io.jarrow.ErrorPolicy;
import io.jarrow.PythonConfig;
import io.jarrow.ValueFormat;
import io.jarrow.kafka.PythonProcessor;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Produced;

/**
 * The README's Kafka Streams section: a topology that scores a topic of JSON transactions with
 * {@code scoring:score}. Its main runs the topology on Kafka Streams' TopologyTestDriver (no
 * broker): {@code java ... com.example.ScoreTopic /path/to/venv/bin/python}.
 */
public final class ScoreTopic {
    static Topology topology(Path pythonExecutable) {
        StreamsBuilder builder = new StreamsBuilder();
        KStream<String, String> scored = builder
            .stream("transactions", Consumed.with(Serdes.String(), Serdes.String()))
            .processValues(PythonProcessor.builder("scoring:score", ValueFormat.json())
                .config(PythonConfig.builder()
                    .executable(pythonExecutable)              // a venv with jarrow and the model's packages
                    .addPythonPath(Path.of("python"))
                    .build())
                .keySerde(Serdes.String())                     // or the application's default.key.serde
                .maxBatchSize(1024)                            // the most rows per Python call
                .maxLatency(Duration.ofMillis(50))             // the longest a record waits besides the call before it
                .onError(ErrorPolicy.logAndSkip())             // deadLetter(topic) needs a broker: it has its own producer
                .build());
        scored.to("fraud-scores", Produced.with(Serdes.String(), Serdes.String()));
        return builder.build();
    }

    public static void main(String[] args) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "score-topic");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        try (TopologyTestDriver driver = new TopologyTestDriver(topology(Path.of(args[0])), props)) {
            var in = driver.createInputTopic("transactions", Serdes.String().serializer(), Serdes.String().serializer());
            var out = driver.createOutputTopic("fraud-scores", Serdes.String().deserializer(), Serdes.String().deserializer());
            in.pipeInput("card-1", "{\"amount\": 12.5, \"hour\": 14}");
            in.pipeInput("card-2", "{\"amount\": 990.0, \"hour\": 3}");
            in.pipeInput("card-3", "{\"amount\": 40.0, \"hour\": 23}");
            driver.advanceWallClockTime(Duration.ofMillis(100));   // a punctuation: what is being scored comes out
            List<KeyValue<String, String>> scores = out.readKeyValuesToList();
            scores.forEach(score -> System.out.println(score.key + " " + score.value));
            if (scores.size() != 3) {
                throw new IllegalStateException("expected 3 scores, got " + scores);
            }
        }
    }
}
