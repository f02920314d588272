package org.offload.client;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.offload.client.Fixtures.asyncFailure;
import static org.offload.client.Fixtures.failureOf;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.offload.service.Handler;
import org.offload.service.Reply;
import org.offload.service.Request;
import org.offload.service.ServiceException;
import org.offload.service.ServiceServer;
import org.offload.service.ServiceUnavailableException;

/**
 * Acceptance 7: close() on client and server is idempotent, bounded, ends what it owns, and fails in-flight
 * calls typed. "Ends" is checked on the threads themselves: close() returns after its own bound (the client's
 * close timeout, the server's drain timeout plus linger) whether or not they ended.
 */
class CloseTest {
    /** Long enough that a call ending in time proves close ended it, not its deadline. */
    private static final Duration LONG_DEADLINE = Duration.ofSeconds(60);
    /** The close or drain timeout (1 s) plus generous slack for a loaded machine. */
    private static final Duration CLOSE_BOUND = Duration.ofSeconds(10);
    /** Upper bound for an outcome that follows a close within milliseconds. */
    private static final Duration SETTLE = Fixtures.WAIT;
    private static final int WORKERS = 2;
    private static final int SYNC_CALLS = 3;
    private static final int ASYNC_CALLS = 3;

    @RegisterExtension
    final Fixtures fx = new Fixtures();

    /** Calls held in flight on a gated service: sync ones on virtual threads, async ones, one nowait. */
    private record InFlight(List<CompletableFuture<Reply>> calls, List<ServiceException> nowaitErrors) {
    }

    private InFlight holdCalls(ServiceServer server, Fixtures.Gate gate, ServiceClient client, ExecutorService vts) {
        // one round trip first: the service has seen this client's subscription, as for any client that has
        // had a reply (a 503 made at the drain deadline for a client not yet subscribed could not be delivered)
        assertEquals("ready", client.call("gated", Request.json("/echo", "request", "ready"), LONG_DEADLINE)
                .body().json().get("echo").asText());
        List<CompletableFuture<Reply>> calls = new ArrayList<>();
        List<ServiceException> nowaitErrors = new CopyOnWriteArrayList<>();
        client.onError((service, request, error) -> nowaitErrors.add(error));
        for (int i = 0; i < SYNC_CALLS; i++) {
            Request r = Request.json("/hold", "request", Map.of("sync", i));
            calls.add(CompletableFuture.supplyAsync(() -> client.call("gated", r, LONG_DEADLINE), vts));
        }
        for (int i = 0; i < ASYNC_CALLS; i++) {
            calls.add(client.callAsync("gated", Request.json("/hold", "request", Map.of("async", i)), LONG_DEADLINE));
        }
        client.send("gated", Request.json("/hold", "request", Map.of("nowait", 0)));
        int total = SYNC_CALLS + ASYNC_CALLS + 1;
        // both workers inside the gate: a job is interruptible only once its handler runs (Job.run), and the
        // tests count the interrupts of the two running handlers
        await().atMost(Fixtures.WAIT).until(() -> server.stats().inFlight() == total && gate.entered() == WORKERS);
        return new InFlight(calls, nowaitErrors);
    }

    private ServiceServer gatedServer(Handler handler) {
        return fx.server("gated", b -> b.workers(WORKERS).route("^/hold$", "request", handler));
    }

    /**
     * close() returns within the bound, twice, the threads it owns end, and every held call then fails
     * typed (503).
     */
    private static void assertClosesTwiceEndsAndFailsHeldCalls(Runnable close, List<Thread> threads, InFlight held) {
        Duration first = timed(close);
        Duration second = timed(close);

        assertTrue(first.compareTo(CLOSE_BOUND) < 0, "first close took " + first.toMillis() + " ms");
        assertTrue(second.compareTo(CLOSE_BOUND) < 0, "second close took " + second.toMillis() + " ms");
        Fixtures.assertEnded(threads);
        for (CompletableFuture<Reply> call : held.calls()) {
            failureOf(call.exceptionallyCompose(CloseTest::unwrap), ServiceUnavailableException.class, SETTLE);
        }
    }

