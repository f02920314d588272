package org.offload.service.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.ZEvent;
import org.zeromq.ZMQ;

/**
 * Watches the connections a bound socket accepts (through its event hook, on JeroMQ's I/O thread) and
 * closes those that must go:
 * <ul>
 *   <li>one that has not finished the ZeroMQ handshake {@code handshakeTimeout} after it was accepted,
 *       whatever stage it stalls in (JeroMQ 0.6.0's own timer stops at the greeting: see {@link EngineProbe});</li>
 *   <li>one over {@code maxConnections} on the socket or {@code maxConnectionsPerPeer} from one IP address:
 *       the oldest connection of that scope still handshaking goes (cheap half-open floods make room for
 *       real clients), or the new one when all the others finished their handshake.</li>
 * </ul>
 * A connection is closed by shutting its channel down both ways: JeroMQ's engine then reads the end of the
 * stream and tears the session down itself on its own thread. Not public API.
 */
public final class ConnectionGuard implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ConnectionGuard.class);
    private static final long MIN_SWEEP_MS = 10;
    private static final long MAX_SWEEP_MS = 250;

    /** The limits; all positive. */
    public record Limits(Duration handshakeTimeout, int maxConnections, int maxConnectionsPerPeer) {
        public Limits {
            Checks.positive("handshakeTimeout", handshakeTimeout);
            Checks.positive("maxConnections", maxConnections);
            Checks.positive("maxConnectionsPerPeer", maxConnectionsPerPeer);
        }
    }

    private final String name;
    private final Limits limits;
    private final AtomicLong timedOut;
    private final AtomicLong refused;
    private final List<Watched> watched = new ArrayList<>();
    private final ScheduledExecutorService sweeper;
    private final WarnLimiter warn = new WarnLimiter();

    /** Counts connections closed for their handshake into {@code timedOut}, over a bound into {@code refused}. */
    public ConnectionGuard(String name, Limits limits, AtomicLong timedOut, AtomicLong refused) {
        this.name = name;
        this.limits = limits;
        this.timedOut = timedOut;
        this.refused = refused;
        this.sweeper = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name(name + "-guard").factory());
        long sweepMs = Math.clamp(limits.handshakeTimeout().toMillis() / 5, MIN_SWEEP_MS, MAX_SWEEP_MS);
        sweeper.scheduleWithFixedDelay(this::sweep, sweepMs, sweepMs, TimeUnit.MILLISECONDS);
    }

    /** Watches the connections {@code socket} (named {@code kind} in logs) accepts; call before it binds. */
    public void watch(String kind, ZMQ.Socket socket) {
        watch(kind, socket, null);
    }

    /**
     * {@link #watch(String, ZMQ.Socket)}, and gives each connection its own allocator of {@code budget}
     * (bound to the connection when its greeting is in). Call after {@link SocketGuard#apply}.
     */
    public void watch(String kind, ZMQ.Socket socket, FrameBudget budget) {
        Watched w = new Watched(kind, EngineProbe.of(socket), socket, budget);
        if (w.probe == null) {
            log.warn("{} - cannot see JeroMQ's handshake state (not JeroMQ 0.6.0?): {} connections that stall after "
                    + "the greeting are not dropped", name, kind);
        }
        synchronized (watched) {
            watched.add(w);
        }
        int events = ZMQ.EVENT_ACCEPTED | ZMQ.EVENT_DISCONNECTED;
        if (budget != null && w.probe != null) {
            w.nextAllocator();
            events |= ZMQ.EVENT_HANDSHAKE_PROTOCOL;
        }
        socket.setEventHook(w, events);
    }

    /** Connections currently open on all watched sockets (tests). */
    public int open() {
        synchronized (watched) {
            return watched.stream().mapToInt(Watched::size).sum();
        }
    }

    @Override
    public void close() {
        sweeper.shutdownNow();
    }

    private void sweep() {
        List<Watched> all;
        synchronized (watched) {
            all = List.copyOf(watched);
        }
        for (Watched w : all) {
            try {
                w.sweep(System.nanoTime());
            } catch (RuntimeException e) {
                log.warn("{} - checking {} connections failed", name, w.kind, e);
            }
        }
    }

    /** One accepted connection. */
    private static final class Conn {
        final SocketChannel channel;
        final InetAddress peer;
        final long acceptedNanos;
        boolean ready;
        FrameBudget.Connection allocator;

        Conn(SocketChannel channel, InetAddress peer, long acceptedNanos) {
            this.channel = channel;
            this.peer = peer;
            this.acceptedNanos = acceptedNanos;
        }
    }

    /** The connections of one socket; events come on JeroMQ's I/O thread, sweeps on the guard's thread. */
    private final class Watched implements ZEvent.ZEventConsummer {
        final String kind;
        final EngineProbe probe;
        /** In the order accepted, so the first one still handshaking is the oldest. */
        private final Map<SelectableChannel, Conn> conns = new LinkedHashMap<>();
        private final Map<InetAddress, Integer> perPeer = new HashMap<>();
        private final ZMQ.Socket socket;
        private final FrameBudget budget;
        /** The allocator the next connection whose greeting is in takes (JeroMQ reads the socket's option then). */
        private FrameBudget.Connection next;

        Watched(String kind, EngineProbe probe, ZMQ.Socket socket, FrameBudget budget) {
            this.kind = kind;
            this.probe = probe;
            this.socket = socket;
            this.budget = budget;
        }

        /** Puts a fresh allocator in place for the next connection (its setting is read on JeroMQ's I/O thread). */
        void nextAllocator() {
            next = budget.newConnection(this::resolve);
            socket.setMsgAllocator(next);
        }

        /** A greeting is in: the engine that just greeted took {@link #next}; the next one gets a fresh one. */
        private void greeted() {
            nextAllocator();
        }

        /** Finds and binds the connection whose frame decoder took {@code allocator}, or null. */
        private synchronized SocketChannel resolve(FrameBudget.Connection allocator) {
            for (Conn c : conns.values()) {
                if (c.allocator == null && c.channel.isOpen() && probe.decoderAllocator(c.channel) == allocator) {
                    bind(c, allocator);
                    return c.channel;
                }
            }
            return null;
        }

        /** Binds the allocators taken by connections seen without one so far. */
        private void bindTaken(Conn c) {
            if (budget != null && c.allocator == null && probe != null
                    && probe.decoderAllocator(c.channel) instanceof FrameBudget.Connection a && !a.isBound()) {
                bind(c, a);
            }
        }

        private void bind(Conn c, FrameBudget.Connection allocator) {
            c.allocator = allocator;
            allocator.bind(c.channel, ch -> {
                synchronized (this) {
                    remove(ch);
                }
                shutdown(ch);
            });
        }

        synchronized int size() {
            return conns.size();
        }

        @Override
        public void consume(ZEvent ev) {
            // never called: the raw event below is handled without ZEvent's conversion
        }

        @Override
        public void consume(zmq.ZMQ.Event ev) {
            try {
                if (ev.event == ZMQ.EVENT_ACCEPTED && ev.arg instanceof SocketChannel ch) {
                    accepted(ch);
                } else if (ev.event == ZMQ.EVENT_HANDSHAKE_PROTOCOL) {
                    greeted();
                } else if (ev.event == ZMQ.EVENT_DISCONNECTED && ev.arg instanceof SocketChannel ch) {
                    synchronized (this) {
                        Conn c = conns.get(ch);
                        if (c != null) {
                            bindTaken(c); // the engine is still registered: its allocator can be found, and ended
                        }
                        remove(ch);
                    }
                }
            } catch (RuntimeException e) { // must never reach JeroMQ's accept path
                log.warn("{} - tracking a {} connection failed", name, kind, e);
            }
        }

        private void accepted(SocketChannel ch) {
            InetAddress peer = ch.socket().getInetAddress();
            Conn victim;
            String reason;
            synchronized (this) {
                Conn conn = new Conn(ch, peer, System.nanoTime());
                conns.put(ch, conn);
                int fromPeer = perPeer.merge(peer, 1, Integer::sum);
                if (fromPeer > limits.maxConnectionsPerPeer()) {
                    victim = oldestHandshaking(peer, conn);
                    reason = "more than " + limits.maxConnectionsPerPeer() + " connections from " + peer.getHostAddress();
                } else if (conns.size() > limits.maxConnections()) {
                    victim = oldestHandshaking(null, conn);
                    reason = "more than " + limits.maxConnections() + " connections";
                } else {
                    return;
                }
                remove(victim.channel);
            }
            drop(victim, refused, reason);
        }

        /** The oldest connection (from {@code peer}, or any when null) still handshaking; else {@code fallback}. */
        private Conn oldestHandshaking(InetAddress peer, Conn fallback) {
            for (Conn c : conns.values()) {
                if (c != fallback && (peer == null || peer.equals(c.peer)) && !isReady(c)) {
                    return c;
                }
            }
            return fallback;
        }

        private boolean isReady(Conn c) {
            if (!c.ready) {
                EngineProbe.State state = probe == null ? EngineProbe.State.UNKNOWN : probe.state(c.channel);
                c.ready = state != EngineProbe.State.HANDSHAKING;
            }
            return c.ready;
        }

        private void remove(SelectableChannel ch) {
            Conn c = conns.remove(ch);
            if (c != null) {
                perPeer.computeIfPresent(c.peer, (p, n) -> n == 1 ? null : n - 1);
                if (c.allocator != null) {
                    c.allocator.ended(); // JeroMQ drops what it still holds of this connection
                }
            }
        }

        void sweep(long now) {
            long timeoutNanos = limits.handshakeTimeout().toNanos();
            List<Conn> late = new ArrayList<>();
            synchronized (this) {
                for (Conn c : List.copyOf(conns.values())) {
                    if (!c.channel.isOpen()) {
                        remove(c.channel); // its session ended without a DISCONNECTED event (e.g. the socket closed)
                        continue;
                    }
                    bindTaken(c);
                    if (!isReady(c) && now - c.acceptedNanos - timeoutNanos > 0) {
                        remove(c.channel);
                        late.add(c);
                    }
                }
            }
            for (Conn c : late) {
                drop(c, timedOut, "no ZeroMQ handshake within " + limits.handshakeTimeout().toMillis() + " ms");
            }
        }

        private void drop(Conn c, AtomicLong counter, String reason) {
            counter.incrementAndGet();
            if (warn.tryAcquire()) {
                log.warn("{} - closed a {} connection from {}: {} (handshake timeouts={}, refused={})", name, kind,
                        c.peer == null ? "?" : c.peer.getHostAddress(), reason, timedOut.get(), refused.get());
            }
            shutdown(c.channel);
        }

        private void shutdown(SocketChannel ch) {
            try {
                ch.shutdownInput(); // JeroMQ's engine reads the end of the stream and cleans up
                ch.shutdownOutput(); // the peer sees it closed
            } catch (IOException | RuntimeException e) {
                log.debug("{} - shutting a {} connection down failed", name, kind, e);
            }
        }
    }
}
