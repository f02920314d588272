package org.offload.client;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.SocketType;
import org.zeromq.ZMQ;

/**
 * The client's SUB sockets: one per {@link ClientSecurity#id()}, each connected to the PUB of every service
 * instance with that key. Normally one (every service plaintext, or all of one passphrase). Not one SUB for
 * all: JeroMQ 0.6.0 shares a socket's options with all its connections and reads CURVE_SERVERKEY at every
 * handshake, so setting it before each connect (as libzmq allows) would make the next reconnect to another
 * service use the wrong server key. Receiver thread only.
 */
final class ReplySockets {
    private static final Logger log = LoggerFactory.getLogger(ServiceClient.class);

    private record Sub(ZMQ.Socket socket, List<String> addresses) {
    }

    private final ClientIo io;
    /** How long a receive (or a poll of several SUBs) waits while the receiver watches a run of callbacks. */
    private static final int SHORT_WAIT_MS = (int) TimeUnit.NANOSECONDS.toMillis(CallbackRuns.HOLD_NANOS);

    private final int receiveTimeoutMs;
    /** The wait in force: {@link #receiveTimeoutMs}, or {@link #SHORT_WAIT_MS} (see {@link #shortWait}). */
    private int waitMs;
    private final Map<String, Sub> byId = new HashMap<>();
    /** The proved topics (PROTOCOL.md section 5) each SUB subscribes, by security id, for the client's life. */
    private final Map<String, java.util.Set<java.nio.ByteBuffer>> proved = new HashMap<>();
    private ZMQ.Poller poller;
    private List<ZMQ.Socket> polled = List.of();

    ReplySockets(ClientIo io, int receiveTimeoutMs) {
        this.io = io;
        this.receiveTimeoutMs = receiveTimeoutMs;
        this.waitMs = receiveTimeoutMs;
    }

    /**
     * Receives and polls wait at most {@link #SHORT_WAIT_MS} while {@code on} (the receiver has an unfinished run
     * of callbacks to look at), else the usual receive timeout. Sets the sockets only when it changes.
     */
    /** The wait in force, in milliseconds (the receiver waits as long for commands while it has no SUB). */
    int waitMs() {
        return waitMs;
    }

    void shortWait(boolean on) {
        int ms = on ? SHORT_WAIT_MS : receiveTimeoutMs;
        if (ms != waitMs) {
            waitMs = ms;
            for (Sub sub : byId.values()) {
                sub.socket.setReceiveTimeOut(ms);
            }
        }
    }

    /** Connects the SUB of {@code security} (made on first use) to {@code pubAddress}. */
    void connect(String pubAddress, ClientSecurity security) {
        Sub sub = byId.get(security.id());
        boolean created = sub == null;
        if (created) {
            ZMQ.Socket socket = io.context.socket(SocketType.SUB);
            try {
                io.guard(socket, security);
                socket.setRcvHWM(io.settings.receiveHwm());
                socket.setReceiveTimeOut(waitMs);
                security.apply(socket);
                socket.subscribe(io.id.topic());
                for (java.nio.ByteBuffer topic : proved.getOrDefault(security.id(), java.util.Set.of())) {
                    socket.subscribe(topic.array());
                }
            } catch (RuntimeException e) {
                socket.close();
                throw e;
            }
            sub = new Sub(socket, new ArrayList<>());
        }
        try {
            sub.socket.connect(pubAddress);
        } catch (RuntimeException e) {
            if (created) {
                sub.socket.close();
            }
            throw e;
        }
        sub.addresses.add(pubAddress);
        if (created) {
            byId.put(security.id(), sub);
            changed();
        }
    }

    /** The SUB of {@code security} subscribes {@code topic} from now on (now, if it exists already). */
    void prove(ClientSecurity security, byte[] topic) {
        if (proved.computeIfAbsent(security.id(), k -> new java.util.HashSet<>()).add(java.nio.ByteBuffer.wrap(topic))) {
            Sub sub = byId.get(security.id());
            if (sub != null) {
                sub.socket.subscribe(topic);
            }
        }
    }

    /** The SUB of {@code security} no longer subscribes {@code topic}. */
    void unprove(ClientSecurity security, byte[] topic) {
        java.util.Set<java.nio.ByteBuffer> topics = proved.get(security.id());
        if (topics != null && topics.remove(java.nio.ByteBuffer.wrap(topic))) {
            Sub sub = byId.get(security.id());
            if (sub != null) {
                sub.socket.unsubscribe(topic);
            }
        }
    }

    /** Drops the SUB's connection to {@code pubAddress} and makes it again, resetting JeroMQ's state for it. */
    void reconnect(String pubAddress, ClientSecurity security) {
        Sub sub = byId.get(security.id());
        if (sub == null || !sub.addresses.contains(pubAddress)) {
            return;
        }
        try {
            sub.socket.disconnect(pubAddress);
        } catch (RuntimeException notConnected) {
            log.debug("{} - SUB was not connected to {}", io.name, pubAddress);
        }
        sub.socket.connect(pubAddress);
    }

    /** Disconnects {@code pubAddress}; a SUB left with no connection closes. */
    void disconnect(String pubAddress, ClientSecurity security) {
        Sub sub = byId.get(security.id());
        if (sub == null || !sub.addresses.remove(pubAddress)) {
            return;
        }
        sub.socket.disconnect(pubAddress);
        if (sub.addresses.isEmpty()) {
            byId.remove(security.id());
            sub.socket.close();
            changed();
        }
    }

    /** The SUB sockets, in a stable order until the next change. */
    List<ZMQ.Socket> sockets() {
        return polled;
    }

    /**
     * With several SUBs: waits up to the receive timeout for any to be readable and returns those that are.
     * Not used with one SUB, which the caller blocks on directly (JeroMQ's fastest wait).
     */
    List<ZMQ.Socket> pollReadable() {
        List<ZMQ.Socket> ready = new ArrayList<>(polled.size());
        if (poller.poll(waitMs) > 0) {
            for (int i = 0; i < polled.size(); i++) {
                if (poller.pollin(i)) {
                    ready.add(polled.get(i));
                }
            }
        }
        return ready;
    }

    private void changed() {
        polled = byId.values().stream().map(Sub::socket).toList();
        if (poller != null) {
            poller.close();
            poller = null;
        }
        if (polled.size() > 1) {
            poller = io.context.poller(polled.size());
            polled.forEach(s -> poller.register(s, ZMQ.Poller.POLLIN));
        }
    }

    void close() {
        if (poller != null) {
            poller.close();
        }
        for (Sub sub : byId.values()) {
            try {
                sub.socket.close();
            } catch (RuntimeException e) {
                log.debug("{} - closing SUB failed", io.name, e);
            }
        }
        byId.clear();
    }
}
