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

/**
 * Messages that break the protocol: answered with a typed error where a reply is possible (400, 505),
 * otherwise dropped and counted; the service keeps serving. "Dropped" is checked without sleeping: a
 * sentinel request sent after the bad message must be the next reply on the same connection.
 */
@Timeout(value = 60, unit = SECONDS)
class ServiceProtocolTest {
    @RegisterExtension
    final Fixtures fx = new Fixtures();
    private final Fixtures.Counting counting = new Fixtures.Counting();
    private ServiceServer server;
    private RawPeer peer;

    private void startWithPeer(String name) {
        server = fx.startCounting(name, counting);
        peer = fx.subscribedPeer(server);
    }

    /** The next reply must be the sentinel's 200: nothing was sent for what came before it. */
    private void assertNextReplyIsSentinel() {
        Received r = peer.call(Fixtures.ECHO, "request");
        assertEquals(Status.OK, r.status(), () -> "sentinel reply: " + r);
    }

    @Test
    void request_malformedEnvelopeWithValidProof_replies400AndCounts() {
        startWithPeer("malformed");
        Envelope e = peer.request("/count", "request", Map.of());
        byte[] env = Wire.encode(e);
        byte[] trailing = Arrays.copyOf(env, env.length + 1);

        peer.send(peer.seal(trailing, new byte[0]));
        Received r = peer.reply();

        assertEquals(e.requestId(), r.requestId(), "the reply names the request id from the stable prefix");
        assertEquals(Status.BAD_REQUEST, r.status());
        assertEquals("1 unexpected bytes after the headers", r.message());
        assertEquals(1, server.stats().malformed());
        assertEquals(0, counting.invocations.get());
        assertNextReplyIsSentinel();
    }

    @Test
    void request_unknownVersion_replies505AndCounts() {
        startWithPeer("version");
        Envelope e = peer.request("/count", "request", Map.of());
        byte[] env = Wire.encode(e);
        env[3] = 3; // version byte: a version this service does not speak (it speaks 1 and 2)

        peer.send(peer.seal(env, new byte[0]));
        Received r = peer.reply();

        assertEquals(e.requestId(), r.requestId());
        assertEquals(Status.VERSION_NOT_SUPPORTED, r.status());
        assertEquals("protocol version 3 is not supported (this service speaks 1,2)", r.message());
        assertEquals(1, server.stats().malformed());
        assertEquals(0, counting.invocations.get());
        assertNextReplyIsSentinel();
    }

    @ParameterizedTest(name = "{0} frames")
    @ValueSource(ints = {1, 2, 4, 5})
    void message_wrongFrameCount_droppedAndCountedAsMalformed(int frames) {
        startWithPeer("frames-" + frames);
        Sealed m = peer.seal(peer.request("/count", "request", Map.of()), Body.empty());
        byte[][] parts = new byte[frames][];
        parts[0] = m.envelope();
        for (int i = 1; i < frames; i++) {
            parts[i] = i == 1 ? m.body() : m.proof();
        }

        peer.sendFrames(parts);

        Fixtures.await().until(() -> server.stats().malformed() == 1);
        assertNextReplyIsSentinel();
        assertEquals(0, counting.invocations.get(), "no handler ran for the dropped message");
        assertEquals(0, server.stats().unauthorized());
    }

    @Test
    void message_envelopeWithoutMagic_droppedAndCounted() {
        startWithPeer("no-magic");
        byte[] garbage = "GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes();

        peer.send(peer.seal(garbage, new byte[0]));

        Fixtures.await().until(() -> server.stats().malformed() == 1);
        assertNextReplyIsSentinel();
    }

    @Test
    void message_replyKindSentToService_replies400() {
        startWithPeer("reply-kind");
        Envelope e = peer.envelope(Wire.REPLY, peer.nextRequestId(), System.currentTimeMillis(), 0, "response",
                "/count", Map.of());

        peer.send(peer.seal(e, Body.empty()));
        Received r = peer.reply();

        assertEquals(e.requestId(), r.requestId());
        assertEquals(Status.BAD_REQUEST, r.status());
        assertEquals("a service accepts requests and cancels, not kind 2", r.message());
        assertEquals(0, counting.invocations.get());
    }

    @Test
    void request_decodesButBreaksRequestLimits_replies400() {
        startWithPeer("limits");

        Received longMethod = peer.call("/count", "m".repeat(100));
        Received longPath = peer.call("/" + "p".repeat(5_000), "request");

        assertEquals(Status.BAD_REQUEST, longMethod.status());
        assertEquals("method must be 1..64 characters but was 100", longMethod.message());
        assertEquals(Status.BAD_REQUEST, longPath.status());
        assertEquals("path must be <= 4096 bytes but was 5001", longPath.message());
        assertEquals(0, counting.invocations.get());
        assertEquals(2, server.stats().malformed());
    }

    @Test
    void messages_manyBadInARow_serviceKeepsServing() {
        startWithPeer("flood");
        for (int i = 0; i < 200; i++) {
            peer.sendFrames(new byte[] {(byte) i}, new byte[0], new byte[32]);
        }

        Fixtures.await().until(() -> server.stats().malformed() == 200);
        assertNextReplyIsSentinel();
        assertTrue(server.isRunning());
    }
}
