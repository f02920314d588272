package org.offload.service.internal;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/** Argument checks with precise messages. Not public API. */
public final class Checks {
    /** Longest path, in UTF-8 bytes. */
    public static final int MAX_PATH_BYTES = 4096;
    /** Longest METHOD, in ASCII characters. */
    public static final int MAX_METHOD_CHARS = 64;
    /** Most headers on one message. */
    public static final int MAX_HEADERS = 256;
    /** Longest header name, in UTF-8 bytes. */
    public static final int MAX_HEADER_NAME_BYTES = 255;
    /** Longest header value or status message, in UTF-8 bytes. */
    public static final int MAX_TEXT_BYTES = 65_535;

    private Checks() {}

    public static String path(String path) {
        Objects.requireNonNull(path, "path");
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("path must start with '/' but was '" + abbreviate(path) + "'");
        }
        int bytes = utf8Length(path);
        if (bytes > MAX_PATH_BYTES) {
            throw new IllegalArgumentException("path must be <= " + MAX_PATH_BYTES + " bytes but was " + bytes);
        }
        return path;
    }

    public static String method(String method) {
        Objects.requireNonNull(method, "method");
        if (method.isEmpty() || method.length() > MAX_METHOD_CHARS) {
            throw new IllegalArgumentException("method must be 1.." + MAX_METHOD_CHARS + " characters but was "
                    + method.length());
        }
        for (int i = 0; i < method.length(); i++) {
            char c = method.charAt(i);
            if (!(Character.isLetterOrDigit(c) && c < 128) && c != '_' && c != '-' && c != '.') {
                throw new IllegalArgumentException("method must be ASCII letters, digits, '_', '-' or '.' but was '"
                        + abbreviate(method) + "'");
            }
        }
        return method;
    }

    public static Map<String, String> headers(Map<String, String> headers) {
        Objects.requireNonNull(headers, "headers");
        if (headers.isEmpty()) {
            return Map.of();
        }
        if (headers.size() > MAX_HEADERS) {
            throw new IllegalArgumentException("headers must be <= " + MAX_HEADERS + " but were " + headers.size());
        }
        // checked without building a message per header (every request and reply comes through here, twice a
        // round trip on each side), and copied once: Map.copyOf keeps an immutable map as it is
        for (Map.Entry<String, String> h : headers.entrySet()) {
            String k = h.getKey();
            String v = h.getValue();
            Objects.requireNonNull(k, "header name");
            if (v == null) {
                throw new NullPointerException("value of header '" + k + "'");
            }
            if (k.isEmpty() || utf8Length(k) > MAX_HEADER_NAME_BYTES) {
                throw new IllegalArgumentException("header name must be 1.." + MAX_HEADER_NAME_BYTES
                        + " bytes but was " + utf8Length(k));
            }
            if (utf8Length(v) > MAX_TEXT_BYTES) {
                text("value of header '" + k + "'", v);
            }
        }
        return Map.copyOf(headers);
    }

    public static String text(String what, String value) {
        Objects.requireNonNull(value, what);
        int bytes = utf8Length(value);
        if (bytes > MAX_TEXT_BYTES) {
            throw new IllegalArgumentException(what + " must be <= " + MAX_TEXT_BYTES + " bytes but was " + bytes);
        }
        return value;
    }

    public static int positive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be > 0 but was " + value);
        }
        return value;
    }

    public static Duration positive(String name, Duration value) {
        Objects.requireNonNull(value, name);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be > 0 but was " + value.toMillis() + " ms");
        }
        return value;
    }

    public static Duration notNegative(String name, Duration value) {
        Objects.requireNonNull(value, name);
        if (value.isNegative()) {
            throw new IllegalArgumentException(name + " must be >= 0 but was " + value.toMillis() + " ms");
        }
        return value;
    }

    public static String notBlank(String name, String value) {
        Objects.requireNonNull(value, name);
        if (value.isBlank()) {
            throw new IllegalArgumentException(name + " must not be blank");
        }
        return value;
    }

    public static int utf8Length(String s) {
        int ascii = 0;
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= 0x80) {
                return s.getBytes(StandardCharsets.UTF_8).length;
            }
            ascii++;
        }
        return ascii;
    }

    /**
     * {@code value} cut to at most {@value #MAX_TEXT_BYTES} UTF-8 bytes (never inside a character), so a
     * message built from a handler's exception always fits an envelope's text field.
     */
    public static String fitText(String value) {
        if (value.length() * 3 <= MAX_TEXT_BYTES || utf8Length(value) <= MAX_TEXT_BYTES) {
            return value;
        }
        String marker = "...";
        int budget = MAX_TEXT_BYTES - marker.length();
        int bytes = 0;
        int end = 0;
        while (end < value.length()) {
            int cp = value.codePointAt(end);
            int len = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
            if (bytes + len > budget) {
                break;
            }
            bytes += len;
            end += Character.charCount(cp);
        }
        return value.substring(0, end) + marker;
    }

    public static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }
}
