package org.offload.client;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** The system commands {@link Netns} runs ({@code ip}, {@code kill}), each bounded, and what it reads from them. */
final class Commands {
    /** Bound of one command (they take milliseconds). */
    static final Duration COMMAND_WAIT = Duration.ofSeconds(20);

    private Commands() {}

    /** The path of the ip binary (iproute2), if there is one; a non-root PATH often lacks the sbin folders. */
    static Optional<String> ipPath() {
        return Stream.of("/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip")
                .filter(p -> Files.isExecutable(Path.of(p))).findFirst();
    }

    /** Runs {@code ip args...}; returns its output; throws, with the output, unless it exits 0. */
    static String ip(String... args) {
        List<String> command = new ArrayList<>(List.of(ipPath().orElseThrow()));
        command.addAll(List.of(args));
        return run(command.toArray(String[]::new));
    }

    /** {@link #ip}, for cleanup of what may be gone already: a failure is ignored. */
    static void ipQuietly(String... args) {
        try {
            ip(args);
        } catch (IllegalStateException e) {
            // nothing to remove
        }
    }

    /** Sends {@code signal} (e.g. STOP, CONT, KILL) to process {@code pid}. */
    static void signal(long pid, String signal) {
        run("kill", "-" + signal, Long.toString(pid));
    }

    /** The network namespaces' names ({@code ip netns list}). */
    static List<String> namespaces() {
        return ip("netns", "list").lines().map(l -> l.split("\\s+")[0]).filter(n -> !n.isEmpty()).toList();
    }

    /** Root-namespace link names ({@code 7: oflXw1h@if2: <...>} gives {@code oflXw1h}). */
    static List<String> links() {
        return ip("-o", "link", "show").lines().map(l -> l.split(":\\s+", 3)).filter(f -> f.length > 1)
                .map(f -> f[1].split("@")[0]).toList();
    }

    /** The pids of the processes in namespace {@code ns}. */
    static List<Long> pidsIn(String ns) {
        return Stream.of(ip("netns", "pids", ns).split("\\s+")).filter(p -> !p.isEmpty()).map(Long::valueOf).toList();
    }

    /** The IPv4 addresses of the root namespace. */
    static Set<String> inetAddresses() {
        Set<String> used = new HashSet<>();
        Matcher m = Pattern.compile("inet (\\d+\\.\\d+\\.\\d+\\.\\d+)").matcher(ip("-o", "-4", "addr", "show"));
        while (m.find()) {
            used.add(m.group(1));
        }
        return used;
    }

    /** This process's user id (the owner of /proc/self). */
    static int uid() {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs a command to its end (bounded); returns its output; throws, with the output, unless it exits 0. */
    static String run(String... command) {
        String line = String.join(" ", command);
        Path out = null;
        try {
            out = Files.createTempFile("netns-command", ".txt");
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            if (!p.waitFor(COMMAND_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(line + " did not end within " + COMMAND_WAIT);
            }
            String output = Files.readString(out, StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new IllegalStateException(line + " exited " + p.exitValue() + ": " + output.strip());
            }
            return output;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(line + " interrupted", e);
        } finally {
            if (out != null) {
                out.toFile().delete();
            }
        }
    }
}
