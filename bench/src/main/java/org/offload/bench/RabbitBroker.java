package org.offload.bench;

import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A private RabbitMQ broker for the RabbitMQ RPC rows: Debian's {@code rabbitmq-server} started as a child
 * of this JVM, listening on 127.0.0.1 on a free port, with its own node name, Mnesia and log directories,
 * plugins file, Erlang cookie (HOME) and epmd port under a temporary directory, so it needs no system
 * service and touches nothing outside that directory. {@link #close} stops it (a shutdown hook does too,
 * should the run end another way) and removes the directory. Its CPU is read from /proc of its
 * {@code beam.smp}.
 */
final class RabbitBroker implements AutoCloseable {
    /** Where Debian's package puts the broker's own start script (the one in /usr/sbin switches user). */
    static final Path SERVER = Path.of("/usr/lib/rabbitmq/bin/rabbitmq-server");
    private static final Path EPMD = Path.of("/usr/bin/epmd");
    /** The broker boots in about 13 s on an idle 2-core machine; far more on a busy one. */
    private static final long START_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(120);
    private static final long STOP_TIMEOUT_SECONDS = 30;

    private final Path dir;
    private final Process process;
    private final Map<String, String> env;
    private final Thread hook;
    final int port;
    private final long beamPid;

    /** Why the RabbitMQ rows cannot run here, or empty when they can. */
    static Optional<String> unavailable() {
        if (!Files.isExecutable(SERVER)) {
            return Optional.of("rabbitmq-server is not installed (" + SERVER + " missing; Debian: apt-get install"
                    + " rabbitmq-server), so the RabbitMQ RPC rows were skipped");
        }
        return Optional.empty();
    }

    /** Starts the broker and waits until it accepts an AMQP connection. */
    RabbitBroker() throws Exception {
        dir = Files.createTempDirectory("offload-bench-rabbitmq-");
        Files.createDirectories(dir.resolve("home"));
        Files.writeString(dir.resolve("enabled_plugins"), "[].\n");
        port = freePort();
        env = Map.of(
                "HOME", dir.resolve("home").toString(),
                "RABBITMQ_NODENAME", "offload-bench-" + ProcessHandle.current().pid() + "@localhost",
                "RABBITMQ_NODE_IP_ADDRESS", "127.0.0.1",
                "RABBITMQ_NODE_PORT", Integer.toString(port),
                "RABBITMQ_DIST_PORT", Integer.toString(freePort()),
                "ERL_EPMD_PORT", Integer.toString(freePort()),
                "RABBITMQ_MNESIA_BASE", dir.resolve("mnesia").toString(),
                "RABBITMQ_LOG_BASE", dir.resolve("log").toString(),
                "RABBITMQ_ENABLED_PLUGINS_FILE", dir.resolve("enabled_plugins").toString(),
                "RABBITMQ_CONFIG_FILE", dir.resolve("rabbitmq").toString());
        ProcessBuilder b = new ProcessBuilder(SERVER.toString()).directory(dir.toFile())
                .redirectErrorStream(true).redirectOutput(dir.resolve("server.out").toFile());
        b.environment().putAll(env);
        process = b.start();
        hook = new Thread(this::stop, "rabbitmq-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            awaitReady();
            beamPid = process.descendants().filter(p -> p.info().command().orElse("").endsWith("beam.smp"))
                    .map(ProcessHandle::pid).findFirst()
                    .orElseThrow(() -> new IllegalStateException("rabbitmq-server started no beam.smp"));
        } catch (Exception e) {
            close();
            throw e;
        }
    }

    private void awaitReady() throws Exception {
        long until = System.nanoTime() + START_TIMEOUT_NANOS;
        Exception last = null;
        while (System.nanoTime() < until) {
            if (!process.isAlive()) {
                throw new IllegalStateException("rabbitmq-server exited with " + process.exitValue() + ": "
                        + tail(dir.resolve("server.out")));
            }
            try (Connection c = factory().newConnection("offload-bench-probe")) {
                return;
            } catch (IOException e) {
                last = e;
                Thread.sleep(250);
            }
        }
        throw new IllegalStateException("rabbitmq-server did not accept a connection on 127.0.0.1:" + port
                + " within " + TimeUnit.NANOSECONDS.toSeconds(START_TIMEOUT_NANOS) + " s: " + last);
    }

    /** A connection factory for this broker (the default guest user, allowed on loopback). */
    ConnectionFactory factory() {
        ConnectionFactory f = new ConnectionFactory();
        f.setHost("127.0.0.1");
        f.setPort(port);
        f.setConnectionTimeout(5_000);
        return f;
    }

    /** CPU nanoseconds the broker's {@code beam.smp} has used so far. */
    long cpuNanos() {
        return CpuClock.processCpuNanos(beamPid);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static String tail(Path file) {
        try {
            List<String> lines = Files.readAllLines(file);
            return String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
        } catch (IOException e) {
            return "(no output)";
        }
    }

    /** Stops the broker (SIGTERM to its processes, then SIGKILL after a timeout) and its epmd. */
    private synchronized void stop() {
        if (!process.isAlive() && !Files.exists(dir)) {
            return;
        }
        List<ProcessHandle> all = Stream.concat(process.descendants(), Stream.of(process.toHandle())).toList();
        all.forEach(ProcessHandle::destroy);
        for (ProcessHandle p : all) {
            try {
                p.onExit().get(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            } catch (Exception e) {
                p.destroyForcibly();
            }
        }
        try { // erl started an epmd daemon on the private epmd port: stop it too
            ProcessBuilder epmd = new ProcessBuilder(EPMD.toString(), "-kill").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD);
            epmd.environment().put("ERL_EPMD_PORT", env.get("ERL_EPMD_PORT"));
            epmd.start().waitFor(10, TimeUnit.SECONDS);
        } catch (IOException | InterruptedException e) {
            // nothing more to stop
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary directory left behind
        }
    }

    @Override
    public void close() {
        stop();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // already shutting down: the hook runs stop(), which has nothing left to do
        }
    }
}
