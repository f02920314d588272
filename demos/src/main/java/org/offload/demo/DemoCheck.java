package org.offload.demo;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.function.Predicate;
import org.offload.demo.WebClient.Answer;
import javax.imageio.ImageIO;

/**
 * {@code ./run demo --check}: exercises every route of a running demo over HTTP and prints one line per
 * check, {@code PASS route ...} or {@code FAIL route ... reason}. The whole run is bounded by {@link #TIMEOUT};
 * checks that did not get to run then fail.
 */
final class DemoCheck {
    /** The longest the checks may take together. */
    static final Duration TIMEOUT = Duration.ofSeconds(60);
    /** The longest one HTTP exchange may take. */
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(20);
    private static final Duration POLL = Duration.ofMillis(100);

    /** An invalid request and a part of the 400 error it must get. */
    record BadRequest(String method, String target, String error) {
    }

    static final List<BadRequest> BAD_REQUESTS = List.of(
            new BadRequest("GET", "/v1/iostat?count=1.5", "count must be an integer >= 1 but was '1.5'"),
            new BadRequest("GET", "/v1/iostat?count=-10", "count must be an integer >= 1 but was '-10'"),
            new BadRequest("GET", "/v1/iostat?count=0", "count must be an integer >= 1 but was '0'"),
            new BadRequest("GET", "/v1/iostat?count=1&wait=2", "wait makes sense only with count > 1"),
            new BadRequest("GET", "/v1/iostat?wait=2", "wait makes sense only with count > 1"),
            new BadRequest("GET", "/v1/iostat?count=1000", "count must be at most 10 but was '1000'"),
            new BadRequest("GET", "/v1/iostat?count=2&wait=1000", "wait must be at most 5 but was '1000'"),
            new BadRequest("GET", "/v1/iostat?count=2&wait=0", "wait must be an integer >= 1 but was '0'"),
            new BadRequest("POST", "/v2/iostat?count=1.5", "count must be an integer >= 1 but was '1.5'"),
            new BadRequest("GET", "/service/sync?delay_ms=30001", "delay_ms must be at most 30000"),
            new BadRequest("GET", "/service/sync?delay_ms=soon", "delay_ms must be an integer >= 0 but was 'soon'"),
            new BadRequest("GET", "/mandelbrot.png?width=5000", "width must be at most 2048 but was '5000'"),
            new BadRequest("GET", "/mandelbrot.png?height=8", "height must be an integer >= 16 but was '8'"),
            new BadRequest("GET", "/mandelbrot.png?iterations=0", "iterations must be an integer >= 1 but was '0'"));

    private final PrintStream out;
    private final WebClient web;
    private long end;
    private int failures;

    DemoCheck(URI base, PrintStream out) {
        this.web = new WebClient(base);
        this.out = out;
    }

    /** Runs every check; returns how many failed. */
    int run() {
        end = System.nanoTime() + TIMEOUT.toNanos();
        check("GET /", this::index);
        check("GET /health", () -> expectJson(send("GET", "/health"), 200).path("cpu").asText().equals("up"));
        check("GET /service/sync", this::sync);
        check("GET /service/async (reply shows on /)", this::async);
        check("GET /v1/uptime", () -> !expectJson(send("GET", "/v1/uptime"), 200).path("uptime").asText().isBlank());
        check("GET /v1/iostat?count=2&wait=1", () -> ioStatResult(expectJson(send("GET", "/v1/iostat?count=2&wait=1"), 200)));
        for (BadRequest bad : BAD_REQUESTS) {
            check(bad.method() + " " + bad.target() + " -> 400", () -> badRequest(bad));
        }
        check("POST /v1/uptime -> 405", () -> expectJson(send("POST", "/v1/uptime"), 405).has("error"));
        check("GET /v2/iostat -> 405", () -> expectJson(send("GET", "/v2/iostat"), 405).has("error"));
        check("GET /no/such/route -> 404", () -> expectJson(send("GET", "/no/such/route"), 404).has("error"));
        check("POST /v2/iostat, GET /v2/task/ID until SUCCESS", this::taskSucceeds);
        check("POST /v2/iostat, DELETE /v2/task/ID -> 204, GET shows REVOKED", this::taskCancelled);
        check("GET /v2/task/UNKNOWN -> 404", () -> expectJson(send("GET", "/v2/task/no-such-task"), 404).has("error"));
        check("DELETE /v2/task/UNKNOWN -> 404", () -> expectJson(send("DELETE", "/v2/task/no-such-task"), 404).has("error"));
        check("GET /mandelbrot.png?width=300&height=200&iterations=200", this::mandelbrot);
        check("GET /demo (the live page)", () -> expect(send("GET", "/demo"), 200).text().contains("/demo/state"));
        check("GET /demo/state: every worker healthy", this::workersTable);
        check("POST /v2/primes?seconds=1, GET /v2/task/ID until SUCCESS", this::primesTask);
        check("POST /demo/render, GET /demo/render/ID until every tile is in", this::render);
        return failures;
    }

