package org.offload.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The run's table: every figure and every ratio with its target, in one layout, printed and written as CSV,
 * JSON and an SVG chart. Ratios are taken round by round from the same run (rounds were interleaved).
 */
final class Report {
    private static final String US = "µs";
    private static final String PER_S = "req/s";
    private static final String X = "×";
    static final String CORES = "cores";

    private final Machine machine;
    private final BenchOptions options;
    private final Results results;
    private final List<Row> rows = new ArrayList<>();
    private final Set<String> scenarios = new LinkedHashSet<>();
    private String section = "";

    Report(Machine machine, BenchOptions options, Results results) {
        this.machine = machine;
        this.options = options;
        this.results = results;
        layout();
    }

    List<Row> rows() {
        return rows;
    }

    /**
     * Every scenario the rows are taken from, with the requests each of its rounds counted (its
     * {@code requests} figure: those its figures are taken over); no values for one that did not run.
     */
    Map<String, List<Double>> requests() {
        Map<String, List<Double>> out = new LinkedHashMap<>();
        scenarios.forEach(s -> out.put(s, results.values(s + ".requests")));
        return out;
    }

    // ---------------------------------------------------------------- layout

    private void layout() {
        String vt = options.virtualThreads() + " virtual threads";
        String w = String.format(Locale.ROOT, "%,d in flight", options.window());
        String sw = String.format(Locale.ROOT, "%,d in flight", options.sendWindow());
        boolean rabbit = results.note(Bench.RABBIT_SKIPPED).isEmpty();
        for (Payload p : Payload.values()) {
            String l = p.label;
            section("Round trip · " + describe(p));
            latency("raw.sync." + l, "raw JeroMQ, 1 thread, plaintext");
            latency("raw.curve.sync." + l, "raw JeroMQ, 1 thread, CURVE");
            latency("offload.call." + l, "Offload call, 1 thread, plaintext");
            latency("offload.curve.call." + l, "Offload call, 1 thread, CURVE");
            latency("offload.callobs." + l, "Offload call, 1 thread, Micrometer timers on both sides");
            latency("offload.callvt." + l, "Offload call, " + vt);
            figure("offload.callvt." + l + ".rate", "Offload call, " + vt + ": calls", PER_S);
            figure("offload.callvt." + l + ".cpu", "Offload call, " + vt + ": CPU per call", US);
            latency("grpc.blocking." + l, "gRPC unary blocking, default executors");
            latency("grpcdirect.blocking." + l, "gRPC unary blocking, direct executor");
            if (rabbit) {
                latency(Bench.RABBIT_SYNC + l, "RabbitMQ RPC (direct reply-to), 1 thread");
            }
            others("raw.sync." + l, "raw.curve.sync." + l, "offload.call." + l, "offload.curve.call." + l,
                    "offload.callobs." + l, "offload.callvt." + l, "grpc.blocking." + l, "grpcdirect.blocking." + l,
                    Bench.RABBIT_SYNC + l);
        }
        for (Payload p : Payload.values()) {
            String l = p.label;
            section("Throughput · " + describe(p) + "; CPU per request: this JVM's, all sides"
                    + (rabbit ? " (RabbitMQ: and the broker's)" : ""));
            throughput("raw.pipe." + l, "raw JeroMQ pipelined, " + w + ", plaintext");
            throughput("raw.curve.pipe." + l, "raw JeroMQ pipelined, " + w + ", CURVE");
            throughput("offload.async." + l, "Offload callAsync, " + w + ", plaintext");
            throughput("offload.curve.async." + l, "Offload callAsync, " + w + ", CURVE");
            throughput("offload.asyncdirect." + l, "Offload callAsync, " + w + ", callbacks on receiver thread");
            throughput("offload.asyncobs." + l, "Offload callAsync, " + w + ", Micrometer timers on both sides");
            throughput("grpc.async." + l, "gRPC unary async, " + w + ", default executors");
            throughput("grpcdirect.async." + l, "gRPC unary async, " + w + ", direct executor");
            if (rabbit) {
                throughput(Bench.RABBIT_ASYNC + l, "RabbitMQ RPC (direct reply-to), " + w);
                figure(Bench.RABBIT_ASYNC + l + ".cpuOutside", "RabbitMQ RPC (direct reply-to), " + w
                        + ": the broker's part of the CPU per request", US);
            }
            if (!p.isJson()) {
                throughput("offload.send." + l, "Offload send (nowait), " + sw + ", replies at the handler, plaintext");
                throughput("offload.curve.send." + l, "Offload send (nowait), " + sw + ", replies at the handler, CURVE");
                throughput("raw.oneway." + l, "raw JeroMQ one-way PUSH→PULL, " + sw + ", counted at the sink, plaintext");
                throughput("raw.curve.oneway." + l, "raw JeroMQ one-way PUSH→PULL, " + sw + ", counted at the sink, CURVE");
                throughput("offload.cast." + l, "Offload cast (no reply), " + sw + ", counted at the handler, plaintext");
                throughput("offload.curve.cast." + l, "Offload cast (no reply), " + sw + ", counted at the handler, CURVE");
            }
            others("raw.pipe." + l, "raw.curve.pipe." + l, "offload.async." + l, "offload.curve.async." + l,
                    "offload.asyncdirect." + l, "offload.asyncobs." + l, "grpc.async." + l, "grpcdirect.async." + l,
                    Bench.RABBIT_ASYNC + l, "offload.send." + l, "offload.curve.send." + l, "raw.oneway." + l,
                    "raw.curve.oneway." + l, "offload.cast." + l, "offload.curve.cast." + l);
        }
        section("Ratios (round by round) and targets, plaintext");
        peerRatios("", "", rabbit);
        section("Ratios (round by round) and targets, CURVE: Offload and raw JeroMQ with CURVE; gRPC and RabbitMQ"
                + " stay plaintext");
        peerRatios("curve.", "CURVE: ", rabbit);
        section("What CURVE and metrics cost (round by round)");
        for (Payload p : Payload.values()) {
            ratio("CURVE cost: call p50 CURVE / plaintext · " + p.label, "offload.curve.call." + p.label + ".p50",
                    "offload.call." + p.label + ".p50", null);
            ratio("CURVE cost: callAsync CURVE / plaintext · " + p.label, "offload.curve.async." + p.label + ".rate",
                    "offload.async." + p.label + ".rate", Row.Target.atLeast(0.60));
            ratio("CURVE cost: raw JeroMQ pipelined CURVE / plaintext · " + p.label,
                    "raw.curve.pipe." + p.label + ".rate", "raw.pipe." + p.label + ".rate", null);
            ratio("metrics on / off: call p50 · " + p.label, "offload.callobs." + p.label + ".p50",
                    "offload.call." + p.label + ".p50", null);
            ratio("metrics on / off: callAsync CPU per request · " + p.label, "offload.asyncobs." + p.label + ".cpu",
                    "offload.async." + p.label + ".cpu", null);
        }

        section("Every request ends: callAsync to a service with library defaults");
        for (int window : options.windows()) {
            scenarios.add("complete.w" + window);
            String id = "complete.w" + window + ".missing";
            add(id, String.format(Locale.ROOT, "%,d in flight: requests without reply or typed failure", window),
                    "requests", results.values(id), Row.Target.exactly(0));
        }

        section("CPU offload scale-out: SHA-256 handler in worker processes, 1 handler thread each");
        List<Integer> counts = ScaleOut.counts(Runtime.getRuntime().availableProcessors());
        for (String weight : List.of(ScaleOut.LIGHT, ScaleOut.HEAVY)) {
            String prefix = "scale." + weight + ".w";
            add(prefix + "1.ms", weight + " work: time per request with 1 worker", "ms",
                    results.values(prefix + "1.rate").stream().map(r -> 1_000 / r).toList(), null);
            for (int k : counts) {
                scenarios.add(prefix + k);
                String what = weight + " work: " + k + (k == 1 ? " worker process" : " worker processes");
                figure(prefix + k + ".rate", what, PER_S);
                figure(prefix + k + ".cpu", what + ": CPU per request, this JVM and the workers", US);
            }
            if (weight.equals(ScaleOut.HEAVY)) {
                for (int k : counts) {
                    scenarios.add("scale.raw.w" + k);
                    String what = "heavy work, plain JeroMQ workers: " + k + (k == 1 ? " worker process" : " worker processes");
                    figure("scale.raw.w" + k + ".rate", what, PER_S);
                    figure("scale.raw.w" + k + ".cpu", what + ": CPU per request, this JVM and the workers", US);
                }
            }
            others(counts.stream().map(k -> prefix + k).toArray(String[]::new));
            for (int k : counts) {
                if (k > 1) {
                    ratio(weight + " work: " + k + " workers / 1 worker", prefix + k + ".rate", prefix + "1.rate",
                            k == 2 && weight.equals(ScaleOut.HEAVY) ? Row.Target.atLeast(1.8) : null);
                    if (weight.equals(ScaleOut.HEAVY)) {
                        ratio("heavy work, plain JeroMQ workers: " + k + " workers / 1 worker", "scale.raw.w" + k + ".rate",
                                "scale.raw.w1.rate", null);
                    }
                }
            }
        }

        section("Overload: " + Overload.FACTOR + "× the capacity offered, every call with a 5 s deadline");
        scenarios.add(Overload.ID);
        figure("overload.capacity", "service capacity (CPU-bound handler, library defaults)", PER_S);
        figure("overload.offered", "calls offered in the measured window", PER_S);
        figure("overload.factor", "calls offered / handler runs, in the window", X);
        figure("overload.useful", "replies to callers still waiting", PER_S);
        figure("overload.busyShare", "handler threads' time spent in handlers", X);
        add("overload.goodput", "goodput: share of the capacity that went to callers still waiting", X,
                results.values("overload.goodput"), Row.Target.atLeast(0.90));
        figure("overload.ok", "calls served in time", "calls");
        figure("overload.busy", "calls refused 429 (admission or queue full)", "calls");
        figure("overload.late", "calls ended 408", "calls");
        figure("overload.wasted", "handlers run for callers who had given up", "calls");

        section("Memory");
        scenarios.add("memory.client");
        scenarios.add("memory.service");
        add("memory.client.bytesPerCall", "client heap per pending callAsync", "bytes",
                results.values("memory.client.bytesPerCall"), Row.Target.atMost(1024));
        for (String what : List.of("heap", "rss")) {
            String name = what.equals("heap") ? "service live heap (after GC)" : "service RSS";
            for (String at : List.of("idle", "first", "last", "max")) {
                figure("memory.service." + what + "." + at, name + ", " + at + (at.equals("idle") ? "" : " under overload"),
                        "MiB");
            }
            figure("memory.service." + what + ".growth", name + ": last / first sample under overload", X);
            add("memory.service." + what + ".plateau", name + ": last sample / highest of the first half (plateau)", X,
                    results.values("memory.service." + what + ".plateau"), Row.Target.atMost(1.05));
        }
    }

