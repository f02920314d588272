package org.offload.demo;

import java.time.Duration;
import java.util.Map;
import java.util.function.Function;
import org.offload.client.ServiceClient;
import org.offload.service.Reply;
import org.offload.service.Request;

/**
 * A {@code GET} route that turns the web request into one service request (validating it on the way; 400
 * when invalid), calls the worker synchronously and answers with the worker's JSON.
 */
final class ForwardRoute extends ServiceRoute {
    /** The service request for a web request, and how long to wait for its reply. */
    record Forward(Request request, Duration deadline) {
    }

    private final String service;
    private final Function<WebRequest, Forward> forward;

    ForwardRoute(ServiceClient client, String service, String path, Function<WebRequest, Forward> forward) {
        super(client, path, "GET");
        this.service = service;
        this.forward = forward;
    }

    @Override
    WebResponse serve(WebRequest web) {
        Forward f = forward.apply(web);
        Reply reply = sendServiceRequest(service, f.request(), f.deadline());
        return new WebResponse(reply.status(), WebResponse.JSON, Map.of(), reply.body().toByteArray());
    }
}
