package org.offload.example.javalin;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.offload.service.ServiceDefinition;
import org.offload.testing.OffloadKit;
import org.offload.testing.TestService;

/**
 * The Javalin app over real HTTP (the JDK's HttpClient, an ephemeral port) with the real hash worker behind
 * it: the worker of {@code hash.service}, started by the test kit on loopback ports.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class HashAppTest {
    /** Bound of every HTTP exchange; generous for a loaded machine. */
    private static final Duration HTTP_TIMEOUT = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    final OffloadKit kit = new OffloadKit();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(HTTP_TIMEOUT).build();
    private TestService worker;
    private HashApp web;

    record Answer(int status, JsonNode json, HttpResponse<String> response) {
    }

    @BeforeEach
    void start() {
        worker = kit.service(ServiceDefinition.resource("hash.service")).workers(4).start(); // one may be held by a drop
        web = HashApp.start(new HashApp.Settings("127.0.0.1", 0, worker.pullAddress(), worker.pubAddress()),
                kit.passphrase());
    }

    @AfterEach
    void stop() {
        web.close();
        http.close();
    }

    private Answer send(String method, String target) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + web.port() + target))
                .timeout(HTTP_TIMEOUT).method(method, HttpRequest.BodyPublishers.noBody()).build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        return new Answer(response.statusCode(), JSON.readTree(response.body()), response);
    }

    private static String sha256(String text, int rounds) throws Exception {
        byte[] digest = text.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < rounds; i++) {
            digest = MessageDigest.getInstance("SHA-256").digest(digest);
        }
        return HexFormat.of().formatHex(digest);
    }

    @Test
    void hash_sync_workersDigestOnAVirtualThread() throws Exception {
        Answer answer = send("GET", "/hash?text=abc");

        assertEquals(200, answer.status(), answer.response().body());
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", answer.json().get("sha256").asText());
        assertEquals(1, answer.json().get("rounds").asInt());
        assertTrue(answer.json().get("web_thread_virtual").asBoolean(), "Javalin ran the handler on a virtual thread");
        assertTrue(answer.json().get("thread").asText().startsWith("hash-worker-"), answer.json().toString());
    }

    @Test
    void hashes_futures_oneDigestPerTextInOrder() throws Exception {
        Answer answer = send("GET", "/hashes?text=a&text=b&text=c&rounds=10");

        assertEquals(200, answer.status(), answer.response().body());
        JsonNode hashes = answer.json().get("hashes");
        assertEquals(3, hashes.size());
        assertEquals(sha256("a", 10), hashes.get(0).asText());
        assertEquals(sha256("b", 10), hashes.get(1).asText());
        assertEquals(sha256("c", 10), hashes.get(2).asText());
        assertEquals(3, worker.server().stats().replied(), "three calls reached the worker");
    }

    @Test
    void jobs_nowait_acceptedAtOnceThenTheReplyShowsUnderItsId() throws Exception {
        Answer accepted = send("POST", "/jobs?text=later&rounds=3");

        assertEquals(202, accepted.status(), accepted.response().body());
        String location = accepted.response().headers().firstValue("Location").orElseThrow();
        assertEquals(location, accepted.json().get("location").asText());
        await().atMost(HTTP_TIMEOUT).until(() -> send("GET", location).json().get("state").asText().equals("done"));
        assertEquals(sha256("later", 3), send("GET", location).json().get("result").get("sha256").asText());
        assertEquals(404, send("GET", "/jobs/nope").status());
    }

    @Test
    void hash_workerAnswers503_httpServiceUnavailableThenServedAgain() throws Exception {
        worker.faults().on("^/hash$").next(1).answer(503);

        Answer failed = send("GET", "/hash?text=x");
        assertEquals(503, failed.status(), failed.response().body());
        assertEquals(503, failed.json().get("service_status").asInt());
        assertEquals(200, send("GET", "/hash?text=x").status());
    }

    @Test
    void hashes_oneCallDropped_gatewayTimeout() throws Exception {
        worker.faults().on("^/hash$").next(1).drop();

        Answer answer = send("GET", "/hashes?text=a&text=b");
        assertEquals(504, answer.status(), answer.response().body());
        assertTrue(answer.json().get("error").asText().contains("no reply"), answer.json().toString());
    }

    @Test
    void hash_invalidInput_badRequestBeforeAnyCall() throws Exception {
        Answer answer = send("GET", "/hash?text=x&rounds=0");

        assertEquals(400, answer.status());
        assertEquals("rounds must be an integer 1..1000000 but was '0'", answer.json().get("error").asText());
        assertEquals(400, send("GET", "/hash").status());
        assertEquals(0, worker.server().stats().replied());
    }
}
