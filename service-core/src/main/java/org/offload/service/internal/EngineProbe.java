package org.offload.service.internal;

import java.lang.reflect.Field;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.List;
import org.zeromq.ZMQ;
import zmq.io.mechanism.Mechanism;

/**
 * Reads, for an accepted TCP channel, whether JeroMQ 0.6.0's engine for it has finished the ZeroMQ
 * handshake, i.e. whether its security mechanism reached READY. JeroMQ cancels its own handshake timer once
 * the 64-byte greeting is in and starts heartbeats only at READY, so a peer that stalls in between (sends
 * the greeting and nothing, or part of its READY command) is never dropped by JeroMQ; nothing public says
 * where a connection stands, so this looks through JeroMQ's internals (pinned at 0.6.0):
 * context → I/O thread → poller → selector → the channel's key → poller handle → I/O object → engine →
 * mechanism. Read from any thread: a stale answer only delays the verdict to the next look.
 * Not public API.
 */
final class EngineProbe {
    /** Where a connection stands. */
    enum State {
        /** Not registered with the poller yet, or the engine has not finished the handshake. */
        HANDSHAKING,
        /** Mechanism READY: from now on JeroMQ's heartbeats watch the peer. */
        READY,
        /** This JeroMQ build does not look like 0.6.0 inside: nothing can be said. */
        UNKNOWN
    }

    private final List<?> ioThreads;
    private final Field poller;
    private final Field selector;
    private final Field handleHandler;
    private final Field ioObjectHandler;
    private final Field mechanism;
    private final Field decoder;
    private final Field allocator;

    private EngineProbe(List<?> ioThreads, Field poller, Field selector, Field handleHandler, Field ioObjectHandler,
                        Field mechanism, Field decoder, Field allocator) {
        this.decoder = decoder;
        this.allocator = allocator;
        this.ioThreads = ioThreads;
        this.poller = poller;
        this.selector = selector;
        this.handleHandler = handleHandler;
        this.ioObjectHandler = ioObjectHandler;
        this.mechanism = mechanism;
    }

    /** A probe of the engines of {@code socket}'s context, or null if JeroMQ differs from 0.6.0 inside. */
    static EngineProbe of(ZMQ.Socket socket) {
        try {
            Field threads = field(zmq.Ctx.class, "ioThreads");
            List<?> ioThreads = (List<?>) threads.get(socket.getCtx());
            return new EngineProbe(ioThreads, field(zmq.io.IOThread.class, "poller"),
                    field(zmq.poll.Poller.class, "selector"), field(zmq.poll.Poller.Handle.class, "handler"),
                    field(zmq.io.IOObject.class, "handler"), field(zmq.io.StreamEngine.class, "mechanism"),
                    field(zmq.io.StreamEngine.class, "decoder"), field(zmq.io.coder.Decoder.class, "allocator"));
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    private static Field field(Class<?> type, String name) throws NoSuchFieldException {
        Field f = type.getDeclaredField(name);
        f.setAccessible(true);
        return f;
    }

    State state(SelectableChannel channel) {
        try {
            Object engine = engine(channel);
            if (engine == null) {
                return State.HANDSHAKING; // accepted, not plugged into the poller yet
            }
            if (!(engine instanceof zmq.io.StreamEngine)) {
                return State.UNKNOWN;
            }
            Mechanism m = (Mechanism) mechanism.get(engine);
            return m != null && m.status() == Mechanism.Status.READY ? State.READY : State.HANDSHAKING;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return State.UNKNOWN;
        }
    }

    /** The message allocator the channel's frame decoder took when the greeting was in, or null (not yet). */
    Object decoderAllocator(SelectableChannel channel) {
        try {
            Object engine = engine(channel);
            Object d = engine instanceof zmq.io.StreamEngine ? decoder.get(engine) : null;
            return d instanceof zmq.io.coder.Decoder ? allocator.get(d) : null;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    private Object engine(SelectableChannel channel) throws ReflectiveOperationException {
        for (Object ioThread : ioThreads) {
            Selector sel = (Selector) selector.get(poller.get(ioThread));
            SelectionKey key = sel == null ? null : channel.keyFor(sel);
            Object handle = key == null ? null : key.attachment();
            if (handle instanceof zmq.poll.Poller.Handle) {
                return ioObjectHandler.get(handleHandler.get(handle));
            }
        }
        return null;
    }
}
