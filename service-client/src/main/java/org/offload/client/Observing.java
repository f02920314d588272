package org.offload.client;

import java.util.HashMap;
import java.util.Map;
import org.offload.service.ObservedCall;
import org.offload.service.Request;

/** Starts a call's observation, adding the headers the observer asks for (only when one is set). */
record Observing(Request request, ObservedCall call) {
    /** No observer: the caller's request as it is, observed by nobody. */
    static final Observing NONE = new Observing(null, ObservedCall.NONE);

    static Observing start(ClientObserver observer, String service, Request request) {
        Map<String, String> extra = new HashMap<>(4);
        ObservedCall call = observer.onCall(service, request, extra);
        if (extra.isEmpty()) {
            return new Observing(request, call);
        }
        Map<String, String> headers = new HashMap<>(request.headers());
        headers.putAll(extra);
        return new Observing(new Request(request.path(), request.method(), headers, request.body()), call);
    }
}
