package org.offload.demo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.offload.service.BadRequestException;
import org.offload.service.Call;
import org.offload.service.CancelledException;
import org.offload.service.RemoteException;
import org.offload.service.Reply;
import org.offload.service.Request;
import org.offload.service.ServiceHandler;

/** The worker handlers called directly (no sockets), with a made-up /proc where the answer depends on it. */
@Timeout(30)
class HandlersTest {
    /**
     * How long an interrupted handler may take to end: generous for a loaded machine, yet well below the
     * work it was given (30 s and 45 s), so ending within it means the interrupt ended it.
     */
    private static final Duration INTERRUPTED_END = Duration.ofSeconds(20);

    @TempDir
    Path proc;

    private ProcFiles fakeProc() throws IOException {
        Files.writeString(proc.resolve("uptime"), "93784.50 180000.00\n");      // 1 day, 2:03
        Files.writeString(proc.resolve("loadavg"), "0.50 0.25 0.10 1/147 16697\n");
        Files.writeString(proc.resolve("diskstats"), """
                   7       0 loop0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0
                   8       0 sda 9378 100 937800 500 18756 200 1875600 900 0 1000 1400 0 0 0 0 0 0
                """);
        return new ProcFiles(proc);
    }

    private static Call call(String path, Object body) {
        return Call.of(Request.json(path, Request.DEFAULT_METHOD, body));
    }

    @Test
    void slowEcho_givenDelay_waitsAndEchoesWithItsProcess() throws Exception {
        long started = System.nanoTime();
        Reply reply = ServiceHandler.of(SlowEcho::new).handle(call("/service/sync", Map.of("delay_ms", 150, "message", "hi")));

        assertTrue(System.nanoTime() - started >= Duration.ofMillis(150).toNanos(), "returned before the delay");
        JsonNode body = reply.body().json();
        assertEquals(200, reply.status());
        assertEquals("hi", body.get("message").asText());
        assertEquals(150, body.get("delay_ms").asInt());
        assertEquals("/service/sync", body.get("path").asText());
        assertEquals(ProcessHandle.current().pid(), body.get("pid").asLong());
        assertEquals(Thread.currentThread().getName(), body.get("worker").asText());
    }

    @Test
    void slowEcho_noFields_defaultMessage() throws Exception {
        Reply reply = ServiceHandler.of(SlowEcho::new).handle(call("/service/x", Map.of("delay_ms", 0)));

        assertEquals(SlowEcho.DEFAULT_MESSAGE, reply.body().json().get("message").asText());
    }

    @Test
    void slowEcho_delayBeyondMax_badRequest() {
        assertThrows(BadRequestException.class,
                () -> ServiceHandler.of(SlowEcho::new).handle(call("/service/x", Map.of("delay_ms", 30_001))));
    }

    @Test
    void slowEcho_threadInterrupted_endsEarlyCancelled() throws Exception {
        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        Thread worker = Thread.ofPlatform().start(() -> {
            try {
                ServiceHandler.of(SlowEcho::new).handle(call("/service/x", Map.of("delay_ms", 30_000)));
                outcome.complete(null);
            } catch (Throwable t) {
                outcome.complete(t);
            }
        });
        worker.interrupt();

        // ends early: a 30 s delay that ends within INTERRUPTED_END was cut short by the interrupt
        Throwable ended = outcome.get(INTERRUPTED_END.toMillis(), TimeUnit.MILLISECONDS);
        assertTrue(ended instanceof CancelledException, "not cancelled: " + ended);
    }

    @Test
    void uptime_withoutCommand_lineBuiltFromProc() throws Exception {
        JsonNode body = new Uptime(Commands.none(), fakeProc()).handle(call("/v1/uptime", Map.of())).body().json();

        assertEquals("up 1 day, 2:03, load average: 0.50, 0.25, 0.10", body.get("uptime").asText());
        assertEquals("/proc/uptime and /proc/loadavg", body.get("source").asText());
        assertEquals(93784.5, body.get("uptime_seconds").asDouble());
        assertEquals(List.of(0.5, 0.25, 0.1), List.of(body.get("load_average").get(0).asDouble(),
                body.get("load_average").get(1).asDouble(), body.get("load_average").get(2).asDouble()));
    }

    @Test
    void uptimeLine_underAnHour_minutes() {
        assertEquals("up 5 min, load average: 1.00, 2.00, 3.00", Uptime.line(330, List.of(1.0, 2.0, 3.0)));
        assertEquals("up 3 days, 0:00, load average: 0.00", Uptime.line(3 * 86_400, List.of(0.0)));
    }

