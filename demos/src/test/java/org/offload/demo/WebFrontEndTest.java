package org.offload.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.offload.demo.WebClient.Answer;

/** The web front end over real HTTP, with both workers in-process over 127.0.0.1. */
@Timeout(120)
class WebFrontEndTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    private final DemoFixtures fixtures = new DemoFixtures();
    private WebFrontEnd web;
    private WebClient http;

    @BeforeEach
    void start() throws Exception {
        web = fixtures.frontEnd(DemoFixtures.endpoint(fixtures.slowEcho()), DemoFixtures.endpoint(fixtures.cpu()));
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
    void health_workerMissing_unavailableSaysWhich() throws Exception {
        try (DemoFixtures other = new DemoFixtures()) {
            Endpoint nobody = Endpoint.loopback(DemoMain.freePorts(1).get(0));
            WebFrontEnd lonely = other.frontEnd(DemoFixtures.endpoint(other.slowEcho()), nobody);

            Answer answer = new WebClient(DemoFixtures.base(lonely)).send("GET", "/health", TIMEOUT);

            assertEquals(503, answer.status(), answer.text());
            assertEquals("up", answer.json().get("slow-echo").asText());
            assertTrue(answer.json().get("cpu").asText().startsWith("down: "), answer.text());
        }
    }
}
