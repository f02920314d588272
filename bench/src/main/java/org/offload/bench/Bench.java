package org.offload.bench;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code ./run bench [--quick]} (options: {@link BenchOptions#USAGE}): Offload against raw JeroMQ and gRPC-java in one run, then CPU
 * scale-out over worker processes and memory. Prints one table (progress goes to stderr) and writes it as
 * CSV, JSON and SVG.
 */
public final class Bench {
    private Bench() {}

    public static void main(String[] args) throws Exception {
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        BenchOptions options = BenchOptions.parse(args);
        Report report = run(options, System.out, System.err);
        Path base = report.write(options.outDir());
        System.out.println("wrote " + base + ".csv, .json, .svg");
        System.exit(0); // gRPC and JeroMQ leave non-daemon threads behind on some paths
    }

    /** Runs everything {@code o} asks for; prints the table to {@code out} and progress to {@code progress}. */
    static Report run(BenchOptions o, PrintStream out, PrintStream progress) throws Exception {
        long start = System.nanoTime();
        Machine machine = Machine.describe();
        progress.println("bench: " + (o.quick() ? "quick" : "full") + " run on " + machine.summary());
        Results results = new Results();
        List<RawJeromq.Server> rawServers = new ArrayList<>();
        List<RawJeromq.Client> rawClients = new ArrayList<>();
        try (OffloadSide offload = new OffloadSide(); GrpcSide grpc = new GrpcSide()) {
            for (Payload p : Payload.values()) {
                RawJeromq.Server server = new RawJeromq.Server(p);
                rawServers.add(server);
                RawJeromq.Client raw = new RawJeromq.Client(server, p);
                rawClients.add(raw);
                transports(p, raw, offload, grpc, o, results, progress);
            }
            if (o.runs("complete")) {
                Completeness.run(offload.client, OffloadSide.DEFAULTS, o, results, progress);
            }
        } finally {
            rawClients.forEach(RawJeromq.Client::close);
            for (RawJeromq.Server s : rawServers) {
                s.close();
            }
        }
        if (ScaleOut.ids(Runtime.getRuntime().availableProcessors()).stream().anyMatch(o::runs)) {
            try (ScaleOut scale = new ScaleOut(o)) {
                Rounds.run("scale-out " + scale.counts + " workers, light", scale.light, o, o.measuredRound(), results, progress);
                Rounds.run("scale-out " + scale.counts + " workers, heavy", scale.heavy, o, o.scaleRound(), results,
                        progress);
            }
        }
        if (o.runs(Overload.ID)) {
            Overload.run(o, results, progress);
        }
        if (o.runs("memory.client")) {
            MemoryBench.clientHeap(o, results, progress);
        }
        if (o.runs("memory.service")) {
            MemoryBench.serviceOverload(o, results, progress);
        }
        machine.facts().put("load average at end", Machine.loadAverage());
        machine.facts().put("run seconds", String.format("%.0f", (System.nanoTime() - start) / 1e9));
        Report report = new Report(machine, o, results);
        report.print(out);
        return report;
    }

    /** The three interleaved groups for one payload: round trip, pipelined throughput, one-way. */
    private static void transports(Payload p, RawJeromq.Client raw, OffloadSide offload, GrpcSide grpc,
                                   BenchOptions o, Results results, PrintStream progress) throws Exception {
        String l = p.label;
        Rounds.run("round trip " + l, List.of(
                Latency.oneThread("raw.sync." + l, raw::call),
                Latency.oneThread("offload.call." + l, offload.call(p)),
                Latency.oneThread("offload.curve.call." + l, offload.callCurve(p)),
                Latency.oneThread("offload.callobs." + l, offload.call(offload.observed, p)),
                Latency.virtualThreads("offload.callvt." + l, o.virtualThreads(), offload.call(p)),
                Latency.oneThread("grpc.blocking." + l, grpc.blocking(false, p)),
                Latency.oneThread("grpcdirect.blocking." + l, grpc.blocking(true, p))),
                o, o.measuredRound(), results, progress);
        Rounds.run("throughput " + l, List.of(
                new Pipelined("raw.pipe." + l, o.window(), raw.pipeline()),
                new Pipelined("offload.async." + l, o.window(), offload.callAsync(offload.client, p)),
                new Pipelined("offload.curve.async." + l, o.window(), offload.callAsyncCurve(p)),
                new Pipelined("offload.asyncdirect." + l, o.window(), offload.callAsync(offload.direct, p)),
                new Pipelined("offload.asyncobs." + l, o.window(), offload.callAsync(offload.observed, p)),
                new Pipelined("grpc.async." + l, o.window(), grpc.async(false, p)),
                new Pipelined("grpcdirect.async." + l, o.window(), grpc.async(true, p))),
                o, o.measuredRound(), results, progress);
        if (!p.isJson()) {
            Rounds.run("one-way " + l, List.of(
                    raw.oneWay("raw.oneway." + l),
                    new Pipelined("offload.send." + l, o.sendWindow(), offload.send(p))),
                    o, o.measuredRound(), results, progress);
        }
    }
}
