package io.jarrow.flink;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * A Flink standalone session cluster for tests, the way Flink users run one: the JobManager and
 * each TaskManager a JVM of its own, started from this JVM's class path (jarrow on the cluster's
 * class path, as from Flink's lib/), with the environment variables given; jobs go to it over its
 * REST API ({@link #environment()}). Logs and output are in {@code dir}. {@link #close()} kills
 * every process it started.
 */
public final class StandaloneCluster implements AutoCloseable {
    private final Path dir;
    private final Map<String, String> environment;
    private final List<Process> processes = new ArrayList<>();
    private final List<String> config = new ArrayList<>();
    private String classPath = System.getProperty("java.class.path");
    private int restPort;

    public StandaloneCluster(Path dir, Map<String, String> environment) {
        this.dir = dir;
        this.environment = Map.copyOf(environment);
    }

    /** Adds a line to the cluster's config.yaml; before {@link #startJobManager()}. */
    public StandaloneCluster config(String line) {
        config.add(line);
        return this;
    }

    /** The cluster's class path (Flink's lib/), by default this JVM's; before the processes start. */
    public StandaloneCluster classPath(String classPath) {
        this.classPath = classPath;
        return this;
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** Writes the cluster's config.yaml (2 slots per TaskManager) and starts its JobManager. */
    public void startJobManager() throws IOException {
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
                String.join("\n", config),
                ""));
        processes.add(start("jobmanager", List.of("-Xmx1g"),
                "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint", List.of()));
    }

    /**
     * Starts a TaskManager, with the JVM options and memory settings Flink's own start script
     * computes (BashJavaUtils, as taskmanager.sh runs it).
     */
    public Process startTaskManager(String name) throws IOException, InterruptedException {
        Process utils = new ProcessBuilder(java(), "-cp", classPath,
                "org.apache.flink.runtime.util.bash.BashJavaUtils", "GET_TM_RESOURCE_PARAMS", "--configDir",
                dir.resolve("conf").toString()).redirectErrorStream(true).start();
        List<String> results = new String(utils.getInputStream().readAllBytes()).lines()
                .filter(line -> line.startsWith("BASH_JAVA_UTILS_EXEC_RESULT:"))
                .map(line -> line.substring("BASH_JAVA_UTILS_EXEC_RESULT:".length())).toList();
        if (utils.waitFor() != 0 || results.size() != 2) {
            throw new IllegalStateException("BashJavaUtils gave no TaskManager JVM options and memory settings: " + results);
        }
        Process process = start(name, List.of(results.get(0).trim().split("\\s+")),
                "org.apache.flink.runtime.taskexecutor.TaskManagerRunner", List.of(results.get(1).trim().split("\\s+")));
        processes.add(process);
        return process;
    }

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private Process start(String name, List<String> jvmOptions, String main, List<String> arguments) throws IOException {
        List<String> command = new ArrayList<>(List.of(java(),
                "--add-opens=java.base/java.nio=ALL-UNNAMED", "--add-opens=java.base/java.util=ALL-UNNAMED",
                "--add-opens=java.base/java.lang=ALL-UNNAMED"));
        command.addAll(jvmOptions);
        command.addAll(List.of("-Djarrow.python=" + System.getProperty("jarrow.python", ""),
                "-Djarrow.library=" + System.getProperty("jarrow.library", ""),
                "-Dlog.file=" + dir.resolve(name + ".log"),
                "-cp", classPath, main, "--configDir", dir.resolve("conf").toString()));
        command.addAll(arguments);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(name + ".out").toFile()));
        builder.environment().putAll(environment);
        return builder.start();
    }

    /**
     * Kills {@code taskManager} with SIGKILL (its Python, its buffered records and its open
     * transactions die with it), starts another one named {@code name}, and waits until it has
     * registered.
     */
    public Process killAndReplace(Process taskManager, String name) throws IOException, InterruptedException {
        taskManager.destroyForcibly();
        if (!taskManager.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the killed TaskManager did not exit within 30 s");
        }
        Process replacement = startTaskManager(name);
        awaitTaskManagers(1, Duration.ofMinutes(2));
        return replacement;
    }

    /** Whether the job failed over at least once (its exception history has an entry). */
    public boolean failedOver(org.apache.flink.api.common.JobID job) throws IOException, InterruptedException {
        return get("/jobs/" + job + "/exceptions").contains("\"entries\":[{");
    }

    /** An environment that submits jobs to this cluster, with these jars (the job's own classes, and what they carry). */
    public StreamExecutionEnvironment environment(String... jarFiles) {
        return environment(new Configuration(), jarFiles);
    }

    /** An environment that submits jobs to this cluster with the job configuration {@code config}, and these jars. */
    public StreamExecutionEnvironment environment(Configuration config, String... jarFiles) {
        return StreamExecutionEnvironment.createRemoteEnvironment("localhost", restPort, config, jarFiles);
    }

    /** A GET of the cluster's REST API. */
    public String get(String path) throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://localhost:" + restPort + path)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    /** Waits until the cluster's REST API answers and {@code n} TaskManagers have registered. */
    public void awaitTaskManagers(int n, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            try {
                last = get("/overview");
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

    @Override
    public void close() throws InterruptedException {
        for (Process process : processes) {
            process.destroyForcibly();
        }
        for (Process process : processes) {
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }
}
