package org.offload.service;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.offload.service.internal.Checks;

/**
 * What a client asks of a service: a path (routed by regex), a METHOD, string headers and a body.
 *
 * @param path    starts with '/', at most {@value Checks#MAX_PATH_BYTES} UTF-8 bytes
 * @param method  ASCII token such as {@code request}
 * @param headers string headers (copied; immutable)
 * @param body    the body; {@link Body#empty()} when there is none
 */
public record Request(String path, String method, Map<String, String> headers, Body body) {
    /** The METHOD brubeck-style handlers answer by default. */
    public static final String DEFAULT_METHOD = "request";

    public Request {
        Checks.path(path);
        Checks.method(method);
        headers = Checks.headers(headers);
        Objects.requireNonNull(body, "body");
    }

    /** A request with an empty body. */
    public static Request of(String path, String method) {
        return new Request(path, method, Map.of(), Body.empty());
    }

    /** A request whose body is {@code value} encoded as JSON. */
    public static Request json(String path, String method, Object value) {
        return new Request(path, method, Map.of(), Body.json(value));
    }

    /** A copy with {@code body}. */
    public Request withBody(Body body) {
        return new Request(path, method, headers, body);
    }

    /** A copy with one more header (replacing one of the same name). */
    public Request withHeader(String name, String value) {
        Map<String, String> copy = new HashMap<>(headers);
        copy.put(name, value);
        return new Request(path, method, copy, body);
    }

    /** The header's value, or {@code fallback}. */
    public String header(String name, String fallback) {
        return headers.getOrDefault(name, fallback);
    }

    @Override
    public String toString() {
        return "Request[" + method + " " + path + ", " + headers.size() + " headers, " + body + "]";
    }
}
