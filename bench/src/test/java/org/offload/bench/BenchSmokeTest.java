package org.offload.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs {@code ./run bench --quick} once in this JVM (its worker processes are real child JVMs) and checks that
 * every scenario ran: each round counted requests, every row has finite figures, no request failed or was
 * lost, and the table and the CSV, JSON and SVG files hold every row. No timing assertion: a quick run's
 * rounds last until they have counted {@link BenchOptions#QUICK_MIN_REQUESTS} requests, however slow the
 * machine, so what is checked is that the scenarios ran, never how fast. Where Debian's rabbitmq-server is
 * installed the run starts its private broker (about 10 s) and the RabbitMQ RPC scenarios are checked like
 * the others; where it is not, that the table says why their rows are missing.
 */
class BenchSmokeTest {
    /**
     * A quick run takes about a minute on an idle 2-core machine (the CURVE rows with 16 KiB bodies and the
     * RabbitMQ broker's start, when installed, take most of it); one busy with other builds is far slower.
     */
    private static final long RUN_TIMEOUT_SECONDS = 480;

    @TempDir
    static Path dir;
    private static BenchOptions options;
    private static Report report;
    private static String printed;

    @BeforeAll
    @Timeout(value = RUN_TIMEOUT_SECONDS, unit = TimeUnit.SECONDS)
    static void runQuickBench() throws Exception {
        options = BenchOptions.quick(dir);
        ByteArrayOutputStream table = new ByteArrayOutputStream();
        report = Bench.run(options, new PrintStream(table, true, StandardCharsets.UTF_8),
                new PrintStream(OutputStream.nullOutputStream()));
        printed = table.toString(StandardCharsets.UTF_8);
    }

    @Test
    void quickRun_everyScenario_completedRequestsInEveryRound() {
        Map<String, List<Double>> requests = report.requests();
        assertFalse(requests.isEmpty());
        requests.forEach((scenario, rounds) -> {
            assertFalse(rounds.isEmpty(), scenario + ": did not run");
            for (double n : rounds) {
                assertTrue(n > 0, scenario + ": a round completed no request " + rounds);
            }
        });
    }

    @Test
    void quickRun_everyRow_hasFiniteNonNegativeFigures() {
        assertFalse(report.rows().isEmpty());
        for (Row row : report.rows()) {
            assertTrue(row.hasValues(), row.label() + ": no figure");
            for (double v : row.values()) {
                assertTrue(Double.isFinite(v) && v >= 0, row.label() + ": " + v + " is not a finite figure >= 0");
            }
        }
    }

    @Test
    void quickRun_everyTarget_hasAResult() {
        for (Row row : report.rows()) {
            assertFalse(row.result().equals("n/a"), row.label() + ": target without a figure");
        }
        assertTrue(printed.contains("targets met:"), printed);
    }

    @Test
    void quickRun_anyScenario_noRequestFailedOrLost() {
        assertTrue(report.problems().isEmpty(), "requests failed or were lost: " + report.problems());
        for (int window : options.windows()) {
            String missing = "complete.w" + window + ".missing";
            Row row = report.rows().stream().filter(r -> r.id().equals(missing)).findFirst().orElseThrow();
            assertEquals(List.of(0.0), row.values(), row.label());
        }
    }

    /**
     * The peers of issue 14: raw JeroMQ with CURVE, Offload's CURVE calls, sends and casts, raw one-way PUSH,
     * and RabbitMQ RPC where rabbitmq-server is installed (this test then starts the private broker too).
     */
    @Test
    void quickRun_peerScenarios_ranWithRowsForEach() {
        List<String> ids = new ArrayList<>();
        boolean rabbit = RabbitBroker.unavailable().isEmpty();
        for (Payload p : Payload.values()) {
            List<String> kinds = new ArrayList<>(List.of("raw.curve.sync.", "raw.curve.pipe.", "offload.curve.call.",
                    "offload.curve.async."));
            if (!p.isJson()) {
                kinds.addAll(List.of("offload.send.", "offload.curve.send.", "offload.cast.", "offload.curve.cast.",
                        "raw.oneway.", "raw.curve.oneway."));
            }
            if (rabbit) {
                kinds.addAll(List.of(Bench.RABBIT_SYNC, Bench.RABBIT_ASYNC));
            }
            kinds.forEach(k -> ids.add(k + p.label));
        }
        Map<String, List<Double>> requests = report.requests();
        for (String id : ids) {
            List<Double> rounds = requests.get(id);
            assertTrue(rounds != null && !rounds.isEmpty(), id + ": did not run");
            assertTrue(rounds.stream().allMatch(n -> n > 0), id + ": a round completed no request " + rounds);
            List<Row> rows = report.rows().stream().filter(r -> r.id().startsWith(id + ".")).toList();
            assertFalse(rows.isEmpty(), id + ": no row");
            rows.forEach(r -> assertTrue(r.hasValues() && Double.isFinite(r.median()), r.label() + ": " + r.values()));
        }
        for (String ratio : List.of("ratio:offload.cast.bytes.rate/raw.oneway.bytes.rate",
                "ratio:offload.send.bytes.rate/raw.pipe.bytes.rate",
                "ratio:offload.curve.async.json.rate/raw.curve.pipe.json.rate",
                "ratio:offload.curve.async.json.rate/offload.async.json.rate")) {
            assertTrue(report.rows().stream().anyMatch(r -> r.id().equals(ratio) && r.hasValues()), ratio);
        }
    }

    /** Every target of issue 14's acceptance is a row of the table with the issue's threshold (plaintext). */
    @Test
    void quickRun_issueTargets_areRowsWithTheirThresholds() {
        Map<String, Row.Target> targets = new LinkedHashMap<>(Map.of(
                "ratio:offload.async.bytes.cpu/raw.pipe.bytes.cpu", Row.Target.atMost(2.5),
                "ratio:offload.async.bytes.rate/raw.pipe.bytes.rate", Row.Target.atLeast(0.40),
                "ratio:offload.async.json.rate/raw.pipe.json.rate", Row.Target.atLeast(0.70),
                "ratio:offload.cast.bytes.rate/raw.oneway.bytes.rate", Row.Target.atLeast(0.50),
                "ratio:offload.call.json.p50/raw.sync.json.p50", Row.Target.atMost(1.25),
                "ratio:offload.call.bytes.p50/raw.sync.bytes.p50", Row.Target.atMost(1.5),
                "ratio:offload.curve.async.json.rate/offload.async.json.rate", Row.Target.atLeast(0.6),
                "ratio:offload.curve.async.bytes.rate/offload.async.bytes.rate", Row.Target.atLeast(0.6)));
        if (RabbitBroker.unavailable().isEmpty()) {
            targets.put("ratio:offload.async.bytes.rate/rabbit.async.bytes.rate", Row.Target.atLeast(5));
            targets.put("ratio:offload.async.bytes.cpu/rabbit.async.bytes.cpu", Row.Target.atMost(0.20));
        }
        targets.forEach((id, target) -> {
            Row row = report.rows().stream().filter(r -> r.id().equals(id)).findFirst().orElse(null);
            assertTrue(row != null, id + ": no such row");
            assertEquals(target, row.target(), id);
            assertTrue(row.hasValues(), id + ": no figure");
        });
    }

    @Test
    void quickRun_rabbitMq_rowsWhenInstalledElseANote() {
        boolean rabbitRows = report.rows().stream().anyMatch(r -> r.id().startsWith(Bench.RABBIT_ASYNC));
        if (RabbitBroker.unavailable().isEmpty()) {
            assertTrue(rabbitRows, "rabbitmq-server is installed but the table has no RabbitMQ row: " + report.skipped());
            assertTrue(report.rows().stream().anyMatch(r -> r.id().equals(
                    "ratio:offload.async.json.cpu/rabbit.async.json.cpu") && r.target() != null && r.hasValues()));
        } else {
            assertFalse(rabbitRows);
            assertTrue(printed.contains("note: rabbitmq-server is not installed"), printed);
        }
    }

    @Test
    void print_quickReport_tableHoldsEveryRow() {
        for (Row row : report.rows()) {
            assertTrue(printed.contains(row.label()), "the table lacks " + row.label());
        }
    }

    @Test
    void write_quickReport_csvJsonAndSvgHoldEveryRow() throws Exception {
        Path base = report.write(dir.resolve("written"));

        List<String> csv = Files.readAllLines(Path.of(base + ".csv"));
        assertEquals(report.rows().size() + 1, csv.size());
        JsonNode json = new ObjectMapper().readTree(Path.of(base + ".json").toFile());
        List<String> jsonIds = new ArrayList<>();
        json.get("rows").forEach(r -> jsonIds.add(r.get("id").asText()));
        assertEquals(report.rows().stream().map(Row::id).toList(), jsonIds);
        assertTrue(json.get("machine").get("cores").asInt() > 0);
        for (String scenario : report.requests().keySet()) {
            assertTrue(json.get("figures").has(scenario + ".requests"), "the JSON lacks " + scenario + ".requests");
        }
        String svg = Files.readString(Path.of(base + ".svg"));
        assertTrue(svg.startsWith("<svg") && svg.strip().endsWith("</svg>"), "not an SVG document");
        for (Row row : report.rows()) {
            assertTrue(csv.stream().anyMatch(line -> line.contains(row.id())), "the CSV lacks " + row.id());
            if (row.target() != null) {
                assertTrue(svg.contains(row.label()), "the chart lacks target " + row.label());
            }
        }
    }
}
