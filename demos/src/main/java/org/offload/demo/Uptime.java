package org.offload.demo;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.offload.service.Call;
import org.offload.service.Handler;
import org.offload.service.RemoteException;
import org.offload.service.Reply;
import org.offload.service.Status;

/**
 * {@code /v1/uptime}: the output of the {@code uptime} command, or, where it is missing, the same line
 * built from {@code /proc/uptime} and {@code /proc/loadavg}. Answers
 * {@code {"uptime": "...", "source": "uptime", "uptime_seconds": 5727.3, "load_average": [..], "pid": 42}}
 * (the numeric fields where {@code /proc} is readable).
 */
public final class Uptime implements Handler {
    /** Longest the {@code uptime} command may run. */
    static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(5);

    private final Commands commands;
    private final ProcFiles proc;

    /** Loaded by name from a service definition file. */
    public Uptime() {
        this(Commands.fromPath(), ProcFiles.system());
    }

    Uptime(Commands commands, ProcFiles proc) {
        this.commands = commands;
        this.proc = proc;
    }

    @Override
    public Reply handle(Call call) throws IOException {
        Map<String, Object> out = new LinkedHashMap<>();
        Optional<Path> command = commands.find("uptime");
        if (command.isPresent()) {
            out.put("uptime", String.join(" ", commands.run(call, COMMAND_TIMEOUT, List.of(command.get().toString())))
                    .strip());
            out.put("source", "uptime");
        } else if (proc.hasUptime()) {
            out.put("uptime", line(proc.uptimeSeconds(), proc.loadAverage()));
            out.put("source", "/proc/uptime and /proc/loadavg");
        } else {
            throw new RemoteException(Status.INTERNAL_ERROR, "neither an uptime command nor /proc/uptime is available");
        }
        if (proc.hasUptime()) {
            out.put("uptime_seconds", proc.uptimeSeconds());
            out.put("load_average", proc.loadAverage());
        }
        out.put("pid", ProcessHandle.current().pid());
        return Reply.json(out);
    }

    /** An uptime-like line: {@code up 2 days, 3:04, load average: 0.50, 0.25, 0.10}. */
    static String line(double uptimeSeconds, List<Double> loads) {
        Duration up = Duration.ofSeconds((long) uptimeSeconds);
        String days = up.toDays() == 0 ? "" : up.toDays() + (up.toDays() == 1 ? " day, " : " days, ");
        String clock = up.toHours() == 0 ? up.toMinutesPart() + " min"
                : String.format("%d:%02d", up.toHoursPart(), up.toMinutesPart());
        return "up " + days + clock + ", load average: "
                + loads.stream().map(l -> String.format("%.2f", l)).collect(Collectors.joining(", "));
    }
}
