package org.offload.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * CPU time of this JVM, to express a scenario's cost as CPU µs per request: unlike rates, it does not depend
 * on what else the machine runs. With {@code -Dbench.threadCpu=true} a round also prints the CPU per
 * request of each platform thread (virtual threads count on their carriers), for profiling.
 */
final class CpuClock {
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    static final boolean PER_THREAD = Boolean.getBoolean("bench.threadCpu");

    /** Clock ticks a second in /proc (USER_HZ; 100 on Linux). */
    private static final double TICKS = 100.0;

    /** No CPU outside this JVM counted. */
    static final LongSupplier NONE = () -> 0;

    private final LongSupplier outside;
    private final long outsideAtStart;
    private final long start = OS.getProcessCpuTime();
    private final long startNanos = System.nanoTime();
    private final long[] machineAtStart = machineTicks();
    private final Map<String, Long> threadsAtStart = PER_THREAD ? threadCpu() : Map.of();

    /** This JVM's CPU only. */
    CpuClock() {
        this(NONE);
    }

    /**
     * This JVM's CPU plus {@code outside}: CPU nanoseconds so far of the processes outside this JVM that
     * serve the measured requests (a broker, worker processes), counted in {@code cpu} too.
     */
    CpuClock(LongSupplier outside) {
        this.outside = outside;
        this.outsideAtStart = outside.getAsLong();
    }

    /**
     * Cores that processes other than this benchmark (and its worker processes) kept busy since the start,
     * from /proc; 0 where there is no /proc.
     */
    double otherCores() {
        long[] now = machineTicks();
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        double others = ((now[0] - machineAtStart[0]) - (now[1] - machineAtStart[1])) / TICKS / seconds;
        return Math.max(0, others);
    }

    /** {busy ticks of the whole machine, ticks of this process and its descendants}, or zeros. */
    private static long[] machineTicks() {
        try {
            String[] cpu = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long busy = 0;
            for (int i : new int[] {1, 2, 3, 6, 7}) { // user nice system irq softirq
                busy += Long.parseLong(cpu[i]);
            }
            long ours = processTicks(ProcessHandle.current().pid());
            for (ProcessHandle child : ProcessHandle.current().descendants().toList()) {
                ours += processTicks(child.pid());
            }
            return new long[] {busy, ours};
        } catch (IOException | RuntimeException e) {
            return new long[] {0, 0};
        }
    }

    /** CPU nanoseconds so far of process {@code pid} (user + system, from /proc; 10 ms steps), 0 if gone. */
    static long processCpuNanos(long pid) {
        return processTicks(pid) * (long) (1e9 / TICKS);
    }

    private static long processTicks(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime stime
        } catch (IOException | RuntimeException e) {
            return 0; // exited meanwhile
        }
    }

    /**
     * Puts {@code cpu} (CPU µs per request of this JVM and of the processes outside it that serve the
     * requests), {@code cpuOutside} (their part of it, when there are such processes) and {@code others}
     * (cores other processes used) into {@code figures}, and prints the per-thread split when asked for.
     */
    void addTo(Map<String, Double> figures, String id, long requests) {
        double outsideMicros = (outside.getAsLong() - outsideAtStart) / 1e3 / Math.max(1, requests);
        figures.put("cpu", microsPer(requests) + outsideMicros);
        if (outside != NONE) {
            figures.put("cpuOutside", outsideMicros);
        }
        figures.put("others", otherCores());
        printThreads(id, requests, System.err);
    }

    /** Process CPU µs per request since this clock started. */
    double microsPer(long requests) {
        return (OS.getProcessCpuTime() - start) / 1e3 / Math.max(1, requests);
    }

    /** With {@code -Dbench.threadCpu=true}: prints each thread's CPU µs per request since the start. */
    void printThreads(String id, long requests, PrintStream out) {
        if (!PER_THREAD) {
            return;
        }
        Map<String, Long> now = threadCpu();
        StringBuilder b = new StringBuilder("cpu per request, " + id + ":");
        now.entrySet().stream()
                .map(e -> Map.entry(e.getKey(), e.getValue() - threadsAtStart.getOrDefault(e.getKey(), 0L)))
                .filter(e -> e.getValue() > 0)
                .sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder()))
                .forEach(e -> b.append(String.format(" %s=%.2f", e.getKey(), e.getValue() / 1e3 / Math.max(1, requests))));
        out.println(b.append(String.format(" | process=%.2f µs", microsPer(requests))));
    }

    /** CPU nanoseconds by thread name; threads of the same name (less a trailing number) are added up. */
    private static Map<String, Long> threadCpu() {
        Map<String, Long> cpu = new HashMap<>();
        for (ThreadInfo t : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
            if (t != null) {
                long ns = THREADS.getThreadCpuTime(t.getThreadId());
                if (ns > 0) {
                    cpu.merge(t.getThreadName().replaceAll("-\\d+$", "-N"), ns, Long::sum);
                }
            }
        }
        return cpu;
    }
}
