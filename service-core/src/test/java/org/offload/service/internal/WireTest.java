package org.offload.service.internal;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.offload.service.ProtocolException;
import org.offload.service.Status;

/** The v1 envelope codec: exact round trips, and decode failing only with {@link ProtocolException}. */
class WireTest {
    private static final ClientId CLIENT = ClientId.random();
    private static final Map<String, String> UTF8_HEADERS = orderedMap(
            "x-trace", "abc-123",
            "x-ünïcødé", "välue ✓ 日本語 😀",
            "empty-value", "");

    private static Map<String, String> orderedMap(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    private static Envelope request() {
        return new Envelope(Wire.REQUEST, CLIENT, 42, 1_700_000_000_123L, 5_000, 0, "request", "/service/slow",
                "", UTF8_HEADERS);
    }

    /** The byte offset of the path's first byte in an encoding of {@code e}. */
    private static int pathOffset(Envelope e) {
        return Wire.FIXED_BYTES + 1 + e.method().length() + 2;
    }

    private static ProtocolException rejects(byte[] env) {
        return assertThrows(ProtocolException.class, () -> Wire.decode(env));
    }

    // ------------------------------------------------------------------ round trips

    @Test
    void decode_encodedRequest_returnsEveryField() {
        Envelope e = request();

        Envelope d = Wire.decode(Wire.encode(e));

        assertAll(
                () -> assertEquals(Wire.REQUEST, d.kind()),
                () -> assertEquals(CLIENT, d.clientId()),
                () -> assertEquals(42, d.requestId()),
                () -> assertEquals(1_700_000_000_123L, d.timestampMs()),
                () -> assertEquals(5_000, d.timeoutMs()),
                () -> assertEquals(0, d.status()),
                () -> assertEquals("request", d.method()),
                () -> assertEquals("/service/slow", d.path()),
                () -> assertEquals("", d.message()),
                () -> assertEquals(UTF8_HEADERS, d.headers()),
                () -> assertEquals(e, d));
    }

    @Test
    void decode_encodedReply_returnsEveryField() {
        Envelope e = new Envelope(Wire.REPLY, CLIENT, 7, 1_700_000_000_999L, 0, Status.TOO_MANY_REQUESTS, "response",
                "/ünï/çødé", "busy – wörker queue full ✓", Map.of("content-type", "application/octet-stream"));

        Envelope d = Wire.decode(Wire.encode(e));

        assertAll(
                () -> assertEquals(Wire.REPLY, d.kind()),
                () -> assertEquals(CLIENT, d.clientId()),
                () -> assertEquals(7, d.requestId()),
                () -> assertEquals(1_700_000_000_999L, d.timestampMs()),
                () -> assertEquals(0, d.timeoutMs()),
                () -> assertEquals(429, d.status()),
                () -> assertEquals("response", d.method()),
                () -> assertEquals("/ünï/çødé", d.path()),
                () -> assertEquals("busy – wörker queue full ✓", d.message()),
                () -> assertEquals(Map.of("content-type", "application/octet-stream"), d.headers()));
    }

    @Test
    void decode_encodedCancel_returnsEveryField() {
        Envelope e = new Envelope(Wire.CANCEL, CLIENT, 99, 1L, 0, 0, "cancel", "/x", "", Map.of());

        Envelope d = Wire.decode(Wire.encode(e));

        assertEquals(e, d);
        assertEquals(Wire.CANCEL, d.kind());
        assertEquals(Map.of(), d.headers());
    }

    @Test
    void decode_extremeNumericFields_survivesUnsigned() {
        Envelope e = new Envelope(Wire.REQUEST, CLIENT, -1L, Long.MIN_VALUE, 0xFFFF_FFFFL, 0xFFFF, "m", "/", "",
                Map.of());

        Envelope d = Wire.decode(Wire.encode(e));

        assertEquals(-1L, d.requestId(), "request id is unsigned 64-bit: all ones");
        assertEquals(Long.MIN_VALUE, d.timestampMs());
        assertEquals(0xFFFF_FFFFL, d.timeoutMs(), "timeout is unsigned 32-bit");
        assertEquals(0xFFFF, d.status(), "status is unsigned 16-bit");
    }

    @Test
    void decode_shortestPath_roundTrips() {
        Envelope e = new Envelope(Wire.REQUEST, CLIENT, 1, 1, 1, 0, "a", "/", "", Map.of());

        byte[] env = Wire.encode(e);

        assertEquals(Wire.FIXED_BYTES + 1 + 1 + 2 + 1 + 2 + 2, env.length, "size of a minimal envelope");
        assertEquals(e, Wire.decode(env));
    }

    @Test
    void decode_longestPathAndMessage_roundTrip() {
        String path = "/" + "p".repeat(0xFFFF - 1);
        String message = "m".repeat(0xFFFF);
        Envelope e = new Envelope(Wire.REPLY, CLIENT, 1, 1, 0, 500, "response", path, message, Map.of());

        Envelope d = Wire.decode(Wire.encode(e));

        assertEquals(0xFFFF, d.path().length());
        assertEquals(path, d.path());
        assertEquals(message, d.message());
    }

    @Test
    void decode_maxHeadersWithLongValues_roundTrip() {
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 0; i < Checks.MAX_HEADERS; i++) {
            headers.put("h" + i, "v".repeat(1000) + "é");
        }
        Envelope e = new Envelope(Wire.REQUEST, CLIENT, 3, 4, 5, 0, "request", "/h", "", headers);

        assertEquals(headers, Wire.decode(Wire.encode(e)).headers());
    }

