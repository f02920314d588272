package org.offload.service.internal;

import org.slf4j.MDC;
import org.slf4j.helpers.NOPMDCAdapter;

/**
 * Puts a call's service name and request id in the SLF4J MDC while Offload runs user code for it (a
 * handler on a worker, a client callback) and puts back what was there before.
 */
public final class Mdc {
    /** MDC key: the service's name. */
    public static final String SERVICE = "offload.service";
    /** MDC key: the request id on the wire (decimal; unique per client). */
    public static final String REQUEST_ID = "offload.request_id";
    /** MDC key: the calling client's id (hex), on the service side. */
    public static final String CLIENT_ID = "offload.client_id";

    /**
     * False when the SLF4J binding keeps no MDC (slf4j-simple, slf4j-nop): then nothing is formatted or put,
     * so a binding without an MDC costs nothing per call.
     */
    private static final boolean ENABLED = !(MDC.getMDCAdapter() instanceof NOPMDCAdapter);
    private static final Mdc NOTHING = new Mdc(null, null, null);

    private final String service;
    private final String requestId;
    private final String clientId;

    private Mdc(String service, String requestId, String clientId) {
        this.service = service;
        this.requestId = requestId;
        this.clientId = clientId;
    }

    /**
     * Sets the keys ({@code requestId} 0: not sent, left out; {@code client} null: left out) and returns
     * what restores the previous values.
     */
    public static Mdc enter(String service, long requestId, ClientId client) {
        if (!ENABLED) {
            return NOTHING;
        }
        Mdc previous = new Mdc(MDC.get(SERVICE), MDC.get(REQUEST_ID), MDC.get(CLIENT_ID));
        MDC.put(SERVICE, service);
        if (requestId != 0) {
            MDC.put(REQUEST_ID, Long.toUnsignedString(requestId));
        }
        if (client != null) {
            MDC.put(CLIENT_ID, client.toString());
        }
        return previous;
    }

    /** Puts back the values {@link #enter} found. */
    public void restore() {
        if (this == NOTHING) {
            return;
        }
        set(SERVICE, service);
        set(REQUEST_ID, requestId);
        set(CLIENT_ID, clientId);
    }

    private static void set(String key, String value) {
        if (value == null) {
            MDC.remove(key);
        } else {
            MDC.put(key, value);
        }
    }
}
