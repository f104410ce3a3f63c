package io.jarrow;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A native crash in Python code takes the process with it (an in-process bridge shares the
 * process's fate); in a JVM that chains signal handlers (libjsig), Python's stack is printed first.
 */
class CrashTest {
    @Test
    void aNativeCrashInPythonPrintsThePythonStackWhenTheJvmChainsSignals() throws Exception {
        Path jsig = Path.of(System.getProperty("java.home"), "lib", "libjsig.so");
        assertTrue(Files.exists(jsig), jsig + " ships with the JDK");
        ChildJvm.Outcome child = ChildJvm.run(CrashProbe.class, List.of("--add-opens=java.base/java.nio=ALL-UNNAMED",
                "-XX:ErrorFile=" + System.getProperty("java.io.tmpdir") + "/jarrow-crash-test-%p.log"),
                Map.of("LD_PRELOAD", jsig.toString()));
        assertNotNull(child.exitValue(), "the crashed JVM did not end:\n" + child.output());
        assertNotEquals(0, child.exitValue(), child.output());
        assertTrue(child.output().contains("before the crash"), child.output());
        assertTrue(child.output().contains("Fatal Python error: Segmentation fault"), child.output());
        assertTrue(child.output().contains("in crash"), child.output());
    }
}
