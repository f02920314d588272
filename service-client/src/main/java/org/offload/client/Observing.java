package org.offload.client;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.offload.service.ObservedCall;
import org.offload.service.Request;
import org.offload.service.internal.Observers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Starts a call's observation, adding the headers the observer asks for (only when one is set). */
record Observing(Request request, ObservedCall call) {
    Observing {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(call, "call");
    }

    private static final Logger log = LoggerFactory.getLogger(ServiceClient.class);

    static Observing start(String client, ClientObserver observer, String service, Request request) {
        Map<String, String> extra = new HashMap<>(4);
        ObservedCall call = Observers.start(client, () -> observer.onCall(service, request, extra));
        if (extra.isEmpty() || call == ObservedCall.NONE) {
            return new Observing(request, call);
        }
        Map<String, String> headers = new HashMap<>(request.headers());
        headers.putAll(extra);
        try {
            return new Observing(new Request(request.path(), request.method(), headers, request.body()), call);
        } catch (IllegalArgumentException e) { // the observer's headers broke a header limit: send it as it was
            log.warn("{} - the observer's headers {} would make the request invalid ({}); sent without them", client,
                    extra.keySet(), e.getMessage());
            return new Observing(request, call);
        }
    }
}