    /** A check: true when it passed; false or an exception (whose message is the reason) when not. */
    @FunctionalInterface
    interface Check {
        boolean passes() throws Exception;
    }

    private void check(String route, Check check) {
        String reason;
        if (System.nanoTime() - end > 0) {
            reason = "not run: the check's " + TIMEOUT.toSeconds() + " s ran out";
        } else {
            try {
                if (check.passes()) {
                    out.println("PASS route " + route);
                    return;
                }
                reason = "unexpected answer";
            } catch (Exception | AssertionError e) {
                reason = e.getMessage() == null ? e.toString() : e.getMessage();
            }
        }
        failures++;
        out.println("FAIL route " + route + " " + reason);
    }

    // ---------------------------------------------------------------- the checks

    private boolean index() throws Exception {
        Answer page = expect(send("GET", "/"), 200);
        expect(page.contentType().startsWith("text/html"), "content type " + page.contentType());
        for (String route : List.of("/service/sync", "/service/async", "/v1/uptime", "/v1/iostat", "/v2/iostat",
                "/v2/task/", "/mandelbrot.png", "/health")) {
            expect(page.text().contains(route), "the page does not link " + route);
        }
        return true;
    }

    private boolean sync() throws Exception {
        JsonNode answer = expectJson(send("GET", "/service/sync?delay_ms=200&message=checking"), 200);
        JsonNode reply = answer.path("reply");
        expect(reply.path("message").asText().equals("checking"), "echoed " + reply);
        expect(reply.path("delay_ms").asLong() == 200 && answer.path("elapsed_ms").asLong() >= 200,
                "waited " + answer.path("elapsed_ms") + " ms for a delay of 200 ms: " + answer);
        return reply.path("pid").asLong() > 0;
    }

    private boolean async() throws Exception {
        String token = "check-" + UUID.randomUUID();
        JsonNode accepted = expectJson(send("GET", "/service/async?delay_ms=100&message=" + token), 202);
        expect(accepted.path("message").asText().equals(token), "202 body " + accepted);
        poll(() -> send("GET", "/"), page -> page.text().contains(token), Duration.ofSeconds(10),
                "the reply to " + token + " on /");
        return true;
    }

    private boolean ioStatResult(JsonNode result) {
        expect(result.path("count").asInt() == 2, "count in " + result);
        return result.path("reports").size() == 2 || result.path("output").size() > 0;
    }

    private boolean badRequest(BadRequest bad) throws Exception {
        String error = expectJson(send(bad.method(), bad.target()), 400).path("error").asText();
        expect(error.contains(bad.error()), "error was '" + error + "', expected '" + bad.error() + "'");
        return true;
    }

    private boolean taskSucceeds() throws Exception {
        String task = startTask("/v2/iostat?count=2&wait=1");
        JsonNode done = poll(() -> expectJson(send("GET", task), 200),
                t -> !List.of("PENDING", "STARTED").contains(t.path("state").asText()), Duration.ofSeconds(20),
                "the end of " + task);
        expect(done.path("state").asText().equals("SUCCESS"), "task ended " + done);
        return ioStatResult(done.path("result"));
    }

    private boolean taskCancelled() throws Exception {
        String task = startTask("/v2/iostat?count=10&wait=5");
        poll(() -> expectJson(send("GET", task), 200), t -> t.path("state").asText().equals("STARTED"),
                Duration.ofSeconds(10), task + " to start");
        expect(send("DELETE", task), 204);
        JsonNode revoked = poll(() -> expectJson(send("GET", task), 200),
                t -> !List.of("PENDING", "STARTED").contains(t.path("state").asText()), Duration.ofSeconds(10),
                "the end of " + task + " after DELETE");
        expect(revoked.path("state").asText().equals("REVOKED"), "after DELETE: " + revoked);
        return !revoked.has("result");
    }

