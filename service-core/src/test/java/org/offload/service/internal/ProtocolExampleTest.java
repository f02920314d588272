package org.offload.service.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.offload.service.Body;
import org.offload.service.ProtocolException;
import org.offload.service.Status;

/**
 * The worked examples of PROTOCOL.md ("Worked example"), byte for byte: the Java codec must produce exactly
 * the hex the document shows (which its Python reference encoder printed), and the document must still
 * show it.
 */
class ProtocolExampleTest {
    private static final HexFormat HEX = HexFormat.of();

    static final String PASSPHRASE = "s3cret-p\u00e4ssphrase";
    static final String CLIENT_ID_HEX = "00112233445566778899aabbccddeeff";
    static final long REQUEST_ID = 42;
    static final String PATH = "/service/slow";

    static final long REQUEST_TIMESTAMP = 1_767_225_600_000L; // 2026-01-01T00:00:00Z
    static final long REQUEST_TIMEOUT_MS = 5_000;
    static final String REQUEST_BODY = "{\"RETURN_DATA\":\"hello\"}";
    static final String REQUEST_ENVELOPE_HEX = "4f464c01010000112233445566778899aabbccddeeff000000000000002a"
            + "0000019b76daa8000000138800000772657175657374000d2f736572766963652f736c6f7700000001000e6f66666c"
            + "6f61642d6e6f74696679000773746172746564";
    static final String REQUEST_BODY_HEX = "7b2252455455524e5f44415441223a2268656c6c6f227d";
    static final String REQUEST_PROOF_HEX = "f0d9a749ca59e0224c6015150f8a73f86021a8e39e41a66798f5a628e233af40";

    static final long REPLY_TIMESTAMP = 1_767_225_600_250L;
    static final String REPLY_BODY = "{\"RETURN_DATA\":\"hello\"}";
    static final String REPLY_ENVELOPE_HEX = "4f464c01020000112233445566778899aabbccddeeff000000000000002a"
            + "0000019b76daa8fa0000000000c808726573706f6e7365000d2f736572766963652f736c6f7700024f4b0000";
    static final String REPLY_PROOF_HEX = "20bd457b79d82763383af34a63257fbc0816248146b4000ef06c2e1d8436c49f";

    static final long CANCEL_TIMESTAMP = 1_767_225_600_100L;
    static final String CANCEL_ENVELOPE_HEX = "4f464c01030000112233445566778899aabbccddeeff000000000000002a"
            + "0000019b76daa8640000000000000663616e63656c000d2f736572766963652f736c6f7700000000";
    /** HMAC input of the subscription tag: ASCII "offload-subscribe" then the client id (PROTOCOL.md section 5). */
    static final String TAG_INPUT_HEX = "6f66666c6f61642d73756273637269626500112233445566778899aabbccddeeff";
    static final String SUBSCRIBE_MESSAGE_HEX = "0100112233445566778899aabbccddeeff"
            + "6ae9ff328b1cac3c09bae589fef508122532f05078c7969e84e019f2dea06c51";
    static final String CANCEL_PROOF_HEX = "ab02ccc8cc03f5a3b3a1277ffc8c9dae6431f5d7bfbb5caafafc1fe9e0a0bc44";

    /** Version 2 (PROTOCOL.md 15.5): the same messages, each one frame {@code envelope || body || proof}. */
    static final String V2_REQUEST_FRAME_HEX = "4f464c02010000112233445566778899aabbccddeeff000000000000002a"
            + "0000019b76daa800000013880000000000170772657175657374000d2f736572766963652f736c6f7700000001000e"
            + "6f66666c6f61642d6e6f746966790007737461727465647b2252455455524e5f44415441223a2268656c6c6f227d9d"
            + "399d111e6fa77423f110fd62f5a289ef91e8cddf435d2bf600dd8232b83e21";
    static final String V2_REPLY_FRAME_HEX = "4f464c02020000112233445566778899aabbccddeeff000000000000002a"
            + "0000019b76daa8fa0000000000c80000001708726573706f6e7365000d2f736572766963652f736c6f7700024f4b0000"
            + "7b2252455455524e5f44415441223a2268656c6c6f227d74421ae0fbc0b4ca4cf3c4cc7c203fb2abec48aca4d1d32e31"
            + "e538c70be1d898";
    static final String V2_CANCEL_FRAME_HEX = "4f464c02030000112233445566778899aabbccddeeff000000000000002a"
            + "0000019b76daa864000000000000000000000663616e63656c000d2f736572766963652f736c6f770000000008de9a4d"
            + "a0f81f03774ca577b48bc06229eca0368f0b7be7038792e6ac4e0680";

