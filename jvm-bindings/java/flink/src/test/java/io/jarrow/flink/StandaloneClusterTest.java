package io.jarrow.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jarrow.TestPython;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.apache.flink.api.common.serialization.SimpleStringEncoder;
import org.apache.flink.connector.file.sink.FileSink;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.filesystem.rollingpolicies.OnCheckpointRollingPolicy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * jarrow where Flink users run it: a {@link StandaloneCluster} (the JobManager and each
 * TaskManager a JVM of its own, jarrow on the cluster's class path, as from Flink's lib/), jobs
 * submitted over its REST API.
 */
class StandaloneClusterTest {
    @TempDir
    Path dir;
    private StandaloneCluster cluster;

    @AfterEach
    void stopCluster() throws InterruptedException {
        if (cluster != null) {
            cluster.close();
        }
    }

    /** The demo-like job: n transactions at a steady rate, scored, written exactly once to part files. */
    JobClient submit(String name, Path out, long n, double perSecond) throws Exception {
        return submit(cluster.environment(), name, out, n, perSecond);
    }

    JobClient submit(StreamExecutionEnvironment env, String name, Path out, long n, double perSecond) throws Exception {
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
        cluster = new StandaloneCluster(dir, Map.of());
        cluster.startJobManager();
        Process first = cluster.startTaskManager("taskmanager-1");
        cluster.awaitTaskManagers(1, Duration.ofMinutes(2));
        Path out = dir.resolve("out-1");
        JobClient job = submit("killed", out, 6000, 1000);
        awaitFirstCommit(out, Duration.ofMinutes(2));
        cluster.killAndReplace(first, "taskmanager-2");
        job.getJobExecutionResult().get(3, TimeUnit.MINUTES);
        assertTrue(cluster.failedOver(job.getJobID()), "the job failed over when its TaskManager died");
        List<String> written = written(out);
        assertEquals(6000, written.size(), "every transaction once, none lost and none twice");
        assertEquals(expected(6000), written);

        // The same job again, on the same cluster (and the same TaskManager's interpreter).
        Path again = dir.resolve("out-2");
        submit("again", again, 2000, 0).getJobExecutionResult().get(3, TimeUnit.MINUTES);
        assertEquals(expected(2000), written(again));
    }

    /**
     * A job jar as users build them: the job's classes with jarrow's and Arrow Java's (jarred
     * from this JVM's class path, where the build has them as directories or jars).
     */
    List<String> jobJars() throws IOException {
        List<String> jars = new ArrayList<>();
        int n = 0;
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            Path path = Path.of(entry);
            String name = path.getFileName().toString();
            boolean carried = entry.endsWith("core/target/classes") || entry.endsWith("flink/target/classes")
                    || entry.endsWith("flink/target/test-classes")
                    || (name.startsWith("jarrow-") && !name.contains("tests")) || name.startsWith("arrow-");
            if (!carried) {
                continue;
            }
            if (Files.isDirectory(path)) {
                Path jar = dir.resolve("job-" + n++ + ".jar");
                try (var out = new java.util.jar.JarOutputStream(Files.newOutputStream(jar));
                     Stream<Path> files = Files.walk(path)) {
                    for (Path file : files.filter(Files::isRegularFile).toList()) {
                        out.putNextEntry(new java.util.jar.JarEntry(path.relativize(file).toString().replace('\\', '/')));
                        Files.copy(file, out);
                        out.closeEntry();
                    }
                }
                jars.add(jar.toString());
            } else {
                jars.add(entry);
            }
        }
        assertTrue(jars.size() >= 4, "the job jar's parts: " + jars);
        return jars;
    }

    @Test
    void aJobJarThatCarriesJarrowRunsTwiceWhenJarrowIsInLibAndParentFirst() throws Exception {
        cluster = new StandaloneCluster(dir, Map.of())
                .config("classloader.parent-first-patterns.additional: io.jarrow.;org.apache.arrow.");
        cluster.startJobManager();
        cluster.startTaskManager("taskmanager");
        cluster.awaitTaskManagers(1, Duration.ofMinutes(2));
        String[] jars = jobJars().toArray(String[]::new);
        for (int run = 1; run <= 2; run++) {
            Path out = dir.resolve("out-" + run);
            submit(cluster.environment(jars), "job jar " + run, out, 1000, 0).getJobExecutionResult().get(3, TimeUnit.MINUTES);
            assertEquals(expected(1000), written(out), "run " + run);
        }
    }

    @Test
    void withoutParentFirstASecondJobCarryingJarrowIsRefusedSayingWhatToDo() throws Exception {
        cluster = new StandaloneCluster(dir, Map.of());
        cluster.startJobManager();
        cluster.startTaskManager("taskmanager");
        cluster.awaitTaskManagers(1, Duration.ofMinutes(2));
        String[] jars = jobJars().toArray(String[]::new);
        org.apache.flink.configuration.Configuration noRestart = new org.apache.flink.configuration.Configuration();
        noRestart.set(org.apache.flink.configuration.RestartStrategyOptions.RESTART_STRATEGY, "none");
        Path first = dir.resolve("out-1");
        JobClient running = submit(cluster.environment(noRestart, jars), "first", first, 4000, 1000);
        awaitFirstCommit(first, Duration.ofMinutes(2));
        // Each job's class loader has its own copy of jarrow (child-first): the second copy in the
        // TaskManager cannot have the native libraries the first one loaded.
        JobClient second = submit(cluster.environment(noRestart, jars), "second", dir.resolve("out-2"), 100, 0);
        Exception e = org.junit.jupiter.api.Assertions.assertThrows(Exception.class,
                () -> second.getJobExecutionResult().get(3, TimeUnit.MINUTES));
        String chain = org.apache.flink.util.ExceptionUtils.stringifyException(e);
        assertTrue(chain.contains("jarrow's classes are loaded a second time") && chain.contains("lib/"), chain);
        running.getJobExecutionResult().get(3, TimeUnit.MINUTES);
        assertEquals(expected(4000), written(first), "the first job is unharmed");
    }
}
