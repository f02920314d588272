package org.offload.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.BindException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.offload.demo.WebClient.Answer;
import org.offload.testing.TestService;

/** The web front end over real HTTP, with both workers in-process over 127.0.0.1. */
@Timeout(120)
class WebFrontEndTest {
    /** Bound of every HTTP exchange and wait; generous for a loaded machine. */
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    /** What the iostat of the cancel test would run: 10 reports 5 s apart. */
    private static final Duration LONG_IOSTAT = Duration.ofSeconds(45);

    private final DemoFixtures fixtures = new DemoFixtures();
    private TestService slowEcho;
    private WebFrontEnd web;
    private WebClient http;

    @BeforeEach
    void start() throws Exception {
        slowEcho = fixtures.slowEcho();
        web = fixtures.frontEnd(DemoFixtures.endpoint(slowEcho), DemoFixtures.endpoint(fixtures.cpu()));
        http = new WebClient(DemoFixtures.base(web));
    }

    @AfterEach
    void stop() throws Exception {
        fixtures.close();
    }

    private Answer send(String method, String target) throws Exception {
        return http.send(method, target, TIMEOUT);
    }

    @Test
    void demoCheck_everyRoute_passes() {
        ByteArrayOutputStream lines = new ByteArrayOutputStream();
        int failures = new DemoCheck(DemoFixtures.base(web), new PrintStream(lines, true, StandardCharsets.UTF_8)).run();

        String output = lines.toString(StandardCharsets.UTF_8);
        assertEquals(0, failures, output);
        assertFalse(output.contains("FAIL"), output);
        assertTrue(output.lines().allMatch(line -> line.startsWith("PASS route ")), output);
        assertTrue(output.contains("PASS route GET /service/async (reply shows on /)"), output);
        assertTrue(output.contains("PASS route GET /v1/iostat?count=1.5 -> 400"), output);
    }

    @Test
    void workerAction_noSupervisor_unavailable() throws Exception {
        Answer answer = send("POST", "/demo/workers/cpu-1/freeze");

        assertEquals(503, answer.status(), answer.text());
        assertTrue(answer.json().get("error").asText().contains("without the demo's supervisor"), answer.text());
        assertEquals(404, send("POST", "/demo/workers/cpu-1/explode").status());
    }

    @Test
    void render_tilesPolledFrom_onlyTheNewOnes() throws Exception {
        JsonNode started = send("POST", "/demo/render?width=256&height=128&iterations=50").json();
        assertEquals(2, started.get("tiles").asInt());
        String poll = started.get("poll").asText();
        await().atMost(TIMEOUT).until(() -> send("GET", poll).json().get("finished").asInt() == 2);

        JsonNode all = send("GET", poll + "?from=0").json().get("done");
        assertEquals(2, all.size());
        assertEquals(1, send("GET", poll + "?from=1").json().get("done").size());
        assertEquals(0, send("GET", poll + "?from=5").json().get("done").size());
        assertEquals(String.valueOf(ProcessHandle.current().pid()), all.get(0).get("pid").asText(), "in-process worker");
        assertEquals(404, send("GET", "/demo/render/no-such-render").status());
        assertEquals(400, send("POST", "/demo/render?width=5000").status());
    }

    @Test
    void demoState_cancelledTask_rowRevokedWithElapsedTime() throws Exception {
        String id = send("POST", "/v2/primes?seconds=60").json().get("task_id").asText();
        await().atMost(TIMEOUT).until(() -> send("GET", "/v2/task/" + id).json().get("state").asText().equals("STARTED"));
        assertEquals(204, send("DELETE", "/v2/task/" + id).status());

        JsonNode row = await().atMost(TIMEOUT).until(() -> send("GET", "/demo/state").json().get("tasks").get(0),
                r -> r.get("state").asText().equals("REVOKED"));
        assertEquals(id, row.get("id").asText());
        assertTrue(row.get("done").asBoolean());
        assertTrue(row.get("cancel_requested").asBoolean());
        assertTrue(row.get("elapsed_ms").asLong() > 0 && row.get("elapsed_ms").asLong() < 60_000, row.toString());
        assertTrue(row.get("outcome").asText().startsWith("499 "), row.toString());
    }

    @Test
    void unknownPath_notFoundJson() throws Exception {
        for (String target : new String[] {"/nothing", "/v1/uptimeX", "/v1/uptime/more"}) {
            Answer answer = send("GET", target);
            assertEquals(404, answer.status(), target);
            assertTrue(answer.json().get("error").asText().contains("no route"), answer.text());
        }
    }

    @Test
    void trailingSlash_sameRoute() throws Exception {
        assertEquals(200, send("GET", "/v1/uptime/").status());
    }

    @Test
    void wrongMethod_methodNotAllowedWithAllow() throws Exception {
        Answer answer = send("DELETE", "/mandelbrot.png");

        assertEquals(405, answer.status());
        assertEquals("GET", answer.headers().firstValue("Allow").orElse(""));
        assertEquals("DELETE is not allowed on /mandelbrot.png (allowed: GET)", answer.json().get("error").asText());
    }

