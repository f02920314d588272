package org.offload.service;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.offload.service.internal.Checks;

/**
 * What a service answers: an HTTP-like status and message, a METHOD (by default {@value #DEFAULT_METHOD})
 * used with the request's path to choose the client's response handler, headers and a body.
 */
public record Reply(int status, String message, String method, Map<String, String> headers, Body body) {
    /** The METHOD a reply carries unless its handler chooses another. */
    public static final String DEFAULT_METHOD = "response";

    public Reply {
        if (status < 100 || status > 999) {
            throw new IllegalArgumentException("status must be in 100..999 but was " + status);
        }
        Checks.text("message", message);
        Checks.method(method);
        headers = Checks.headers(headers);
        Objects.requireNonNull(body, "body");
    }

    /** 200 with {@code body}. */
    public static Reply ok(Body body) {
        return of(Status.OK, Status.reason(Status.OK), body);
    }

    /** 200 with {@code value} as JSON. */
    public static Reply json(Object value) {
        return ok(Body.json(value));
    }

    /** {@code status} with a message and body. */
    public static Reply of(int status, String message, Body body) {
        return new Reply(status, message, DEFAULT_METHOD, Map.of(), body);
    }

    /** An error reply without a body. */
    public static Reply error(int status, String message) {
        return of(status, message, Body.empty());
    }

    /** True for 2xx and 3xx. */
    public boolean isSuccess() {
        return Status.isSuccess(status);
    }

    /** A copy with one more header. */
    public Reply withHeader(String name, String value) {
        Map<String, String> copy = new HashMap<>(headers);
        copy.put(name, value);
        return new Reply(status, message, method, copy, body);
    }

    /** A copy with another METHOD. */
    public Reply withMethod(String method) {
        return new Reply(status, message, method, headers, body);
    }

    /** The typed exception for an error reply. */
    public ServiceException toException() {
        return ServiceException.forStatus(status, message);
    }

    @Override
    public String toString() {
        return "Reply[" + status + " " + Checks.abbreviate(message) + ", " + method + ", " + body + "]";
    }
}
