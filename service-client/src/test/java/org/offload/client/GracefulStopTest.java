package org.offload.client;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.offload.client.Fixtures.json;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.offload.service.Reply;
import org.offload.service.Request;
import org.offload.service.ServiceServer;
import org.offload.service.ServiceUnavailableException;

/** Acceptance 9: graceful stop answers new work 503 and still delivers the reply of work in flight. */
class GracefulStopTest {
    /** Far longer than the test takes even on a loaded machine: a stop that ends before it did not wait for it. */
    private static final Duration DRAIN = Duration.ofSeconds(60);
    /** Deadline of the held call: beyond the drain, so only the drain or its reply can end it. */
    private static final Duration HELD_DEADLINE = DRAIN.plusSeconds(30);

    @RegisterExtension
    final Fixtures fx = new Fixtures();

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void stop_callInFlight_deliversItsReplyBeforeTheSocketsClose() throws Exception {
        Fixtures.Gate gate = fx.gate();
        ServiceServer server = fx.server("draining", b -> b.workers(2).route("^/hold$", "request", gate.handler()));
        ServiceClient client = fx.client(ServiceClient.builder().name("patient").deadline(HELD_DEADLINE));
        client.register("draining", server.pullAddress(), server.pubAddress(), Fixtures.PASSPHRASE);
        CompletableFuture<Reply> inFlight = client.callAsync("draining",
                Request.json("/hold", "request", Map.of("job", "in-flight")));
        await().atMost(Fixtures.WAIT).until(() -> gate.entered() == 1);

        long start = System.nanoTime();
        CompletableFuture<Void> stopping = CompletableFuture.runAsync(() -> server.stop(DRAIN));
        // once the stop is under way, new work is refused 503 while the held call keeps running
        await().atMost(Fixtures.WAIT.multipliedBy(2)).pollInterval(Duration.ofMillis(20)).until(() -> {
            try {
                client.call("draining", Request.json("/echo", "request", Map.of("job", "late")), Fixtures.WAIT);
                return false;
            } catch (ServiceUnavailableException e) {
                assertTrue(e.getMessage().contains("stopping"), e.getMessage());
                return true;
            }
        });
        assertFalse(inFlight.isDone(), "the held call must still be running");

        gate.open();

        Reply reply = inFlight.get(Fixtures.WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertEquals(200, reply.status());
        assertEquals("in-flight", json(reply).at("/echo/job").asText());
        stopping.get(Fixtures.WAIT.toMillis(), TimeUnit.MILLISECONDS);
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertTrue(took.compareTo(DRAIN) < 0, "stop waited for the drain timeout: " + took.toMillis() + " ms");
        assertFalse(server.isRunning());
        assertEquals(0, gate.interrupted(), "a drained handler is never interrupted");
    }
}
