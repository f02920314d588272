package org.offload.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.offload.service.RawPeer.Received;
import org.offload.service.internal.Wire;

/**
 * Replies that linger for the quick jobs queued behind them ({@link ReplyLinger}): they leave together in
 * batch frames, and never wait for a job whose route is not known to be quick, nor for an idle pool.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ReplyLingerTest {
    /** Bursts tried before giving up on seeing a batch frame: a preempted run makes a route look slow a while. */
    private static final int ATTEMPTS = 10;
    /** Most calls that may be needed to teach the service the count route is quick (the JIT compiles it meanwhile). */
    private static final int MAX_WARM_UP_CALLS = 50_000;

    @RegisterExtension
    final Fixtures fx = new Fixtures();
    private final Fixtures.Counting counting = new Fixtures.Counting();
    /** The gate the /gate route waits at now (a gate opens once; each burst takes a new one). */
    private final AtomicReference<Fixtures.Gate> gate = new AtomicReference<>();
    private final AtomicReference<Fixtures.Gate> slowGate = new AtomicReference<>();
    private int warmUpCalls;

    /** One worker, so the requests of a burst queue behind the gated one in their order. */
    private ServiceServer server(String name) {
        return fx.start(Fixtures.builder(name).workers(1)
                .route("^/gate$", "request", call -> gate.get().handle(call))
                .route("^/slow$", "request", call -> slowGate.get().handle(call))
                .route("^/count$", "request", counting));
    }

    private static byte[] frame(RawPeer peer, String path, int n) {
        return peer.sealV2(peer.request(path, "request", Map.of()), Body.json(Map.of("n", n))).frame();
    }

    /**
     * Calls the count route until the service plans its runs as quick ({@link ReplyLinger#isQuick}): in a
     * cold JVM the first runs take far longer than {@link ReplyLinger#MAX_NEXT_RUN_NANOS}.
     */
    private void warmUp(ServiceServer server, RawPeer peer) {
        for (int i = 0; i < MAX_WARM_UP_CALLS && !server.io().quickRoute("/count", "request"); i++) {
            peer.sendBatch(List.of(frame(peer, "/count", i)));
            assertEquals(Status.OK, peer.replies(1).get(0).status());
            warmUpCalls++;
        }
        assertTrue(server.io().quickRoute("/count", "request"), "the count route planned as quick after "
                + MAX_WARM_UP_CALLS + " calls");
    }

    /** Sends {@code frames} in one batch frame while the one worker waits at a new gate, then opens it. */
    private void burst(ServiceServer server, RawPeer peer, List<byte[]> frames) throws InterruptedException {
        Fixtures.Gate g = fx.gate();
        gate.set(g);
        peer.sendBatch(frames);
        g.awaitStarted();
        Fixtures.await().until(() -> server.io().queuedJobs() == frames.size() - 1);
        g.open();
    }

    @Test
    void publish_quickJobsQueuedBehind_repliesLeaveTogetherInBatchFrames() throws InterruptedException {
        ServiceServer server = server("linger-batch");
        RawPeer peer = fx.subscribedPeer(server);
        int burst = 10;
        for (int attempt = 1; attempt <= ATTEMPTS && peer.batchFramesReceived == 0; attempt++) {
            warmUp(server, peer);
            List<byte[]> frames = new ArrayList<>(List.of(frame(peer, "/gate", 0)));
            for (int i = 1; i < burst; i++) {
                frames.add(frame(peer, "/count", i));
            }

            burst(server, peer, frames);
            List<Received> replies = peer.replies(burst);

            for (int i = 0; i < burst; i++) {
                Received r = replies.get(i);
                assertTrue(r.authentic(), "an authentic reply");
                assertEquals(Status.OK, r.status());
                assertEquals(Wire.requestId(frames.get(i)), r.requestId(), "replies leave in the order they were made");
            }
        }

        assertTrue(peer.batchFramesReceived > 0, "replies of quick jobs queued together left in a batch frame in "
                + ATTEMPTS + " bursts");
    }

    @Test
    void publish_jobNotKnownToBeQuickQueuedBehind_repliesLeaveWhileItRuns() throws InterruptedException {
        ServiceServer server = server("linger-slow");
        RawPeer peer = fx.subscribedPeer(server);
        warmUp(server, peer);
        Fixtures.Gate slow = fx.gate();
        slowGate.set(slow);
        List<byte[]> frames = List.of(frame(peer, "/gate", 0), frame(peer, "/count", 1), frame(peer, "/slow", 2));

        burst(server, peer, frames);
        slow.awaitStarted();
        List<Received> first = peer.replies(2); // the slow handler is still waiting at its gate

        assertEquals(Wire.requestId(frames.get(0)), first.get(0).requestId());
        assertEquals(Wire.requestId(frames.get(1)), first.get(1).requestId());
        assertEquals(1, slow.invocations.get());
        assertFalse(slowDone(server), "the slow handler had not returned");
        slow.open();
        assertEquals(Wire.requestId(frames.get(2)), peer.replies(1).get(0).requestId());
    }

    @Test
    void publish_onlyCastsQueuedBehind_replyStillLeaves() throws InterruptedException {
        ServiceServer server = server("linger-casts");
        RawPeer peer = fx.subscribedPeer(server);
        warmUp(server, peer);
        List<byte[]> frames = new ArrayList<>(List.of(frame(peer, "/gate", 0), frame(peer, "/count", 1)));
        for (int i = 2; i < 12; i++) { // casts run quick jobs and publish nothing: they must not keep the replies
            frames.add(peer.sealV2(peer.request("/count", "request", Map.of(Wire.REPLY_MODE, Wire.NO_REPLY)),
                    Body.json(Map.of("n", i))).frame());
        }

        burst(server, peer, frames);
        List<Received> replies = peer.replies(2);

        assertEquals(Wire.requestId(frames.get(0)), replies.get(0).requestId());
        assertEquals(Wire.requestId(frames.get(1)), replies.get(1).requestId());
        Fixtures.await().until(() -> counting.invocations.get() == warmUpCalls + 11);
    }

    /** The slow route's job is still running (in flight) while its gate is closed. */
    private static boolean slowDone(ServiceServer server) {
        return server.stats().inFlight() == 0;
    }
}
