package org.offload.service.internal;

import java.util.HashMap;
import java.util.Map;
import org.offload.service.Body;

/**
 * A message ready for the wire: envelope, body and proof frames (the topic frame, for replies, is the
 * envelope's client id). Not public API.
 */
public record Sealed(byte[] envelope, byte[] body, byte[] proof) {

    /** Encodes {@code e} with {@code body} and signs both. */
    public static Sealed seal(Proof proof, Envelope e, Body body) {
        byte[] env = Wire.encode(e);
        byte[] bytes = BodyAccess.array(body);
        return new Sealed(env, bytes, proof.sign(env, bytes));
    }

    /** The headers to put on the wire for {@code body}: a content-type header unless the body is JSON. */
    public static Map<String, String> wireHeaders(Map<String, String> headers, Body body) {
        if (Body.JSON.equals(body.contentType())) {
            return headers;
        }
        Map<String, String> copy = new HashMap<>(headers);
        copy.put(Wire.CONTENT_TYPE, body.contentType());
        return copy;
    }

    /** Splits a received envelope's headers into the user's headers and the body (no copy of its bytes). */
    public static Body body(Map<String, String> wireHeaders, byte[] bytes) {
        String type = wireHeaders.remove(Wire.CONTENT_TYPE);
        return Body.wrap(bytes, type == null || type.isBlank() ? Body.JSON : type);
    }
}
