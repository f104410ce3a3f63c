package io.jarrow;

import java.nio.file.Path;

/** The interpreter of the test JVM: the project venv, with the test UDFs on sys.path. */
final class TestPython {
    static final PythonConfig CONFIG = PythonConfig.builder()
            .addPythonPath(Path.of(System.getProperty("jarrow.test.python.path", "src/test/python")))
            .addPythonPath(tests().resolve("fixtures"))
            .build();

    /** The repository's top-level tests/: the fixtures every suite shares, the contract. */
    static Path tests() {
        return Path.of(System.getProperty("jarrow.test.tests", "../../../tests")).toAbsolutePath().normalize();
    }

    private TestPython() {}

    /** The running runtime (started on first use; a fresh handle if a test closed the last one). */
    static PythonRuntime runtime() {
        return PythonRuntime.start(CONFIG);
    }
}