    /** POSTs a task and returns its location after checking the 201 answer's id, links and Location. */
    private String startTask(String target) throws Exception {
        Answer created = expect(send("POST", target), 201);
        JsonNode body = created.json();
        String id = body.path("task_id").asText();
        String location = created.headers().firstValue("Location").orElse("");
        expect(!id.isEmpty() && location.equals("/v2/task/" + id), "task_id " + id + ", Location " + location);
        expect(body.path("links").findValuesAsText("href").contains(location), "links " + body.path("links"));
        return location;
    }

    private boolean mandelbrot() throws Exception {
        Answer png = expect(send("GET", "/mandelbrot.png?width=300&height=200&iterations=200"), 200);
        expect(png.contentType().equals("image/png"), "content type " + png.contentType());
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(png.body()));
        expect(image != null && image.getWidth() == 300 && image.getHeight() == 200,
                "not a 300x200 PNG: " + (image == null ? "unreadable" : image.getWidth() + "x" + image.getHeight()));
        Mandelbrot set = new Mandelbrot(300, 200);
        for (int y = 0; y < 200; y++) {
            for (int x = 0; x < 300; x++) {
                int expected = Mandelbrot.rgb(set.iterations(x, y, 200), 200);
                expect((image.getRGB(x, y) & 0xffffff) == expected, "pixel (" + x + ", " + y + ") differs");
            }
        }
        return true;
    }

    private boolean workersTable() throws Exception {
        JsonNode rows = poll(() -> expectJson(send("GET", "/demo/state"), 200).path("workers"),
                w -> w.size() >= 2 && w.findValues("healthy").stream().allMatch(JsonNode::asBoolean),
                Duration.ofSeconds(10), "healthy workers in the table");
        return rows.path(0).path("service").asText().equals("slow-echo")
                && rows.path(1).path("routes").toString().contains("/mandelbrot/tile");
    }

    private boolean primesTask() throws Exception {
        String task = startTask("/v2/primes?seconds=1");
        JsonNode done = poll(() -> expectJson(send("GET", task), 200),
                t -> !List.of("PENDING", "STARTED").contains(t.path("state").asText()), Duration.ofSeconds(20),
                "the end of " + task);
        expect(done.path("state").asText().equals("SUCCESS"), "task ended " + done);
        return done.path("result").path("primes").asLong() > 0;
    }

    private boolean render() throws Exception {
        JsonNode started = expectJson(send("POST", "/demo/render?width=300&height=200&iterations=200"), 201);
        int tiles = MandelbrotRoute.tiles(300, 200).size();
        expect(started.path("tiles").asInt() == tiles, "tiles in " + started);
        JsonNode done = poll(() -> expectJson(send("GET", started.path("poll").asText()), 200),
                r -> r.path("finished").asInt() == tiles, Duration.ofSeconds(20), "every tile").path("done");
        for (JsonNode tile : done) {
            expect(tile.path("error").asText().isEmpty() && tile.path("pid").asLong() > 0
                    && !tile.path("png").asText().isEmpty(), "tile " + tile.path("index") + ": " + tile.path("error"));
        }
        return done.size() == tiles;
    }

    // ---------------------------------------------------------------- HTTP

    private Answer send(String method, String target) throws IOException, InterruptedException {
        long left = Math.max(end - System.nanoTime(), Duration.ofSeconds(1).toNanos());
        return web.send(method, target, Duration.ofNanos(Math.min(left, REQUEST_TIMEOUT.toNanos())));
    }

    private static Answer expect(Answer answer, int status) {
        String text = answer.text();
        expect(answer.status() == status, "status " + answer.status() + " instead of " + status + ": "
                + (text.length() > 300 ? text.substring(0, 300) + "…" : text));
        return answer;
    }

    private JsonNode expectJson(Answer answer, int status) throws IOException {
        expect(answer, status);
        expect(answer.contentType().startsWith("application/json"), "content type " + answer.contentType());
        return answer.json();
    }

    private static void expect(boolean condition, String reason) {
        if (!condition) {
            throw new AssertionError(reason);
        }
    }

    /** A step of a poll. */
    @FunctionalInterface
    interface Step<T> {
        T get() throws Exception;
    }

    /** Repeats {@code step} until {@code done} accepts its result, at most {@code within}. */
    private <T> T poll(Step<T> step, Predicate<T> done, Duration within, String what) throws Exception {
        long until = System.nanoTime() + within.toNanos();
        while (true) {
            T value = step.get();
            if (done.test(value)) {
                return value;
            }
            if (System.nanoTime() - until > 0) {
                throw new AssertionError("no " + what + " within " + within.toSeconds() + " s (last: " + value + ")");
            }
            Thread.sleep(POLL);
        }
    }
}