    /** PROTOCOL.md 15.6: the version-2 request frame above and one of id 43 (no headers) in one batch frame. */
    static final String V2_BATCH_FRAME_HEX = "4f464c02050000112233445566778899aabbccddeeff000000000000002a00020000009b4f464c020100001122334455"
            + "66778899aabbccddeeff000000000000002a0000019b76daa800000013880000000000170772657175657374000d2f73"
            + "6572766963652f736c6f7700000001000e6f66666c6f61642d6e6f746966790007737461727465647b2252455455524e"
            + "5f44415441223a2268656c6c6f227d9d399d111e6fa77423f110fd62f5a289ef91e8cddf435d2bf600dd8232b83e2100"
            + "0000824f464c02010000112233445566778899aabbccddeeff000000000000002b0000019b76daa80000001388000000"
            + "0000170772657175657374000d2f736572766963652f736c6f77000000007b2252455455524e5f44415441223a226865"
            + "6c6c6f227dfe49e77c75b4b5daaca4c0bae3e496df6dfd993ae42674d2311f05d81162fc4b";

    private static ClientId clientId() {
        return ClientId.read(HEX.parseHex(CLIENT_ID_HEX), 0);
    }

    private static Envelope request() {
        return new Envelope(Wire.REQUEST, clientId(), REQUEST_ID, REQUEST_TIMESTAMP, REQUEST_TIMEOUT_MS, 0,
                "request", PATH, "", Map.of("offload-notify", "started"));
    }

    private static Envelope reply() {
        return new Envelope(Wire.REPLY, clientId(), REQUEST_ID, REPLY_TIMESTAMP, 0, Status.OK, "response", PATH,
                "OK", Map.of());
    }

