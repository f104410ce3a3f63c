package com.example;

import io.jarrow.PythonConfig;
import io.jarrow.flink.DeadLetter;
import io.jarrow.flink.FlinkFormat;
import io.jarrow.flink.PythonOperator;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;
import org.apache.flink.util.OutputTag;

/**
 * The README's Flink section: a DataStream job that scores JSON transactions with {@code
 * scoring:score}, the record that is not JSON going to a dead-letter side output. Its main runs
 * the job in this JVM (Flink's local environment): {@code java ... com.example.ScoreStream
 * /path/to/venv/bin/python}.
 */
public final class ScoreStream {
    public static void main(String[] args) throws Exception {
        Path pythonExecutable = Path.of(args[0]);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        DataStream<String> transactions = env.fromData(
            "{\"amount\": 12.5, \"hour\": 14}", "{\"amount\": 990.0, \"hour\": 3}", "not json", "{\"amount\": 40.0, \"hour\": 23}");

        OutputTag<DeadLetter<String>> failed = DeadLetter.tag("failed", Types.STRING);
        SingleOutputStreamOperator<String> scores = PythonOperator
            .builder("scoring:score", FlinkFormat.json())
            .config(PythonConfig.builder()
                .executable(pythonExecutable)                  // a venv with jarrow and the model's packages
                .addPythonPath(Path.of("python"))
                .build())
            .maxBatchSize(1024)                                // the most rows per Python call
            .maxLatency(Duration.ofMillis(50))                 // the longest a record waits besides the call before it
            .deadLetters(failed)                               // or onError(ErrorPolicy.logAndSkip()), or fail (the default)
            .applyTo(transactions);
        DataStream<DeadLetter<String>> errors = scores.getSideOutput(failed);

        CloseableIterator<String> scored = scores.collectAsync();
        CloseableIterator<DeadLetter<String>> dead = errors.collectAsync();
        env.execute("score transactions");
        List<String> out = new ArrayList<>();
        scored.forEachRemaining(out::add);
        List<DeadLetter<String>> letters = new ArrayList<>();
        dead.forEachRemaining(letters::add);
        out.forEach(System.out::println);
        letters.forEach(letter -> System.out.println("dead letter: " + letter.value + " (" + letter.errorType + ")"));
        if (out.size() != 3 || letters.size() != 1 || !letters.get(0).value.equals("not json")) {
            throw new IllegalStateException("expected 3 scores and 1 dead letter, got " + out + " and " + letters);
        }
    }
}