    @Test
    void uptime_commandPresent_itsOutput() throws Exception {
        Commands commands = Commands.fromPath();
        assumeTrue(commands.find("uptime").isPresent(), "no uptime command here");

        JsonNode body = new Uptime(commands, ProcFiles.system()).handle(call("/v1/uptime", Map.of())).body().json();

        assertEquals("uptime", body.get("source").asText());
        assertTrue(body.get("uptime").asText().contains("load average"), body.toString());
    }

    @Test
    void uptime_neitherCommandNorProc_fails() {
        ProcFiles none = new ProcFiles(proc.resolve("missing"));
        assertThrows(RemoteException.class,
                () -> new Uptime(Commands.none(), none).handle(call("/v1/uptime", Map.of())));
    }

    @Test
    void ioStat_withoutCommand_firstReportAveragesSinceBoot() throws Exception {
        JsonNode body = new IoStat(Commands.none(), fakeProc()).handle(call("/v1/iostat", Map.of("count", 1)))
                .body().json();

        assertEquals("/proc/diskstats", body.get("source").asText());
        JsonNode devices = body.get("reports").get(0).get("devices");
        assertEquals(1, devices.size(), "idle loop devices are left out: " + devices);
        JsonNode sda = devices.get(0);
        assertEquals("sda", sda.get("device").asText());
        assertEquals(0.1, sda.get("reads_per_s").asDouble());               // 9378 reads / 93784.5 s
        assertEquals(0.2, sda.get("writes_per_s").asDouble());
        assertEquals(5.0, sda.get("kb_read_per_s").asDouble());             // 937800 sectors * 512 B
        assertEquals(10.0, sda.get("kb_written_per_s").asDouble());
    }

    @Test
    void ioStat_countTwo_secondReportComparesWithTheFirst() throws Exception {
        JsonNode reports = new IoStat(Commands.none(), fakeProc())
                .handle(call("/v1/iostat", Map.of("count", 2, "wait", 1))).body().json().get("reports");

        assertEquals(2, reports.size());
        assertEquals(0.0, reports.get(1).get("devices").get(0).get("reads_per_s").asDouble(), "nothing changed");
    }

    @Test
    void ioStat_invalidBody_badRequest() {
        IoStat ioStat = new IoStat(Commands.none(), ProcFiles.system());
        assertThrows(BadRequestException.class, () -> ioStat.handle(call("/v1/iostat", Map.of("count", "1.5"))));
        assertThrows(BadRequestException.class, () -> ioStat.handle(call("/v1/iostat", Map.of("count", 1, "wait", 3))));
    }

    @Test
    void ioStat_threadInterrupted_stopsPromptly() throws Exception {
        IoStat ioStat = new IoStat(Commands.none(), fakeProc());
        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        Thread worker = Thread.ofPlatform().start(() -> {
            try {
                ioStat.handle(call("/v2/iostat", Map.of("count", 10, "wait", 5)));
                outcome.complete(null);
            } catch (Throwable t) {
                outcome.complete(t);
            }
        });
        worker.interrupt();

        // 10 reports 5 s apart take 45 s: ending within INTERRUPTED_END means the interrupt stopped it
        Throwable ended = outcome.get(INTERRUPTED_END.toMillis(), TimeUnit.MILLISECONDS);
        assertTrue(ended instanceof CancelledException, "not cancelled: " + ended);
    }

    @Test
    void mandelbrotTile_counts_matchTheSet() throws Exception {
        Reply reply = new MandelbrotTile().handle(call("/mandelbrot/tile", Map.of("x", 10, "y", 5, "width", 7,
                "height", 3, "format", "counts", "image", Map.of("width", 64, "height", 48, "iterations", 300))));

        assertEquals(MandelbrotTile.COUNTS, reply.body().contentType());
        ByteBuffer counts = reply.body().buffer();
        Mandelbrot set = new Mandelbrot(64, 48);
        for (int y = 5; y < 8; y++) {
            for (int x = 10; x < 17; x++) {
                assertEquals(set.iterations(x, y, 300), counts.getInt(), "pixel " + x + "," + y);
            }
        }
        assertFalse(counts.hasRemaining());
    }

