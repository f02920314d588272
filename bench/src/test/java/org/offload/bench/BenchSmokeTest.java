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
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs {@code ./run bench --quick} in this JVM (its worker processes are real child JVMs) and checks that it
 * completes with every row present and sane, in the table and in the CSV, JSON and SVG files. No timing assertion: the figures of a quick run on a busy
 * machine mean nothing, only that each one could be measured.
 */
class BenchSmokeTest {

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void quickRun_completes_everyRowPrintedAndWrittenWithPositiveFiniteFigures(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream table = new ByteArrayOutputStream();
        Report report = Bench.run(BenchOptions.quick(dir), new PrintStream(table, true, StandardCharsets.UTF_8),
                new PrintStream(OutputStream.nullOutputStream()));
        String printed = table.toString(StandardCharsets.UTF_8);

        assertFalse(report.rows().isEmpty());
        for (Row row : report.rows()) {
            assertTrue(row.hasValues(), row.label() + ": no figure");
            for (double v : row.values()) {
                assertTrue(Double.isFinite(v), row.label() + ": " + v + " is not finite");
                // outcome counts and other processes' load may be zero; every other figure is a positive measurement
                boolean mayBeZero = row.unit().equals("requests") || row.unit().equals(Report.CORES);
                assertTrue(mayBeZero ? v >= 0 : v > 0, row.label() + ": " + v + " is not positive");
            }
            assertTrue(printed.contains(row.label()), "the table lacks " + row.label());
            assertFalse(row.result().equals("n/a"), row.label() + ": target without a figure");
        }
        assertTrue(printed.contains("targets met:"), printed);
        assertTrue(report.problems().isEmpty(), "requests failed or were lost: " + report.problems());

        Path base = report.write(dir);

        assertEquals(report.rows().size() + 1, Files.readAllLines(Path.of(base + ".csv")).size());
        JsonNode json = new ObjectMapper().readTree(Path.of(base + ".json").toFile());
        assertEquals(report.rows().size(), json.get("rows").size());
        assertTrue(json.get("machine").get("cores").asInt() > 0);
        String svg = Files.readString(Path.of(base + ".svg"));
        assertTrue(svg.startsWith("<svg") && svg.strip().endsWith("</svg>"), "not an SVG document");
        for (Row row : report.rows()) {
            if (row.target() != null) {
                assertTrue(svg.contains(row.label()), "the chart lacks target " + row.label());
            }
        }
    }
}
