package org.offload.service;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.type.TypeReference;
import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Request, Reply, Body and ServiceException reject bad input with precise messages and stay immutable. */
class ModelValidationTest {
    private static void rejects(String expectedMessage, Executable code) {
        IllegalArgumentException x = assertThrows(IllegalArgumentException.class, code);
        assertEquals(expectedMessage, x.getMessage());
    }

    private static void rejectsNull(String expectedMessage, Executable code) {
        NullPointerException x = assertThrows(NullPointerException.class, code);
        assertEquals(expectedMessage, x.getMessage());
    }

    // ------------------------------------------------------------------ Request

    @Test
    void request_badPath_throwsWithPreciseMessage() {
        assertAll(
                () -> rejects("path must start with '/' but was ''", () -> Request.of("", "request")),
                () -> rejects("path must start with '/' but was 'service/x'", () -> Request.of("service/x", "request")),
                () -> rejects("path must be <= 4096 bytes but was 4097",
                        () -> Request.of("/" + "p".repeat(4096), "request")),
                () -> rejects("path must be <= 4096 bytes but was 4097",
                        () -> Request.of("/" + "é".repeat(2048), "request")),
                () -> rejectsNull("path", () -> Request.of(null, "request")));
    }

    @Test
    void request_longestPath_isAccepted() {
        assertEquals(4096, Request.of("/" + "p".repeat(4095), "request").path().length());
    }

    @Test
    void request_badMethod_throwsWithPreciseMessage() {
        assertAll(
                () -> rejects("method must be 1..64 characters but was 0", () -> Request.of("/", "")),
                () -> rejects("method must be 1..64 characters but was 65", () -> Request.of("/", "m".repeat(65))),
                () -> rejects("method must be ASCII letters, digits, '_', '-' or '.' but was 'GET /'",
                        () -> Request.of("/", "GET /")),
                () -> rejects("method must be ASCII letters, digits, '_', '-' or '.' but was 'é'",
                        () -> Request.of("/", "é")),
                () -> rejectsNull("method", () -> Request.of("/", null)));
        assertEquals("a-Z_0.9", Request.of("/", "a-Z_0.9").method());
    }

    @Test
    void request_badHeaders_throwWithPreciseMessage() {
        Map<String, String> tooMany = new HashMap<>();
        for (int i = 0; i <= 256; i++) {
            tooMany.put("h" + i, "v");
        }
        Map<String, String> nullValue = new HashMap<>();
        nullValue.put("x", null);
        Map<String, String> nullName = new HashMap<>();
        nullName.put(null, "v");
        assertAll(
                () -> rejects("headers must be <= 256 but were 257",
                        () -> new Request("/", "m", tooMany, Body.empty())),
                () -> rejects("header name must be 1..255 bytes but was 0",
                        () -> new Request("/", "m", Map.of("", "v"), Body.empty())),
                () -> rejects("header name must be 1..255 bytes but was 256",
                        () -> new Request("/", "m", Map.of("h".repeat(256), "v"), Body.empty())),
                () -> rejects("value of header 'x' must be <= 65535 bytes but was 65536",
                        () -> new Request("/", "m", Map.of("x", "v".repeat(65_536)), Body.empty())),
                () -> rejectsNull("value of header 'x'", () -> new Request("/", "m", nullValue, Body.empty())),
                () -> rejectsNull("header name", () -> new Request("/", "m", nullName, Body.empty())),
                () -> rejectsNull("headers", () -> new Request("/", "m", null, Body.empty())),
                () -> rejectsNull("body", () -> new Request("/", "m", Map.of(), null)));
    }

    @Test
    void request_headers_areCopiedAndImmutable() {
        Map<String, String> source = new LinkedHashMap<>(Map.of("a", "1"));
        Request r = new Request("/", "m", source, Body.empty());
        source.put("b", "2");

        assertEquals(Map.of("a", "1"), r.headers());
        assertThrows(UnsupportedOperationException.class, () -> r.headers().put("c", "3"));
    }

