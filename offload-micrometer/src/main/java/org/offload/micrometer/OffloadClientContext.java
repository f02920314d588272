package org.offload.micrometer;

import io.micrometer.observation.transport.RequestReplySenderContext;
import java.util.Map;
import org.offload.service.Request;

/**
 * The observation context of one client call. Its carrier is the map of headers added to the request, so a
 * tracing handler's propagator writes {@code traceparent} and {@code tracestate} there. The response is
 * the call's final status.
 */
public final class OffloadClientContext extends RequestReplySenderContext<Map<String, String>, Integer> {
    private final String service;
    private final Request request;

    OffloadClientContext(String service, Request request, Map<String, String> headers) {
        super(Map::put);
        this.service = service;
        this.request = request;
        setCarrier(headers);
        setRemoteServiceName(service);
    }

    /** The service's registered name. */
    public String service() {
        return service;
    }

    /** The request as the caller made it (without the propagated headers). */
    public Request request() {
        return request;
    }
}
