package io.jarrow.examples.fraud;

import io.jarrow.PythonConfig;
import io.jarrow.PythonRuntime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The Python side of the demo: the interpreter with {@code fraud_model} on its path, and the model. */
final class FraudModel {
    private FraudModel() {}

    /** Where fraud_model.py is: {@code -Dfraud.python.path}, else found from the working directory. */
    static Path pythonPath() {
        String configured = System.getProperty("fraud.python.path");
        if (configured != null) {
            return Path.of(configured);
        }
        for (Path candidate : List.of(Path.of("python"), Path.of("examples/kafka-fraud/python"))) {
            if (Files.exists(candidate.resolve("fraud_model.py"))) {
                return candidate.toAbsolutePath();
            }
        }
        throw new IllegalStateException("cannot find fraud_model.py: run from the repository root or set -Dfraud.python.path");
    }

    /** Starts Python and loads the model from {@code model} (training it there first if missing). */
    static PythonRuntime start(Path model) {
        PythonRuntime python = PythonRuntime.start(PythonConfig.builder().addPythonPath(pythonPath()).build());
        Object description = python.function("fraud_model:prepare").call(model.toAbsolutePath().toString());
        System.err.println("Model: " + description);
        return python;
    }
}