    @Test
    void request_copyMethods_returnNewValidatedRequests() {
        Request r = Request.json("/p", "request", Map.of("k", 1));

        Request withHeader = r.withHeader("x", "y").withHeader("x", "z");
        Request withBody = r.withBody(Body.text("t"));

        assertEquals(Map.of(), r.headers(), "the original is unchanged");
        assertEquals(Map.of("x", "z"), withHeader.headers(), "a header of the same name is replaced");
        assertEquals("z", withHeader.header("x", "fallback"));
        assertEquals("fallback", withHeader.header("missing", "fallback"));
        assertEquals("t", withBody.body().text());
        assertEquals(1, r.body().json().get("k").asInt());
        rejects("header name must be 1..255 bytes but was 0", () -> r.withHeader("", "v"));
    }

    @Test
    void request_toString_showsNoBodyContent() {
        String s = Request.json("/p", "request", Map.of("secret", "hunter2")).withHeader("h", "v").toString();

        assertFalse(s.contains("hunter2"), s);
        assertTrue(s.startsWith("Request[request /p, 1 headers, Body["), s);
    }

    // ------------------------------------------------------------------ Reply

    @Test
    void reply_badValues_throwWithPreciseMessage() {
        assertAll(
                () -> rejects("status must be in 100..999 but was 99", () -> Reply.error(99, "x")),
                () -> rejects("status must be in 100..999 but was 1000", () -> Reply.error(1000, "x")),
                () -> rejects("message must be <= 65535 bytes but was 65536", () -> Reply.error(500, "m".repeat(65_536))),
                () -> rejects("method must be 1..64 characters but was 0", () -> Reply.json(Map.of()).withMethod("")),
                () -> rejectsNull("message", () -> Reply.error(500, null)),
                () -> rejectsNull("body", () -> Reply.of(200, "OK", null)));
    }

    @Test
    void reply_factories_fillStatusMessageMethodAndBody() {
        Reply ok = Reply.json(Map.of("a", 1));
        Reply error = Reply.error(404, "nope");
        Reply custom = Reply.of(201, "made", Body.text("x")).withHeader("h", "v").withMethod("created");

        assertAll(
                () -> assertEquals(200, ok.status()),
                () -> assertEquals("OK", ok.message()),
                () -> assertEquals(Reply.DEFAULT_METHOD, ok.method()),
                () -> assertEquals(1, ok.body().json().get("a").asInt()),
                () -> assertTrue(ok.isSuccess()),
                () -> assertFalse(error.isSuccess()),
                () -> assertTrue(error.body().isEmpty()),
                () -> assertEquals("created", custom.method()),
                () -> assertEquals(Map.of("h", "v"), custom.headers()),
                () -> assertEquals(201, custom.status()),
                () -> assertThrows(UnsupportedOperationException.class, () -> custom.headers().put("x", "y")));
    }

    @Test
    void toException_eachErrorStatus_mapsToItsTypedException() {
        assertAll(
                () -> assertTyped(BadRequestException.class, 400),
                () -> assertTyped(BadRequestException.class, 413),
                () -> assertTyped(UnauthorizedException.class, 401),
                () -> assertTyped(UnauthorizedException.class, 403),
                () -> assertTyped(NotFoundException.class, 404),
                () -> assertTyped(NotFoundException.class, 405),
                () -> assertTyped(DeadlineExceededException.class, 408),
                () -> assertTyped(BusyException.class, 429),
                () -> assertTyped(CancelledException.class, 499),
                () -> assertTyped(ServiceUnavailableException.class, 503),
                () -> assertTyped(ProtocolException.class, 505),
                () -> assertTyped(RemoteException.class, 500),
                () -> assertTyped(RemoteException.class, 418));
    }

    private static void assertTyped(Class<? extends ServiceException> type, int status) {
        ServiceException x = Reply.error(status, "why " + status).toException();
        assertInstanceOf(type, x, "status " + status);
        assertEquals(status, x.status());
        assertEquals("why " + status, x.getMessage());
    }

