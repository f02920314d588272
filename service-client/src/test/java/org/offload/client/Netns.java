package org.offload.client;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Hosts for tests across a network, made of Linux network namespaces: each {@link Host} is a namespace joined
 * to the root namespace (where the test JVM runs) by a veth pair with a /30 of its own in 10.213.0.0/16, so a
 * process started there with {@link #exec} is another host as far as TCP is concerned. Needs root and
 * {@code ip} (iproute2) only: {@link #assumeAvailable()} skips the test, with the reason, otherwise.
 *
 * <p>Faults, each undone by {@link #restore}: {@link #linkDown} (the host's interface goes down: frames to it
 * vanish, as when its cable is pulled) and {@link #dropAll} (every packet between the root namespace and the
 * host is silently discarded, both ways, as by a firewall's DROP). DROP is not done with {@code tc netem loss
 * 100%} or nftables/iptables, which many kernels and images lack (the host these tests were written on has
 * neither sch_netem nor the nft or iptables tools): a permanent neighbour entry with an unused MAC on each
 * side makes every frame go to nobody, and the receiving kernel discards frames for another MAC silently.
 * The sender sees its packets leave, nothing arrives, nothing fails: what DROP does.
 *
 * <p>Cleanup: {@link #close()} (also run by a shutdown hook, removed by close) kills what {@link #exec}
 * started and deletes the namespaces and veths. Names carry this JVM's pid: {@code ofl} + the pid in base 36
 * (5 characters) + a sequence character + {@code w1}, {@code w2}... for a namespace, with {@code h}/{@code n}
 * for the host's and the namespace's veth end. So runs never collide, and {@link #create} first sweeps what a
 * killed JVM left: every name of this form whose pid is no longer alive (its processes killed, then its
 * namespace and veth deleted).
 */
final class Netns implements AutoCloseable {
    static final String PREFIX = "ofl";
    static final String SKIPPED = "network-namespace test skipped: ";
    private static final Pattern NAME = Pattern.compile("^" + PREFIX + "([0-9a-z]{5})[0-9a-z]w\\d+[hn]?$");
    /** A locally administered MAC no interface has: frames sent to it are dropped by the receiver. */
    private static final String NOBODY_MAC = "02:00:5e:00:de:ad";
    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    /** One namespace host: its namespace, veth ends and addresses ({@code hostAddress} is the root side). */
    record Host(String name, String namespace, String hostLink, String nsLink, String hostAddress, String address) {
    }

    private final String prefix;
    private final List<Host> hosts = new ArrayList<>();
    private final List<Process> processes = new ArrayList<>();
    private final Thread hook = new Thread(this::closeQuietly, "netns-cleanup");
    private boolean closed;

    private Netns(String prefix) {
        this.prefix = prefix;
    }

    /** Skips the calling test (a JUnit assumption, with the reason) unless {@link #unavailable()} is empty. */
    static void assumeAvailable() {
        Optional<String> reason = unavailable();
        assumeTrue(reason.isEmpty(), () -> reason.orElseThrow());
    }

    /**
     * Why namespaces cannot be made here (not Linux, not root, no ip, or creating one fails), or empty: the
     * message a skipped test reports, starting {@value #SKIPPED} (./run test prints those lines).
     */
    static Optional<String> unavailable() {
        if (!Files.isDirectory(Path.of("/proc/self/ns"))) {
            return Optional.of(SKIPPED + "not Linux");
        }
        int uid = Commands.uid();
        if (uid != 0) {
            return Optional.of(SKIPPED + "not root (uid " + uid + "); run ./run test as root to run it (CI does)");
        }
        if (Commands.ipPath().isEmpty()) {
            return Optional.of(SKIPPED + "no ip command (iproute2) in /usr/sbin, /sbin, /usr/bin or /bin");
        }
        String probe = prefixOf(ProcessHandle.current().pid()) + "zw0";
        try {
            Commands.ip("netns", "add", probe);
            Commands.ip("link", "add", probe + "h", "type", "veth", "peer", "name", probe + "n", "netns", probe);
            return Optional.empty();
        } catch (IllegalStateException e) {
            return Optional.of(SKIPPED + "cannot create a network namespace with a veth pair: " + e.getMessage());
        } finally {
            Commands.ipQuietly("link", "del", probe + "h");
            Commands.ipQuietly("netns", "del", probe);
        }
    }

    /** Sweeps stale names, then creates {@code count} hosts, w1 to w{@code count}. */
    static Netns create(int count) {
        sweepStale();
        Netns netns = new Netns(prefixOf(ProcessHandle.current().pid())
                + Character.forDigit(SEQUENCE.getAndIncrement() % 35, 36)); // 'z' is the probe's
        Runtime.getRuntime().addShutdownHook(netns.hook);
        try {
            Set<String> used = Commands.inetAddresses();
            int slot = (int) ((ProcessHandle.current().pid() * 8 + netns.prefix.hashCode()) & 0x3fff);
            for (int i = 1; i <= count; i++) {
                while (used.contains(address(slot, 1)) || used.contains(address(slot, 2))) {
                    slot = (slot + 1) & 0x3fff;
                }
                netns.add(i, address(slot, 1), address(slot, 2));
                slot = (slot + 1) & 0x3fff;
            }
            return netns;
        } catch (RuntimeException | Error e) {
            netns.close();
            throw e;
        }
    }

    private void add(int index, String hostAddress, String address) {
        String name = "w" + index;
        Host h = new Host(name, prefix + name, prefix + name + "h", prefix + name + "n", hostAddress, address);
        hosts.add(h); // before it exists, so that close() removes whatever part of it was made
        Commands.ip("netns", "add", h.namespace());
        Commands.ip("link", "add", h.hostLink(), "type", "veth", "peer", "name", h.nsLink(), "netns", h.namespace());
        Commands.ip("addr", "add", h.hostAddress() + "/30", "dev", h.hostLink());
        Commands.ip("link", "set", h.hostLink(), "up");
        Commands.ip("-n", h.namespace(), "addr", "add", h.address() + "/30", "dev", h.nsLink());
        Commands.ip("-n", h.namespace(), "link", "set", h.nsLink(), "up");
        Commands.ip("-n", h.namespace(), "link", "set", "lo", "up");
    }

    /** This fixture's name prefix: every namespace and veth it makes starts with it. */
    String prefix() {
        return prefix;
    }

    List<Host> hosts() {
        return List.copyOf(hosts);
    }

    /** Starts {@code command} in {@code host}'s namespace (ip netns exec replaces itself with it: same pid). */
    Process exec(Host host, List<String> command, Map<String, String> env, Path output) throws IOException {
        List<String> full = new ArrayList<>(List.of(Commands.ipPath().orElseThrow(), "netns", "exec", host.namespace()));
        full.addAll(command);
        ProcessBuilder builder = new ProcessBuilder(full).redirectErrorStream(true).redirectOutput(output.toFile());
        builder.environment().putAll(env);
        Process process = builder.start();
        synchronized (processes) {
            processes.add(process);
        }
        return process;
    }

    /** The host's interface goes down: nothing reaches it or leaves it until {@link #restore}. */
    void linkDown(Host h) {
        Commands.ip("-n", h.namespace(), "link", "set", h.nsLink(), "down");
    }

    /** Every packet between the root namespace and the host is silently dropped, both ways. */
    void dropAll(Host h) {
        Commands.ip("neigh", "replace", h.address(), "lladdr", NOBODY_MAC, "dev", h.hostLink(), "nud", "permanent");
        Commands.ip("-n", h.namespace(), "neigh", "replace", h.hostAddress(), "lladdr", NOBODY_MAC, "dev", h.nsLink(),
                "nud", "permanent");
    }

    /** Undoes {@link #linkDown} and {@link #dropAll} (either or none may be in effect). */
    void restore(Host h) {
        Commands.ip("-n", h.namespace(), "link", "set", h.nsLink(), "up");
        // the neighbours are learnt again (ARP) by the next packet
        Commands.ipQuietly("neigh", "del", h.address(), "dev", h.hostLink());
        Commands.ipQuietly("-n", h.namespace(), "neigh", "del", h.hostAddress(), "dev", h.nsLink());
    }

    /** The namespace process {@code pid} runs in, as ip names it (empty for the root namespace). */
    static String namespaceOf(long pid) {
        return Commands.ip("netns", "identify", Long.toString(pid)).strip();
    }

    /** The prefix of every name the fixtures of JVM {@code pid} make (e.g. to fake what a killed JVM left). */
    static String prefixOf(long pid) {
        return PREFIX + pid36(pid);
    }

    /** The namespaces and links (root namespace) whose name starts with {@code prefix}. */
    static List<String> existing(String prefix) {
        List<String> names = new ArrayList<>(Commands.namespaces());
        names.addAll(Commands.links());
        return names.stream().filter(n -> n.startsWith(prefix)).toList();
    }

    /** Removes every namespace and link of this naming whose JVM (the pid in its name) is gone. */
    static void sweepStale() {
        for (String ns : Commands.namespaces()) {
            if (stale(ns)) {
                killProcessesIn(ns);
                Commands.ipQuietly("netns", "del", ns);
            }
        }
        for (String link : Commands.links()) {
            if (stale(link)) {
                Commands.ipQuietly("link", "del", link);
            }
        }
    }

    private static boolean stale(String name) {
        Matcher m = NAME.matcher(name);
        return m.matches() && ProcessHandle.of(Long.parseLong(m.group(1), 36)).filter(ProcessHandle::isAlive).isEmpty();
    }

    private static void killProcessesIn(String namespace) {
        for (long pid : Commands.pidsIn(namespace)) {
            ProcessHandle.of(pid).ifPresent(p -> {
                p.destroyForcibly(); // SIGKILL: ends a stopped process too
                awaitExit(p);
            });
        }
    }

    /** Kills what {@link #exec} started, then deletes the namespaces and veths. Idempotent. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        boolean interrupted = Thread.interrupted(); // a test's timeout must not cut the cleanup short
        try {
            removeAll();
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        if (Thread.currentThread() != hook) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // the JVM is shutting down: the hook runs, finds this closed, and returns
            }
        }
    }

    private void removeAll() {
        synchronized (processes) {
            for (Process p : processes) {
                p.destroyForcibly(); // SIGKILL: ends a stopped process too
            }
            processes.forEach(p -> awaitExit(p.toHandle()));
        }
        Set<String> present = new HashSet<>(existing(prefix));
        for (Host h : hosts) {
            if (present.contains(h.namespace())) {
                killProcessesIn(h.namespace());
                Commands.ipQuietly("netns", "del", h.namespace());
            }
            if (present.contains(h.hostLink())) {
                Commands.ipQuietly("link", "del", h.hostLink()); // gone with its namespace, unless a process kept it
            }
        }
    }

    private static void awaitExit(ProcessHandle p) {
        p.onExit().orTimeout(Commands.COMMAND_WAIT.toMillis(), TimeUnit.MILLISECONDS).exceptionally(e -> p).join();
    }

    private void closeQuietly() {
        try {
            close();
        } catch (RuntimeException e) {
            System.err.println("netns cleanup failed: " + e);
        }
    }

    /** Address {@code offset} (1 or 2) of /30 number {@code slot} in 10.213.0.0/16. */
    private static String address(int slot, int offset) {
        int a = slot * 4 + offset;
        return "10.213." + (a >> 8) + "." + (a & 0xff);
    }

    private static String pid36(long pid) {
        String s = Long.toString(pid, 36);
        return "0".repeat(Math.max(0, 5 - s.length())) + s;
    }
}
