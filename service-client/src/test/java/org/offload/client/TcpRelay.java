package org.offload.client;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP relay between a client and one service port that records every byte it forwards, both ways: what a
 * wiretap on that link would see. Listens on an ephemeral loopback port; {@link #address()} is what the
 * client connects to instead of the service.
 */
final class TcpRelay implements AutoCloseable {
    private final ServerSocket listener;
    private final InetSocketAddress target;
    /** Client to service, and service to client: one stream each, so a marker split across reads stays whole. */
    private final ByteArrayOutputStream upstream = new ByteArrayOutputStream();
    private final ByteArrayOutputStream downstream = new ByteArrayOutputStream();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final Thread acceptor;
    private volatile boolean closed;

    /** A relay to {@code tcpAddress} ({@code tcp://host:port}), already accepting. */
    TcpRelay(String tcpAddress) throws IOException {
        URI uri = URI.create(tcpAddress);
        this.target = new InetSocketAddress(uri.getHost(), uri.getPort());
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.acceptor = Thread.ofPlatform().daemon().name("relay-accept-" + listener.getLocalPort()).start(this::accept);
    }

    String address() {
        return "tcp://127.0.0.1:" + listener.getLocalPort();
    }

    /** Every byte forwarded so far from the client to the service. */
    byte[] upstream() {
        return copy(upstream);
    }

    /** Every byte forwarded so far from the service to the client. */
    byte[] downstream() {
        return copy(downstream);
    }

    private static byte[] copy(ByteArrayOutputStream stream) {
        synchronized (stream) {
            return stream.toByteArray();
        }
    }

    /** True when {@code marker} (UTF-8) occurs in what was forwarded in either direction. */
    boolean sawText(String marker) {
        byte[] m = marker.getBytes(StandardCharsets.UTF_8);
        return indexOf(upstream(), m) >= 0 || indexOf(downstream(), m) >= 0;
    }

    static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private void accept() {
        while (!closed) {
            try {
                Socket client = listener.accept();
                Socket server = new Socket(target.getAddress(), target.getPort());
                sockets.add(client);
                sockets.add(server);
                pump(client, server, upstream);
                pump(server, client, downstream);
            } catch (IOException e) {
                if (!closed) {
                    throw new IllegalStateException("relay accept failed", e);
                }
            }
        }
    }

    private static void pump(Socket from, Socket to, ByteArrayOutputStream record) {
        Thread.ofPlatform().daemon().name("relay-pump").start(() -> {
            byte[] buffer = new byte[16 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) > 0) {
                    synchronized (record) {
                        record.write(buffer, 0, n);
                    }
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // one side closed: the other pump ends on its own read
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        });
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // already closed
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        listener.close();
        sockets.forEach(TcpRelay::closeQuietly);
        try {
            acceptor.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
