package org.offload.service;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A call a handler makes to another service: bounded by what is left of its own request's deadline, so it
 * can never outlive it, and carrying the request's trace context (W3C {@code traceparent}, {@code tracestate},
 * {@code baggage}) unless the inner request sets its own.
 */
final class Downstream {
    /** Headers copied from the outer request to every inner one. */
    static final List<String> PROPAGATED = List.of("traceparent", "tracestate", "baggage");
    /** An inner call of a request without a deadline, given none itself, waits this long at most. */
    static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(30);

    private Downstream() {
    }

    static Duration deadline(Call outer, ServiceCaller caller, String service, Request request, Duration asked) {
        if (caller == null) {
            throw new IllegalStateException("this service has no ServiceCaller to call " + service
                    + " with: build it with ServiceServer.builder().caller(client)");
        }
        if (asked.isNegative() || asked.isZero()) {
            throw new IllegalArgumentException("deadline must be > 0 but was " + asked.toMillis() + " ms");
        }
        if (outer.isCancelled()) {
            throw new CancelledException("request " + outer.path() + " (id " + outer.requestId()
                    + ") was cancelled: no call to " + service + " for it");
        }
        if (!outer.hasDeadline()) {
            return asked.compareTo(DEFAULT_DEADLINE) > 0 ? DEFAULT_DEADLINE : asked;
        }
        Duration left = outer.timeLeft();
        if (left.toMillis() <= 0) {
            throw new DeadlineExceededException("the deadline of request " + outer.path() + " (id "
                    + outer.requestId() + ") has passed: no call to " + service + " " + request.path());
        }
        return left.compareTo(asked) < 0 ? left : asked;
    }

    static Request propagate(Call outer, Request inner) {
        Request r = inner;
        for (String h : PROPAGATED) {
            String v = outer.headers().get(h);
            if (v != null && !inner.headers().containsKey(h)) {
                r = r.withHeader(h, v);
            }
        }
        return r;
    }

    static Reply call(Call outer, ServiceCaller caller, String service, Request request, Duration asked) {
        Duration d = deadline(outer, caller, service, request, asked);
        return caller.call(service, propagate(outer, request), d);
    }

    static CompletableFuture<Reply> callAsync(Call outer, ServiceCaller caller, String service, Request request,
                                             Duration asked) {
        Duration d = deadline(outer, caller, service, request, asked);
        return caller.callAsync(service, propagate(outer, request), d);
    }
}
