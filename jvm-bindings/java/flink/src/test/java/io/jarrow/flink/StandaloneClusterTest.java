package io.jarrow.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jarrow.TestPython;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.apache.flink.api.common.serialization.SimpleStringEncoder;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.sink.FileSink;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.filesystem.rollingpolicies.OnCheckpointRollingPolicy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * jarrow where Flink users run it: a standalone session cluster, the JobManager and each
 * TaskManager a JVM of its own started from the test's class path (jarrow on the cluster's
 * class path, as from Flink's lib/), jobs submitted over its REST API.
 */
class StandaloneClusterTest {
    @TempDir
    Path dir;
    private final List<Process> processes = new ArrayList<>();
    private int restPort;

    @AfterEach
    void stopCluster() throws InterruptedException {
        for (Process process : processes) {
            process.destroyForcibly();
        }
        for (Process process : processes) {
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** Writes the cluster's config.yaml and starts its JobManager. */
    void startJobManager() throws Exception {
        restPort = freePort();
        Path conf = Files.createDirectories(dir.resolve("conf"));
        Files.writeString(conf.resolve("config.yaml"), String.join("\n",
                "jobmanager.rpc.address: localhost",
                "jobmanager.rpc.port: " + freePort(),
                "jobmanager.bind-host: localhost",
                "rest.address: localhost",
                "rest.port: " + restPort,
                "rest.bind-address: localhost",
                "taskmanager.bind-host: localhost",
                "taskmanager.host: localhost",
                "taskmanager.numberOfTaskSlots: 2",
                "jobmanager.memory.process.size: 1g",
                "taskmanager.memory.process.size: 2g",
                "heartbeat.interval: 1000",
                "heartbeat.timeout: 5000",
                "restart-strategy.type: fixed-delay",
                "restart-strategy.fixed-delay.attempts: 5",
                "restart-strategy.fixed-delay.delay: 1 s",
                ""));
        processes.add(start("jobmanager", "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint"));
    }

    /**
     * Starts a TaskManager, with the JVM options and memory settings Flink's own start script
     * computes (BashJavaUtils, as taskmanager.sh runs it).
     */
    Process startTaskManager(String name) throws Exception {
        Process utils = new ProcessBuilder(java(), "-cp", System.getProperty("java.class.path"),
                "org.apache.flink.runtime.util.bash.BashJavaUtils", "GET_TM_RESOURCE_PARAMS", "--configDir",
                dir.resolve("conf").toString()).redirectErrorStream(true).start();
        List<String> results = new String(utils.getInputStream().readAllBytes()).lines()
                .filter(line -> line.startsWith("BASH_JAVA_UTILS_EXEC_RESULT:"))
                .map(line -> line.substring("BASH_JAVA_UTILS_EXEC_RESULT:".length())).toList();
        assertEquals(0, utils.waitFor(), "BashJavaUtils");
        assertEquals(2, results.size(), "the TaskManager's JVM options and memory settings: " + results);
        Process process = start(name, List.of(results.get(0).trim().split("\\s+")),
                "org.apache.flink.runtime.taskexecutor.TaskManagerRunner", List.of(results.get(1).trim().split("\\s+")));
        processes.add(process);
        return process;
    }

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    Process start(String name, String main) throws IOException {
        return start(name, List.of("-Xmx1g"), main, List.of());
    }

    Process start(String name, List<String> jvmOptions, String main, List<String> arguments) throws IOException {
        List<String> command = new ArrayList<>(List.of(java(),
                "--add-opens=java.base/java.nio=ALL-UNNAMED", "--add-opens=java.base/java.util=ALL-UNNAMED",
                "--add-opens=java.base/java.lang=ALL-UNNAMED"));
        command.addAll(jvmOptions);
        command.addAll(List.of("-Djarrow.python=" + System.getProperty("jarrow.python", ""),
                "-Djarrow.library=" + System.getProperty("jarrow.library", ""),
                "-Dlog.file=" + dir.resolve(name + ".log"),
                "-cp", System.getProperty("java.class.path"), main, "--configDir", dir.resolve("conf").toString()));
        command.addAll(arguments);
        return new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(name + ".out").toFile())).start();
    }