    @Test
    void accessors_onEncodedEnvelope_readStablePrefixWithoutDecoding() {
        byte[] env = Wire.encode(new Envelope(Wire.REPLY, CLIENT, 0x0102030405060708L, 1, 0, 404, "response", "/a",
                "no", Map.of()));

        assertAll(
                () -> assertTrue(Wire.hasMagic(env)),
                () -> assertTrue(Wire.hasStablePrefix(env)),
                () -> assertEquals(Wire.VERSION, Wire.version(env)),
                () -> assertEquals(Wire.REPLY, Wire.kind(env)),
                () -> assertEquals(CLIENT, Wire.clientId(env)),
                () -> assertEquals(0x0102030405060708L, Wire.requestId(env)),
                () -> assertEquals(404, Wire.status(env)),
                () -> assertEquals(-1, Wire.status(Arrays.copyOf(env, Wire.FIXED_BYTES - 1))),
                () -> assertFalse(Wire.hasStablePrefix(Arrays.copyOf(env, Wire.STABLE_PREFIX_BYTES - 1))),
                () -> assertFalse(Wire.hasMagic(new byte[] {'O', 'F'})));
    }

    @Test
    void encode_layout_matchesTheDocumentedOffsets() {
        byte[] env = Wire.encode(new Envelope(Wire.REQUEST, CLIENT, 258, 259, 260, 261, "ab", "/c", "d",
                Map.of("k", "v")));
        ByteBuffer b = ByteBuffer.wrap(env);

        assertAll(
                () -> assertArrayEquals("OFL".getBytes(StandardCharsets.US_ASCII), Arrays.copyOf(env, 3)),
                () -> assertEquals(1, env[3]),
                () -> assertEquals(Wire.REQUEST, env[4]),
                () -> assertEquals(0, env[5]),
                () -> assertArrayEquals(CLIENT.toByteArray(), Arrays.copyOfRange(env, 6, 22)),
                () -> assertEquals(258, b.getLong(22)),
                () -> assertEquals(259, b.getLong(30)),
                () -> assertEquals(260, b.getInt(38)),
                () -> assertEquals(261, b.getShort(42)),
                () -> assertEquals(2, env[44]),
                () -> assertEquals("ab", new String(env, 45, 2, StandardCharsets.US_ASCII)),
                () -> assertEquals(2, b.getShort(47)),
                () -> assertEquals(1, b.getShort(51)),
                () -> assertEquals(1, b.getShort(54)),
                () -> assertEquals(62, env.length));
    }

    // ------------------------------------------------------------------ encode limits

    @Test
    void encode_fieldsOverTheirLengthPrefix_throwIllegalArgument() {
        assertAll(
                () -> assertThrows(IllegalArgumentException.class, () -> Wire.encode(new Envelope(Wire.REQUEST,
                        CLIENT, 1, 1, 1, 0, "m".repeat(256), "/", "", Map.of()))),
                () -> assertThrows(IllegalArgumentException.class, () -> Wire.encode(new Envelope(Wire.REQUEST,
                        CLIENT, 1, 1, 1, 0, "m", "/" + "p".repeat(0xFFFF), "", Map.of()))),
                () -> assertThrows(IllegalArgumentException.class, () -> Wire.encode(new Envelope(Wire.REPLY,
                        CLIENT, 1, 1, 0, 200, "m", "/", "x".repeat(0x10000), Map.of()))));
    }

