package org.offload.service;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.offload.service.internal.Sealed;

/**
 * A replay of a request this instance already took is dropped silently even once it is outside the
 * replay window (issue 9, defect 4): a 401 would echo the genuine proof and could fail the real call.
 */
@Timeout(value = 30, unit = SECONDS)
class ReplayOrderTest {
    private static final Duration WINDOW = Duration.ofSeconds(2);

    @RegisterExtension
    final Fixtures fx = new Fixtures();

    @Test
    void receive_seenRequestReplayedAfterTheWindow_droppedAsReplayNotAnswered401() {
        ServiceServer server = fx.start(Fixtures.builder("window").replayWindow(WINDOW));
        RawPeer peer = fx.subscribedPeer(server);
        Sealed captured = peer.seal(peer.request(Fixtures.ECHO, "request", Map.of()), Body.json(Map.of()));
        peer.send(captured);
        assertEquals(Status.OK, peer.reply().status());
        long start = System.nanoTime();
        // the behaviour under test needs the window to pass: wait for the clock, not for a thread
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(
                () -> System.nanoTime() - start > WINDOW.multipliedBy(2).toNanos());

        peer.send(captured);

        Fixtures.await().until(() -> server.stats().replayed() == 1);
        assertEquals(0, server.stats().unauthorized(), "no 401 for a replay");
    }
}
