package io.jarrow.examples.fraud;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * A single-node Kafka broker (KRaft: broker and controller in one process) on loopback, run in a
 * child JVM from the Kafka artifacts of this module's build (their class path is the resource
 * {@code broker-classpath.txt}, so the broker's Kafka version is independent of the kafka-clients
 * of the JVM that starts it), with its data in a temporary directory that {@link #close()}
 * deletes. Its output goes to {@code broker.log} in that directory.
 */
public final class LocalKafka implements AutoCloseable {
    private final Path dir;
    private final Process process;
    private final String bootstrapServers;

    private LocalKafka(Path dir, Process process, String bootstrapServers) {
        this.dir = dir;
        this.process = process;
        this.bootstrapServers = bootstrapServers;
    }

    /** Formats the storage, starts the broker and waits until it answers (at most a minute). */
    public static LocalKafka start() throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("jarrow-kafka-");
        int port = freePort();
        int controllerPort = freePort();
        String bootstrap = "127.0.0.1:" + port;
        Path config = dir.resolve("server.properties");
        Files.writeString(config, String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
                "listeners=PLAINTEXT://" + bootstrap + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners=PLAINTEXT://" + bootstrap,
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "log.dirs=" + dir.resolve("data"),
                "num.partitions=1",
                "offsets.topic.replication.factor=1",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                "") );
        Path log = dir.resolve("broker.log");
        run(dir, log, "kafka.tools.StorageTool", "format", "-t", Uuid.randomUuid().toString(), "-c", config.toString())
                .waitFor(2, TimeUnit.MINUTES);
        Process broker = run(dir, log, "kafka.Kafka", config.toString());
        LocalKafka kafka = new LocalKafka(dir, broker, bootstrap);
        try {
            kafka.awaitReady(Duration.ofMinutes(1));
        } catch (RuntimeException | InterruptedException e) {
            kafka.close();
            throw e;
        }
        return kafka;
    }

    /**
     * For a demo's {@code --bootstrap-servers}: null when it names a broker ({@code bootstrap}
     * not null), else a broker started for this run (which the demo closes). Says which on stderr.
     */
    public static LocalKafka startUnless(String bootstrap) throws IOException, InterruptedException {
        if (bootstrap != null) {
            System.err.println("Kafka: " + bootstrap);
            return null;
        }
        System.err.println("Starting a single-node Kafka broker (KRaft, loopback) ...");
        LocalKafka broker = start();
        System.err.println("Kafka: " + broker.bootstrapServers() + " (started for this run)");
        return broker;
    }

    /** {@code host:port} of the broker. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** Creates topics with this many partitions each (replication factor 1). */
    public void createTopics(int partitions, String... names) throws InterruptedException {
        createTopics(bootstrapServers, partitions, names);
    }

    /**
     * Creates topics on the broker at {@code bootstrap}, with this many partitions each
     * (replication factor 1); a topic that exists already is left as it is.
     */
    public static void createTopics(String bootstrap, int partitions, String... names) throws InterruptedException {
        try (Admin admin = admin(bootstrap)) {
            List<NewTopic> topics = new ArrayList<>();
            for (String name : names) {
                topics.add(new NewTopic(name, partitions, (short) 1));
            }
            for (var result : admin.createTopics(topics).values().values()) {
                try {
                    result.get(1, TimeUnit.MINUTES);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("cannot create topics " + List.of(names) + " on " + bootstrap,
                                e.getCause());
                    }
                } catch (TimeoutException e) {
                    throw new IllegalStateException("cannot create topics " + List.of(names) + " on " + bootstrap
                            + ": no answer within a minute", e);
                }
            }
        }
    }

    private static Admin admin(String bootstrap) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 20_000));
    }

    private void awaitReady(Duration timeout) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        Exception last = null;
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the Kafka broker exited (code " + process.exitValue() + "); see "
                        + dir.resolve("broker.log"));
            }
            try (Admin admin = admin(bootstrapServers)) {
                admin.describeCluster().nodes().get(5, TimeUnit.SECONDS);
                return;
            } catch (Exception e) {
                last = e;
                Thread.sleep(200);
            }
        }
        throw new IllegalStateException("the Kafka broker did not answer within " + timeout + "; see "
                + dir.resolve("broker.log"), last);
    }

    private static Process run(Path dir, Path log, String mainClass, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xms256m", "-Xmx1g", "-cp", brokerClassPath(), mainClass));
        command.addAll(List.of(args));
        return new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
    }

    /** The broker's class path, as this module's build wrote it. */
    static String brokerClassPath() throws IOException {
        try (InputStream in = LocalKafka.class.getResourceAsStream("broker-classpath.txt")) {
            if (in == null) {
                throw new IllegalStateException("broker-classpath.txt is missing from " + LocalKafka.class.getProtectionDomain()
                        .getCodeSource().getLocation() + ": build the demos with Maven (make demo), which writes it");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** Stops the broker and deletes its data. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir, e);
        }
    }
}