    @Test
    void encode_envelopeOverMaxBytes_throwsIllegalArgument() {
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 0; i < 17; i++) {
            headers.put("h" + i, "v".repeat(0xFFFF));
        }
        Envelope e = new Envelope(Wire.REQUEST, CLIENT, 1, 1, 1, 0, "m", "/", "", headers);

        IllegalArgumentException x = assertThrows(IllegalArgumentException.class, () -> Wire.encode(e));
        assertTrue(x.getMessage().startsWith("envelope too large to encode"), x.getMessage());
    }

    /** encode refuses numbers its fixed-width fields cannot hold instead of truncating them. */
    @Test
    void encode_numericFieldOutOfRange_throwsInsteadOfTruncating() {
        Consumer<Envelope> rejected = e -> {
            try {
                Envelope decoded = Wire.decode(Wire.encode(e));
                fail("encode accepted " + e + " and it decoded as timeoutMs=" + decoded.timeoutMs() + ", status="
                        + decoded.status());
            } catch (IllegalArgumentException expected) {
                // right: the value cannot be represented on the wire
            }
        };
        assertAll(
                () -> rejected.accept(new Envelope(Wire.REQUEST, CLIENT, 1, 1, 1L << 32, 0, "m", "/", "", Map.of())),
                () -> rejected.accept(new Envelope(Wire.REQUEST, CLIENT, 1, 1, 50L * 24 * 3_600_000, 0, "m", "/", "",
                        Map.of())),
                () -> rejected.accept(new Envelope(Wire.REQUEST, CLIENT, 1, 1, -1, 0, "m", "/", "", Map.of())),
                () -> rejected.accept(new Envelope(Wire.REPLY, CLIENT, 1, 1, 0, 0x10000 + 200, "m", "/", "",
                        Map.of())));
    }

    // ------------------------------------------------------------------ content type written by encode

    @Test
    void encode_contentType_addsTheHeaderAndLeavesTheMapAlone() {
        Map<String, String> headers = Map.of("h", "v", "x-ünï", "✓");
        Envelope e = new Envelope(Wire.REQUEST, CLIENT, 1, 1, 1, 0, "request", "/p", "", headers);

        Envelope d = Wire.decode(Wire.encode(e, "text/plain; charset=utf-8"));

        assertEquals(Map.of("h", "v", "x-ünï", "✓", Wire.CONTENT_TYPE, "text/plain; charset=utf-8"), d.headers());
        assertEquals(Map.of("h", "v", "x-ünï", "✓"), e.headers());
    }

    @Test
    void encode_contentTypeAlsoInTheHeaders_writesOnlyTheGivenOne() {
        Envelope e = new Envelope(Wire.REQUEST, CLIENT, 1, 1, 1, 0, "request", "/p", "",
                orderedMap(Wire.CONTENT_TYPE, "application/json", "h", "v"));
        byte[] env = Wire.encode(e, "application/octet-stream");

        assertEquals(Map.of("h", "v", Wire.CONTENT_TYPE, "application/octet-stream"), Wire.decode(env).headers());
        int count = pathOffset(e) + e.path().length() + 2; // after the path and the empty message
        assertEquals(2, ((env[count] & 0xFF) << 8) | (env[count + 1] & 0xFF), "one content-type header, not two");
    }

    @Test
    void encode_noContentType_equalsPlainEncode() {
        assertArrayEquals(Wire.encode(request()), Wire.encode(request(), null));
    }

    // ------------------------------------------------------------------ strict UTF-8 with an ASCII fast path

    @Test
    void utf8_everyAsciiByte_decodesAsThatChar() {
        byte[] all = new byte[130];
        for (int i = 0; i < 128; i++) {
            all[i + 1] = (byte) i;
        }
        all[0] = (byte) 0xFF; // outside the range: must not send the range to the strict decoder
        all[129] = (byte) 0xFF;

        String s = Wire.utf8(all, 1, 128, "x");

        assertEquals(128, s.length());
        for (int i = 0; i < 128; i++) {
            assertEquals(i, s.charAt(i));
        }
        assertEquals("", Wire.utf8(all, 1, 0, "x"));
    }

    @Test
    void utf8_validNonAscii_decodesLikeTheJdk() {
        Random random = new Random(7);
        for (int round = 0; round < 2_000; round++) {
            StringBuilder b = new StringBuilder();
            for (int i = random.nextInt(20); i > 0; i--) {
                int cp;
                do {
                    cp = switch (random.nextInt(4)) {
                        case 0 -> random.nextInt(0x80);
                        case 1 -> 0x80 + random.nextInt(0x800 - 0x80);
                        case 2 -> 0x800 + random.nextInt(0x10000 - 0x800);
                        default -> 0x10000 + random.nextInt(0x110000 - 0x10000);
                    };
                } while (cp >= 0xD800 && cp <= 0xDFFF);
                b.appendCodePoint(cp);
            }
            String expected = b.toString();
            byte[] bytes = ("ab" + expected).getBytes(StandardCharsets.UTF_8);

            assertEquals(expected, Wire.utf8(bytes, 2, bytes.length - 2, "x"));
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"80", "bf", "c0 80", "c1 bf", "c3", "c3 28", "e2 82", "e0 80 80", "ed a0 80", "ed bf bf",
            "f0 80 80 80", "f4 90 80 80", "f5 80 80 80", "f8 88 80 80 80", "fe", "ff"})
    void utf8_invalidSequenceAfterAscii_throwsProtocolException400(String hex) {
        byte[] bad = java.util.HexFormat.ofDelimiter(" ").parseHex(hex);
        for (byte[] bytes : new byte[][] {concat("/path", bad, ""), concat("/path", bad, "tail"), concat("", bad, "")}) {
            ProtocolException x = assertThrows(ProtocolException.class, () -> Wire.utf8(bytes, 0, bytes.length, "path"),
                    () -> Arrays.toString(bytes));

            assertEquals(Status.BAD_REQUEST, x.status());
            assertEquals("path is not valid UTF-8", x.getMessage());
        }
    }

    private static byte[] concat(String before, byte[] middle, String after) {
        return ByteBuffer.allocate(before.length() + middle.length + after.length())
                .put(before.getBytes(StandardCharsets.US_ASCII)).put(middle).put(after.getBytes(StandardCharsets.US_ASCII))
                .array();
    }

    // ------------------------------------------------------------------ decode rejects

    @Test
    void decode_everyTruncation_throwsProtocolException400() {
        byte[] env = Wire.encode(request());

        for (int len = 0; len < env.length; len++) {
            byte[] cut = Arrays.copyOf(env, len);
            int n = len;
            ProtocolException x = assertThrows(ProtocolException.class, () -> Wire.decode(cut), () -> n + " bytes");
            assertEquals(Status.BAD_REQUEST, x.status(), () -> "status for " + n + " bytes");
            assertTrue(x.getMessage() != null && !x.getMessage().isBlank(), () -> "message for " + n + " bytes");
        }
    }

    @Test
    void decode_badMagic_throwsProtocolException400() {
        byte[] env = Wire.encode(request());
        env[0] = 'X';

        ProtocolException x = rejects(env);

        assertEquals(Status.BAD_REQUEST, x.status());
        assertTrue(x.getMessage().contains("bad magic"), x.getMessage());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 2, 255})
    void decode_unknownVersion_throwsProtocolException505(int version) {
        byte[] env = Wire.encode(request());
        env[Wire.OFF_VERSION] = (byte) version;

        ProtocolException x = rejects(env);

        assertEquals(Status.VERSION_NOT_SUPPORTED, x.status());
        assertTrue(x.getMessage().contains("version " + version), x.getMessage());
    }

    @Test
    void decode_unknownVersionInShortFrame_throwsProtocolException505() {
        ProtocolException x = rejects(new byte[] {'O', 'F', 'L', 9});

        assertEquals(Status.VERSION_NOT_SUPPORTED, x.status());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 5, 128, 255})
    void decode_unknownKind_throwsProtocolException400(int kind) {
        byte[] env = Wire.encode(request());
        env[Wire.OFF_KIND] = (byte) kind;

        ProtocolException x = rejects(env);

        assertEquals(Status.BAD_REQUEST, x.status());
        assertEquals("unknown message kind " + kind, x.getMessage());
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 0x80, 0xFF})
    void decode_nonZeroFlags_throwsProtocolException400(int flags) {
        byte[] env = Wire.encode(request());
        env[Wire.OFF_FLAGS] = (byte) flags;

        ProtocolException x = rejects(env);

        assertEquals(Status.BAD_REQUEST, x.status());
        assertEquals("flags must be 0 in version 1 but were " + flags, x.getMessage());
    }

    @Test
    void decode_badUtf8InPath_throwsProtocolException400() {
        Envelope e = new Envelope(Wire.REQUEST, CLIENT, 1, 1, 1, 0, "request", "/ab", "", Map.of());
        byte[] env = Wire.encode(e);
        int at = pathOffset(e) + 1;
        env[at] = (byte) 0xC3; // a lead byte followed by '(' instead of a continuation byte
        env[at + 1] = '(';

        ProtocolException x = rejects(env);

        assertEquals(Status.BAD_REQUEST, x.status());
        assertEquals("path is not valid UTF-8", x.getMessage());
    }

    @Test
    void decode_surrogateEncodedInUtf8_throwsProtocolException400() {
        Envelope e = new Envelope(Wire.REQUEST, CLIENT, 1, 1, 1, 0, "request", "/abc", "", Map.of());
        byte[] env = Wire.encode(e);
        int at = pathOffset(e) + 1;
        env[at] = (byte) 0xED; // U+D800, a lone surrogate: not valid UTF-8
        env[at + 1] = (byte) 0xA0;
        env[at + 2] = (byte) 0x80;

        assertEquals("path is not valid UTF-8", rejects(env).getMessage());
    }

    @Test
    void decode_badUtf8InStatusMessageAndHeaders_throwsProtocolException400() {
        Envelope e = new Envelope(Wire.REPLY, CLIENT, 1, 1, 0, 200, "response", "/", "\u00e9", Map.of("k", "\u00e9"));
        byte[] env = Wire.encode(e);
        int message = pathOffset(e) + 1 + 2;
        byte[] badMessage = env.clone();
        badMessage[message + 1] = (byte) 0xFF;
        byte[] badValue = env.clone();
        badValue[env.length - 1] = (byte) 0xFF; // second byte of the value's "é"

        assertAll(
                () -> assertEquals("status message is not valid UTF-8", rejects(badMessage).getMessage()),
                () -> assertEquals("header value is not valid UTF-8", rejects(badValue).getMessage()));
    }

    /**
     * A request envelope with {@code headers} (name, value, name, value... as raw bytes) written by hand, for
     * headers {@link Wire#encode} refuses to write.
     */
    private static byte[] withRawHeaders(byte[]... headers) {
        byte[] bare = Wire.encode(new Envelope(Wire.REQUEST, CLIENT, 1, 1, 1, 0, "m", "/", "", Map.of()));
        ByteBuffer b = ByteBuffer.allocate(bare.length + Arrays.stream(headers).mapToInt(h -> 2 + h.length).sum());
        b.put(bare, 0, bare.length - 2).putShort((short) (headers.length / 2)); // the count field is last
        for (byte[] h : headers) {
            b.putShort((short) h.length).put(h);
        }
        return b.array();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void decode_headerCountOverLimit_throwsProtocolException400() {
        byte[][] headers = new byte[2 * (Checks.MAX_HEADERS + 1)][];
        for (int i = 0; i < headers.length; i += 2) {
            headers[i] = utf8("h" + i);
            headers[i + 1] = utf8("v");
        }
        byte[] env = withRawHeaders(headers);

        ProtocolException x = rejects(env);

        assertEquals(Status.BAD_REQUEST, x.status());
        assertEquals("too many headers: 257 > 256", x.getMessage());
    }

    @Test
    void decode_headerCountClaimingMoreThanPresent_throwsProtocolException400() {
        byte[] env = Wire.encode(new Envelope(Wire.REQUEST, CLIENT, 1, 1, 1, 0, "m", "/", "", Map.of()));
        env[env.length - 1] = 3; // the count field is last when there are no headers

        ProtocolException x = rejects(env);

        assertEquals(Status.BAD_REQUEST, x.status());
        assertTrue(x.getMessage().startsWith("truncated envelope"), x.getMessage());
    }

    @Test
    void decode_emptyHeaderName_throwsProtocolException400() {
        byte[] env = withRawHeaders(new byte[0], utf8("v"));

        assertEquals("header name must be 1..255 bytes but was 0", rejects(env).getMessage());
    }

    /** The name limit is 255 bytes on the wire, not 255 decoded characters: 200 three-byte characters are 600. */
    @Test
    void decode_headerNameOver255BytesInFewerCharacters_throwsProtocolException400() {
        String name = "\u20ac".repeat(200); // euro sign: 3 bytes in UTF-8

        ProtocolException x = rejects(withRawHeaders(utf8(name), utf8("v")));

        assertEquals(Status.BAD_REQUEST, x.status());
        assertEquals("header name must be 1..255 bytes but was 600", x.getMessage());
        assertEquals("header name must be 1..255 bytes but was 256",
                rejects(withRawHeaders(utf8("x" + "\u20ac".repeat(85)), utf8("v"))).getMessage());
    }

    @Test
    void decode_headerNameOf255BytesOfMultiByteCharacters_accepted() {
        String name = "\u20ac".repeat(85); // 255 bytes, 85 characters
        String value = "\u20ac".repeat(Checks.MAX_TEXT_BYTES / 3); // 65,535 bytes, 21,845 characters

        Envelope d = Wire.decode(withRawHeaders(utf8(name), utf8(value)));

        assertEquals(Map.of(name, value), d.headers());
        assertEquals(d.headers(), Wire.decode(Wire.encode(d)).headers(), "the encoder writes what the decoder takes");
    }

    /** Whatever the decoder rejects in headers, the encoder refuses to write (instead of a wrapped length). */
    @Test
    void encode_headerTheDecoderWouldReject_throwsIllegalArgument() {
        Map<String, String> tooMany = new LinkedHashMap<>();
        for (int i = 0; i <= Checks.MAX_HEADERS; i++) {
            tooMany.put("h" + i, "v");
        }
        Consumer<Map<String, String>> refused = headers -> assertThrows(IllegalArgumentException.class,
                () -> Wire.encode(new Envelope(Wire.REQUEST, CLIENT, 1, 1, 1, 0, "m", "/", "", headers)),
                () -> "encode wrote headers the decoder rejects: " + headers.size() + " headers");
        assertAll(
                () -> refused.accept(Map.of("", "v")),
                () -> refused.accept(Map.of("\u20ac".repeat(200), "v")),
                () -> refused.accept(Map.of("x" + "\u20ac".repeat(85), "v")),
                () -> refused.accept(Map.of("h", "\u20ac".repeat(Checks.MAX_TEXT_BYTES / 3) + "x")),
                () -> refused.accept(Map.of("h", "v".repeat(Checks.MAX_TEXT_BYTES + 1))),
                () -> refused.accept(tooMany));
        IllegalArgumentException x = assertThrows(IllegalArgumentException.class, () -> Wire.encode(new Envelope(
                Wire.REQUEST, CLIENT, 1, 1, 1, 0, "m", "/", "", Map.of("\u20ac".repeat(200), "v"))));
        assertEquals("header name must be 1..255 UTF-8 bytes but was 600", x.getMessage());
    }

    @Test
    void decode_trailingBytes_throwsProtocolException400() {
        byte[] env = Wire.encode(request());
        byte[] longer = Arrays.copyOf(env, env.length + 2);

        ProtocolException x = rejects(longer);

        assertEquals(Status.BAD_REQUEST, x.status());
        assertEquals("2 unexpected bytes after the headers", x.getMessage());
    }

    @Test
    void decode_oversizedEnvelope_throwsProtocolException400() {
        byte[] env = Wire.encode(request());
        byte[] huge = Arrays.copyOf(env, Wire.MAX_ENVELOPE_BYTES + 1);

        ProtocolException x = rejects(huge);

        assertEquals(Status.BAD_REQUEST, x.status());
        assertTrue(x.getMessage().contains("exceeds " + Wire.MAX_ENVELOPE_BYTES), x.getMessage());
    }

    @Test
    void decode_pathWithoutLeadingSlash_throwsProtocolException400() {
        assertAll(
                () -> assertEquals("path must start with '/'", rejects(Wire.encode(new Envelope(Wire.REQUEST, CLIENT,
                        1, 1, 1, 0, "m", "", "", Map.of()))).getMessage()),
                () -> assertEquals("path must start with '/'", rejects(Wire.encode(new Envelope(Wire.REQUEST, CLIENT,
                        1, 1, 1, 0, "m", "relative", "", Map.of()))).getMessage()));
    }

    @Test
    void decode_emptyOrNonTokenMethod_throwsProtocolException400() {
        byte[] empty = Wire.encode(new Envelope(Wire.REQUEST, CLIENT, 1, 1, 1, 0, "", "/", "", Map.of()));
        byte[] space = Wire.encode(new Envelope(Wire.REQUEST, CLIENT, 1, 1, 1, 0, "a b", "/", "", Map.of()));

        assertAll(
                () -> assertEquals("method must not be empty", rejects(empty).getMessage()),
                () -> assertEquals("method holds a byte outside [A-Za-z0-9_.-]: 32", rejects(space).getMessage()));
    }

    // ------------------------------------------------------------------ fuzz

    @Test
    void decode_randomGarbage_throwsOnlyProtocolException() {
        Random random = new Random(0x0FF1_0ADL);
        int decoded = 0;
        for (int i = 0; i < 20_000; i++) {
            byte[] garbage = new byte[random.nextInt(160)];
            random.nextBytes(garbage);
            if (i % 2 == 0 && garbage.length >= 4) { // half get past the magic and version checks
                garbage[0] = 'O';
                garbage[1] = 'F';
                garbage[2] = 'L';
                garbage[3] = Wire.VERSION;
                if (garbage.length > Wire.OFF_FLAGS) {
                    garbage[Wire.OFF_KIND] = (byte) (Wire.REQUEST + random.nextInt(3));
                    garbage[Wire.OFF_FLAGS] = 0;
                }
            }
            decoded += decodeOrProtocolException(garbage, "garbage #" + i);
        }
        assertTrue(decoded < 20_000, "random garbage must not all decode");
    }

    @Test
    void decode_randomMutationsOfValidEnvelope_throwOnlyProtocolException() {
        byte[] valid = Wire.encode(request());
        Random random = new Random(20_240_601L);
        int rejected = 0;
        for (int i = 0; i < 20_000; i++) {
            byte[] m = mutate(valid, random);
            if (decodeOrProtocolException(m, "mutation #" + i) == 0) {
                rejected++;
            }
        }
        assertTrue(rejected > 1_000, "most mutations should be rejected, only " + rejected + " were");
    }

    private static byte[] mutate(byte[] valid, Random random) {
        byte[] m;
        switch (random.nextInt(4)) {
            case 0 -> { // truncate
                m = Arrays.copyOf(valid, random.nextInt(valid.length));
            }
            case 1 -> { // extend with random bytes
                m = Arrays.copyOf(valid, valid.length + 1 + random.nextInt(16));
                for (int j = valid.length; j < m.length; j++) {
                    m[j] = (byte) random.nextInt(256);
                }
            }
            default -> { // overwrite 1..4 bytes, biased to the variable part where the lengths live
                m = valid.clone();
                int flips = 1 + random.nextInt(4);
                for (int j = 0; j < flips; j++) {
                    int at = random.nextBoolean() ? Wire.FIXED_BYTES + random.nextInt(m.length - Wire.FIXED_BYTES)
                            : random.nextInt(m.length);
                    m[at] = (byte) random.nextInt(256);
                }
            }
        }
        return m;
    }

    /** 1 if {@code env} decodes (and then re-encodes to the same envelope), 0 if it throws ProtocolException. */
    private static int decodeOrProtocolException(byte[] env, String what) {
        Envelope e;
        try {
            e = Wire.decode(env);
        } catch (ProtocolException expected) {
            assertTrue(expected.status() == Status.BAD_REQUEST || expected.status() == Status.VERSION_NOT_SUPPORTED,
                    what + ": status " + expected.status());
            return 0;
        } catch (RuntimeException | Error e2) {
            throw new AssertionError(what + " (" + Arrays.toString(env) + ") crashed decode with " + e2, e2);
        }
        assertEquals(e, Wire.decode(Wire.encode(e)), what + " decoded to an envelope that does not round-trip");
        return 1;
    }
}