    private static Duration timed(Runnable action) {
        long start = System.nanoTime();
        action.run();
        return Duration.ofNanos(System.nanoTime() - start);
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void clientClose_callsInFlight_boundedIdempotentEndsItsThreadsAndFailsEveryCallTyped() throws Exception {
        Fixtures.Gate gate = fx.gate();
        ServiceServer server = gatedServer(gate.handler());
        ServiceClient client = fx.clientFor(server);
        List<Thread> threads = Fixtures.threadsOf(client);
        try (ExecutorService vts = Executors.newVirtualThreadPerTaskExecutor()) {
            InFlight held = holdCalls(server, gate, client, vts);

            assertClosesTwiceEndsAndFailsHeldCalls(client::close, threads, held);
            await().atMost(SETTLE).until(() -> held.nowaitErrors().size() == 1);
            assertInstanceOf(ServiceUnavailableException.class, held.nowaitErrors().get(0));
            assertEquals(0, client.stats().pending());
        }
        assertThrows(ServiceUnavailableException.class, () -> client.call("gated", Request.of("/hold", "request")));
        asyncFailure(() -> client.callAsync("gated", Request.of("/hold", "request")), ServiceUnavailableException.class,
                SETTLE);
        assertThrows(ServiceUnavailableException.class,
                () -> client.register("other", server.pullAddress(), server.pubAddress(), Fixtures.PASSPHRASE));
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void serverClose_callsInFlight_boundedIdempotentEndsItsThreadsAndFailsEveryCallTyped() throws Exception {
        Fixtures.Gate gate = fx.gate();
        ServiceServer server = gatedServer(gate.handler());
        ServiceClient client = fx.clientFor(server);
        List<Thread> threads = Fixtures.threadsOf(server);
        try (ExecutorService vts = Executors.newVirtualThreadPerTaskExecutor()) {
            InFlight held = holdCalls(server, gate, client, vts);

            Duration first = timed(server::close);
            Duration second = timed(server::close);

            assertTrue(first.compareTo(CLOSE_BOUND) < 0, "first close took " + first.toMillis() + " ms");
            assertTrue(second.compareTo(CLOSE_BOUND) < 0, "second close took " + second.toMillis() + " ms");
            Fixtures.assertTerminated(server, threads);
            assertFalse(server.isRunning());
            for (CompletableFuture<Reply> call : held.calls()) {
                // documented: work left at the drain deadline is cancelled and answered 503
                failureOf(call.exceptionallyCompose(CloseTest::unwrap), ServiceUnavailableException.class, SETTLE);
            }
            await().atMost(SETTLE).until(() -> held.nowaitErrors().size() == 1);
            assertInstanceOf(ServiceUnavailableException.class, held.nowaitErrors().get(0));
            // at least the two running handlers are interrupted; a queued job may also start (and be
            // interrupted) when a worker frees up before the stop reaches it in its cancel loop. The 503s are
            // sent without waiting for the handlers, which count their interrupts on their own threads.
            await().atMost(SETTLE).alias("two handlers counted their interrupt")
                    .until(gate::interrupted, n -> n >= 2);
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void serverClose_handlerIgnoresInterrupts_stillBoundedEndsItsThreadsAndCallsFailTyped() throws Exception {
        Fixtures.Gate gate = fx.gate();
        ServiceServer server = gatedServer(gate.stubbornHandler());
        ServiceClient client = fx.clientFor(server);
        List<Thread> threads = Fixtures.threadsOf(server);
        try (ExecutorService vts = Executors.newVirtualThreadPerTaskExecutor()) {
            InFlight held = holdCalls(server, gate, client, vts);

            assertClosesTwiceEndsAndFailsHeldCalls(server::close, threads, held);
            Fixtures.assertTerminated(server, threads); // although its handlers still run
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void clientClose_idleClient_isIdempotentBoundedAndEndsItsThreads() {
        ServiceClient idle = ServiceClient.builder().name("idle").build();
        List<Thread> threads = Fixtures.threadsOf(idle);

        Duration took = timed(() -> {
            idle.close();
            idle.close();
        });

        assertTrue(took.compareTo(CLOSE_BOUND) < 0, "took " + took.toMillis() + " ms");
        Fixtures.assertEnded(threads);
    }

    /** close() of a server that never started is a no-op, however often it is called. */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void serverClose_neverStarted_isIdempotent() {
        ServiceServer never = ServiceServer.builder().name("never").bind(Fixtures.ANY_PORT, Fixtures.ANY_PORT)
                .passphrase(Fixtures.PASSPHRASE).route("^/", "request", call -> Reply.json(Map.of())).build();

        Duration took = timed(() -> {
            never.close();
            never.close();
            never.stop(Duration.ZERO);
        });

        assertTrue(took.compareTo(CLOSE_BOUND) < 0, "took " + took.toMillis() + " ms");
        assertFalse(never.isRunning());
        assertThrows(IllegalStateException.class, never::start, "a closed server cannot start");
    }

    /** supplyAsync wraps the sync call's exception in a CompletionException; unwrap so all calls look alike. */
    private static CompletableFuture<Reply> unwrap(Throwable t) {
        Throwable cause = t instanceof java.util.concurrent.CompletionException && t.getCause() != null
                ? t.getCause() : t;
        return CompletableFuture.failedFuture(cause);
    }
}