    /**
     * Every ratio of Offload to its peers, for one mode: {@code mode} "" (plaintext) or "curve." (Offload
     * and raw JeroMQ with CURVE, ids {@code offload.curve.*} and {@code raw.curve.*}). The targets hold in
     * both modes where both sides are in the mode (Offload against raw JeroMQ); against gRPC and RabbitMQ,
     * which stay plaintext here, the CURVE rows have none.
     */
    private void peerRatios(String mode, String prefix, boolean rabbit) {
        boolean plain = mode.isEmpty();
        String peers = plain ? "" : " (peer plaintext)";
        for (Payload p : Payload.values()) {
            String l = " · " + p.label;
            String call = "offload." + mode + "call." + p.label;
            String sync = "raw." + mode + "sync." + p.label;
            ratio(prefix + "call p50 / raw p50" + l, call + ".p50", sync + ".p50", Row.Target.atMost(p.isJson() ? 1.25 : 1.5));
            ratio(prefix + "call p99 / raw p99" + l, call + ".p99", sync + ".p99", Row.Target.atMost(2));
        }
        for (Payload p : Payload.values()) {
            String l = " · " + p.label;
            String async = "offload." + mode + "async." + p.label;
            String pipe = "raw." + mode + "pipe." + p.label;
            ratio(prefix + "callAsync / raw pipelined" + l, async + ".rate", pipe + ".rate",
                    Row.Target.atLeast(p.isJson() ? 0.70 : 0.40));
            ratio(prefix + "callAsync / gRPC async default" + peers + l, async + ".rate", "grpc.async." + p.label + ".rate",
                    plain && p.isJson() ? Row.Target.atLeast(5) : null);
            ratio(prefix + "callAsync / gRPC async direct" + peers + l, async + ".rate",
                    "grpcdirect.async." + p.label + ".rate", plain && p.isJson() ? Row.Target.atLeast(2) : null);
            if (rabbit) {
                String rpc = Bench.RABBIT_ASYNC + p.label;
                ratio(prefix + "callAsync / RabbitMQ RPC" + peers + l, async + ".rate", rpc + ".rate",
                        plain ? Row.Target.atLeast(5) : null);
                ratio(prefix + "callAsync CPU per request / RabbitMQ RPC's (broker included)" + peers + l,
                        async + ".cpu", rpc + ".cpu", plain ? Row.Target.atMost(0.20) : null);
                ratio(prefix + "call p50 / RabbitMQ RPC p50" + peers + l, "offload." + mode + "call." + p.label + ".p50",
                        Bench.RABBIT_SYNC + p.label + ".p50", null);
            }
            if (!p.isJson()) {
                // send is a round trip (its reply reaches the response handler): its fair peer is raw pipelined
                ratio(prefix + "send / raw pipelined" + l, "offload." + mode + "send." + p.label + ".rate", pipe + ".rate",
                        Row.Target.atLeast(0.40));
                ratio(prefix + "cast / raw one-way PUSH" + l, "offload." + mode + "cast." + p.label + ".rate",
                        "raw." + mode + "oneway." + p.label + ".rate", Row.Target.atLeast(0.50));
            }
        }
        for (Payload p : Payload.values()) {
            // the issue's CPU target is for small bytes in plaintext: the codec and the proof, not Jackson or copies
            ratio(prefix + "callAsync CPU per request / raw pipelined · " + p.label,
                    "offload." + mode + "async." + p.label + ".cpu", "raw." + mode + "pipe." + p.label + ".cpu",
                    plain && p == Payload.BYTES ? Row.Target.atMost(2.5) : null);
            if (!p.isJson()) {
                ratio(prefix + "cast CPU per request / raw one-way · " + p.label,
                        "offload." + mode + "cast." + p.label + ".cpu", "raw." + mode + "oneway." + p.label + ".cpu", null);
            }
        }
        ratio(prefix + "call p50 / gRPC blocking p50 default" + peers + " · json", "offload." + mode + "call.json.p50",
                "grpc.blocking.json.p50", null);
        ratio(prefix + "call p50 / gRPC blocking p50 direct" + peers + " · json", "offload." + mode + "call.json.p50",
                "grpcdirect.blocking.json.p50", null);
    }