    @Test
    void async_replyText_escapedOnIndex() throws Exception {
        Answer accepted = send("GET", "/service/async?delay_ms=0&message=%3Cscript%3Ealert(1)%3C%2Fscript%3E");
        assertEquals(202, accepted.status(), accepted.text());

        await().atMost(TIMEOUT).until(() -> send("GET", "/").text().contains("alert(1)"));
        String page = send("GET", "/").text();
        assertTrue(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), page);
        assertFalse(page.contains("<script>"), page);
    }

    @Test
    void sync_workerAnswer_shownWithElapsedTime() throws Exception {
        JsonNode answer = send("GET", "/service/sync?delay_ms=50&message=x%20y").json();

        assertEquals(200, answer.get("status").asInt());
        assertEquals("x y", answer.get("reply").get("message").asText());
        assertEquals("/service/sync", answer.get("reply").get("path").asText());
        assertTrue(answer.get("elapsed_ms").asLong() >= 50, answer.toString());
    }

    @Test
    void sync_workerAnswers503_httpServiceUnavailableThenServedAgain() throws Exception {
        slowEcho.faults().on("^/service/").next(1).answer(503, "worker overloaded");

        Answer failed = send("GET", "/service/sync?delay_ms=0&message=m");
        assertEquals(503, failed.status(), failed.text());
        assertTrue(failed.text().contains("worker overloaded"), failed.text());
        assertEquals(200, send("GET", "/service/sync?delay_ms=0&message=m").status());
    }

    @Test
    void health_workerMissing_unavailableSaysWhich() throws Exception {
        try (DemoFixtures other = new DemoFixtures()) {
            // two ports that are free now: port + 1 (Endpoint.loopback's PUB) could be the echo service's own
            List<Integer> free = DemoMain.freePorts(2);
            Endpoint nobody = new Endpoint(Endpoint.address(free.get(0)), Endpoint.address(free.get(1)));
            WebFrontEnd lonely = other.frontEnd(DemoFixtures.endpoint(other.slowEcho()), nobody);

            Answer answer = new WebClient(DemoFixtures.base(lonely)).send("GET", "/health", TIMEOUT);

            assertEquals(503, answer.status(), answer.text());
            assertEquals("up", answer.json().get("slow-echo").asText());
            assertTrue(answer.json().get("cpu").asText().startsWith("down: "), answer.text());
        }
    }

    private String startTask(String target) throws Exception {
        Answer created = send("POST", target);
        assertEquals(201, created.status(), created.text());
        String location = created.headers().firstValue("Location").orElseThrow();
        assertEquals("/v2/task/" + created.json().get("task_id").asText(), location);
        return location;
    }

    private JsonNode awaitState(String task, String state) {
        return await().atMost(TIMEOUT).until(() -> send("GET", task).json(),
                t -> t.get("state").asText().equals(state));
    }

    @Test
    void deleteTask_longIoStat_workerStopsAndTaskRevoked() throws Exception {
        String task = startTask("/v2/iostat?count=10&wait=5");
        JsonNode started = awaitState(task, "STARTED");
        assertTrue(started.get("links").toString().contains("cancel"), started.toString());
        long cancelled = System.nanoTime();

        assertEquals(204, send("DELETE", task).status());

        JsonNode revoked = awaitState(task, "REVOKED");
        // revoked well before the iostat could have ended by itself (generous for a loaded machine)
        assertTrue(System.nanoTime() - cancelled < LONG_IOSTAT.minusSeconds(10).toNanos(), "the 45 s iostat ran on");
        assertEquals(499, revoked.get("error_status").asInt(), revoked.toString());
        assertFalse(revoked.has("result"));
        assertFalse(revoked.get("links").toString().contains("cancel"), revoked.toString());
    }

    @Test
    void deleteTask_alreadyEnded_conflict() throws Exception {
        String task = startTask("/v2/iostat?count=1");
        JsonNode done = awaitState(task, "SUCCESS");
        assertEquals(1, done.get("result").get("count").asInt(), done.toString());
        assertEquals(1.0, done.get("progress").get("fraction").asDouble(), "the long task reports progress");
        assertEquals("sample 1 of 1", done.get("progress").get("message").asText());

        Answer again = send("DELETE", task);
        assertEquals(409, again.status());
        assertTrue(again.json().get("error").asText().endsWith("already ended SUCCESS"), again.text());
    }

    @Test
    void task_workerWithoutTheRoute_failureWithTheError() throws Exception {
        try (DemoFixtures other = new DemoFixtures()) {
            Endpoint uptimeOnly = DemoFixtures.endpoint(other.uptimeOnly());
            WebFrontEnd partial = other.frontEnd(DemoFixtures.endpoint(other.slowEcho()), uptimeOnly);
            WebClient client = new WebClient(DemoFixtures.base(partial));
            Answer created = client.send("POST", "/v2/iostat?count=2&wait=1", TIMEOUT);
            String task = created.headers().firstValue("Location").orElseThrow();

            JsonNode failed = await().atMost(TIMEOUT).until(() -> client.send("GET", task, TIMEOUT).json(),
                    t -> t.get("state").asText().equals("FAILURE"));

            assertEquals(404, failed.get("error_status").asInt(), failed.toString());
            assertTrue(failed.get("error").asText().contains("/v2/iostat"), failed.toString());
            assertEquals(404, client.send("GET", "/v1/iostat", TIMEOUT).status(), "sync call: worker's 404 passed on");
        }
    }

    @Test
    void start_portInUse_failsNamingThePortAndWhatToDo() throws Exception {
        int busy = web.port();
        WebFrontEnd.Settings same = new WebFrontEnd.Settings("127.0.0.1", busy, DemoFixtures.endpoint(fixtures.slowEcho()),
                DemoFixtures.endpoint(fixtures.cpu()), OptionalLong.empty());

        BindException e = assertThrows(BindException.class, () -> WebFrontEnd.start(same, fixtures.passphrase()));

        assertEquals("cannot listen on 127.0.0.1:" + busy + ": address already in use - is another demo running?"
                + " Pick another port with --port N", e.getMessage());
    }
}