    /** The demo-like job: n transactions at a steady rate, scored, written exactly once to part files. */
    JobClient submit(String name, Path out, long n, double perSecond) throws Exception {
        Configuration config = new Configuration();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createRemoteEnvironment("localhost", restPort, config);
        env.setParallelism(2);
        env.enableCheckpointing(200);
        PythonOperator.builder("batching:id_times_two_plus_one", FlinkFormat.json()).config(TestPython.config())
                .maxBatchSize(256).maxLatency(Duration.ofMillis(50))
                .applyTo(PythonOperatorTest.transactions(env, n, perSecond).rebalance())
                .sinkTo(FileSink.forRowFormat(new org.apache.flink.core.fs.Path(out.toUri()), new SimpleStringEncoder<String>())
                        .withRollingPolicy(OnCheckpointRollingPolicy.build()).build());
        return env.executeAsync(name);
    }

    /** Every line of the finished part files under {@code out}, sorted. */
    static List<String> written(Path out) throws IOException {
        List<String> lines = new ArrayList<>();
        try (Stream<Path> files = Files.walk(out)) {
            for (Path file : files.filter(Files::isRegularFile).filter(f -> !f.getFileName().toString().startsWith("."))
                    .toList()) {
                lines.addAll(Files.readAllLines(file));
            }
        }
        lines.sort(null);
        return lines;
    }

    static List<String> expected(long n) {
        List<String> lines = new ArrayList<>(LongStream.range(0, n)
                .mapToObj(i -> "{\"id\":" + i + ",\"out\":" + (2 * i + 1) + "}").toList());
        lines.sort(null);
        return lines;
    }

    /** A GET of the cluster's REST API. */
    String get(String path) throws Exception {
        return java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://localhost:" + restPort + path)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body();
    }

    /** Waits until the cluster's REST API answers and {@code n} TaskManagers have registered. */
    void awaitTaskManagers(int n, Duration timeout) throws Exception {
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        java.net.http.HttpRequest overview = java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://localhost:" + restPort + "/overview")).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            try {
                last = http.send(overview, java.net.http.HttpResponse.BodyHandlers.ofString()).body();
                if (last.contains("\"taskmanagers\":" + n + ",")) {
                    return;
                }
            } catch (IOException notYet) {
                last = notYet.toString();
            }
            Thread.sleep(200);
        }
        throw new AssertionError(n + " TaskManagers did not register within " + timeout + ": " + last + "; see " + dir);
    }

    /** Waits until some part file under {@code out} is finished (a checkpoint completed). */
    static void awaitFirstCommit(Path out, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.exists(out) && !written(out).isEmpty()) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no part file committed within " + timeout);
    }

    @Test
    void aTaskManagerKilledMidJobIsReplacedAndEveryTransactionIsScoredOnce() throws Exception {
        startJobManager();
        Process first = startTaskManager("taskmanager-1");
        awaitTaskManagers(1, Duration.ofMinutes(2));
        Path out = dir.resolve("out-1");
        JobClient job = submit("killed", out, 6000, 1000);
        awaitFirstCommit(out, Duration.ofMinutes(2));
        first.destroyForcibly();  // SIGKILL: Python and the buffered records die with it
        assertTrue(first.waitFor(30, TimeUnit.SECONDS));
        startTaskManager("taskmanager-2");
        awaitTaskManagers(1, Duration.ofMinutes(2));
        job.getJobExecutionResult().get(3, TimeUnit.MINUTES);
        String failures = get("/jobs/" + job.getJobID() + "/exceptions");
        assertTrue(failures.contains("\"entries\":[{"), "the job failed over when its TaskManager died: " + failures);
        List<String> written = written(out);
        assertEquals(6000, written.size(), "every transaction once, none lost and none twice");
        assertEquals(expected(6000), written);

        // The same job again, on the same cluster (and the same TaskManager's interpreter).
        Path again = dir.resolve("out-2");
        submit("again", again, 2000, 0).getJobExecutionResult().get(3, TimeUnit.MINUTES);
        assertEquals(expected(2000), written(again));
    }
}