    private static String describe(Payload p) {
        return p.label + " (" + p.size() + " B body" + (p.isJson() ? ", Jackson on both sides)" : ", echoed)");
    }

    private void section(String title) {
        section = title;
    }

    private void latency(String prefix, String label) {
        scenarios.add(prefix);
        figure(prefix + ".p50", label + ": p50", US);
        figure(prefix + ".p99", label + ": p99", US);
        figure(prefix + ".p999", label + ": p99.9", US);
    }

    /** The CPU other processes used during the rounds of these scenarios (all rounds pooled). */
    private void others(String... prefixes) {
        List<Double> all = new ArrayList<>();
        for (String prefix : prefixes) {
            all.addAll(results.values(prefix + ".others"));
        }
        add("others:" + prefixes[0], "other processes on this machine meanwhile (not this benchmark)", CORES, all, null);
    }

    private void throughput(String prefix, String label) {
        scenarios.add(prefix);
        figure(prefix + ".rate", label, PER_S);
        figure(prefix + ".cpu", label + ": CPU per request", US);
    }

    private void figure(String id, String label, String unit) {
        add(id, label, unit, results.values(id), null);
    }

    private void ratio(String label, String num, String den, Row.Target target) {
        add("ratio:" + num + "/" + den, label, X, Row.ratios(results.values(num), results.values(den)), target);
    }

