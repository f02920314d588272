package org.offload.client;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.offload.service.Request;
import org.offload.service.ServiceServer;
import org.offload.service.internal.BoundedAllocator;

/**
 * A raw TCP peer that completes the ZMTP 3 handshake and then sends a frame whose 64-bit length is
 * negative. JeroMQ 0.6.0's decoder lets that through its size check; unguarded, it wedges the socket and
 * hangs shutdown. The service must keep serving, and close must really end it: close() itself returns after
 * its own bound even when shutdown hangs, so the test checks that the I/O thread ended and the ports are free.
 * In plaintext mode: with CURVE (the default) such a peer never gets past the greeting, whose mechanism differs.
 */
class HostileFrameTest {

    /** Lengths whose low 32 bits are negative or larger than the socket's frame limit. */
    @ParameterizedTest(name = "{0} port, length {1}")
    @CsvSource({"PULL, ffffffffffffffff", "PULL, ffffffff7fffffff", "PUB, ffffffffffffffff", "PUB, 8000000000001000"})
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void hostileFrame_negativeLength_serviceKeepsServingAndCloseEndsIt(String port, String lengthHex) throws Exception {
        long rejectedBefore = BoundedAllocator.rejected();
        try (Fixtures f = new Fixtures()) {
            ServiceServer server = f.plainEchoServer("victim");
            String address = port.equals("PULL") ? server.pullAddress() : server.pubAddress();
            sendHostileFrame(address, port.equals("PULL") ? "PUSH" : "SUB", Long.parseUnsignedLong(lengthHex, 16),
                    rejectedBefore);

            ServiceClient client = f.plainClientFor(server);
            assertEquals(7, client.call("victim", Request.json("/echo", "request", Map.of("n", 7)))
                    .body().json().get("echo").get("n").asInt());

            List<Thread> threads = Fixtures.threadsOf(server);
            String pull = server.pullAddress();
            String pub = server.pubAddress();
            server.close();
            Fixtures.assertTerminated(server, threads);
            ServiceServer again = f.server("victim-again", pull, pub, b -> b);
            assertEquals(pull, again.pullAddress(), "the closed service's ports are free again");
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void hostileFrame_garbageBeforeHandshake_serviceKeepsServing() throws Exception {
        try (Fixtures f = new Fixtures()) {
            ServiceServer server = f.plainEchoServer("victim");
            try (Socket s = connect(server.pullAddress())) {
                byte[] junk = new byte[4096];
                new java.util.Random(42).nextBytes(junk);
                s.getOutputStream().write(junk);
                s.getOutputStream().flush();
            }
            ServiceClient client = f.plainClientFor(server);
            assertEquals("ok", client.call("victim", Request.json("/echo", "request", Map.of("s", "ok")))
                    .body().json().get("echo").get("s").asText());
        }
    }

    private static void sendHostileFrame(String address, String socketType, long length, long rejectedBefore)
            throws IOException {
        try (Socket s = connect(address)) {
            OutputStream out = s.getOutputStream();
            out.write(greeting());
            out.write(ready(socketType));
            out.write(ByteBuffer.allocate(9).put((byte) 0x02).putLong(length).array()); // long, final frame
            out.flush();
            // keep the connection open until the service has decoded (and refused) the length
            await().atMost(Fixtures.WAIT).until(() -> BoundedAllocator.rejected() > rejectedBefore);
        }
    }

    private static Socket connect(String tcpAddress) throws IOException {
        int port = Integer.parseInt(tcpAddress.substring(tcpAddress.lastIndexOf(':') + 1));
        return new Socket("127.0.0.1", port);
    }

    /** ZMTP 3.0 greeting: signature, version 3.0, mechanism NULL, as-server 0, filler. */
    private static byte[] greeting() {
        byte[] g = new byte[64];
        g[0] = (byte) 0xFF;
        g[9] = 0x7F;
        g[10] = 3;
        System.arraycopy("NULL".getBytes(StandardCharsets.US_ASCII), 0, g, 12, 4);
        return g;
    }

    /** READY command with the Socket-Type property. */
    private static byte[] ready(String socketType) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(5);
        body.write("READY".getBytes(StandardCharsets.US_ASCII));
        body.write(11);
        body.write("Socket-Type".getBytes(StandardCharsets.US_ASCII));
        byte[] type = socketType.getBytes(StandardCharsets.US_ASCII);
        body.write(ByteBuffer.allocate(4).putInt(type.length).array());
        body.write(type);
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        frame.write(0x04); // command, short size
        frame.write(body.size());
        body.writeTo(frame);
        return frame.toByteArray();
    }
}
