package org.offload.client;

import java.util.Map;
import org.offload.service.Body;
import org.offload.service.internal.Batch;
import org.offload.service.internal.Envelope;
import org.offload.service.internal.Proof;
import org.offload.service.internal.Sealed;
import org.offload.service.internal.Wire;

/**
 * Which protocol version a request to an instance travels in (PROTOCOL.md section 4): version 2 (one frame)
 * once the instance's pong named it in {@value Wire#PROTOCOLS}, and only when the frame fits the instance's
 * {@value Wire#MAX_REQUEST_BYTES}; otherwise version 1 (three frames), which every instance reads. Pings are
 * always version 1: they are how an instance's versions are learnt.
 */
final class WireVersions {
    private WireVersions() {}

    /** What a pong's headers say about {@code i}: the versions it speaks, its request frame limit, batch frames. */
    static void learn(Instance i, Map<String, String> pongHeaders) {
        i.maxRequestBytes = maxRequestBytes(pongHeaders.get(Wire.MAX_REQUEST_BYTES));
        i.wireVersion = speaks2(pongHeaders.get(Wire.PROTOCOLS)) ? Wire.VERSION_2 : Wire.VERSION;
        i.readsBatches = i.wireVersion == Wire.VERSION_2 && Batch.READS.equals(pongHeaders.get(Batch.HEADER));
    }

    /** True when a {@value Wire#PROTOCOLS} value names version 2 (tokens separated by commas, spaces ignored). */
    static boolean speaks2(String value) {
        if (value == null) {
            return false;
        }
        for (String token : value.split(",", -1)) {
            if (token.strip().equals("2")) {
                return true;
            }
        }
        return false;
    }

    /** A {@value Wire#MAX_REQUEST_BYTES} value, or the protocol's default frame limit when absent or malformed. */
    static int maxRequestBytes(String value) {
        if (value != null && value.matches("[0-9]{1,10}")) {
            long n = Long.parseLong(value);
            if (n >= 1 && n <= Integer.MAX_VALUE) {
                return (int) n;
            }
        }
        return Wire.DEFAULT_MAX_REPLY_FRAME_BYTES;
    }

    /**
     * {@code e} with {@code body}, sealed for {@code to}: version 2 when it speaks it and the frame fits its
     * limit, else version 1 (each of whose frames is smaller than that one frame).
     */
    static Sealed seal(Proof proof, Envelope e, Body body, Instance to) {
        if (to.wireVersion != Wire.VERSION_2) {
            return Sealed.seal(proof, e, body);
        }
        Sealed m = Sealed.seal(proof, e.inVersion(Wire.VERSION_2), body);
        return m.frame().length <= to.maxRequestBytes ? m : Sealed.seal(proof, e, body);
    }
}