    private void add(String id, String label, String unit, List<Double> values, Row.Target target) {
        rows.add(new Row(section, id, label, unit, values, target, results.note(id)));
    }

    // ---------------------------------------------------------------- output

    /** The heading and the table, Markdown-compatible. */
    void print(PrintStream out) {
        out.println();
        out.println("Offload benchmark (" + (options.quick() ? "quick smoke run: figures are not meaningful" : "full run")
                + ", " + options.rounds() + " measured rounds, medians with min–max spread)");
        out.println("machine: " + machine.summary());
        out.println();
        List<String[]> lines = new ArrayList<>();
        lines.add(new String[] {"#", "row", "median", "spread", "unit", "target", "result"});
        String current = null;
        int n = 0;
        for (Row r : rows) {
            if (!r.section().equals(current)) {
                current = r.section();
                lines.add(new String[] {"", "**" + current + "**", "", "", "", "", ""});
            }
            lines.add(new String[] {Integer.toString(++n), r.label(), Format.number(r.median(), r.unit()), Format.spread(r),
                    r.unit(), r.target() == null ? "" : r.target().text(r.unit()), r.result()});
        }
        int[] width = new int[7];
        for (String[] l : lines) {
            for (int i = 0; i < l.length; i++) {
                width[i] = Math.max(width[i], l[i].length());
            }
        }
        for (int k = 0; k < lines.size(); k++) {
            out.println(line(lines.get(k), width));
            if (k == 0) {
                String[] rule = new String[7];
                for (int i = 0; i < 7; i++) {
                    rule[i] = (i == 2 || i == 3 ? "-".repeat(width[i] - 1) + ":" : "-".repeat(width[i]));
                }
                out.println(line(rule, width));
            }
        }
        out.println();
        long met = rows.stream().filter(r -> r.result().equals("met")).count();
        long targets = rows.stream().filter(r -> r.target() != null).count();
        out.printf("targets met: %d of %d%n", met, targets);
        for (Row r : rows) {
            if (!r.note().isEmpty()) {
                out.println("note: " + r.label() + ": " + r.note());
            }
        }
        skipped().forEach(reason -> out.println("note: " + reason));
        for (String problem : problems()) {
            out.println("WARNING: " + problem);
        }
        for (String cut : cutShort()) {
            out.println("WARNING: rounds cut short at " + Round.CAP.toSeconds() + " s, with fewer requests than "
                    + options.minRequests() + ": " + cut);
        }
    }

