package org.offload.service;

/**
 * A hook into every request a service instance accepts for routing, for metrics and tracing (the
 * {@code offload-micrometer} module has one). Set with {@link ServiceServer.Builder#observer}; without
 * one, nothing is allocated or called per request.
 *
 * <p>{@link #onRequest} runs on the receiver thread as an authentic request is routed, so it must be cheap
 * and must not block. The returned call's {@link ObservedCall#openScope() scope} is open on the worker
 * thread while the handler runs; {@link ObservedCall#end end} follows when the final reply is handed to the
 * PUB socket, when the request is refused (404, 405, 429, 503) or when its deadline passes before a worker
 * takes it (408, no reply sent). Requests dropped before routing (bad proof, replay, malformed) are only
 * counted in {@link ServerStats}; liveness pings are not requests.
 */
@FunctionalInterface
public interface ServerObserver {
    /** Observes nothing. */
    ServerObserver NONE = (service, route, request) -> ObservedCall.NONE;

    /**
     * A request arrived.
     *
     * @param service the service's name ({@link ServiceServer#name()})
     * @param route   the regex of the route it matched, or {@code ""} when none did (404, 405, or refused
     *                while stopping): a bounded set of values, unlike paths
     * @param request the request; its headers carry what the client propagated ({@code traceparent}, ...)
     */
    ObservedCall onRequest(String service, String route, Request request);
}
