package io.jarrow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** JVM exit with Python threads still running does not hang. */
class ExitTest {
    @Test
    void theJvmExitsWhilePythonThreadsRun() throws Exception {
        ChildJvm.Outcome child = ChildJvm.run(ExitProbe.class, List.of("--add-opens=java.base/java.nio=ALL-UNNAMED"));
        assertNotNull(child.exitValue(), "the JVM did not exit within 60 s:\n" + child.output());
        assertEquals(0, child.exitValue(), child.output());
        assertTrue(child.output().contains("scored 3") && child.output().contains("main returns"), child.output());
    }
}