    private static String line(String[] cells, int[] width) {
        StringBuilder b = new StringBuilder("|");
        for (int i = 0; i < cells.length; i++) {
            String c = cells[i];
            String pad = " ".repeat(width[i] - c.length());
            b.append(' ').append(i == 2 || i == 3 ? pad + c : c + pad).append(" |");
        }
        return b.toString();
    }

    /** Why rows are missing from the table (the RabbitMQ rows where its broker is not installed). */
    List<String> skipped() {
        String rabbit = results.note(Bench.RABBIT_SKIPPED);
        return rabbit.isEmpty() ? List.of() : List.of(rabbit);
    }

    /** Scenarios that had failed or lost requests while measuring throughput or latency. */
    List<String> problems() {
        List<String> out = new ArrayList<>();
        results.all().forEach((id, values) -> {
            if ((id.endsWith(".errors") || id.endsWith(".lost")) && values.stream().anyMatch(v -> v > 0)
                    && !id.startsWith("overload")) {
                out.add(id + " = " + values);
            }
        });
        return out;
    }

    /** Scenarios with rounds that their cap ended before they counted their minimum of requests. */
    List<String> cutShort() {
        List<String> out = new ArrayList<>();
        results.all().forEach((id, values) -> {
            if (id.endsWith(".cut") && values.stream().anyMatch(v -> v > 0)) {
                out.add(id + " = " + values);
            }
        });
        return out;
    }

