package org.offload.micrometer;

import io.micrometer.observation.transport.RequestReplyReceiverContext;
import org.offload.service.Request;

/**
 * The observation context of one request a service received. Its carrier is the request, whose headers a
 * tracing handler's propagator reads ({@code traceparent}, {@code tracestate}). The response is the final
 * status.
 */
public final class OffloadServerContext extends RequestReplyReceiverContext<Request, Integer> {
    private final String service;
    private final String route;

    OffloadServerContext(String service, String route, Request request) {
        super((carrier, key) -> carrier.headers().get(key));
        this.service = service;
        this.route = route;
        setCarrier(request);
    }

    /** The service's name. */
    public String service() {
        return service;
    }

    /** The regex of the route the request matched, or {@code ""} when none did. */
    public String route() {
        return route;
    }

    public Request request() {
        return getCarrier();
    }
}
