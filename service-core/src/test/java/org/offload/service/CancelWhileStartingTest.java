package org.offload.service;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.offload.service.RawPeer.Received;

/**
 * A cancel that lands while the worker publishes the interim 102 (the job is STARTING, not yet RUNNING)
 * still stops the call: its handler never starts, or is interrupted, and the call ends 499 (issue 9, defect 6).
 */
@Timeout(value = 180, unit = SECONDS)
class CancelWhileStartingTest {
    private static final int ROUNDS = 300;

    @RegisterExtension
    final Fixtures fx = new Fixtures();

    @Test
    void cancel_rightAfterANotifyingRequest_alwaysEndsTheCall499() {
        AtomicInteger started = new AtomicInteger();
        AtomicInteger ranToTheEnd = new AtomicInteger();
        ServiceServer server = fx.start(Fixtures.builder("starting").workers(1).route("^/wait$", "request", call -> {
            started.incrementAndGet();
            new CountDownLatch(1).await(60, SECONDS); // never counted down: only a cancel's interrupt ends it
            ranToTheEnd.incrementAndGet();
            return Reply.json(Map.of());
        }));
        RawPeer peer = fx.subscribedPeer(server);
        List<String> wrong = new ArrayList<>();
        for (int i = 0; i < ROUNDS; i++) {
            long id = peer.send("/wait", "request", Map.of(ServerIo.NOTIFY_START_HEADER, "started"), Body.empty());
            peer.cancel(id, "/wait");
            Received r = peer.reply();
            while (r.requestId() == id && Status.isInterim(r.status())) {
                r = peer.reply();
            }
            if (r.requestId() != id || r.status() != Status.CANCELLED) {
                wrong.add("round " + i + ": " + r.status() + " " + r.message());
            }
        }
        assertEquals(List.of(), wrong);
        assertEquals(0, ranToTheEnd.get());
        Fixtures.await().until(() -> server.stats().inFlight() == 0);
    }
}
