package org.offload.service;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.offload.service.RawPeer.Received;
import org.offload.service.internal.ClientId;
import org.offload.service.internal.Sealed;
import org.offload.service.internal.Wire;

/**
 * Answers to messages that could not be authenticated (505, bad-proof 401) are parked like other replies, but
 * for at most 2 s and within their own bound of 1,000 (PROTOCOL.md sections 7, 10 and 16).
 */
@Timeout(value = 60, unit = SECONDS)
class UntrustedParkingTest {
    private static final String WRONG = "not-the-passphrase";

    @RegisterExtension
    final Fixtures fx = new Fixtures();
    /** Addresses of a service that was started and closed: nothing listens there. */
    private final ServiceServer closed;

    UntrustedParkingTest() {
        try (Fixtures local = new Fixtures()) {
            closed = local.echoServer("nowhere");
        }
    }

    /** A peer sending to {@code server} whose SUB never reaches it: every answer to it parks. */
    private RawPeer ghost(ServiceServer server, String passphrase, ClientId id) {
        return fx.add(new RawPeer(server.pullAddress(), closed.pubAddress(), passphrase, id));
    }

    /** A message the service answers untrusted: a bad proof (401) or another version (505). */
    private static Sealed untrusted(RawPeer peer, int status) {
        Sealed m = peer.seal(peer.request(Fixtures.ECHO, "request", Map.of()), Body.json(Map.of()));
        if (status == Status.UNAUTHORIZED) {
            return m; // the peer signs with the wrong passphrase
        }
        byte[] env = m.envelope().clone();
        env[3] = 3; // this service speaks 1 and 2
        return peer.seal(env, m.body());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(ints = {Status.UNAUTHORIZED, Status.VERSION_NOT_SUPPORTED})
    void untrustedAnswer_clientNotSubscribedYet_parkedThenDeliveredWhenItSubscribes(int status) {
        ServiceServer server = fx.echoServer("untrusted-" + status);
        ClientId id = ClientId.random();
        RawPeer sender = ghost(server, status == Status.UNAUTHORIZED ? WRONG : Fixtures.PASSPHRASE, id);
        Sealed m = untrusted(sender, status);

        sender.send(m);
        Fixtures.await().until(() -> server.stats().parked() == 1);
        RawPeer listener = fx.add(new RawPeer(closed.pullAddress(), server.pubAddress(), Fixtures.PASSPHRASE, id));
        Received r = listener.receive();

        assertEquals(status, r.status(), () -> "the parked answer: " + r);
        assertEquals(Wire.requestId(m.envelope()), r.requestId());
        assertEquals(Wire.proofHex(m.proof()), r.envelope().headers().get(Wire.REJECTED_PROOF));
        Fixtures.await().until(() -> server.stats().parked() == 0);
        assertEquals(0, server.stats().dropped());
    }

    @Test
    void untrustedAnswers_overTheirOwnBound_droppedAndTheParkedOnesExpireWithinAboutTwoSeconds() {
        // a bound and a time to live far above the untrusted ones, so only theirs can explain what happens
        ServiceServer server = fx.start(Fixtures.builder("untrusted-bound").maxParkedReplies(100_000)
                .parkTimeout(Duration.ofSeconds(60)));
        RawPeer stranger = ghost(server, WRONG, ClientId.random());
        int sent = 1_500;

        for (int i = 0; i < sent; i++) {
            stranger.send(untrusted(stranger, Status.UNAUTHORIZED));
        }
        Fixtures.await().until(() -> server.stats().parked() + server.stats().dropped() == sent);
        long parked = server.stats().parked();
        long dropped = server.stats().dropped();
        // 2 s time to live plus a 50 ms sweep; the rest is slack for a loaded machine, far below the 60 s parkTimeout
        Fixtures.await().atMost(Duration.ofSeconds(10)).until(() -> server.stats().parked() == 0);

        assertTrue(parked <= 1_000, "untrusted answers parked at once: " + parked);
        assertTrue(dropped >= sent - 1_000, "dropped at the bound: " + dropped);
        assertEquals(sent, server.stats().unauthorized());
        assertEquals(sent, server.stats().dropped(), "every answer was dropped: at the bound or at its 2 s TTL");
        RawPeer genuine = fx.subscribedPeer(server);
        assertEquals(Status.OK, genuine.call(Fixtures.ECHO, "request").status(), "real clients are still served");
    }
}
