package org.offload.service.internal;

import java.time.Duration;
import org.zeromq.ZMQ;

/**
 * The limits every Offload socket gets, service or client. Not public API.
 * <ul>
 *   <li>a frame size limit, always together with a {@link BoundedAllocator}: JeroMQ 0.6.0's own limit lets
 *       negative lengths through, so the limit alone does not protect the socket;</li>
 *   <li>a handshake timeout, so a peer that never finishes the ZeroMQ handshake (or a connect stalled
 *       inside JeroMQ) is dropped and retried;</li>
 *   <li>ZMTP heartbeats, so a peer silent for {@value #HEARTBEAT_TIMEOUT_INTERVALS} intervals is dropped.</li>
 * </ul>
 */
public final class SocketGuard {
    /** Heartbeat intervals without a word from the peer before the connection is dropped. */
    public static final int HEARTBEAT_TIMEOUT_INTERVALS = 3;

    private SocketGuard() {}

    public static void apply(ZMQ.Socket socket, int maxFrameBytes, Duration handshakeTimeout, Duration heartbeat) {
        socket.setMaxMsgSize(maxFrameBytes);
        socket.setMsgAllocator(new BoundedAllocator(maxFrameBytes));
        socket.setHandshakeIvl((int) handshakeTimeout.toMillis());
        int heartbeatMs = (int) heartbeat.toMillis();
        socket.setHeartbeatIvl(heartbeatMs);
        socket.setHeartbeatTimeout(heartbeatMs * HEARTBEAT_TIMEOUT_INTERVALS);
    }
}
