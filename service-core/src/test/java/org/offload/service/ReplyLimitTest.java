package org.offload.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.offload.service.internal.Wire;

/** A service never publishes a reply frame above the client's announced limit ({@value Wire#MAX_REPLY_BYTES}). */
class ReplyLimitTest {
    @RegisterExtension
    final Fixtures fx = new Fixtures();

    /** A server whose {@code /bytes} route answers {@code n} zero bytes, n from the request body. */
    private ServiceServer bytesServer(String name) {
        return fx.start(Fixtures.builder(name).route("^/bytes$", "request",
                call -> Reply.ok(Body.bytes(new byte[call.json().get("n").asInt()]))));
    }

    private static RawPeer.Received bytes(RawPeer peer, int n, String limit) {
        return peer.call("/bytes", "request", Map.of(Wire.MAX_REPLY_BYTES, limit), Body.json(Map.of("n", n)));
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void reply_bodyAtTheLimit_sentAndOneByteMore_answered500NamingTheSizes() {
        ServiceServer server = bytesServer("limit");
        RawPeer peer = fx.subscribedPeer(server);

        RawPeer.Received fits = bytes(peer, 1_000, "1000");
        assertEquals(Status.OK, fits.status());
        assertEquals(1_000, fits.body().size());

        RawPeer.Received over = bytes(peer, 1_001, "1000");
        assertEquals(Status.INTERNAL_ERROR, over.status());
        assertEquals("the reply to /bytes (id " + over.requestId() + ") was not sent: its body frame of 1001 bytes"
                + " exceeds the client's limit of 1000 bytes (offload-max-reply-bytes)", over.message());
        assertEquals(0, over.body().size());
        assertEquals(1, server.stats().oversized());

        assertEquals(Status.OK, bytes(peer, 10, "1000").status(), "the next call is served as usual");
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void reply_noLimitHeader_protocolDefaultApplies() {
        ServiceServer server = bytesServer("default-limit");
        RawPeer peer = fx.subscribedPeer(server);

        RawPeer.Received at = peer.call("/bytes", "request", Map.of(),
                Body.json(Map.of("n", Wire.DEFAULT_MAX_REPLY_FRAME_BYTES)));
        assertEquals(Status.OK, at.status());
        assertEquals(Wire.DEFAULT_MAX_REPLY_FRAME_BYTES, at.body().size());
        RawPeer.Received above = peer.call("/bytes", "request", Map.of(),
                Body.json(Map.of("n", Wire.DEFAULT_MAX_REPLY_FRAME_BYTES + 1)));
        assertEquals(Status.INTERNAL_ERROR, above.status());
        assertTrue(above.message().contains("exceeds the client's limit of 8388608 bytes"), above.message());
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void reply_limitBelowEvenAnErrorReply_droppedAndCounted() {
        ServiceServer server = bytesServer("tiny-limit");
        RawPeer peer = fx.subscribedPeer(server);

        long id = peer.send("/bytes", "request", Map.of(Wire.MAX_REPLY_BYTES, "40"), Body.json(Map.of("n", 1)));
        Fixtures.await().until(() -> server.stats().dropped() == 1);
        assertEquals(1, server.stats().oversized());
        Fixtures.await().until(() -> server.stats().inFlight() == 0); // the job ended although no reply went out

        RawPeer.Received next = bytes(peer, 1, "4096");
        assertEquals(Status.OK, next.status(), "nothing for request " + id + ", and the next one is served");
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void request_malformedLimitHeader_answered400() {
        ServiceServer server = bytesServer("bad-limit");
        RawPeer peer = fx.subscribedPeer(server);

        for (String bad : new String[] {"0", "-1", "1e6", " 100", "2147483648", "99999999999", ""}) {
            RawPeer.Received r = bytes(peer, 1, bad);
            assertEquals(Status.BAD_REQUEST, r.status(), () -> "'" + bad + "': " + r);
            assertEquals("offload-max-reply-bytes must be a decimal number of bytes in 1..2147483647 but was '" + bad
                    + "'", r.message());
        }
        assertEquals(Status.OK, bytes(peer, 1, "2147483647").status());
        assertEquals(0, server.stats().oversized());
    }
}
