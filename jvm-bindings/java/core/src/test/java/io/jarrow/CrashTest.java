package io.jarrow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What Python code can do to the host process (an in-process bridge shares the process's fate):
 * {@code sys.exit} is an exception like any other; {@code os._exit} ends the JVM at once, without
 * its shutdown hooks; a native crash takes the process with it, and in a JVM that chains signal
 * handlers (libjsig) Python's stack is printed first.
 */
class CrashTest {
    @Test
    void sysExitIsAPythonExceptionAndTheNextCallWorks() {
        PythonException e = org.junit.jupiter.api.Assertions.assertThrows(PythonException.class,
                () -> TestPython.runtime().function("sys:exit").call(3L));
        assertEquals("SystemExit", e.pythonType());
        assertEquals(42L, TestPython.runtime().function("udfs:add_one").callLong(41));
    }

    @Test
    void osExitEndsTheJvmAtOnceWithoutItsShutdownHooks() throws Exception {
        ChildJvm.Outcome child = ChildJvm.run(OsExitProbe.class, List.of("--add-opens=java.base/java.nio=ALL-UNNAMED"));
        assertEquals(7, child.exitValue(), child.output());
        assertTrue(child.output().contains("before os._exit"), child.output());
        assertFalse(child.output().contains("shutdown hook") || child.output().contains("after os._exit"), child.output());
    }

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
