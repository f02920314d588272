package org.offload.bench;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * {@code ./run bench [--quick]} (options: {@link BenchOptions#USAGE}): Offload against raw JeroMQ, gRPC-java and RabbitMQ RPC (a private broker,
 * when Debian's rabbitmq-server is installed), plaintext and CURVE, in one run, then CPU
 * scale-out over worker processes and memory. Prints one table (progress goes to stderr) and writes it as
 * CSV, JSON and SVG.
 */
public final class Bench {
    static final String RABBIT_SYNC = "rabbit.sync.";
    static final String RABBIT_ASYNC = "rabbit.async.";
    /** The note that says why the RabbitMQ rows are not in the table, when they are not. */
    static final String RABBIT_SKIPPED = "rabbit.skipped";

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
        RabbitBroker broker = null;
        RabbitSide rabbit = null;
        try (OffloadSide offload = new OffloadSide(); GrpcSide grpc = new GrpcSide()) {
            if (Arrays.stream(Payload.values()).anyMatch(p -> o.runs(RABBIT_SYNC + p.label) || o.runs(RABBIT_ASYNC + p.label))) {
                Optional<String> missing = RabbitBroker.unavailable();
                if (missing.isPresent()) {
                    results.note(RABBIT_SKIPPED, missing.get());
                } else {
                    try {
                        long t0 = System.nanoTime();
                        broker = new RabbitBroker();
                        rabbit = new RabbitSide(broker);
                        progress.printf("bench: RabbitMQ broker up on 127.0.0.1:%d in %.1f s%n", broker.port,
                                (System.nanoTime() - t0) / 1e9);
                    } catch (Exception e) {
                        results.note(RABBIT_SKIPPED, "the private RabbitMQ broker did not start (" + e.getMessage()
                                + "), so the RabbitMQ RPC rows were skipped");
                    }
                }
            }
            for (Payload p : Payload.values()) {
                Raw plain = raw(p, false, rawServers, rawClients);
                Raw curve = raw(p, true, rawServers, rawClients);
                transports(p, plain.client, curve.client, offload, grpc, rabbit, o, results, progress);
            }
            if (o.runs("complete")) {
                Completeness.run(offload.client, OffloadSide.DEFAULTS, o, results, progress);
            }
        } finally {
            rawClients.forEach(RawJeromq.Client::close);
            for (RawJeromq.Server s : rawServers) {
                s.close();
            }
            if (rabbit != null) {
                rabbit.close();
            }
            if (broker != null) {
                broker.close();
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

    private record Raw(RawJeromq.Server server, RawJeromq.Client client) {}

    private static Raw raw(Payload p, boolean curve, List<RawJeromq.Server> servers, List<RawJeromq.Client> clients)
            throws InterruptedException {
        RawJeromq.Server server = new RawJeromq.Server(p, curve);
        servers.add(server);
        RawJeromq.Client client = new RawJeromq.Client(server, p);
        clients.add(client);
        return new Raw(server, client);
    }

    /**
     * The three interleaved groups for one payload, each plaintext and CURVE: round trip, pipelined
     * throughput (with {@code send}, a pipelined round trip too), one-way (raw PUSH and {@code cast}). The
     * RabbitMQ rows join the first two when {@code rabbit} is there.
     */
    private static void transports(Payload p, RawJeromq.Client raw, RawJeromq.Client rawCurve, OffloadSide offload,
                                   GrpcSide grpc, RabbitSide rabbit, BenchOptions o, Results results,
                                   PrintStream progress) throws Exception {
        String l = p.label;
        List<Scenario> roundTrip = new ArrayList<>(List.of(
                Latency.oneThread("raw.sync." + l, raw::call),
                Latency.oneThread("raw.curve.sync." + l, rawCurve::call),
                Latency.oneThread("offload.call." + l, offload.call(p)),
                Latency.oneThread("offload.curve.call." + l, offload.callCurve(p)),
                Latency.oneThread("offload.callobs." + l, offload.call(offload.observed, p)),
                Latency.virtualThreads("offload.callvt." + l, o.virtualThreads(), offload.call(p)),
                Latency.oneThread("grpc.blocking." + l, grpc.blocking(false, p)),
                Latency.oneThread("grpcdirect.blocking." + l, grpc.blocking(true, p))));
        List<Scenario> throughput = new ArrayList<>(List.of(
                new Pipelined("raw.pipe." + l, o.window(), raw.pipeline()),
                new Pipelined("raw.curve.pipe." + l, o.window(), rawCurve.pipeline()),
                new Pipelined("offload.async." + l, o.window(), offload.callAsync(offload.client, p)),
                new Pipelined("offload.curve.async." + l, o.window(), offload.callAsyncCurve(p)),
                new Pipelined("offload.asyncdirect." + l, o.window(), offload.callAsync(offload.direct, p)),
                new Pipelined("offload.asyncobs." + l, o.window(), offload.callAsync(offload.observed, p)),
                new Pipelined("grpc.async." + l, o.window(), grpc.async(false, p)),
                new Pipelined("grpcdirect.async." + l, o.window(), grpc.async(true, p))));
        if (rabbit != null) {
            roundTrip.add(Latency.oneThread(RABBIT_SYNC + l, rabbit.call(p), rabbit.brokerCpu()));
            throughput.add(new Pipelined(RABBIT_ASYNC + l, o.window(), rabbit.async(p), rabbit.brokerCpu()));
        }
        if (!p.isJson()) {
            throughput.add(new Pipelined("offload.send." + l, o.sendWindow(), offload.send(p)));
            throughput.add(new Pipelined("offload.curve.send." + l, o.sendWindow(), offload.sendCurve(p)));
        }
        Rounds.run("round trip " + l, roundTrip, o, o.measuredRound(), results, progress);
        Rounds.run("throughput " + l, throughput, o, o.measuredRound(), results, progress);
        if (!p.isJson()) {
            Rounds.run("one-way " + l, List.of(
                    new Pipelined("raw.oneway." + l, o.sendWindow(), raw.oneWay()),
                    new Pipelined("raw.curve.oneway." + l, o.sendWindow(), rawCurve.oneWay()),
                    new Pipelined("offload.cast." + l, o.sendWindow(), offload.cast(p)),
                    new Pipelined("offload.curve.cast." + l, o.sendWindow(), offload.castCurve(p))),
                    o, o.measuredRound(), results, progress);
        }
    }
}
