package org.offload.service;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Raw TCP peers that never finish the ZeroMQ handshake, and connection floods: the service closes them
 * (handshake timeout, connection bounds) and real clients are served throughout.
 */
@Timeout(value = 120, unit = SECONDS)
class ConnectionLimitsTest {
    private static final Duration HANDSHAKE_TIMEOUT = Duration.ofMillis(500);
    /** How many half-open connections each stall test opens on each socket. */
    private static final int HALF_OPEN = 50;

    @RegisterExtension
    final Fixtures fx = new Fixtures();

    private void assertServes(ServiceServer server) {
        RawPeer peer = fx.peer(server);
        assertEquals(Status.OK, peer.call(Fixtures.ECHO, "request", Map.of(), Body.json(Map.of("n", 1))).status());
    }

    /** Opens a connection to each socket and sends what {@code stage} says, then nothing. */
    private List<Socket> stall(ServiceServer server, String stage, int perSocket) throws IOException {
        List<Socket> sockets = new ArrayList<>();
        for (String address : List.of(server.pullAddress(), server.pubAddress())) {
            for (int i = 0; i < perSocket; i++) {
                Socket s = fx.rawConnect(address);
                Fixtures.write(s, Fixtures.greeting());
                Fixtures.readGreeting(s); // the greeting stage is over: JeroMQ 0.6.0 cancels its handshake timer here
                if (stage.equals("partial-ready")) {
                    Fixtures.write(s, Arrays.copyOf(Fixtures.ready("PUSH"), 7)); // a READY command cut short
                }
                sockets.add(s);
            }
        }
        return sockets;
    }

    @ParameterizedTest(name = "stalled after {0}")
    @ValueSource(strings = {"greeting", "partial-ready"})
    void halfOpenConnections_stalledAfterTheGreeting_allClosedAndARealClientServed(String stage) throws Exception {
        ServiceServer server = fx.start(Fixtures.builder("stall-" + stage).handshakeTimeout(HANDSHAKE_TIMEOUT));

        List<Socket> stalled = stall(server, stage, HALF_OPEN);

        for (Socket s : stalled) {
            assertTrue(Fixtures.closedByService(s, Fixtures.WAIT), "a connection stalled after the " + stage
                    + " outlived the " + HANDSHAKE_TIMEOUT.toMillis() + " ms handshake timeout");
        }
        assertEquals(2 * HALF_OPEN, server.stats().handshakeTimeouts());
        assertServes(server);
        Fixtures.await().until(() -> server.stats().handshakeTimeouts() == 2 * HALF_OPEN
                && serverIo(server).openConnections() == 2);
    }

    @Test
    void handshakenIdleConnection_keptPastTheHandshakeTimeout_whileAStalledOneIsClosed() throws Exception {
        // heartbeats far off, so only the handshake rule could close the idle, handshaken connection
        ServiceServer server = fx.start(Fixtures.builder("idle").handshakeTimeout(HANDSHAKE_TIMEOUT)
                .heartbeatInterval(Duration.ofMinutes(10)));
        Socket idle = fx.zmtpConnect(server.pullAddress(), "PUSH");
        List<Socket> stalled = stall(server, "greeting", 1); // one on each socket

        for (Socket s : stalled) {
            assertTrue(Fixtures.closedByService(s, Fixtures.WAIT), "a stalled connection was not closed");
        }
        // accepted after the idle one, so its deadline passed later: the idle one was looked at and kept
        assertTrue(stillOpen(idle), "the handshaken connection was closed");
        assertEquals(2, server.stats().handshakeTimeouts());
        assertEquals(0, server.stats().connectionsRefused());
    }

    @Test
    void floodFromOnePeer_beyondThePerPeerBound_oldestHalfOpenClosedAndARealClientServed() throws Exception {
        int perPeer = 20;
        ServiceServer server = fx.start(Fixtures.builder("flood-peer").maxConnectionsPerPeer(perPeer)
                .handshakeTimeout(Duration.ofMinutes(1))); // only the bound closes connections here

        List<Socket> flood = stall(server, "greeting", 100);

        assertServes(server); // its two connections, from the same address, push out two half-open ones
        assertTrue(server.stats().connectionsRefused() >= 2 * (100 + 1 - perPeer), server.stats()::toString);
        assertTrue(serverIo(server).openConnections() <= 2 * perPeer, () -> "open: " + serverIo(server).openConnections());
        assertEquals(0, server.stats().handshakeTimeouts());
        int kept = 0;
        for (Socket s : flood) {
            kept += stillOpen(s) ? 1 : 0;
        }
        assertTrue(kept <= 2 * perPeer, "flood connections still open: " + kept);
    }

    @Test
    void floodFromAnotherAddress_beyondTheSocketBound_realClientStillServed() throws Exception {
        int max = 10;
        ServiceServer server = fx.start(Fixtures.builder("flood-socket").maxConnections(max)
                .handshakeTimeout(Duration.ofMinutes(1)));
        for (String address : List.of(server.pullAddress(), server.pubAddress())) {
            int port = Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
            for (int i = 0; i < 30; i++) {
                Socket s = fx.add(new Socket());
                s.bind(new InetSocketAddress("127.0.0.2", 0)); // another loopback address: not the client's
                s.connect(new InetSocketAddress("127.0.0.1", port));
                Fixtures.write(s, Fixtures.greeting());
            }
        }
        Fixtures.await().until(() -> server.stats().connectionsRefused() >= 2 * (30 - max));

        assertServes(server);
        assertTrue(serverIo(server).openConnections() <= 2 * max, () -> "open: " + serverIo(server).openConnections());
        assertFalse(server.stats().connectionsRefused() < 2 * (30 + 1 - max), server.stats()::toString);
    }

    private static ServerIo serverIo(ServiceServer server) {
        return server.io();
    }

    /**
     * True when {@code s} is still open: reading what the service sent (its READY) ends in a timeout, not in
     * the end of the stream or a reset. Used only after the service already acted on a later connection.
     */
    private static boolean stillOpen(Socket s) throws IOException {
        s.setSoTimeout(100);
        byte[] buf = new byte[256];
        try {
            while (s.getInputStream().read(buf) != -1) {
                // the service's READY
            }
            return false;
        } catch (SocketTimeoutException open) {
            return true;
        } catch (IOException reset) {
            return false;
        }
    }
}
