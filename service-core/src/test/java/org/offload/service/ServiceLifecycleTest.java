package org.offload.service;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.offload.service.RawPeer.Received;

/** Graceful stop drains in-flight work; close() is idempotent and ends the service even with a stuck handler. */
@Timeout(value = 60, unit = SECONDS)
class ServiceLifecycleTest {
    /** Drain timeout of the tests that stop with work in flight: longer than any of them may take. */
    private static final Duration DRAIN = Duration.ofSeconds(45);
    /** Drain timeout of the idle server: close() must end long before it. */
    private static final Duration IDLE_DRAIN = Duration.ofSeconds(30);

    @RegisterExtension
    final Fixtures fx = new Fixtures();

    @Test
    void stop_requestInFlight_newRequestsGet503AndInFlightGetsIts200() throws Exception {
        Fixtures.Gate gate = fx.gate();
        ServiceServer server = fx.start(Fixtures.builder("drain").workers(2).route("^/gate$", "request", gate));
        RawPeer peer = fx.peer(server);
        long inFlight = peer.send("/gate", "request");
        gate.awaitStarted();

        CompletableFuture<Void> stopping = CompletableFuture.runAsync(() -> server.stop(DRAIN));
        Fixtures.await().pollInSameThread() // the peer's sockets stay on this thread
                .until(() -> peer.call(Fixtures.ECHO, "request").status() == Status.SERVICE_UNAVAILABLE);
        assertFalse(stopping.isDone(), "stop waits for the in-flight request");
        gate.open();
        Received r = peer.reply();
        stopping.get(Fixtures.WAIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);

        assertEquals(inFlight, r.requestId());
        assertEquals(Status.OK, r.status(), () -> "the in-flight request's reply: " + r);
        assertEquals("passed", r.body().json().get("gate").asText());
        assertFalse(gate.interrupted.get(), "a drained handler is not interrupted");
        assertFalse(server.isRunning());
        assertTrue(server.awaitTermination(Duration.ZERO));
        assertEquals(0, server.stats().cancelled());
        assertEquals(0, server.stats().inFlight());
    }

    @Test
    void stop_whileDraining_rejectsNewRequestsWithStoppingMessage() throws Exception {
        Fixtures.Gate gate = fx.gate();
        ServiceServer server = fx.start(Fixtures.builder("draining").workers(2).route("^/gate$", "request", gate));
        RawPeer peer = fx.peer(server);
        peer.send("/gate", "request");
        gate.awaitStarted();

        CompletableFuture<Void> stopping = CompletableFuture.runAsync(() -> server.stop(DRAIN));
        Received[] last = new Received[1];
        Fixtures.await().pollInSameThread().until(() -> {
            last[0] = peer.call(Fixtures.ECHO, "request");
            return last[0].status() != Status.OK;
        });
        gate.open();
        stopping.get(Fixtures.WAIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);

        assertEquals(Status.SERVICE_UNAVAILABLE, last[0].status());
        assertEquals("draining is stopping", last[0].message());
    }

    @Test
    void close_handlerNeverFinishes_endsItsThreadsFreesThePortsIsIdempotentAndAnswers503() throws Exception {
        Fixtures.Gate gate = fx.gate().stubborn();
        ServiceServer server = fx.start(Fixtures.builder("stuck").route("^/gate$", "request", gate));
        String pull = server.pullAddress();
        String pub = server.pubAddress();
        RawPeer peer = fx.peer(server);
        long id = peer.send("/gate", "request");
        gate.awaitStarted();
        List<Thread> threads = Fixtures.ioThreads(server);

        long t0 = System.nanoTime();
        server.close();
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        server.close();
        server.stop(Duration.ZERO);
        Received r = peer.reply();

        // ended, not merely returned: stop() gives up waiting after its own bound whether or not the I/O ended
        Fixtures.assertTerminated(server, threads);
        assertTrue(took.compareTo(ServiceServer.DEFAULT_DRAIN_TIMEOUT.plus(Fixtures.WAIT)) < 0,
                "close() waited for the stuck handler: " + took.toMillis() + " ms");
        assertFalse(server.isRunning());
        assertEquals(id, r.requestId());
        assertEquals(Status.SERVICE_UNAVAILABLE, r.status());
        assertEquals("stuck stopped before request /gate (id " + id + ") finished", r.message());
        // the 503 is sent without waiting for the handler, which records the interrupt on its own thread
        gate.awaitInterrupted();
        assertTrue(gate.sawCancelled.get(), "the stuck handler's call was flagged cancelled");
        assertEquals(1, server.stats().cancelled(), "closing again cancelled nothing more");
        assertEquals(0, server.stats().inFlight());
        ServiceServer again = fx.start(Fixtures.builder("stuck-again").bind(pull, pub));
        assertEquals(pull, again.pullAddress(), "the ports are free although the stuck handler still runs");
    }

    @Test
    void close_idleServer_doesNotWaitForTheDrainTimeoutEndsAndReleasesThePorts() throws Exception {
        ServiceServer server = fx.start(Fixtures.builder("idle").drainTimeout(IDLE_DRAIN));
        String pull = server.pullAddress();
        String pub = server.pubAddress();
        RawPeer peer = fx.peer(server);
        assertEquals(Status.OK, peer.call(Fixtures.ECHO, "request").status());
        List<Thread> threads = Fixtures.ioThreads(server);

        long t0 = System.nanoTime();
        server.close();
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        Fixtures.assertTerminated(server, threads);
        ServiceServer again = fx.start(Fixtures.builder("idle-again").bind(pull, pub));

        // nothing to drain: close() must not sit out the drain timeout (normally it takes milliseconds)
        assertTrue(took.compareTo(IDLE_DRAIN) < 0, "close() of an idle server took " + took.toMillis() + " ms");
        assertTrue(again.isRunning());
        assertEquals(pull, again.pullAddress(), "the same ports could be bound again");
    }

    @Test
    void virtualThreads_request_runsHandlerOnAVirtualThread() {
        ServiceServer server = fx.start(Fixtures.builder("virtual").virtualThreads(true)
                .route("^/where$", "request", call -> Reply.json(Map.of("virtual", Thread.currentThread().isVirtual()))));
        RawPeer peer = fx.peer(server);

        Received r = peer.call("/where", "request");

        assertEquals(Status.OK, r.status());
        assertTrue(r.body().json().get("virtual").asBoolean());
    }

    /**
     * start() on a thread whose interrupt flag is set (e.g. a shutdown path) must not fail inside JeroMQ's
     * bind with a raw EINTR: it serves (or throws ServiceStartException) and leaves the flag set.
     */
    @Test
    void start_fromInterruptedThread_servesOrThrowsServiceStartExceptionAndKeepsTheInterrupt() {
        ServiceServer server = fx.add(Fixtures.builder("interrupted-start").build());
        RuntimeException failure = null;
        boolean stillInterrupted;
        Thread.currentThread().interrupt();
        try {
            server.start();
        } catch (RuntimeException e) {
            failure = e;
        } finally {
            stillInterrupted = Thread.interrupted();
        }

        if (failure != null) {
            assertInstanceOf(ServiceStartException.class, failure, "start() failed with a raw " + failure);
        } else {
            assertEquals(Status.OK, fx.peer(server).call(Fixtures.ECHO, "request").status());
        }
        assertTrue(stillInterrupted, "start() must not swallow the caller's interrupt");
    }
}
