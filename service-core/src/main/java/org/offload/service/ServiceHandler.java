package org.offload.service;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * A brubeck-style handler base class: override {@link #request()} (the {@code request} METHOD), use
 * {@link #setStatus}, {@link #addToPayload} and {@link #render()}. A fresh instance serves each call, so
 * fields are safe to use; register it with {@link #of(Supplier)}:
 *
 * <pre>{@code
 * class Greeter extends ServiceHandler {
 *     protected Reply request() {
 *         setStatus(200, "greeted");
 *         addToPayload("greeting", "hello " + argument("name", "stranger"));
 *         return render();
 *     }
 * }
 * server.route("^/greet$", "request", ServiceHandler.of(Greeter::new));
 * }</pre>
 */
public abstract class ServiceHandler {
    private Call call;
    private int status = Status.OK;
    private String statusMessage = Status.reason(Status.OK);
    private String replyMethod = Reply.DEFAULT_METHOD;
    private final Map<String, Object> payload = new LinkedHashMap<>();
    private final Map<String, String> headers = new LinkedHashMap<>();

    /** A {@link Handler} that makes a fresh {@code T} for every call. */
    public static Handler of(Supplier<? extends ServiceHandler> factory) {
        Objects.requireNonNull(factory, "factory");
        return call -> {
            ServiceHandler h = factory.get();
            if (h == null) {
                throw new IllegalStateException("handler factory returned null");
            }
            h.call = call;
            return h.dispatch(call.method());
        };
    }

    /**
     * Chooses the method for the request's METHOD: {@code request} calls {@link #request()}. Override to
     * answer other METHODs; unknown ones answer 405.
     */
    protected Reply dispatch(String method) throws Exception {
        if (Request.DEFAULT_METHOD.equals(method)) {
            return request();
        }
        throw notAllowed(method);
    }

    /** Answers the {@code request} METHOD. */
    protected Reply request() throws Exception {
        throw notAllowed(Request.DEFAULT_METHOD);
    }

    private NotFoundException notAllowed(String method) {
        return new NotFoundException(Status.METHOD_NOT_ALLOWED,
                getClass().getSimpleName() + " does not answer METHOD " + method + " on " + call.path());
    }

    /** The call being handled. */
    protected final Call call() {
        return call;
    }

    /** The request being handled. */
    protected final Request message() {
        return call.request();
    }

    /** A field of the JSON body as text, or {@code fallback} when it is absent or null. */
    protected final String argument(String name, String fallback) {
        JsonNode node = call.json().get(name);
        return node == null || node.isNull() ? fallback : node.asText();
    }

    /** Sets the reply's status and message. */
    protected final void setStatus(int code, String message) {
        if (code < 100 || code > 999) {
            throw new IllegalArgumentException("status must be in 100..999 but was " + code);
        }
        this.status = code;
        this.statusMessage = Objects.requireNonNull(message, "message");
    }

    /** Adds {@code key: value} to the JSON object the reply carries. */
    protected final void addToPayload(String key, Object value) {
        payload.put(Objects.requireNonNull(key, "key"), value);
    }

    /** Sets a reply header. */
    protected final void setHeader(String name, String value) {
        headers.put(name, value);
    }

    /** Sets the reply's METHOD (default {@value Reply#DEFAULT_METHOD}). */
    protected final void setReplyMethod(String method) {
        this.replyMethod = method;
    }

    /** The reply: status, message, headers, and the payload as a JSON object. */
    protected final Reply render() {
        return new Reply(status, statusMessage, replyMethod, headers, Body.json(payload));
    }
}
