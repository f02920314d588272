package org.offload.service;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.offload.service.RawPeer.Received;
import org.offload.service.internal.Proof;
import org.offload.service.internal.Sealed;
import org.offload.service.internal.Wire;

/**
 * A cancel the service rejects (outside the replay window, bad proof, another version, undecodable) is
 * dropped and counted, never answered: an answer would carry the request's id beside the request's own
 * final reply, and "exactly one final reply" would fail on the wire (issue 10, item 7).
 */
@Timeout(value = 60, unit = SECONDS)
class RejectedCancelTest {
    /** Twice the default 30 s replay window. */
    private static final long STALE_MS = 60_000;

    @RegisterExtension
    final Fixtures fx = new Fixtures();

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"stale timestamp", "bad proof", "version 3", "trailing byte"})
    void cancel_rejected_droppedCountedAndTheRequestGetsExactlyOneFinalReply(String defect) throws Exception {
        Fixtures.Gate gate = fx.gate();
        ServiceServer server = fx.start(Fixtures.builder("rejected-cancel").route("^/gate$", "request", gate));
        RawPeer peer = fx.subscribedPeer(server);
        long id = peer.send("/gate", "request");
        gate.awaitStarted();

        peer.send(rejectedCancel(peer, id, defect));
        Fixtures.await().until(() -> server.stats().unauthorized() + server.stats().malformed() == 1);
        gate.open();
        List<Received> forTheRequest = repliesUntilSentinel(peer, id);

        assertEquals(1, forTheRequest.size(), () -> "replies carrying request id " + id + ": " + forTheRequest);
        Received only = forTheRequest.get(0);
        assertTrue(only.authentic(), () -> "not a genuine reply: " + only);
        assertEquals(Status.OK, only.status(), () -> "the handler's reply, not an answer to the cancel: " + only);
        boolean window = defect.equals("stale timestamp") || defect.equals("bad proof");
        assertEquals(window ? 1 : 0, server.stats().unauthorized(), "counted as unauthorized");
        assertEquals(window ? 0 : 1, server.stats().malformed(), "counted as malformed");
        assertEquals(0, server.stats().cancelled(), "the request was not cancelled");
    }

    /** A cancel for {@code id} with {@code defect}; the service can tell from the stable prefix that it is one. */
    private static Sealed rejectedCancel(RawPeer peer, long id, String defect) {
        long now = System.currentTimeMillis();
        Sealed fresh = peer.seal(peer.envelope(Wire.CANCEL, id, now, 0, "cancel", "/gate", Map.of()), Body.empty());
        byte[] env = fresh.envelope();
        return switch (defect) {
            case "stale timestamp" -> peer.seal(peer.envelope(Wire.CANCEL, id, now - STALE_MS, 0, "cancel", "/gate",
                    Map.of()), Body.empty());
            case "bad proof" -> new Sealed(env, new byte[0], new Proof("not-the-passphrase").sign(env, new byte[0]));
            case "version 3" -> {
                byte[] v3 = env.clone();
                v3[3] = 3; // a version the service does not speak
                yield peer.seal(v3, new byte[0]);
            }
            case "trailing byte" -> peer.seal(Arrays.copyOf(env, env.length + 1), new byte[0]);
            default -> throw new IllegalArgumentException(defect);
        };
    }

    /**
     * Every message carrying {@code id} up to and including its 200, then any more that arrive before the answer
     * to a request sent after it (a path no route has, answered 404): an answer to the cancel, published when
     * the cancel arrived, comes before the 200; a later one before the 404.
     */
    private static List<Received> repliesUntilSentinel(RawPeer peer, long id) {
        List<Received> forId = new ArrayList<>();
        Received r;
        do {
            r = peer.receive();
            if (r.requestId() == id) {
                forId.add(r);
            }
        } while (r.requestId() != id || r.status() != Status.OK);
        long sentinel = peer.send(RawPeer.PING_PATH, "ping");
        while (true) {
            Received next = peer.receive();
            if (next.requestId() == sentinel) {
                assertEquals(Status.NOT_FOUND, next.status(), () -> "the sentinel's answer: " + next);
                return forId;
            }
            if (next.requestId() == id) {
                forId.add(next);
            }
        }
    }
}
