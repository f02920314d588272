package org.offload.service;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.offload.service.internal.CurveKeys;
import org.offload.service.internal.ZapHandler;
import org.zeromq.ZMQ;

/**
 * What a service's {@link Encryption} does to its sockets: with CURVE, the derived service key on PULL and
 * XPUB, and a ZAP registration that admits only the derived client key (without one, JeroMQ 0.6.0 admits
 * every CURVE client); with NONE, nothing.
 */
final class ServerSecurity implements AutoCloseable {
    private final ServiceServer.Settings s;
    private final ZapHandler.Domain zap;

    private ServerSecurity(ServiceServer.Settings s, ZapHandler.Domain zap) {
        this.s = s;
        this.zap = zap;
    }

    /** Registers the service with {@code context}'s ZAP handler when it uses CURVE; before any bind. */
    static ServerSecurity open(ServiceServer.Settings s, ZMQ.Context context, AtomicLong refused) {
        if (s.encryption() == Encryption.NONE) {
            return new ServerSecurity(s, null);
        }
        return new ServerSecurity(s, ZapHandler.register(context, s.name(), s.curveKeys().clientPublicKey(), refused));
    }

    /** The frame limit for JeroMQ on a socket whose payload frames are at most {@code payloadLimit} bytes. */
    int frameLimit(int payloadLimit) {
        return zap == null ? payloadLimit : CurveKeys.wireFrameLimit(payloadLimit);
    }

    /** The handshake timeout for {@code configured}: with CURVE at least {@link CurveKeys#MIN_HANDSHAKE_TIMEOUT}. */
    Duration handshakeTimeout(Duration configured) {
        return zap == null ? configured : CurveKeys.handshakeTimeout(configured);
    }

    void apply(ZMQ.Socket socket) {
        if (zap != null) {
            s.curveKeys().applyServer(socket, zap.domain());
        }
    }

    @Override
    public void close() {
        if (zap != null) {
            zap.close();
        }
    }
}
