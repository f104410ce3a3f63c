package io.jarrow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Loading the native library needs nothing but a Python environment with jarrow installed. */
class LoadingTest {
    @Test
    void plainJavaWithAVenvImportsNumpyPyarrowAndScikitLearn() throws Exception {
        // A child JVM with no LD_LIBRARY_PATH, java.library.path, PYTHONPATH or -Djarrow.library:
        // the venv's jarrow package names the JNI library.
        String java = ProcessHandle.current().info().command().orElse("java");
        Path workDir = Files.createTempDirectory("jarrow-workdir").toRealPath();
        List<String> command = List.of(java, "--add-opens=java.base/java.nio=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), LoadingProbe.class.getName(),
                System.getProperty("jarrow.python"), workDir.toString());
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        for (String variable : List.of("LD_LIBRARY_PATH", "LD_PRELOAD", "PYTHONPATH", "PYTHONHOME", "JARROW_PYTHON")) {
            builder.environment().remove(variable);
        }
        File log = File.createTempFile("jarrow-loading", ".log");
        log.deleteOnExit();
        Process child = builder.redirectOutput(log).start();
        assertTrue(child.waitFor(120, TimeUnit.SECONDS), "the child JVM did not finish");
        String output = Files.readString(log.toPath(), StandardCharsets.UTF_8);
        assertEquals(0, child.exitValue(), output);
        assertTrue(output.contains("sklearn accuracy 1.0"), output);
        assertTrue(output.contains("env set by PythonConfig cwd " + workDir + " first on sys.path " + workDir), output);
    }

    @Test
    void aMissingPythonIsAClearError() {
        JarrowException e = assertThrows(JarrowException.class,
                () -> NativeLibrary.probe(Path.of("/nonexistent/bin/python")));
        assertEquals("CONFIG", e.code());
        assertTrue(e.getMessage().contains("/nonexistent/bin/python") && e.getMessage().contains("venv"), e.getMessage());
    }
}
