package org.offload.client;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.offload.service.WorkerLauncher;

/**
 * A worker process on a {@link Netns} host: a {@link WorkerLauncher} JVM (the test's java and classpath)
 * serving {@code ^/who$} ({@link WhoAnswers}) on the host's address, ports chosen by the system. It stops by
 * itself when the test JVM ends ({@code --parent-pid}); {@link Netns#close()} kills it in any case.
 */
final class HostWorker {
    static final String ROUTE = "/who";
    /** Bound for a child JVM to start serving: a second or two normally, many times that on a loaded machine. */
    static final Duration JVM_WAIT = Duration.ofSeconds(60);
    private static final Pattern SERVING = Pattern.compile(" - serving .* on (\\S+) / (\\S+) with \\d+ workers$");

    private final Netns.Host host;
    private final Process process;
    private final Path output;
    private String pull;
    private String pub;

    private HostWorker(Netns.Host host, Process process, Path output) {
        this.host = host;
        this.process = process;
        this.output = output;
    }

    /** Starts the worker named after {@code host} (see {@link #awaitServing()}); {@code dir} holds its files. */
    static HostWorker start(Netns netns, Netns.Host host, Path dir) throws IOException {
        Path definition = dir.resolve(host.name() + ".service");
        String bind = "tcp://" + host.address() + ":*";
        Files.writeString(definition, String.join("\n",
                "SERVICE " + host.name() + " " + bind + " " + bind,
                "PASSPHRASE env:OFFLOAD_PASSPHRASE",
                "WORKERS 16",
                "ROUTE ^" + ROUTE + "$",
                "REQUEST " + WhoAnswers.class.getName(), ""));
        Path output = dir.resolve(host.name() + ".log");
        List<String> command = List.of(java(), "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")),
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=info", "-D" + WhoAnswers.WORKER_PROPERTY + "=" + host.name(),
                WorkerLauncher.class.getName(), definition.toString(),
                "--parent-pid", Long.toString(ProcessHandle.current().pid()));
        Process process = netns.exec(host, command, Map.of("OFFLOAD_PASSPHRASE", Fixtures.PASSPHRASE), output);
        return new HostWorker(host, process, output);
    }

    private static String java() {
        return ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    /** Waits (bounded) for the launcher's "serving" line and takes the addresses from it. */
    HostWorker awaitServing() {
        await().atMost(JVM_WAIT).pollInterval(Duration.ofMillis(20)).until(() -> {
            for (String line : log()) {
                Matcher m = SERVING.matcher(line);
                if (m.find()) {
                    pull = m.group(1);
                    pub = m.group(2);
                    return true;
                }
            }
            assertTrue(process.isAlive(), () -> host.name() + " exited with " + process.exitValue() + ": " + log());
            return false;
        });
        return this;
    }

    /** The service name, which the worker also answers as {@code worker}. */
    String name() {
        return host.name();
    }

    Netns.Host host() {
        return host;
    }

    String pull() {
        return pull;
    }

    String pub() {
        return pub;
    }

    Process process() {
        return process;
    }

    /** SIGSTOP: the process freezes; its kernel still accepts connections and buffers what arrives. */
    void freeze() {
        Commands.signal(process.pid(), "STOP");
    }

    /** SIGCONT. Harmless when not frozen. */
    void thaw() {
        Commands.signal(process.pid(), "CONT");
    }

    /** Registers this worker as one instance of {@code service}. */
    void registerWith(ServiceClient client, String service) {
        client.register(service, pull, pub, Fixtures.PASSPHRASE);
    }

    private List<String> log() {
        try {
            return Files.readAllLines(output, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
