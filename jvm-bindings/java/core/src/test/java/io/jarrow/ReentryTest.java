package io.jarrow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Java -> Python -> Java -> Python, through the Python package's jarrow API. */
class ReentryTest {
    @Test
    void javaPythonJavaPython() {
        PythonFunction reenter = TestPython.runtime().function("reentry:reenter");
        assertEquals(50L, reenter.callLong(4));
        assertEquals(50L, reenter.call(4L));
    }

    @Test
    void reentryFromManyThreadsAtOnce() throws Exception {
        PythonFunction reenter = TestPython.runtime().function("reentry:reenter");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                final long base = t * 1000L;
                futures.add(pool.submit(() -> {
                    for (long i = 0; i < 500; i++) {
                        assertEquals((base + i + 1) * 10, reenter.callLong(base + i));
                    }
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aPythonExceptionKeepsItsTracebackAcrossBothHops() {
        PythonException e = assertThrows(PythonException.class,
                () -> TestPython.runtime().function("reentry:reenter_failing").callLong(7));
        assertEquals("jarrow.PythonError", e.pythonType());
        assertTrue(e.pythonMessage().contains("ValueError: deep failure 7"), e.pythonMessage());
        String tb = e.pythonTraceback();
        assertTrue(tb.contains("in reenter_failing"), "the outer Python frame: " + tb);
        assertTrue(tb.contains("in raise_value_error") && tb.contains("ValueError: deep failure 7"), "the inner Python frame: " + tb);
    }

    @Test
    void javaExceptionsReachPythonAsJavaErrors() {
        PythonException e = assertThrows(PythonException.class,
                () -> TestPython.runtime().function("reentry:java_error").call());
        assertEquals("jarrow.JavaError", e.pythonType());
        assertTrue(e.pythonMessage().contains("java.lang.NumberFormatException"), e.pythonMessage());
        assertTrue(e.pythonTraceback().contains("at java.base/java.lang.Integer.parseInt"), e.pythonTraceback());
    }
}
