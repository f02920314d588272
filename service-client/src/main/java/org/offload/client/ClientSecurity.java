package org.offload.client;

import java.time.Duration;
import org.offload.service.Encryption;
import org.offload.service.internal.CurveKeys;
import org.zeromq.ZMQ;

/**
 * A registered service's {@link Encryption} and the CURVE keys of its passphrase, applied to the client's
 * sockets for it. {@link #id()} tells apart sockets that may be shared or reused: JeroMQ 0.6.0 reads the
 * CURVE options at every handshake, so one socket can only talk to services of one key.
 */
record ClientSecurity(Encryption encryption, CurveKeys keys) {

    /** "none", or "curve:" and the service's public key (Z85). */
    String id() {
        return encryption == Encryption.NONE ? "none" : "curve:" + keys.serverPublicZ85();
    }

    /** The frame limit for JeroMQ for payload frames of up to {@code payloadLimit} bytes. */
    int frameLimit(int payloadLimit) {
        return encryption == Encryption.NONE ? payloadLimit : CurveKeys.wireFrameLimit(payloadLimit);
    }

    /** The handshake timeout for {@code configured}: with CURVE at least {@link CurveKeys#MIN_HANDSHAKE_TIMEOUT}. */
    Duration handshakeTimeout(Duration configured) {
        return encryption == Encryption.NONE ? configured : CurveKeys.handshakeTimeout(configured);
    }

    void apply(ZMQ.Socket socket) {
        if (encryption == Encryption.CURVE) {
            keys.applyClient(socket);
        }
    }

    boolean sameAs(ClientSecurity other) {
        return encryption == other.encryption && keys.sameKeys(other.keys);
    }
}
