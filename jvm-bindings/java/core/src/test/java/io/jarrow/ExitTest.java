package io.jarrow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** JVM exit with Python threads still running does not hang. */
class ExitTest {
    @Test
    void theJvmExitsWhilePythonThreadsRun() throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java, "--add-opens=java.base/java.nio=ALL-UNNAMED",
                "-Djarrow.python=" + System.getProperty("jarrow.python"),
                "-Djarrow.test.python.path=" + System.getProperty("jarrow.test.python.path")));
        String library = System.getProperty("jarrow.library", "");
        if (!library.isEmpty()) {
            command.add("-Djarrow.library=" + library);
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), ExitProbe.class.getName()));
        File log = File.createTempFile("jarrow-exit", ".log");
        log.deleteOnExit();
        Process child = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log).start();
        boolean exited = child.waitFor(60, TimeUnit.SECONDS);
        if (!exited) {
            child.destroyForcibly();
        }
        String output = Files.readString(log.toPath(), StandardCharsets.UTF_8);
        assertTrue(exited, "the JVM did not exit within 60 s:\n" + output);
        assertEquals(0, child.exitValue(), output);
        assertTrue(output.contains("scored 3") && output.contains("main returns"), output);
    }
}
