package org.offload.service;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@link WorkerLauncher} in a child JVM (same java, same classpath as the tests), its stderr written to a
 * file (reading a pipe races with the JDK closing it when the process exits, which loses the last lines).
 * {@link #close()} kills it if it is still running and deletes the file.
 */
final class WorkerProcess implements AutoCloseable {
    /**
     * Bound for a child JVM to start serving or to exit: a second or two normally, but a loaded or slow
     * machine may need many times that to start a JVM and load JeroMQ.
     */
    static final Duration JVM_WAIT = Duration.ofSeconds(30);
    private static final Pattern HEAP_USED = Pattern.compile("heap .*used (\\d+)K");
    private static final Pattern SERVING = Pattern.compile(" - serving .* on (\\S+) / (\\S+) with (\\d+) workers$");

    private final Process process;
    private final Path stderr;

    private WorkerProcess(Process process, Path stderr) {
        this.process = process;
        this.stderr = stderr;
    }

    /** Starts {@code WorkerLauncher args...} with {@code env} added to this process's environment. */
    static WorkerProcess start(Map<String, String> env, String... args) throws IOException {
        return start(List.of(), env, args);
    }

    /** {@link #start(Map, String...)} with {@code jvmOptions} (e.g. {@code -Xmx512m}) before the class name. */
    static WorkerProcess start(List<String> jvmOptions, Map<String, String> env, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(javaCommand(), "-cp", classpath(),
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=info"));
        command.addAll(jvmOptions);
        command.add(WorkerLauncher.class.getName());
        command.addAll(List.of(args));
        Path stderr = Files.createTempFile("worker-stderr", ".txt");
        ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(stderr.toFile());
        builder.environment().putAll(env);
        return new WorkerProcess(builder.start(), stderr);
    }

    static String javaCommand() {
        return ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    /** The real test classpath (surefire may put only a manifest jar on java.class.path). */
    private static String classpath() {
        return System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    }

    /** The child's resident set size now, in bytes (Linux {@code /proc}). */
    long residentBytes() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(process.pid()), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new IOException("no VmRSS for process " + process.pid());
    }

    /** The child's heap in use right after a full GC, in bytes (asks it with {@code jcmd}: GC.run, GC.heap_info). */
    long liveHeapBytes() throws IOException, InterruptedException {
        jcmd("GC.run");
        Matcher m = HEAP_USED.matcher(jcmd("GC.heap_info"));
        if (!m.find()) {
            throw new IOException("no heap use in jcmd's GC.heap_info");
        }
        return Long.parseLong(m.group(1)) * 1024;
    }

    private String jcmd(String command) throws IOException, InterruptedException {
        Path jcmd = Path.of(javaCommand()).resolveSibling("jcmd");
        Process p = new ProcessBuilder(jcmd.toString(), String.valueOf(process.pid()), command)
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(JVM_WAIT.toMillis(), TimeUnit.MILLISECONDS) && p.exitValue() == 0,
                () -> "jcmd " + command + " failed: " + out);
        return out;
    }

    Process process() {
        return process;
    }

    /** The stderr lines so far (all of them once {@link #awaitExit} returned). */
    List<String> stderr() {
        try {
            return Files.readAllLines(stderr, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits for the launcher's "serving" line; returns its PULL and PUB addresses. */
    String[] awaitServing() {
        String[] addresses = new String[2];
        Fixtures.await().atMost(JVM_WAIT).pollInterval(Duration.ofMillis(20)).until(() -> {
            for (String line : stderr()) {
                Matcher m = SERVING.matcher(line);
                if (m.find()) {
                    addresses[0] = m.group(1);
                    addresses[1] = m.group(2);
                    return true;
                }
            }
            assertTrue(process.isAlive(), () -> "the worker exited with " + process.exitValue() + ": " + stderr());
            return false;
        });
        return addresses;
    }

    /** Waits (bounded) for the process to exit; returns its status. */
    int awaitExit() throws InterruptedException {
        assertTrue(process.waitFor(JVM_WAIT.toMillis(), TimeUnit.MILLISECONDS),
                () -> "the worker did not exit within " + JVM_WAIT + ": " + stderr());
        return process.exitValue();
    }

    @Override
    public void close() throws IOException, InterruptedException {
        process.destroyForcibly();
        process.waitFor(JVM_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        Files.deleteIfExists(stderr);
    }
}
