package org.offload.service.internal;

import java.util.Map;
import org.offload.service.Body;

/**
 * A message ready for the wire: envelope, body and proof frames (the topic frame, for replies, is the
 * envelope's client id). Not public API.
 */
public record Sealed(byte[] envelope, byte[] body, byte[] proof) {

    /**
     * Encodes {@code e} with {@code body} and signs both. A body that is not JSON names its type in the
     * {@value Wire#CONTENT_TYPE} header, which the encoder writes without copying {@code e.headers()}.
     */
    public static Sealed seal(Proof proof, Envelope e, Body body) {
        String type = Body.JSON.equals(body.contentType()) ? null : body.contentType();
        byte[] env = Wire.encode(e, type);
        byte[] bytes = BodyAccess.array(body);
        return new Sealed(env, bytes, proof.sign(env, bytes));
    }

    /** Splits a received envelope's headers into the user's headers and the body (no copy of its bytes). */
    public static Body body(Map<String, String> wireHeaders, byte[] bytes) {
        String type = wireHeaders.remove(Wire.CONTENT_TYPE);
        return Body.wrap(bytes, type == null || type.isBlank() ? Body.JSON : type);
    }
}
