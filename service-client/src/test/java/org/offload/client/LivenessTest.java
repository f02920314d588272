package org.offload.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.offload.client.Fixtures.PASSPHRASE;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.offload.service.Reply;
import org.offload.service.Request;
import org.offload.service.ServiceServer;
import org.offload.service.ServiceUnavailableException;

/**
 * Liveness (PROTOCOL.md section 17, issue 10): an instance that stops answering leaves the rotation within
 * the liveness timeout, its calls in flight fail at once with 503, and it rejoins by itself once it answers;
 * a request an instance did not run (429) is tried on another within the same deadline.
 */
class LivenessTest {
    /** The bounds: out of the rotation within 2 s of going silent. */
    private static final Duration DETECTION_BOUND = Duration.ofSeconds(2);
    /** ... and back within 0.5 s of answering again; measured, with room for a loaded machine. */
    private static final Duration REJOIN_BOUND = Duration.ofSeconds(2);

    @RegisterExtension
    final Fixtures fx = new Fixtures();

    private ServiceServer whoServer(String name, Fixtures.Gate gate) {
        return fx.server(name, b -> b.route("^/who$", "request", call -> Reply.json(Map.of("who", name)))
                .route("^/hold$", "request", gate.handler()));
    }

    private static String who(ServiceClient client) {
        return client.call("svc", Request.of("/who", "request")).body().json().get("who").asText();
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void call_instanceGoesSilent_inFlightFailAtOnceOthersServeAndItRejoins() {
        Fixtures.Gate gate = fx.gate();
        ServiceServer a = whoServer("a", gate);
        ServiceServer b = whoServer("b", gate);
        Tap tap = fx.tap(a.pullAddress()).passAll();
        ServiceClient client = fx.client("live");
        client.register("svc", tap.address(), a.pubAddress(), PASSPHRASE);
        client.register("svc", b.pullAddress(), b.pubAddress(), PASSPHRASE);
        Awaitility.await().atMost(Fixtures.DEADLINE).until(() -> who(client).equals("a"));
        // fewest in flight: one held call on each instance
        CompletableFuture<Reply> first = client.callAsync("svc", Request.of("/hold", "request"));
        CompletableFuture<Reply> second = client.callAsync("svc", Request.of("/hold", "request"));
        Awaitility.await().atMost(Fixtures.DEADLINE).until(() -> a.stats().inFlight() == 1 && b.stats().inFlight() == 1);

        long cutAt = System.nanoTime();
        tap.cut(true);
        CompletableFuture<Reply> onA = CompletableFuture.anyOf(first, second).thenApply(r -> (Reply) r);
        CompletionException failed = org.junit.jupiter.api.Assertions.assertThrows(CompletionException.class, onA::join);
        long detectedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - cutAt);
        assertInstanceOf(ServiceUnavailableException.class, failed.getCause());
        assertTrue(failed.getCause().getMessage().contains("went silent"), failed.getCause().getMessage());
        assertTrue(detectedMs < DETECTION_BOUND.toMillis(), "detected after " + detectedMs + " ms");
        for (int i = 0; i < 10; i++) {
            assertEquals("b", who(client), "a silent instance gets no new call");
        }

        long restoredAt = System.nanoTime();
        tap.cut(false);
        Awaitility.await().atMost(Fixtures.DEADLINE).until(() -> who(client).equals("a"));
        long rejoinMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restoredAt);
        System.out.printf("liveness: detected in %d ms, rejoined in %d ms%n", detectedMs, rejoinMs);
        gate.open();
        assertEquals(200, (first.isCompletedExceptionally() ? second : first).join().status(),
                "the call on the healthy instance was untouched");
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void call_firstInstanceBusy429_retriedOnAnotherWithinTheDeadline() {
        Fixtures.Gate gate = fx.gate();
        ServiceServer busy = fx.server("busy", b -> b.workers(1).queueCapacity(1)
                .route("^/who$", "request", call -> Reply.json(Map.of("who", "busy")))
                .route("^/hold$", "request", gate.handler()));
        ServiceServer idle = whoServer("idle", fx.gate());
        ServiceClient filler = fx.clientFor(busy);
        CompletableFuture<Reply> running = filler.callAsync(busy.name(), Request.of("/hold", "request"));
        CompletableFuture<Reply> queued = filler.callAsync(busy.name(), Request.of("/hold", "request"));
        Awaitility.await().atMost(Fixtures.DEADLINE).until(() -> busy.stats().inFlight() == 2);
        ServiceClient client = fx.client("retrying");
        client.register("svc", idle.pullAddress(), idle.pubAddress(), PASSPHRASE);
        assertEquals("idle", who(client)); // in the rotation
        client.register("svc", busy.pullAddress(), busy.pubAddress(), PASSPHRASE);

        // once busy is in the rotation too, round robin sends it calls (nothing of this client is in flight
        // there); each one it refuses with 429 is answered by idle within the same deadline
        Awaitility.await().atMost(Fixtures.DEADLINE).until(() -> {
            assertEquals("idle", who(client));
            return busy.stats().busy() >= 2;
        });
        assertEquals(0, client.stats().timeouts());
        gate.open();
        assertEquals(200, running.join().status());
        assertEquals(200, queued.join().status());
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void call_instanceRestartsOnSameAddresses_rejoinsWithinHalfASecondOfBinding() {
        ServiceServer first = fx.echoServer("phoenix");
        String pull = first.pullAddress();
        String pub = first.pubAddress();
        ServiceClient client = fx.client("rejoin");
        client.register("svc", pull, pub, PASSPHRASE);
        assertEquals(200, client.call("svc", Request.of("/echo", "request")).status());
        String firstId = first.instanceId();
        first.close();
        // down long enough to be out of the rotation, so the rejoin is liveness's work
        Awaitility.await().atMost(Fixtures.DEADLINE).ignoreExceptions().until(() -> {
            try {
                client.call("svc", Request.of("/echo", "request"), Duration.ofMillis(300));
                return false;
            } catch (ServiceUnavailableException e) {
                return e.getMessage().contains("not sent within");
            }
        });

        ServiceServer second = fx.server("phoenix", pull, pub, b -> b);
        long boundAt = System.nanoTime();
        Awaitility.await().atMost(Fixtures.DEADLINE).pollInterval(Duration.ofMillis(10)).ignoreExceptions()
                .until(() -> client.call("svc", Request.of("/echo", "request"), Duration.ofMillis(200)).status() == 200);
        long rejoinMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - boundAt);
        System.out.printf("liveness: restarted instance answered %d ms after binding%n", rejoinMs);
        assertTrue(rejoinMs < REJOIN_BOUND.toMillis(), "rejoined after " + rejoinMs + " ms");
        assertTrue(!firstId.equals(second.instanceId()), "a restart draws a new instance id");
    }
}
