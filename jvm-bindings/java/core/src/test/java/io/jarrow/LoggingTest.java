package io.jarrow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Python's logging records, stdout and stderr reach SLF4J (slf4j-simple prints to System.err). */
class LoggingTest {
    @Test
    void pythonLoggingAndPrintGoToSlf4j() {
        PythonFunction says = TestPython.runtime().function("udfs:says");
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            assertEquals("hello", says.call("hello"));
        } finally {
            System.setErr(original);
        }
        String log = captured.toString(StandardCharsets.UTF_8);
        assertTrue(log.contains("python.udfs") && log.contains("warning from Python: hello"), log);
        assertTrue(log.contains("python.stdout") && log.contains("printed by Python: hello"), log);
    }
}
