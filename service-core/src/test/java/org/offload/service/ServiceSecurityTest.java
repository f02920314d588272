package org.offload.service;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.offload.service.RawPeer.Received;
import org.offload.service.internal.Envelope;
import org.offload.service.internal.Sealed;
import org.offload.service.internal.Wire;

/** Passphrase proof, tampering, replay and the timestamp window, over real sockets. */
@Timeout(value = 60, unit = SECONDS)
class ServiceSecurityTest {
    @RegisterExtension
    final Fixtures fx = new Fixtures();
    private final Fixtures.Counting counting = new Fixtures.Counting();
    private ServiceServer server;
    private RawPeer peer;

    private void startWithPeer(String name) {
        server = fx.startCounting(name, counting);
        peer = fx.subscribedPeer(server);
    }

    @Test
    void request_wrongPassphrase_rejectedCountedAndCorrectPeerStillServed() {
        startWithPeer("wrong-passphrase");
        RawPeer stranger = fx.peer(server, Fixtures.PASSPHRASE + "-wrong");

        for (int i = 0; i < 3; i++) {
            stranger.send("/count", "request");
        }

        Fixtures.await().until(() -> server.stats().unauthorized() == 3);
        Received good = peer.call("/count", "request");
        assertEquals(Status.OK, good.status());
        assertEquals(1, counting.invocations.get(), "only the correct peer's request ran");
        assertEquals(2, server.stats().received(), "only the handshake and the correct call were accepted");
    }

    @ParameterizedTest(name = "tampered {0}")
    @ValueSource(strings = {"body", "envelope", "proof"})
    void request_tamperedFrame_rejectedWith401AndHandlerNeverRuns(String frame) {
        startWithPeer("tampered-" + frame);
        Envelope e = peer.request("/count", "request", Map.of());
        Sealed m = peer.seal(e, Body.json(Map.of("amount", 100)));
        byte[] env = m.envelope().clone();
        byte[] body = m.body().clone();
        byte[] proof = m.proof().clone();
        switch (frame) {
            case "body" -> body[body.length - 2] ^= 0x01; // the "0" of 100 becomes "1"
            case "envelope" -> env[env.length - 1] ^= 0x01; // a byte of the path
            default -> proof[0] ^= 0x01;
        }

        peer.sendFrames(env, body, proof);
        Received rejected = peer.reply();

        assertEquals(e.requestId(), rejected.requestId());
        assertEquals(Status.UNAUTHORIZED, rejected.status());
        assertEquals("passphrase proof did not verify", rejected.message());
        assertEquals(1, server.stats().unauthorized());
        Received good = peer.call("/count", "request");
        assertEquals(Status.OK, good.status());
        assertEquals(1, counting.invocations.get(), "the tampered request never ran");
    }

    @Test
    void request_proofOfWrongLength_rejectedWith401() {
        startWithPeer("short-proof");
        Sealed m = peer.seal(peer.request("/count", "request", Map.of()), Body.empty());

        peer.sendFrames(m.envelope(), m.body(), Arrays.copyOf(m.proof(), 31));

        assertEquals(Status.UNAUTHORIZED, peer.reply().status());
        assertEquals(1, server.stats().unauthorized());
        assertEquals(0, counting.invocations.get());
    }

    @Test
    void request_replayedId_droppedAndCounted() {
        startWithPeer("replay");
        Sealed m = peer.seal(peer.request("/count", "request", Map.of()), Body.empty());
        peer.send(m);
        assertEquals(Status.OK, peer.reply().status());

        peer.send(m);

        Fixtures.await().until(() -> server.stats().replayed() == 1);
        Received next = peer.call(Fixtures.ECHO, "request");
        assertEquals(Status.OK, next.status(), "the replay got no reply of its own");
        assertEquals(1, counting.invocations.get(), "the replay never reached the handler");
    }

