package org.offload.service.internal;

import java.util.Map;
import java.util.Objects;

/**
 * The decoded envelope frame of a message (see PROTOCOL.md, "Envelope"). Not public API.
 *
 * @param kind        {@link Wire#REQUEST}, {@link Wire#REPLY}, {@link Wire#CANCEL} or {@link Wire#NOTIFICATION}
 * @param clientId    the client's {@value Wire#CLIENT_ID_BYTES}-byte id, also the reply topic
 * @param requestId   the client's id for the request (unsigned 64-bit)
 * @param timestampMs sender's clock, Unix epoch milliseconds
 * @param timeoutMs   request: how long the client waits, 0 = no deadline; otherwise 0
 * @param status      reply: HTTP-like status; otherwise 0
 * @param method      METHOD
 * @param path        path
 * @param message     reply: status message; otherwise ""
 * @param headers     string headers; a received one holds {@value Wire#CONTENT_TYPE} when the body is not
 *                    JSON, which {@link Sealed#seal} adds while encoding (it is not in the map to send)
 * @param version     the protocol version it travels in: {@value Wire#VERSION} (three frames, four for a reply)
 *                    or {@value Wire#VERSION_2} (one frame, two for a reply); a decoded one says which it came in,
 *                    and a service answers in the version of the request
 */
public record Envelope(int kind, ClientId clientId, long requestId, long timestampMs, long timeoutMs, int status,
                       String method, String path, String message, Map<String, String> headers, int version) {
    /** A version-{@value Wire#VERSION} envelope. */
    public Envelope(int kind, ClientId clientId, long requestId, long timestampMs, long timeoutMs, int status,
                    String method, String path, String message, Map<String, String> headers) {
        this(kind, clientId, requestId, timestampMs, timeoutMs, status, method, path, message, headers, Wire.VERSION);
    }

    public Envelope {
        if (version != Wire.VERSION && version != Wire.VERSION_2) {
            throw new IllegalArgumentException("version must be " + Wire.VERSION + " or " + Wire.VERSION_2
                    + " but was " + version);
        }
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(headers, "headers");
    }

    /** The same envelope, to travel in {@code wireVersion}. */
    public Envelope inVersion(int wireVersion) {
        return wireVersion == version ? this : new Envelope(kind, clientId, requestId, timestampMs, timeoutMs, status,
                method, path, message, headers, wireVersion);
    }
}
