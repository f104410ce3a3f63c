package io.jarrow;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs a probe's main in a JVM of its own, configured as the test JVM is, and reports how it ended. */
final class ChildJvm {
    /** The child's exit value (or null if it did not end in time) and its output. */
    record Outcome(Integer exitValue, String output) {}

    private ChildJvm() {}

    static Outcome run(Class<?> main, List<String> jvmOptions) throws Exception {
        return run(main, jvmOptions, Map.of());
    }

    static Outcome run(Class<?> main, List<String> jvmOptions, Map<String, String> environment) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java));
        command.addAll(jvmOptions);
        command.add("-Djarrow.python=" + System.getProperty("jarrow.python"));
        command.add("-Djarrow.test.tests=" + TestPython.tests());
        String library = System.getProperty("jarrow.library", "");
        if (!library.isEmpty()) {
            command.add("-Djarrow.library=" + library);
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
        File log = File.createTempFile("jarrow-child", ".log");
        log.deleteOnExit();
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log);
        builder.environment().putAll(environment);
        Process child = builder.start();
        boolean exited = child.waitFor(60, TimeUnit.SECONDS);
        if (!exited) {
            child.destroyForcibly();
        }
        return new Outcome(exited ? child.exitValue() : null, Files.readString(log.toPath(), StandardCharsets.UTF_8));
    }
}
