package org.offload.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.offload.service.RemoteException;
import org.offload.service.Status;

/** Reads Linux's {@code /proc} (or a copy of it, in tests): uptime, load average and disk counters. */
final class ProcFiles {
    /** Bytes in one sector of {@code /proc/diskstats}, whatever the disk's real sector size. */
    static final int SECTOR_BYTES = 512;

    private final Path root;

    ProcFiles(Path root) {
        this.root = root;
    }

    static ProcFiles system() {
        return new ProcFiles(Path.of("/proc"));
    }

    boolean hasUptime() {
        return Files.isReadable(root.resolve("uptime")) && Files.isReadable(root.resolve("loadavg"));
    }

    boolean hasDiskStats() {
        return Files.isReadable(root.resolve("diskstats")) && Files.isReadable(root.resolve("uptime"));
    }

    /** Seconds since boot, from {@code uptime}. */
    double uptimeSeconds() throws IOException {
        return Double.parseDouble(fields(read("uptime"))[0]);
    }

    /** The 1, 5 and 15 minute load averages, from {@code loadavg}. */
    List<Double> loadAverage() throws IOException {
        return Arrays.stream(fields(read("loadavg"))).limit(3).map(Double::valueOf).toList();
    }

    /** Counters of every disk that has done any I/O since boot, by name, from {@code diskstats}. */
    Map<String, DiskCounters> diskCounters() throws IOException {
        Map<String, DiskCounters> disks = new LinkedHashMap<>();
        for (String line : read("diskstats").split("\n")) {
            String[] f = fields(line);
            if (f.length < 10) {
                continue;
            }
            DiskCounters c = new DiskCounters(Long.parseLong(f[3]), Long.parseLong(f[5]), Long.parseLong(f[7]),
                    Long.parseLong(f[9]));
            if (c.reads() + c.writes() > 0) {
                disks.put(f[2], c);
            }
        }
        return disks;
    }

    /** Cumulative counters of one disk: reads and writes completed, sectors read and written. */
    record DiskCounters(long reads, long sectorsRead, long writes, long sectorsWritten) {
    }

    private String read(String name) throws IOException {
        String text = Files.readString(root.resolve(name)).strip();
        if (text.isEmpty()) {
            throw new RemoteException(Status.INTERNAL_ERROR, root.resolve(name) + " is empty");
        }
        return text;
    }

    private static String[] fields(String line) {
        return line.strip().split("\\s+");
    }
}
