package org.offload.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.offload.service.Body;
import org.offload.service.Handler;
import org.offload.service.Reply;
import org.offload.service.Request;

/**
 * What every transport in the benchmark carries, so each comparison is like with like. JSON: the same small
 * document, encoded by the client and decoded by the server with Jackson, and an echo encoded by the server
 * and decoded by the client. Byte bodies: opaque bytes the server echoes untouched.
 */
enum Payload {
    JSON("json", 0),
    BYTES("bytes", 0),
    BYTES_16K("16KiB", 16 * 1024);

    static final String METHOD = "request";
    /** Where the cast routes are: {@code /bench/cast/<payload>}. */
    static final String CAST_PREFIX = "/bench/cast/";

    final String label;
    private final byte[] bytes;

    Payload(String label, int size) {
        this.label = label;
        // the small byte body has the JSON document's size, so "bytes" differs from "json" only by the JSON work
        this.bytes = randomBytes(size == 0 ? encode(Doc.DOCUMENT).length : size);
    }

    boolean isJson() {
        return this == JSON;
    }

    /** Size of the request body in bytes. */
    int size() {
        return bytes.length;
    }

    /** The Offload route for this payload. */
    String path() {
        return "/bench/" + name().toLowerCase();
    }

    /** The Offload route for casts of this payload, whose handler only counts them. */
    String castPath() {
        return CAST_PREFIX + name().toLowerCase();
    }

    // ---------------------------------------------------------------- plain transports (raw JeroMQ, gRPC)

    /** The request body a plain client sends: the document encoded now, or the shared byte array. */
    byte[] request() {
        return isJson() ? encode(Doc.DOCUMENT) : bytes;
    }

    /** What a plain server answers: the decoded document encoded again, or the same bytes. */
    byte[] serve(byte[] body) {
        return isJson() ? encode(decode(body)) : body;
    }

    /** What a plain client does with the reply: decodes the document, or checks the size. */
    void accept(byte[] reply) {
        if (isJson() ? decode(reply).size() != Doc.DOCUMENT.size() : reply.length != bytes.length) {
            throw new IllegalStateException(label + ": unexpected reply of " + reply.length + " bytes");
        }
    }

    // ---------------------------------------------------------------- Offload

    /** The Offload request: the document encoded now (by {@link Request#json}), or the byte body wrapped. */
    Request offloadRequest() {
        return isJson() ? Request.json(path(), METHOD, Doc.DOCUMENT)
                : new Request(path(), METHOD, Map.of(), Body.wrap(bytes, Body.OCTET_STREAM));
    }

    /** The Offload cast of this payload: the body of {@link #offloadRequest}, to {@link #castPath}. */
    Request castRequest() {
        return isJson() ? Request.json(castPath(), METHOD, Doc.DOCUMENT)
                : new Request(castPath(), METHOD, Map.of(), Body.wrap(bytes, Body.OCTET_STREAM));
    }

    /** The Offload handler doing what {@link #serve} does. */
    Handler handler() {
        return isJson() ? call -> Reply.json(call.json()) : call -> Reply.ok(call.body());
    }

    /** What an Offload caller does with the reply, like {@link #accept}. */
    void accept(Reply reply) {
        Body body = reply.body();
        if (isJson() ? body.json().size() != Doc.DOCUMENT.size() : body.size() != bytes.length) {
            throw new IllegalStateException(label + ": unexpected reply of " + body.size() + " bytes");
        }
    }

    // ---------------------------------------------------------------- helpers

    /** The JSON side (enum constructors cannot read the enum's own static fields). */
    static final class Doc {
        /** The small JSON document (about 150 bytes encoded). */
        static final Map<String, Object> DOCUMENT = document();
        static final ObjectMapper MAPPER = new ObjectMapper();

        private Doc() {}
    }

    private static Map<String, Object> document() {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("id", 1234567);
        doc.put("user", "alice@example.com");
        doc.put("action", "thumbnail");
        doc.put("width", 640);
        doc.put("height", 480);
        doc.put("quality", 0.85);
        doc.put("tags", List.of("jpeg", "fast", "cache"));
        doc.put("urgent", false);
        return Collections.unmodifiableMap(doc);
    }

    private static byte[] encode(Object value) {
        try {
            return Doc.MAPPER.writeValueAsBytes(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode decode(byte[] bytes) {
        try {
            return Doc.MAPPER.readTree(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }
}
