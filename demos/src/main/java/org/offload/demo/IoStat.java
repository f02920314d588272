package org.offload.demo;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.offload.service.Call;
import org.offload.service.Handler;
import org.offload.service.RemoteException;
import org.offload.service.Reply;
import org.offload.service.Status;

/**
 * {@code /v1/iostat} and the task route {@code /v2/iostat}: {@code count} disk reports {@code wait} seconds
 * apart (body {@code {"count": 3, "wait": 1}}, see {@link IoStatParams}). Runs {@code iostat -d WAIT COUNT}
 * where that command exists ({@code "output"}: its lines); elsewhere samples {@code /proc/diskstats} and
 * computes reads and writes per second per disk ({@code "reports"}; the first report averages since boot,
 * like iostat's). Stops as soon as the call is cancelled.
 */
public final class IoStat implements Handler {
    /** Time {@code iostat} may take beyond its (count - 1) waits. */
    static final Duration COMMAND_MARGIN = Duration.ofSeconds(5);

    private final Commands commands;
    private final ProcFiles proc;

    /** Loaded by name from a service definition file. */
    public IoStat() {
        this(Commands.fromPath(), ProcFiles.system());
    }

    IoStat(Commands commands, ProcFiles proc) {
        this.commands = commands;
        this.proc = proc;
    }

    @Override
    public Reply handle(Call call) throws IOException {
        IoStatParams params = IoStatParams.fromJson(call.json());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("count", params.count());
        out.put("wait", params.waitSeconds());
        Optional<Path> iostat = commands.find("iostat");
        if (iostat.isPresent()) {
            out.put("source", "iostat");
            out.put("output", commands.run(call, params.duration().plus(COMMAND_MARGIN), List.of(
                    iostat.get().toString(), "-d", String.valueOf(params.waitSeconds()), String.valueOf(params.count()))));
        } else if (proc.hasDiskStats()) {
            out.put("source", "/proc/diskstats");
            out.put("reports", sample(call, params));
        } else {
            throw new RemoteException(Status.INTERNAL_ERROR, "neither an iostat command nor /proc/diskstats is available");
        }
        out.put("pid", ProcessHandle.current().pid());
        return Reply.json(out);
    }

    /** Takes {@code count} samples {@code wait} apart; report i compares sample i with sample i-1 (or boot). */
    private List<Map<String, Object>> sample(Call call, IoStatParams params) throws IOException {
        List<Map<String, Object>> reports = new ArrayList<>();
        Sample previous = new Sample(0, Map.of());
        for (int i = 0; i < params.count(); i++) {
            if (i > 0) {
                CallWaits.pause(call, params.interval());
            }
            Sample now = new Sample(proc.uptimeSeconds(), proc.diskCounters());
            reports.add(report(previous, now));
            previous = now;
            call.progress((double) (i + 1) / params.count(), "sample " + (i + 1) + " of " + params.count());
        }
        return reports;
    }

    private record Sample(double uptimeSeconds, Map<String, ProcFiles.DiskCounters> disks) {
    }

    private static Map<String, Object> report(Sample before, Sample after) {
        double seconds = Math.max(after.uptimeSeconds() - before.uptimeSeconds(), 0.001);
        List<Map<String, Object>> devices = new ArrayList<>();
        after.disks().forEach((name, now) -> {
            ProcFiles.DiskCounters was = before.disks().getOrDefault(name, new ProcFiles.DiskCounters(0, 0, 0, 0));
            Map<String, Object> device = new LinkedHashMap<>();
            device.put("device", name);
            device.put("reads_per_s", rate(now.reads() - was.reads(), seconds));
            device.put("writes_per_s", rate(now.writes() - was.writes(), seconds));
            device.put("kb_read_per_s", rate((now.sectorsRead() - was.sectorsRead()) * ProcFiles.SECTOR_BYTES / 1024.0, seconds));
            device.put("kb_written_per_s",
                    rate((now.sectorsWritten() - was.sectorsWritten()) * ProcFiles.SECTOR_BYTES / 1024.0, seconds));
            devices.add(device);
        });
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("interval_s", rate(seconds, 1));
        report.put("devices", devices);
        return report;
    }

    /** {@code amount / seconds}, rounded to two decimals. */
    private static double rate(double amount, double seconds) {
        return Math.round(amount / seconds * 100) / 100.0;
    }
}