    private static Envelope cancel() {
        return new Envelope(Wire.CANCEL, clientId(), REQUEST_ID, CANCEL_TIMESTAMP, 0, 0, "cancel", PATH, "",
                Map.of());
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void requestEnvelopeMatchesTheDocumentedBytes() {
        byte[] env = Wire.encode(request());
        assertEquals(REQUEST_ENVELOPE_HEX, HEX.formatHex(env));
        assertEquals(96, env.length);
        assertEquals(REQUEST_BODY_HEX, HEX.formatHex(utf8(REQUEST_BODY)));
    }

    @Test
    void requestProofMatchesTheDocumentedHmac() {
        byte[] env = HEX.parseHex(REQUEST_ENVELOPE_HEX);
        byte[] body = utf8(REQUEST_BODY);
        Proof proof = new Proof(PASSPHRASE);
        assertEquals(REQUEST_PROOF_HEX, HEX.formatHex(proof.sign(env, body)));
        assertTrue(proof.verify(env, body, HEX.parseHex(REQUEST_PROOF_HEX)));
        assertFalse(new Proof("s3cret-passphrase").verify(env, body, HEX.parseHex(REQUEST_PROOF_HEX)),
                "another passphrase must not verify");
    }

    @Test
    void sealingTheRequestGivesTheSameThreeFrames() {
        Sealed sealed = Sealed.seal(new Proof(PASSPHRASE), request(), Body.wrap(utf8(REQUEST_BODY), Body.JSON));
        assertEquals(REQUEST_ENVELOPE_HEX, HEX.formatHex(sealed.envelope()));
        assertEquals(REQUEST_BODY_HEX, HEX.formatHex(sealed.body()));
        assertEquals(REQUEST_PROOF_HEX, HEX.formatHex(sealed.proof()));
    }

    @Test
    void requestDecodesToEveryField() {
        Envelope e = Wire.decode(HEX.parseHex(REQUEST_ENVELOPE_HEX));
        assertEquals(Wire.REQUEST, e.kind());
        assertEquals(CLIENT_ID_HEX, e.clientId().toString());
        assertEquals(REQUEST_ID, e.requestId());
        assertEquals(REQUEST_TIMESTAMP, e.timestampMs());
        assertEquals(REQUEST_TIMEOUT_MS, e.timeoutMs());
        assertEquals(0, e.status());
        assertEquals("request", e.method());
        assertEquals(PATH, e.path());
        assertEquals("", e.message());
        assertEquals(Map.of("offload-notify", "started"), e.headers());
        assertEquals(request(), e);
    }

    @Test
    void stablePrefixAccessorsReadTheRequest() {
        byte[] env = HEX.parseHex(REQUEST_ENVELOPE_HEX);
        assertTrue(Wire.hasStablePrefix(env));
        assertEquals(Wire.VERSION, Wire.version(env));
        assertEquals(Wire.REQUEST, Wire.kind(env));
        assertEquals(CLIENT_ID_HEX, Wire.clientId(env).toString());
        assertEquals(REQUEST_ID, Wire.requestId(env));
        assertEquals(0, Wire.status(env));
    }

    @Test
    void replyMatchesTheDocumentedBytesProofAndFields() {
        byte[] env = Wire.encode(reply());
        byte[] body = utf8(REPLY_BODY);
        assertEquals(REPLY_ENVELOPE_HEX, HEX.formatHex(env));
        assertEquals(74, env.length);
        assertEquals(REPLY_PROOF_HEX, HEX.formatHex(new Proof(PASSPHRASE).sign(env, body)));

        Envelope e = Wire.decode(HEX.parseHex(REPLY_ENVELOPE_HEX));
        assertEquals(Wire.REPLY, e.kind());
        assertEquals(CLIENT_ID_HEX, e.clientId().toString());
        assertEquals(REQUEST_ID, e.requestId());
        assertEquals(REPLY_TIMESTAMP, e.timestampMs());
        assertEquals(0, e.timeoutMs());
        assertEquals(Status.OK, e.status());
        assertEquals("response", e.method());
        assertEquals(PATH, e.path());
        assertEquals("OK", e.message());
        assertEquals(Map.of(), e.headers());
        assertEquals(reply(), e);
        assertEquals(Status.OK, Wire.status(env));
        // the reply's topic frame is the client id: 16 bytes, the envelope's bytes 6..21
        assertArrayEquals(HEX.parseHex(CLIENT_ID_HEX), e.clientId().topic());
    }

    @Test
    void cancelMatchesTheDocumentedBytesProofAndFields() {
        byte[] env = Wire.encode(cancel());
        assertEquals(CANCEL_ENVELOPE_HEX, HEX.formatHex(env));
        assertEquals(70, env.length);
        assertEquals(CANCEL_PROOF_HEX, HEX.formatHex(new Proof(PASSPHRASE).sign(env, new byte[0])));
        assertEquals(cancel(), Wire.decode(env));
    }

    @Test
    void anotherVersionIsA505AndTheStablePrefixStillReads() {
        byte[] env = HEX.parseHex(REQUEST_ENVELOPE_HEX);
        env[3] = 2;
        ProtocolException e = assertThrows(ProtocolException.class, () -> Wire.decode(env));
        assertEquals(Status.VERSION_NOT_SUPPORTED, e.status());
        assertEquals(REQUEST_ID, Wire.requestId(env));
        assertEquals(CLIENT_ID_HEX, Wire.clientId(env).toString());
    }

    @Test
    void nonZeroFlagsTrailingBytesAndTruncationAre400() {
        byte[] flags = HEX.parseHex(REQUEST_ENVELOPE_HEX);
        flags[5] = 1;
        assertEquals(Status.BAD_REQUEST, assertThrows(ProtocolException.class, () -> Wire.decode(flags)).status());
        byte[] trailing = HEX.parseHex(REQUEST_ENVELOPE_HEX + "00");
        assertEquals(Status.BAD_REQUEST, assertThrows(ProtocolException.class, () -> Wire.decode(trailing)).status());
        byte[] cut = HEX.parseHex(REQUEST_ENVELOPE_HEX.substring(0, REQUEST_ENVELOPE_HEX.length() - 2));
        assertEquals(Status.BAD_REQUEST, assertThrows(ProtocolException.class, () -> Wire.decode(cut)).status());
    }

    @Test
    void aNonJsonBodyNamesItsTypeInTheContentTypeHeader() {
        Body text = Body.text("hi");
        Map<String, String> wire = new HashMap<>(Wire.decode(Sealed.seal(new Proof(PASSPHRASE), cancel(), text)
                .envelope()).headers());
        assertEquals(Map.of(Wire.CONTENT_TYPE, Body.TEXT), wire);
        assertEquals(Map.of(), Wire.decode(Sealed.seal(new Proof(PASSPHRASE), cancel(), Body.json(Map.of("a", 1)))
                .envelope()).headers());
        Body body = Sealed.body(wire, utf8("hi"));
        assertEquals(text, body);
        assertEquals(Map.of(), wire, "the receiver takes content-type out of the headers");
        assertEquals(Body.JSON, Sealed.body(new HashMap<>(), utf8("{}")).contentType());
    }

    @Test
    void provedTopicMatchesTheDocumentedSubscription() {
        Proof proof = new Proof(PASSPHRASE);
        ClientId client = ClientId.read(HEX.parseHex(CLIENT_ID_HEX), 0);
        byte[] topic = proof.provedTopic(client);

        assertEquals(SUBSCRIBE_MESSAGE_HEX.substring(2), HEX.formatHex(topic));
        assertEquals(HEX.formatHex(hmac(HEX.parseHex(TAG_INPUT_HEX))), SUBSCRIBE_MESSAGE_HEX.substring(34));
        byte[] message = HEX.parseHex(SUBSCRIBE_MESSAGE_HEX);
        assertTrue(proof.isProvedTopic(message, 1));
        message[message.length - 1] ^= 1;
        assertFalse(proof.isProvedTopic(message, 1), "one flipped bit of the tag");
        assertFalse(new Proof(PASSPHRASE + "x").isProvedTopic(HEX.parseHex(SUBSCRIBE_MESSAGE_HEX), 1));
    }

    /** HMAC-SHA256 keyed with the example passphrase, by the JDK's own Mac (an independent check of Proof). */
    private static byte[] hmac(byte[] input) {
        try {
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new javax.crypto.spec.SecretKeySpec(PASSPHRASE.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return mac.doFinal(input);
        } catch (java.security.GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void versionTwoFramesMatchTheDocumentedBytesAndDecodeToTheSameFields() {
        Proof proof = new Proof(PASSPHRASE);
        Body json = Body.wrap(utf8(REQUEST_BODY), Body.JSON);
        Object[][] cases = {
            {request(), json, V2_REQUEST_FRAME_HEX, 155},
            {reply(), Body.wrap(utf8(REPLY_BODY), Body.JSON), V2_REPLY_FRAME_HEX, 133},
            {cancel(), Body.empty(), V2_CANCEL_FRAME_HEX, 106},
        };
        for (Object[] c : cases) {
            Envelope e = (Envelope) c[0];
            Body body = (Body) c[1];
            byte[] frame = Sealed.seal(proof, e.inVersion(Wire.VERSION_2), body).frame();
            assertEquals(c[2], HEX.formatHex(frame), () -> "version 2 frame of " + e.method());
            assertEquals(c[3], frame.length);
            assertTrue(proof.verifyFrame(frame));
            assertFalse(new Proof("s3cret-passphrase").verifyFrame(frame), "another passphrase must not verify");
            assertEquals(e.inVersion(Wire.VERSION_2), Wire.decodeFrame(frame));
            Inbound in = Inbound.ofFrame(frame);
            assertArrayEquals(BodyAccess.array(body), in.body());
            assertEquals(HEX.formatHex(frame, frame.length - 32, frame.length), in.proofHex());
            // the stable prefix reads the same in both versions; the v1 envelope is the v2 one without the length
            byte[] v1 = Wire.encode(e);
            assertArrayEquals(java.util.Arrays.copyOfRange(v1, 4, 30), java.util.Arrays.copyOfRange(frame, 4, 30));
        }
    }

    @Test
    void batchFrameMatchesTheDocumentedBytesAndSplitsIntoItsEntries() {
        Proof proof = new Proof(PASSPHRASE);
        Body json = Body.wrap(utf8(REQUEST_BODY), Body.JSON);
        Envelope second = new Envelope(Wire.REQUEST, clientId(), REQUEST_ID + 1, REQUEST_TIMESTAMP,
                REQUEST_TIMEOUT_MS, 0, "request", PATH, "", Map.of());
        byte[] first = Sealed.seal(proof, request().inVersion(Wire.VERSION_2), json).frame();
        byte[] next = Sealed.seal(proof, second.inVersion(Wire.VERSION_2), json).frame();

        byte[] batch = Batch.encode(java.util.List.of(first, next));

        assertEquals(V2_BATCH_FRAME_HEX, HEX.formatHex(batch));
        assertEquals(325, batch.length);
        java.util.List<byte[]> entries = Batch.split(batch);
        assertArrayEquals(first, entries.get(0));
        assertArrayEquals(next, entries.get(1));
        assertTrue(proof.verifyFrame(entries.get(1)));
    }

    @Test
    void versionTwoFrameSealedTheSameWayAsVersionOneIsNotAVersionOneProof() {
        Proof proof = new Proof(PASSPHRASE);
        byte[] frame = HEX.parseHex(V2_REQUEST_FRAME_HEX);
        assertFalse(HEX.formatHex(frame).contains(REQUEST_PROOF_HEX), "the version-2 proof is not version 1's");
        assertEquals(Status.VERSION_NOT_SUPPORTED, assertThrows(ProtocolException.class,
                () -> Wire.decode(frame)).status(), "a version-1 decoder answers the frame 505");
        byte[] v1 = HEX.parseHex(REQUEST_ENVELOPE_HEX);
        assertEquals(Status.VERSION_NOT_SUPPORTED, assertThrows(ProtocolException.class,
                () -> Wire.decodeFrame(v1)).status(), "the version-2 decoder answers a version-1 envelope 505");
        assertTrue(proof.verifyFrame(frame));
    }

    @Test
    void theDocumentShowsTheseBytes() throws IOException {
        String doc = Files.readString(protocolDocument());
        for (String hex : new String[] {REQUEST_ENVELOPE_HEX, REQUEST_BODY_HEX, REQUEST_PROOF_HEX, REPLY_ENVELOPE_HEX,
                REPLY_PROOF_HEX, CANCEL_ENVELOPE_HEX, CANCEL_PROOF_HEX, TAG_INPUT_HEX, SUBSCRIBE_MESSAGE_HEX,
                V2_REQUEST_FRAME_HEX, V2_REPLY_FRAME_HEX, V2_CANCEL_FRAME_HEX, V2_BATCH_FRAME_HEX}) {
            assertTrue(doc.contains(hex), "PROTOCOL.md no longer shows " + hex);
        }
        assertTrue(doc.contains("s3cret-p\u00e4ssphrase"), "PROTOCOL.md no longer shows the passphrase");
    }

    /** The text of {@code document}'s fenced Python block whose first line starts with {@code firstLine}. */
    static String pythonBlock(String document, String firstLine) {
        int start = document.indexOf("```python\n" + firstLine);
        assertTrue(start >= 0, "PROTOCOL.md has no python block starting with '" + firstLine + "'");
        start += "```python\n".length();
        int end = document.indexOf("\n```", start);
        return document.substring(start, end + 1);
    }

    /** PROTOCOL.md at the repository root: the module's parent when Maven runs the tests. */
    static Path protocolDocument() {
        Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        for (int up = 0; up < 4 && dir != null; up++, dir = dir.getParent()) {
            Path doc = dir.resolve("PROTOCOL.md");
            if (Files.isRegularFile(doc)) {
                return doc;
            }
        }
        throw new IllegalStateException("PROTOCOL.md not found above " + System.getProperty("user.dir"));
    }
}
