package org.offload.demo;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.offload.service.Call;
import org.offload.service.DeadlineExceededException;
import org.offload.service.RemoteException;
import org.offload.service.Status;

/**
 * Finds and runs system commands (such as {@code uptime} and {@code iostat}) for a handler: bounded in time
 * and output, and stopped at once when the call is cancelled.
 */
final class Commands {
    /** Lines of output kept from one command; the rest is read and dropped. */
    static final int MAX_OUTPUT_LINES = 10_000;

    private final List<Path> searchPath;

    private Commands(List<Path> searchPath) {
        this.searchPath = List.copyOf(searchPath);
    }

    /** Looks commands up on the {@code PATH} of this process. */
    static Commands fromPath() {
        String path = System.getenv().getOrDefault("PATH", "");
        return new Commands(Arrays.stream(path.split(File.pathSeparator))
                .filter(dir -> !dir.isBlank()).map(Path::of).toList());
    }

    /** Finds no command at all (to exercise the fallbacks). */
    static Commands none() {
        return new Commands(List.of());
    }

    /** The executable called {@code name} on the search path. */
    Optional<Path> find(String name) {
        return searchPath.stream().map(dir -> dir.resolve(name)).filter(Files::isExecutable).findFirst();
    }

    /**
     * Runs {@code command} and returns its output lines (stdout and stderr). Throws
     * {@link org.offload.service.CancelledException} as soon as the call is cancelled, a deadline failure
     * after {@code timeout}, a 500 when the command exits with another status than 0; the process never
     * outlives this method.
     */
    List<String> run(Call call, Duration timeout, List<String> command) throws IOException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        Thread reader = Thread.ofVirtual().start(() -> readLines(process, lines));
        try {
            awaitExit(call, process, timeout, command.get(0));
            reader.join(CallWaits.SLICE.toMillis() * 10);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw CallWaits.cancelled(call);
        } finally {
            process.destroyForcibly();
        }
        if (process.exitValue() != 0) {
            throw new RemoteException(Status.INTERNAL_ERROR, command.get(0) + " exited with status "
                    + process.exitValue() + (lines.isEmpty() ? "" : ": " + lines.get(0)));
        }
        return List.copyOf(lines);
    }

    private static void awaitExit(Call call, Process process, Duration timeout, String name)
            throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (!process.waitFor(CallWaits.SLICE.toMillis(), TimeUnit.MILLISECONDS)) {
            CallWaits.throwIfCancelled(call);
            if (System.nanoTime() - end > 0) {
                throw new DeadlineExceededException(name + " did not finish within " + timeout.toMillis() + " ms");
            }
        }
    }

    private static void readLines(Process process, List<String> lines) {
        try (BufferedReader in = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (lines.size() < MAX_OUTPUT_LINES) {
                    lines.add(line);
                }
            }
        } catch (IOException e) {
            // the process was destroyed while we read: its output no longer matters
        }
    }
}
