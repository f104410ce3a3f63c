package io.jarrow.examples.fraud;

import io.jarrow.PythonConfig;
import io.jarrow.PythonRuntime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * The Python side of the demos: the interpreter with {@code fraud_model} (in
 * examples/kafka-fraud/python) on its path, and the model.
 */
public final class FraudModel {
    /** The transactions' JSON schema: id, card, v0..v27, amount, hour, is_fraud. */
    public static final Schema TRANSACTIONS = transactions();

    private FraudModel() {}

    private static Schema transactions() {
        ArrowType float64 = new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE);
        List<Field> fields = new ArrayList<>();
        fields.add(Field.nullable("id", new ArrowType.Int(64, true)));
        fields.add(Field.nullable("card", ArrowType.Utf8.INSTANCE));
        for (int i = 0; i < 28; i++) {
            fields.add(Field.nullable("v" + i, float64));
        }
        fields.add(Field.nullable("amount", float64));
        fields.add(Field.nullable("hour", new ArrowType.Int(64, true)));
        fields.add(Field.nullable("is_fraud", ArrowType.Bool.INSTANCE));
        return new Schema(fields);
    }

    /** Where fraud_model.py is: {@code -Dfraud.python.path}, else found from the working directory. */
    public static Path pythonPath() {
        String configured = System.getProperty("fraud.python.path");
        if (configured != null) {
            return Path.of(configured);
        }
        for (Path candidate : List.of(Path.of("python"), Path.of("../kafka-fraud/python"), Path.of("examples/kafka-fraud/python"))) {
            if (Files.exists(candidate.resolve("fraud_model.py"))) {
                return candidate.toAbsolutePath().normalize();
            }
        }
        throw new IllegalStateException("cannot find fraud_model.py: run from the repository root or set -Dfraud.python.path");
    }

    /**
     * The interpreter's configuration: the Python executable as jarrow resolves it by default
     * ({@code -Djarrow.python}, ...), named explicitly so that a Flink SQL model can give the same
     * one, and fraud_model's directory on the path.
     */
    public static PythonConfig config() {
        return PythonConfig.builder().executable(PythonConfig.defaults().resolveExecutable()).addPythonPath(pythonPath()).build();
    }

    /** Starts Python and loads the model from {@code model} (training it there first if missing). */
    public static PythonRuntime start(Path model) {
        PythonRuntime python = PythonRuntime.start(config());
        Object description = python.function("fraud_model:prepare").call(model.toAbsolutePath().toString());
        System.err.println("Model: " + description);
        return python;
    }
}
