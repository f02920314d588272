package org.offload.service;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.offload.service.internal.ClientId;
import org.offload.service.internal.Wire;

/**
 * Parking (replies waiting for a subscription) is bounded per client and in time (issue 9, defect 5): a
 * client that is gone — a front end restarted with long tasks in flight — cannot fill every slot, nor hold
 * one until its requests' deadlines.
 */
@Timeout(value = 60, unit = SECONDS)
class ParkingBoundsTest {
    private static final Duration HOUR = Duration.ofHours(1);

    @RegisterExtension
    final Fixtures fx = new Fixtures();

    /** A peer that sends to the service but whose SUB never reaches it: all its replies park. */
    private RawPeer ghost(ServiceServer server) {
        ServiceServer closed;
        try (Fixtures local = new Fixtures()) {
            closed = local.echoServer("nowhere");
        }
        return fx.add(new RawPeer(server.pullAddress(), closed.pubAddress(), Fixtures.PASSPHRASE, ClientId.random()));
    }

    private static void sendWithDeadline(RawPeer peer, Duration deadline) {
        peer.send(peer.seal(peer.envelope(Wire.REQUEST, peer.nextRequestId(), System.currentTimeMillis(),
                deadline.toMillis(), "request", Fixtures.ECHO, Map.of()), Body.json(Map.of())));
    }

    @Test
    void park_oneClientsRepliesBeyondATenthOfTheCap_droppedAndCounted() {
        ServiceServer server = fx.start(Fixtures.builder("share").maxParkedReplies(100));
        RawPeer ghost = ghost(server);

        for (int i = 0; i < 30; i++) {
            sendWithDeadline(ghost, HOUR);
        }

        Fixtures.await().until(() -> server.stats().parked() + server.stats().dropped() == 30);
        assertEquals(10, server.stats().parked(), "a tenth of maxParkedReplies");
        assertEquals(20, server.stats().dropped());
        RawPeer other = fx.subscribedPeer(server);
        assertEquals(Status.OK, other.call(Fixtures.ECHO, "request").status(), "other clients are served");
    }

    @Test
    void park_replyToAnHourLongRequest_waitsNoLongerThanTheParkTimeout() {
        ServiceServer server = fx.start(Fixtures.builder("timed").parkTimeout(Duration.ofMillis(300)));
        RawPeer ghost = ghost(server);

        sendWithDeadline(ghost, HOUR);

        Fixtures.await().until(() -> server.stats().replied() == 1);
        Fixtures.await().atMost(Duration.ofSeconds(20)).until(() -> server.stats().dropped() == 1);
        assertEquals(0, server.stats().parked());
    }
}