    /** Writes bench-TIMESTAMP.csv, .json and .svg into {@code dir}; returns the common path prefix. */
    Path write(Path dir) throws IOException {
        Files.createDirectories(dir);
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        Path base = dir.resolve("bench-" + stamp);
        Files.writeString(Path.of(base + ".csv"), csv());
        Files.writeString(Path.of(base + ".json"), json());
        Files.writeString(Path.of(base + ".svg"), new SvgChart(machine, options, rows).render());
        return base;
    }

    String csv() {
        StringBuilder b = new StringBuilder("section,id,label,unit,median,min,max,rounds,target,result,note\n");
        for (Row r : rows) {
            b.append(String.join(",", List.of(quote(r.section()), quote(r.id()), quote(r.label()), quote(r.unit()),
                    plain(r.median()), plain(r.min()), plain(r.max()),
                    quote(r.values().stream().map(Report::plain).collect(Collectors.joining(" "))),
                    quote(r.target() == null ? "" : r.target().op() + " " + plain(r.target().threshold())),
                    quote(r.result()), quote(r.note())))).append('\n');
        }
        return b.toString();
    }

    String json() throws IOException {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("machine", machine.facts());
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("quick", options.quick());
        o.put("warmupMs", options.warmup().toMillis());
        o.put("roundMs", options.round().toMillis());
        o.put("rounds", options.rounds());
        o.put("minRequests", options.minRequests());
        o.put("window", options.window());
        o.put("sendWindow", options.sendWindow());
        o.put("virtualThreads", options.virtualThreads());
        o.put("pendingCalls", options.pendingCalls());
        o.put("cpuRounds", options.cpuRounds());
        o.put("payloadBytes", java.util.Arrays.stream(Payload.values()).collect(Collectors.toMap(p -> p.label, Payload::size)));
        doc.put("options", o);
        List<Map<String, Object>> out = new ArrayList<>();
        for (Row r : rows) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("section", r.section());
            m.put("id", r.id());
            m.put("label", r.label());
            m.put("unit", r.unit());
            m.put("median", finite(r.median()));
            m.put("min", finite(r.min()));
            m.put("max", finite(r.max()));
            m.put("rounds", r.values().stream().map(Report::finite).toList());
            if (r.target() != null) {
                m.put("target", Map.of("op", r.target().op(), "threshold", r.target().threshold()));
                m.put("result", r.result());
            }
            if (!r.note().isEmpty()) {
                m.put("note", r.note());
            }
            out.add(m);
        }
        doc.put("rows", out);
        Map<String, Object> figures = new LinkedHashMap<>();
        results.all().forEach((k, v) -> figures.put(k, v.stream().map(Report::finite).toList()));
        doc.put("figures", figures);
        doc.put("problems", problems());
        doc.put("skipped", skipped());
        doc.put("cutShort", cutShort());
        return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(doc) + "\n";
    }

    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }

    private static String plain(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.6g", v) : "";
    }

    private static String quote(String s) {
        return s.contains(",") || s.contains("\"") || s.contains("\n") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }
}