    @Test
    void mandelbrotTile_rgb_threeBytesPerPixel() throws Exception {
        Reply reply = new MandelbrotTile().handle(call("/mandelbrot/tile", Map.of("x", 0, "y", 0, "width", 16,
                "height", 16, "image", Map.of("width", 16, "height", 16, "iterations", 50))));

        byte[] rgb = reply.body().toByteArray();
        assertEquals(MandelbrotTile.RGB, reply.body().contentType());
        assertEquals(16 * 16 * 3, rgb.length);
        int c = Mandelbrot.rgb(new Mandelbrot(16, 16).iterations(0, 0, 50), 50);
        assertArrayEquals(new byte[] {(byte) (c >> 16), (byte) (c >> 8), (byte) c}, Arrays.copyOf(rgb, 3));
    }

    @Test
    void mandelbrotTile_outsideTheImage_badRequest() {
        MandelbrotTile tile = new MandelbrotTile();
        Map<String, Object> image = Map.of("width", 64, "height", 64, "iterations", 10);
        assertThrows(BadRequestException.class, () -> tile.handle(call("/mandelbrot/tile",
                Map.of("x", 60, "y", 0, "width", 5, "height", 1, "image", image))));
        assertThrows(BadRequestException.class, () -> tile.handle(call("/mandelbrot/tile",
                Map.of("x", 0, "y", 0, "width", 1, "height", 1, "format", "gif", "image", image))));
        assertThrows(BadRequestException.class, () -> tile.handle(call("/mandelbrot/tile",
                Map.of("y", 0, "width", 1, "height", 1, "image", image))));
    }

    @Test
    void mandelbrot_knownPoints() {
        assertEquals(1000, Mandelbrot.escape(0, 0, 1000), "0 is in the set");
        assertEquals(1000, Mandelbrot.escape(-1, 0, 1000), "-1 is in the period-2 bulb");
        assertEquals(1, Mandelbrot.escape(2, 2, 1000), "2+2i escapes after one step");
        assertEquals(0, Mandelbrot.rgb(1000, 1000), "the set is black");
        assertTrue(Mandelbrot.rgb(500, 1000) != 0, "outside is coloured");
    }

    @Test
    void primeCount_oneSecond_countsPrimesWithItsProcess() throws Exception {
        JsonNode out = new PrimeCount().handle(call("/v2/primes", Map.of("seconds", 1))).body().json();

        assertEquals(1, out.get("seconds").asInt());
        assertTrue(out.get("primes").asLong() > 100, out.toString());
        assertTrue(PrimeCount.isPrime(out.get("largest").asLong()), out.toString());
        assertEquals(ProcessHandle.current().pid(), out.get("pid").asLong());
    }

    @Test
    void primeCount_threadInterrupted_stopsPromptly() throws Exception {
        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        Thread worker = Thread.ofPlatform().start(() -> {
            try {
                new PrimeCount().handle(call("/v2/primes", Map.of("seconds", PrimeCount.MAX_SECONDS)));
                outcome.complete(null);
            } catch (Throwable t) {
                outcome.complete(t);
            }
        });
        worker.interrupt();

        // it would count for 120 s: ending within INTERRUPTED_END means the interrupt stopped it
        Throwable ended = outcome.get(INTERRUPTED_END.toMillis(), TimeUnit.MILLISECONDS);
        assertTrue(ended instanceof CancelledException, "not cancelled: " + ended);
    }

    @Test
    void primeCount_badSeconds_badRequest() {
        assertEquals("seconds must be at most 120 but was '121'", assertThrows(BadRequestException.class,
                () -> new PrimeCount().handle(call("/v2/primes", Map.of("seconds", 121)))).getMessage());
        assertThrows(BadRequestException.class, () -> new PrimeCount().handle(call("/v2/primes", Map.of("seconds", 0))));
        assertEquals(List.of(2L, 3L, 5L, 7L, 11L, 13L), java.util.stream.LongStream.range(0, 15)
                .filter(PrimeCount::isPrime).boxed().toList());
    }

    @Test
    void mandelbrotTile_reply_namesItsProcessAndTime() throws Exception {
        Reply reply = new MandelbrotTile().handle(call("/mandelbrot/tile", Map.of("x", 0, "y", 0, "width", 16,
                "height", 16, "image", Map.of("width", 16, "height", 16, "iterations", 50))));

        assertEquals(String.valueOf(ProcessHandle.current().pid()), reply.headers().get(MandelbrotTile.PID_HEADER));
        assertTrue(Long.parseLong(reply.headers().get(MandelbrotTile.MICROS_HEADER)) >= 0);
    }
}
