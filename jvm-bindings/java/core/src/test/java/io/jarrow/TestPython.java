package io.jarrow;

import java.nio.file.Path;

/**
 * The interpreter of the test JVM: the project venv, with the Python functions every suite shares
 * (the repository's tests/fixtures) on sys.path. The Kafka Streams module's tests use it too,
 * through this module's test jar.
 */
public final class TestPython {
    private static final PythonConfig CONFIG = PythonConfig.builder().addPythonPath(tests().resolve("fixtures")).build();

    /** The repository's top-level tests/: the fixtures every suite shares, the contract. */
    public static Path tests() {
        return Path.of(System.getProperty("jarrow.test.tests", "../../../tests")).toAbsolutePath().normalize();
    }

    private TestPython() {}

    /** The configuration of the test interpreter (for an engine that starts it itself). */
    public static PythonConfig config() {
        return CONFIG;
    }

    /** The running runtime (started on first use; a fresh handle if a test closed the last one). */
    public static PythonRuntime runtime() {
        return PythonRuntime.start(CONFIG);
    }
}
