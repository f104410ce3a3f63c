package io.jarrow.kafka;

import io.jarrow.PythonConfig;
import io.jarrow.PythonRuntime;
import java.nio.file.Path;

/** The interpreter of the test JVM: the project venv, with the test functions on sys.path. */
final class TestPython {
    static final PythonConfig CONFIG = PythonConfig.builder()
            .addPythonPath(Path.of(System.getProperty("jarrow.test.python.path", "src/test/python")))
            .build();

    private TestPython() {}

    static PythonRuntime runtime() {
        return PythonRuntime.start(CONFIG);
    }
}