    @Test
    void serviceException_statusOutOfRange_isRejected() {
        rejects("status must be in 100..999 but was 42", () -> new ServiceException(42, "x"));
        rejects("status must be in 100..999 but was 1000", () -> new BadRequestException(1000, "x"));
    }

    @Test
    void status_helpers_classifyCodes() {
        assertAll(
                () -> assertTrue(Status.isInterim(102)),
                () -> assertFalse(Status.isInterim(200)),
                () -> assertTrue(Status.isSuccess(204)),
                () -> assertTrue(Status.isSuccess(399)),
                () -> assertFalse(Status.isSuccess(400)),
                () -> assertFalse(Status.isSuccess(102)),
                () -> assertEquals("Busy", Status.reason(429)),
                () -> assertEquals("Status 418", Status.reason(418)));
    }

    // ------------------------------------------------------------------ Body

    @Test
    void body_badArguments_throwWithPreciseMessage() {
        assertAll(
                () -> rejects("contentType must not be blank", () -> Body.wrap(new byte[1], " ")),
                () -> rejectsNull("contentType", () -> Body.wrap(new byte[1], null)),
                () -> rejectsNull("bytes", () -> Body.bytes(null)),
                () -> rejectsNull("value", () -> Body.json((Object) null)),
                () -> rejectsNull("text", () -> Body.text(null)));
    }

    @Test
    void bytes_sourceMutatedAfterwards_bodyUnchanged() {
        byte[] source = {1, 2, 3};
        Body b = Body.bytes(source);
        source[0] = 9;

        assertArrayEquals(new byte[] {1, 2, 3}, b.toByteArray());
        assertEquals(Body.OCTET_STREAM, b.contentType());
        byte[] copy = b.toByteArray();
        copy[1] = 9;
        assertArrayEquals(new byte[] {1, 2, 3}, b.toByteArray(), "toByteArray returns a copy");
    }

    @Test
    void buffer_any_isReadOnlyView() {
        ByteBuffer view = Body.bytes(new byte[] {1, 2}).buffer();

        assertTrue(view.isReadOnly());
        assertEquals(2, view.remaining());
        assertThrows(ReadOnlyBufferException.class, () -> view.put(0, (byte) 7));
    }

    @Test
    void json_roundTripAndInvalidJson_behaveAsDocumented() {
        Body b = Body.json(Map.of("list", java.util.List.of(1, 2), "s", "ü"));

        Map<String, Object> back = b.json(new TypeReference<Map<String, Object>>() {});
        BadRequestException invalid = assertThrows(BadRequestException.class,
                () -> Body.wrap("{not json".getBytes(), Body.JSON).json());

        assertEquals(Map.of("list", java.util.List.of(1, 2), "s", "ü"), back);
        assertEquals(Body.JSON, b.contentType());
        assertEquals(400, invalid.status());
        assertTrue(invalid.getMessage().startsWith("body is not valid JSON (9 bytes)"), invalid.getMessage());
        assertTrue(Body.empty().json().isEmpty(), "an empty body reads as an empty JSON object");
    }

    @Test
    void wrap_emptyJson_isTheSharedEmptyBody() {
        assertSame(Body.empty(), Body.wrap(new byte[0], Body.JSON));
        assertNotEquals(Body.empty(), Body.wrap(new byte[0], Body.OCTET_STREAM));
        assertEquals(Body.text("é"), Body.wrap("é".getBytes(java.nio.charset.StandardCharsets.UTF_8), Body.TEXT));
        assertEquals(Body.text("é").hashCode(), Body.text("é").hashCode());
        assertEquals("é", Body.text("é").text());
        assertEquals(2, Body.text("é").size());
    }

    @Test
    void body_toString_neverShowsContent() {
        String s = Body.text("password=hunter2").toString();

        assertEquals("Body[16 bytes, text/plain; charset=utf-8]", s);
    }
}
