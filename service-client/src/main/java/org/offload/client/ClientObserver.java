package org.offload.client;

import java.util.Map;
import org.offload.service.ObservedCall;
import org.offload.service.Request;

/**
 * A hook into every call a client makes, for metrics and tracing (the {@code offload-micrometer} module
 * has one). Set with {@link ServiceClient.Builder#observer}; without one, nothing is allocated or called
 * per call.
 *
 * <p>{@link #onCall} runs on the caller's thread as a call is accepted (after the checks that throw at once:
 * no such service, client closed, too many calls in flight), so the caller's trace context is current
 * there. The returned call ends once with the call's outcome (the reply's status, or the failure's: 408
 * deadline, 503 unavailable, 499 cancelled) before the caller or any callback sees it; its
 * {@link ObservedCall#openScope() scope} is open around the call's callbacks (async completion, response,
 * error and interim handlers).
 */
@FunctionalInterface
public interface ClientObserver {
    /** Observes nothing. */
    ClientObserver NONE = (service, request, headers) -> ObservedCall.NONE;

    /**
     * A call starts.
     *
     * @param service the service's registered name
     * @param request the request as the caller made it
     * @param headers an empty, mutable map: headers put here go out with the request (e.g. {@code traceparent}
     *                and {@code tracestate}); they replace the request's headers of the same name. They are
     *                not sent when this returns {@link ObservedCall#NONE} or throws (a throw is logged and the
     *                call goes on unobserved), nor when they would break a header limit (logged)
     */
    ObservedCall onCall(String service, Request request, Map<String, String> headers);
}
