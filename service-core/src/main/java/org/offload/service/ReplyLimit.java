package org.offload.service;

import java.util.Map;
import java.util.regex.Pattern;
import org.offload.service.internal.Checks;
import org.offload.service.internal.Sealed;
import org.offload.service.internal.Wire;

/**
 * The largest reply frame a client takes: {@value Wire#DEFAULT_MAX_REPLY_FRAME_BYTES} bytes unless its request
 * announces another limit in {@value Wire#MAX_REPLY_BYTES}. A service never publishes a larger frame: ZeroMQ
 * would end the client's connection on it (JeroMQ does not reconnect such a session), cutting that client
 * off from this instance instead of failing one call.
 */
final class ReplyLimit {
    private static final Pattern DECIMAL = Pattern.compile("[0-9]{1,10}");

    private ReplyLimit() {}

    /** The client's limit from a request's headers; throws {@link IllegalArgumentException} (a 400) if malformed. */
    static int of(Map<String, String> headers) {
        String value = headers.get(Wire.MAX_REPLY_BYTES);
        if (value == null) {
            return Wire.DEFAULT_MAX_REPLY_FRAME_BYTES;
        }
        long limit = DECIMAL.matcher(value).matches() ? Long.parseLong(value) : -1;
        if (limit < 1 || limit > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(Wire.MAX_REPLY_BYTES + " must be a decimal number of bytes in 1.."
                    + Integer.MAX_VALUE + " but was '" + Checks.abbreviate(value) + "'");
        }
        return (int) limit;
    }

    /**
     * Null when every frame of {@code s} fits {@code limit} (version 1: topic, envelope, body, proof; version 2:
     * topic and the one frame); else what is too big.
     */
    static String excess(Sealed s, int limit) {
        if (s.frame() != null) {
            return s.frame().length > limit ? frame("one", s.frame().length, limit)
                    : Wire.CLIENT_ID_BYTES > limit ? frame("topic", Wire.CLIENT_ID_BYTES, limit) : null;
        }
        if (s.body().length > limit) {
            return frame("body", s.body().length, limit);
        }
        if (s.envelope().length > limit) {
            return frame("envelope", s.envelope().length, limit);
        }
        if (Math.max(Wire.CLIENT_ID_BYTES, s.proof().length) > limit) {
            return frame("topic or proof", Math.max(Wire.CLIENT_ID_BYTES, s.proof().length), limit);
        }
        return null;
    }

    /** Null when the body of {@code reply} fits {@code limit} (checked before sealing: no HMAC over a body never sent). */
    static String bodyExcess(Reply reply, int limit) {
        return reply.body().size() > limit ? frame("body", reply.body().size(), limit) : null;
    }

    private static String frame(String which, int bytes, int limit) {
        return "its " + which + " frame of " + bytes + " bytes exceeds the client's limit of " + limit + " bytes";
    }
}
