package org.offload.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.TimeUnit;
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
 * Protocol version 2 against a real service (PROTOCOL.md sections 2.1, 4 and 7): a request is one frame, its
 * reply two; version 1 is still answered in version 1; malformed or tampered version-2 frames get what their
 * version-1 equivalents get.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class WireV2Test {
    private static final int OFF_BODY_LENGTH = 44;

    @RegisterExtension
    final Fixtures fx = new Fixtures();
    private final Fixtures.Counting counting = new Fixtures.Counting();

    @Test
    void request_versionTwoFrame_answeredInTwoFramesOfVersionTwo() {
        ServiceServer server = fx.echoServer("v2-echo");
        RawPeer peer = fx.subscribedPeer(server);

        long id = peer.sendV2(Fixtures.ECHO, "request", Map.of("x-h", "v"), Body.json(Map.of("a", "b")));
        Received r = peer.replyV2();

        assertEquals(id, r.requestId());
        assertEquals(Status.OK, r.status());
        assertEquals("{\"echo\":{\"a\":\"b\"}}", r.body().text());
        assertEquals(Wire.VERSION_2, Wire.version(r.envelopeBytes()), "the version byte of the reply frame");
        assertEquals(2, server.stats().received(), "the handshake request and this one");
    }

    @Test
    void request_versionOneThenTwoFromOnePeer_eachAnsweredInItsOwnVersion() {
        ServiceServer server = fx.echoServer("v1-and-v2");
        RawPeer peer = fx.subscribedPeer(server);

        Received v1 = peer.call(Fixtures.ECHO, "request", Map.of(), Body.json(Map.of("n", 1)));
        peer.sendV2(Fixtures.ECHO, "request", Map.of(), Body.json(Map.of("n", 2)));
        Received v2 = peer.replyV2();
        Received again = peer.call(Fixtures.ECHO, "request", Map.of(), Body.json(Map.of("n", 3)));

        assertEquals(Wire.REPLY_FRAMES, v1.frameCount());
        assertEquals(Wire.VERSION, v1.envelope().version());
        assertEquals("{\"echo\":{\"n\":2}}", v2.body().text());
        assertEquals(Wire.REPLY_FRAMES, again.frameCount(), "a version-1 request after a version-2 one: version 1");
        assertEquals("{\"echo\":{\"n\":3}}", again.body().text());
    }

    @Test
    void ping_versionOne_pongNamesTheVersionsAndTheRequestFrameLimit() {
        ServiceServer server = fx.start(Fixtures.builder("v2-pong").maxMessageBytes(100_000));
        RawPeer peer = fx.peer(server);

        Received pong = peer.call(Wire.PING_PATH, Wire.PING);

        assertEquals(Wire.REPLY_FRAMES, pong.frameCount(), "a version-1 ping gets a version-1 pong");
        assertEquals("1,2", pong.headers().get(Wire.PROTOCOLS));
        assertEquals("100000", pong.headers().get(Wire.MAX_REQUEST_BYTES));
    }

    @Test
    void cancel_versionTwo_queuedRequestNeverRunsAndIsAnswered499InVersionTwo() throws InterruptedException {
        Fixtures.Gate gate = fx.gate();
        ServiceServer server = fx.start(Fixtures.builder("v2-cancel").workers(1).route("^/gate$", "request", gate)
                .route("^/count$", "request", counting));
        RawPeer peer = fx.subscribedPeer(server);
        peer.sendV2("/gate", "request", Map.of(), Body.empty());
        gate.awaitStarted();
        long queued = peer.sendV2("/count", "request", Map.of(), Body.empty());
        Fixtures.await().until(() -> server.stats().inFlight() == 2);

        peer.send(peer.sealV2(peer.envelope(Wire.CANCEL, queued, System.currentTimeMillis(), 0, "cancel", "/count",
                Map.of()), Body.empty()));
        Received cancelled = peer.replyV2();
        gate.open();

        assertEquals(queued, cancelled.requestId());
        assertEquals(Status.CANCELLED, cancelled.status());
        assertEquals(Status.OK, peer.replyV2().status(), "the gated request's own reply");
        assertEquals(0, counting.invocations.get(), "the cancelled request never ran");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"body length past the end", "body length one too long", "trailing byte"})
    void request_versionTwoFrameWithValidProofButBadSplit_answered400OnPathSlash(String defect) {
        ServiceServer server = fx.startCounting("v2-split", counting);
        RawPeer peer = fx.subscribedPeer(server);
        Envelope e = peer.request("/count", "request", Map.of());
        byte[] frame = peer.sealV2(e, Body.bytes(new byte[] {'{', '}'})).frame();
        ByteBuffer b = ByteBuffer.wrap(frame);
        int bodyLength = b.getInt(OFF_BODY_LENGTH);
        b.putInt(OFF_BODY_LENGTH, switch (defect) {
            case "body length past the end" -> 0x7FFF_FFFF;
            case "body length one too long" -> bodyLength + 1; // the headers run into the body's place
            default -> bodyLength - 1; // the body's first byte is left after the headers
        });
        peer.proof().signInto(frame, frame.length - Wire.PROOF_BYTES); // signed: only the split is wrong

        peer.sendFrames(frame);
        Received r = peer.reply(); // an answer to an envelope that did not decode: version 1, as section 7 says

        assertEquals(e.requestId(), r.requestId());
        assertEquals(Status.BAD_REQUEST, r.status(), () -> "answer: " + r);
        assertEquals("/", r.envelope().path());
        if (defect.equals("trailing byte")) {
            assertEquals("1 unexpected bytes after the headers (before the body)", r.message());
        } else {
            assertTrue(r.message().startsWith("truncated"), r.message());
        }
        assertEquals(1, server.stats().malformed());
        assertEquals(0, counting.invocations.get());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"frame shorter than a prefix and a proof", "version 2 in three frames",
            "version 1 in one frame", "two frames"})
    void message_versionTwoFramingViolated_droppedAndCountedAsMalformed(String defect) {
        ServiceServer server = fx.startCounting("v2-framing", counting);
        RawPeer peer = fx.subscribedPeer(server);
        Sealed v2 = peer.sealV2(peer.request("/count", "request", Map.of()), Body.empty());
        Sealed v1 = peer.seal(peer.request("/count", "request", Map.of()), Body.empty());

        switch (defect) {
            case "frame shorter than a prefix and a proof" -> peer.sendFrames(Arrays.copyOf(v2.frame(),
                    Wire.MIN_FRAME_V2 - 1));
            case "version 2 in three frames" -> peer.sendFrames(v2.envelope(), v2.body(), v2.proof());
            case "version 1 in one frame" -> peer.sendFrames(v1.envelope());
            default -> peer.sendFrames(v2.frame(), new byte[0]);
        }

        Fixtures.await().until(() -> server.stats().malformed() == 1);
        Received next = peer.call("/count", "request");
        assertEquals(Status.OK, next.status(), () -> "the next reply is the next request's: " + next);
        assertEquals(1, counting.invocations.get(), "only the well-formed request ran");
        assertEquals(0, server.stats().unauthorized());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"proof", "body", "envelope"})
    void request_versionTwoFrameTampered_answered401EchoingTheProofItCarried(String tampered) {
        ServiceServer server = fx.startCounting("v2-tampered", counting);
        RawPeer peer = fx.subscribedPeer(server);
        byte[] frame = peer.sealV2(peer.request("/count", "request", Map.of()), Body.bytes(new byte[] {'{', '}'}))
                .frame();
        int at = switch (tampered) {
            case "proof" -> frame.length - 1;
            case "body" -> frame.length - Wire.PROOF_BYTES - 1;
            default -> 50; // the method's bytes
        };
        frame[at] ^= 1;

        peer.sendFrames(frame);
        Received r = peer.receive(Wire.REPLY_FRAMES);

        assertTrue(r.authentic(), "the 401 is signed by the service");
        assertEquals(Status.UNAUTHORIZED, r.status());
        assertEquals("passphrase proof did not verify", r.message());
        assertEquals(HexFormat.of().formatHex(frame, frame.length - Wire.PROOF_BYTES, frame.length),
                r.envelope().headers().get(Wire.REJECTED_PROOF));
        assertEquals(1, server.stats().unauthorized());
        assertEquals(0, counting.invocations.get());
    }

    @Test
    void request_unknownVersionInOneFrame_answered505EchoingTheFramesLastBytes() {
        ServiceServer server = fx.startCounting("v2-505", counting);
        RawPeer peer = fx.subscribedPeer(server);
        Envelope e = peer.request("/count", "request", Map.of());
        byte[] frame = peer.sealV2(e, Body.empty()).frame();
        frame[3] = 7;

        peer.sendFrames(frame);
        Received r = peer.reply();

        assertEquals(e.requestId(), r.requestId());
        assertEquals(Status.VERSION_NOT_SUPPORTED, r.status());
        assertEquals("protocol version 7 is not supported (this service speaks 1,2)", r.message());
        assertEquals(HexFormat.of().formatHex(frame, frame.length - Wire.PROOF_BYTES, frame.length),
                r.envelope().headers().get(Wire.REJECTED_PROOF));
    }

    /**
     * A reply whose version-2 frame would pass the client's limit while version 1's frames fit goes in version
     * 1: a reply body of exactly the limit is still delivered (PROTOCOL.md section 3.4).
     */
    @Test
    void reply_bodyOfExactlyTheClientsLimitToAVersionTwoRequest_sentInVersionOne() {
        ServiceServer server = fx.start(Fixtures.builder("v2-limit").route("^/bytes$", "request",
                call -> Reply.ok(Body.bytes(new byte[call.json().get("n").asInt()]))));
        RawPeer peer = fx.subscribedPeer(server);

        peer.sendV2("/bytes", "request", Map.of(Wire.MAX_REPLY_BYTES, "1000"), Body.json(Map.of("n", 1_000)));
        Received exact = peer.receive(Wire.REPLY_FRAMES);
        peer.sendV2("/bytes", "request", Map.of(Wire.MAX_REPLY_BYTES, "1000"), Body.json(Map.of("n", 10)));
        Received small = peer.replyV2();

        assertTrue(exact.authentic());
        assertEquals(Status.OK, exact.status());
        assertEquals(1_000, exact.body().size());
        assertEquals(10, small.body().size(), "a reply whose one frame fits stays in version 2");
        assertEquals(0, server.stats().oversized());
    }
}
