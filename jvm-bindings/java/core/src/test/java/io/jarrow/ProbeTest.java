package io.jarrow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Java side probes a Python environment with the core's own probe.py. */
class ProbeTest {
    /** The build copies bridge/src/python/probe.py into the jar; the copy must not drift. */
    @Test
    void theProbeInTheJarIsTheCoresProbe() throws Exception {
        Path source = Path.of("../../../bridge/src/python/probe.py");
        assertTrue(Files.exists(source), "run from jvm-bindings/java/core: " + source.toAbsolutePath());
        assertEquals(Files.readString(source), PythonScripts.read("probe.py"));
    }

    @Test
    void theProbeReportsTheLayoutLibpythonAndTheJniLibrary() {
        Path python = Path.of(System.getProperty("jarrow.python", ".venv/bin/python"));
        Map<String, String> facts = NativeLibrary.probe(python);
        assertTrue(facts.get("version").matches("3\\.\\d+\\.\\d+"), facts.toString());
        assertEquals(facts.get("version").substring(0, facts.get("version").lastIndexOf('.')),
                NativeLibrary.shortVersion(facts.get("version")));
        assertTrue(Files.exists(Path.of(facts.get("libpython"))), facts.toString());
        assertTrue(facts.containsKey("base_prefix"), facts.toString());
        assertTrue(facts.containsKey("jni") || facts.containsKey("jni_error"), facts.toString());
    }
}
