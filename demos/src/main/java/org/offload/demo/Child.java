package org.offload.demo;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One child JVM of the demo: started with its output (stdout and stderr) copied line by line to
 * {@code out}, each line prefixed with {@code [name] }; stopped with SIGTERM, then killed if it lingers.
 */
final class Child {
    private final String name;
    private final Process process;
    private final Thread pump;

    private Child(String name, Process process, Thread pump) {
        this.name = name;
        this.process = process;
        this.pump = pump;
    }

    /** Starts {@code command} with {@code environment} added to this process's own. */
    static Child start(String name, List<String> command, Map<String, String> environment, PrintStream out)
            throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(environment);
        Process process = builder.start();
        process.getOutputStream().close();
        Thread pump = new Thread(() -> copy(process, "[" + name + "] ", out), name + "-output");
        pump.setDaemon(true);
        pump.start();
        return new Child(name, process, pump);
    }

    private static void copy(Process process, String prefix, PrintStream out) {
        try (BufferedReader in = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                out.println(prefix + line);
            }
        } catch (IOException e) {
            out.println(prefix + "(output lost: " + e.getMessage() + ")");
        }
    }

    String name() {
        return name;
    }

    Process process() {
        return process;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /**
     * Sends SIGTERM (the child drains and exits). Through the {@link ProcessHandle}: {@code Process.destroy()}
     * would also close our end of its output pipe and lose what it prints while it stops.
     */
    void terminate() {
        process.toHandle().destroy();
    }

    /**
     * Waits until the child has exited, at most {@code timeout}; then kills it (SIGKILL) if it still runs,
     * and lets its last output lines through. Returns true when it exited by itself.
     */
    boolean awaitExit(Duration timeout) throws InterruptedException {
        boolean exited = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (!exited) {
            process.toHandle().destroyForcibly();
            process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
        pump.join(Duration.ofSeconds(1));
        return exited;
    }

    @Override
    public String toString() {
        return name + " (pid " + process.pid() + ")";
    }
}
