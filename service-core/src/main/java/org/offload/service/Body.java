package org.offload.service;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import org.offload.service.internal.BodyAccess;
import org.offload.service.internal.Json;

/**
 * An immutable message body: bytes plus a content type. JSON is the default codec; any bytes may be
 * sent as {@link #OCTET_STREAM}. Bodies pass from socket to handler without copies.
 */
public final class Body {
    /** Content type of JSON bodies, the default. */
    public static final String JSON = "application/json";
    /** Content type of opaque byte bodies. */
    public static final String OCTET_STREAM = "application/octet-stream";
    /** Content type of UTF-8 text bodies. */
    public static final String TEXT = "text/plain; charset=utf-8";

    private static final byte[] NO_BYTES = new byte[0];

    static {
        BodyAccess.install(b -> b.bytes);
    }

    private static final Body EMPTY = new Body(NO_BYTES, JSON);

    private final byte[] bytes;
    private final String contentType;

    private Body(byte[] bytes, String contentType) {
        this.bytes = bytes;
        this.contentType = contentType;
    }

    /** An empty body (zero bytes, JSON content type). */
    public static Body empty() {
        return EMPTY;
    }

    /** The JSON encoding of {@code value} (a map, a record, a Jackson node, ...). */
    public static Body json(Object value) {
        Objects.requireNonNull(value, "value");
        return new Body(Json.encode(value), JSON);
    }

    /** A copy of {@code bytes} as an opaque body. */
    public static Body bytes(byte[] bytes) {
        Objects.requireNonNull(bytes, "bytes");
        return wrap(bytes.clone(), OCTET_STREAM);
    }

    /** UTF-8 text. */
    public static Body text(String text) {
        Objects.requireNonNull(text, "text");
        return new Body(text.getBytes(StandardCharsets.UTF_8), TEXT);
    }

    /**
     * Wraps {@code bytes} without copying them. The caller hands the array over and must not change it
     * afterwards.
     */
    public static Body wrap(byte[] bytes, String contentType) {
        Objects.requireNonNull(bytes, "bytes");
        Objects.requireNonNull(contentType, "contentType");
        if (contentType.isBlank()) {
            throw new IllegalArgumentException("contentType must not be blank");
        }
        return bytes.length == 0 && JSON.equals(contentType) ? EMPTY : new Body(bytes, contentType);
    }

    /** The content type, e.g. {@value #JSON}. */
    public String contentType() {
        return contentType;
    }

    /** Number of bytes. */
    public int size() {
        return bytes.length;
    }

    public boolean isEmpty() {
        return bytes.length == 0;
    }

    /** A copy of the bytes. */
    public byte[] toByteArray() {
        return bytes.clone();
    }

    /** A read-only view of the bytes (no copy). */
    public ByteBuffer buffer() {
        return ByteBuffer.wrap(bytes).asReadOnlyBuffer();
    }

    /** The bytes decoded as UTF-8. */
    public String text() {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** The body parsed as a JSON tree; an empty body is an empty object. */
    public JsonNode json() {
        return Json.tree(bytes);
    }

    /** The body parsed as JSON into {@code type}. */
    public <T> T json(Class<T> type) {
        return Json.decode(bytes, type);
    }

    /** The body parsed as JSON into a generic type, e.g. {@code new TypeReference<Map<String, Object>>() {}}. */
    public <T> T json(TypeReference<T> type) {
        return Json.decode(bytes, type);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Body b && contentType.equals(b.contentType) && Arrays.equals(bytes, b.bytes);
    }

    @Override
    public int hashCode() {
        return 31 * contentType.hashCode() + Arrays.hashCode(bytes);
    }

    /** Says the size and type, never the content (bodies may hold secrets). */
    @Override
    public String toString() {
        return "Body[" + bytes.length + " bytes, " + contentType + "]";
    }
}
