package org.offload.service;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.offload.service.internal.Wire;

/**
 * A hostile subscriber on raw TCP: completes a ZMTP 3.0 NULL handshake as a SUB (greeting, then READY once
 * the service's greeting arrived) and writes subscription messages as fast as the connection takes them,
 * each topic distinct: bare 16-byte ids and 48-byte topics whose tag is wrong, alternately. Nothing is
 * kept per topic, so a million cost this side nothing.
 */
final class SubscriptionFlooder {
    /** Frames written per {@code write} call. */
    private static final int BATCH = 1_000;

    private SubscriptionFlooder() {
    }

    /** Connects to {@code pubAddress} and completes the handshake; the caller closes the socket. */
    static Socket connect(String pubAddress) throws IOException {
        int port = Integer.parseInt(pubAddress.substring(pubAddress.lastIndexOf(':') + 1));
        Socket s = new Socket("127.0.0.1", port);
        s.setSoTimeout((int) Fixtures.WAIT.toMillis());
        s.getOutputStream().write(greeting());
        byte[] theirs = s.getInputStream().readNBytes(64);
        assertEquals(64, theirs.length, "the service's greeting");
        s.getOutputStream().write(ready());
        return s;
    }

    /**
     * Writes subscriptions {@code first} to {@code first + count - 1} (see {@link #topic}) to {@code s}.
     * Blocks while the service does not read; an IOException means it closed the connection.
     */
    static void flood(Socket s, long first, long count) throws IOException {
        OutputStream out = s.getOutputStream();
        ByteBuffer batch = ByteBuffer.allocate(BATCH * (2 + 1 + Wire.PROVED_TOPIC_BYTES));
        for (long i = first; i < first + count; i++) {
            byte[] sub = topic(i);
            batch.put((byte) 0).put((byte) sub.length).put(sub); // short message frame
            if (batch.remaining() < 2 + sub.length + Wire.PROVED_TOPIC_BYTES || i == first + count - 1) {
                out.write(batch.array(), 0, batch.position());
                batch.clear();
            }
        }
        out.flush();
    }

    /** Subscription number {@code i}: {@code 0x01} and a distinct topic, bare (even i) or with a wrong tag (odd i). */
    static byte[] topic(long i) {
        ByteBuffer b = ByteBuffer.allocate(1 + (i % 2 == 0 ? Wire.CLIENT_ID_BYTES : Wire.PROVED_TOPIC_BYTES));
        b.put((byte) 1).putLong(i * 0x9E3779B97F4A7C15L).putLong(i);
        while (b.hasRemaining()) {
            b.put((byte) 0x5A); // not the tag of any passphrase
        }
        return b.array();
    }

    private static byte[] greeting() {
        ByteBuffer b = ByteBuffer.allocate(64);
        b.put((byte) 0xFF).put(new byte[8]).put((byte) 0x7F).put((byte) 3).put((byte) 0);
        b.put("NULL".getBytes(StandardCharsets.US_ASCII)); // mechanism, zero-padded to 20 bytes
        return b.array();
    }

    private static byte[] ready() {
        byte[] name = "Socket-Type".getBytes(StandardCharsets.US_ASCII);
        byte[] value = "SUB".getBytes(StandardCharsets.US_ASCII);
        ByteBuffer body = ByteBuffer.allocate(1 + 5 + 1 + name.length + 4 + value.length);
        body.put((byte) 5).put("READY".getBytes(StandardCharsets.US_ASCII));
        body.put((byte) name.length).put(name).putInt(value.length).put(value);
        return ByteBuffer.allocate(2 + body.capacity()).put((byte) 0x04).put((byte) body.capacity())
                .put(body.array()).array();
    }
}
