package org.offload.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.offload.service.internal.Wire;

/**
 * Deadline-aware admission: a request that could not finish before its deadline is answered 429 with a
 * retry hint, on arrival or when a worker takes it, and its handler never runs.
 */
class AdmissionTest {
    /** What one call of the paced route costs at least: the service's estimate of it is never less. */
    private static final Duration WORK = Duration.ofMillis(50);
    private static final long LONG_TIMEOUT_MS = RawPeer.TIMEOUT_MS;

    @RegisterExtension
    final Fixtures fx = new Fixtures();

    /** A one-worker service whose paced route has run once (its estimate is then >= {@link #WORK}). */
    private record Held(ServiceServer server, RawPeer peer, Fixtures.Gate gate, Fixtures.Paced paced, long held) {
    }

    /** Starts {@link Held}'s service with {@code margin} and holds its worker with a request at the gate. */
    private Held heldService(String name, Duration margin) throws InterruptedException {
        Fixtures.Gate gate = fx.gate();
        Fixtures.Paced paced = new Fixtures.Paced(WORK, gate);
        ServiceServer server = fx.start(Fixtures.builder(name).workers(1).deadlineMargin(margin)
                .route("^/work$", "request", paced));
        RawPeer peer = fx.subscribedPeer(server);
        assertEquals(Status.OK, peer.call("/work", "request").status(), "warm-up: the route's estimate is >= 50 ms");
        long held = send(peer, LONG_TIMEOUT_MS, Map.of(Fixtures.Paced.HOLD, "yes"));
        gate.awaitStarted();
        return new Held(server, peer, gate, paced, held);
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void request_cannotStartBeforeItsDeadline_answered429WithRetryHintAndNeverRuns() throws Exception {
        Held h = heldService("admit", Duration.ofMillis(100));
        RawPeer peer = h.peer();
        List<Long> queued = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            queued.add(send(peer, LONG_TIMEOUT_MS, Map.of())); // 10 x >= 50 ms of work ahead of the next one
        }
        long refused = send(peer, 400, Map.of());

        RawPeer.Received r = peer.reply();
        assertEquals(refused, r.requestId(), () -> "the first reply while the worker is held: " + r);
        assertEquals(Status.TOO_MANY_REQUESTS, r.status());
        assertTrue(r.message().startsWith("admit cannot finish /work before its deadline: a worker would start it in ~"),
                r.message());
        long hintMs = Long.parseLong(r.headers().get(Wire.RETRY_AFTER_MS));
        assertTrue(hintMs >= 10 * WORK.toMillis(), "retry hint " + hintMs + " ms covers the queued work");

        long noDeadline = send(peer, 0, Map.of()); // no deadline: admitted whatever is queued
        h.gate().open();
        queued.add(0, h.held());
        queued.add(noDeadline);
        for (long id : queued) {
            RawPeer.Received ok = peer.reply();
            assertEquals(id, ok.requestId(), () -> "replies in order: " + ok);
            assertEquals(Status.OK, ok.status(), ok::toString);
        }
        assertFalse(h.paced().ran.contains(refused), "the refused request never reached the handler");
        ServerStats stats = h.server().stats();
        assertEquals(1, stats.shed());
        assertEquals(0, stats.busy());
        assertEquals(0, stats.expired());
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void worker_takesRequestTooLateToFinish_answers429AndSkipsAnExpiredOneSilently() throws Exception {
        // a wide margin: the request admitted with 4 s is taken with about 1 s left, under the work + margin
        Held h = heldService("take", Duration.ofSeconds(2));
        ServiceServer server = h.server();
        RawPeer peer = h.peer();
        long expiring = send(peer, 3_000, Map.of());
        long late = send(peer, 4_000, Map.of());
        Fixtures.await().until(() -> server.stats().inFlight() == 3);
        long received = System.nanoTime(); // both were received (and their deadlines set) before this
        Fixtures.await().atMost(Duration.ofSeconds(20)).alias("the first one's deadline passed")
                .until(() -> System.nanoTime() - received > TimeUnit.MILLISECONDS.toNanos(3_001));
        h.gate().open();

        RawPeer.Received first = peer.reply();
        assertEquals(h.held(), first.requestId(), first::toString);
        assertEquals(Status.OK, first.status());
        RawPeer.Received second = peer.reply(); // nothing for the expired one, which was queued before it
        assertEquals(late, second.requestId(), second::toString);
        assertEquals(Status.TOO_MANY_REQUESTS, second.status());
        assertTrue(second.message().startsWith("take cannot finish /work before its deadline: a worker took it with "),
                second.message());
        assertTrue(Long.parseLong(second.headers().get(Wire.RETRY_AFTER_MS)) >= 1, second.headers().toString());
        assertFalse(h.paced().ran.contains(expiring) || h.paced().ran.contains(late), "neither reached the handler");
        Fixtures.await().until(() -> server.stats().inFlight() == 0); // the job ends just after its reply goes out
        ServerStats stats = server.stats();
        assertEquals(1, stats.expired());
        assertEquals(1, stats.shed());
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void request_workerFree_admittedEvenWithADeadlineShorterThanTheEstimate() {
        Fixtures.Paced paced = new Fixtures.Paced(Duration.ofSeconds(1), fx.gate());
        ServiceServer server = fx.start(Fixtures.builder("free").workers(1).route("^/work$", "request", paced));
        RawPeer peer = fx.subscribedPeer(server);
        assertEquals(Status.OK, peer.call("/work", "request").status(), "warm-up: the route's estimate is >= 1 s");
        // the warm-up's job ends just after its reply went out: until then the worker is not free
        Fixtures.await().until(() -> server.stats().inFlight() == 0);

        long id = send(peer, 500, Map.of()); // the caller's choice: the service does not second-guess it when idle
        RawPeer.Received r = peer.reply();
        assertEquals(id, r.requestId());
        assertEquals(Status.OK, r.status(), r::toString);
        assertTrue(paced.ran.contains(id));
        assertEquals(0, server.stats().shed());
    }

    /** Sends a request to the paced route with {@code timeoutMs} (0: no deadline); returns its id. */
    private static long send(RawPeer peer, long timeoutMs, Map<String, String> headers) {
        long id = peer.nextRequestId();
        peer.send(peer.seal(peer.envelope(Wire.REQUEST, id, System.currentTimeMillis(), timeoutMs, "request", "/work",
                headers), Body.empty()));
        return id;
    }
}