    @Test
    void request_olderId_droppedAsReplay() {
        startWithPeer("older-id");
        Envelope newer = peer.envelope(Wire.REQUEST, 10, System.currentTimeMillis(), 5_000, "request", "/count",
                Map.of());
        Envelope older = peer.envelope(Wire.REQUEST, 9, System.currentTimeMillis(), 5_000, "request", "/count",
                Map.of());

        peer.send(peer.seal(newer, Body.empty()));
        assertEquals(10, peer.reply().requestId());
        peer.send(peer.seal(older, Body.empty()));

        Fixtures.await().until(() -> server.stats().replayed() == 1);
        Envelope next = peer.envelope(Wire.REQUEST, 11, System.currentTimeMillis(), 5_000, "request", "/count",
                Map.of());
        peer.send(peer.seal(next, Body.empty()));
        assertEquals(11, peer.reply().requestId());
        assertEquals(2, counting.invocations.get());
    }

    @ParameterizedTest(name = "skew {0} ms")
    @ValueSource(longs = {-60_000, 60_000})
    void request_timestampOutsideReplayWindow_replies401(long skewMs) {
        startWithPeer("window");
        Envelope e = peer.envelope(Wire.REQUEST, peer.nextRequestId(), System.currentTimeMillis() + skewMs, 5_000,
                "request", "/count", Map.of());

        peer.send(peer.seal(e, Body.empty()));
        Received r = peer.reply();

        assertEquals(e.requestId(), r.requestId());
        assertEquals(Status.UNAUTHORIZED, r.status());
        assertTrue(r.message().startsWith("timestamp outside the replay window"), r.message());
        assertTrue(r.message().endsWith("window 30000 ms)"), r.message());
        assertEquals(1, server.stats().unauthorized());
        assertEquals(0, counting.invocations.get());
    }

    @Test
    void request_timestampInsideReplayWindow_accepted() {
        startWithPeer("window-ok");
        Envelope e = peer.envelope(Wire.REQUEST, peer.nextRequestId(), System.currentTimeMillis() - 20_000, 5_000,
                "request", "/count", Map.of());

        peer.send(peer.seal(e, Body.empty()));

        assertEquals(Status.OK, peer.reply().status());
        assertEquals(1, counting.invocations.get());
    }

    /**
     * The service answers a message whose proof does not verify (401), or whose version it does not speak
     * (505), addressed to the client id and request id the unauthenticated sender wrote. A stranger who knows
     * a live client's ids must not thereby fail that client's call: the answer echoes the rejected message's
     * proof, and a client (like RawPeer.reply()) ignores a rejection of a proof it did not send.
     */
    @ParameterizedTest(name = "forged with version {0}")
    @ValueSource(ints = {1, 3}) // 1: a proof that does not verify (401); 3: a version not spoken (505)
    void request_strangerForgesVictimsIds_victimStillGetsItsOwnReply(int version) throws Exception {
        Fixtures.Gate gate = fx.gate();
        server = fx.start(Fixtures.builder("forgery").route("^/gate$", "request", gate));
        RawPeer victim = fx.peer(server);
        victim.handshake();
        RawPeer stranger = fx.peer(server, "not-the-passphrase");
        long id = victim.send("/gate", "request");
        gate.awaitStarted();
        Envelope forged = new Envelope(Wire.REQUEST, victim.id(), id, System.currentTimeMillis(), 5_000, 0,
                "request", "/gate", "", Map.of());
        byte[] env = Wire.encode(forged);
        env[3] = (byte) version;

        stranger.send(stranger.seal(env, new byte[0]));
        Fixtures.await().until(() -> server.stats().unauthorized() + server.stats().malformed() == 1);
        gate.open();
        Received first = victim.reply();

        assertEquals(id, first.requestId());
        assertEquals(Status.OK, first.status(), () -> "the victim's request " + id
                + " was answered because of a stranger's unauthenticated message: " + first);
    }
}
