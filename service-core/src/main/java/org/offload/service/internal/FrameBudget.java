package org.offload.service.internal;

import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import zmq.Msg;
import zmq.msg.MsgAllocator;

/**
 * Bounds, in bytes, the frames a receiving socket holds that its reader has not taken yet, before any proof
 * is checked. JeroMQ 0.6.0's high-water mark counts whole messages (10,000 of up to 8 MiB each per peer),
 * and a multipart message whose frames keep the MORE flag is held whole until it ends, out of the mark's
 * sight. Each connection gets its own {@link MsgAllocator} (JeroMQ takes the socket's allocator when a
 * connection's greeting is in: {@link ConnectionGuard} puts a fresh one in place each time), which
 * <ul>
 *   <li>reserves every frame's bytes (plus {@value #FRAME_OVERHEAD} for its bookkeeping) from the budget; the
 *       reader gives them back with {@link #consumed}, a command frame at once, and the frames JeroMQ drops
 *       when a connection dies (those of its unfinished message, and the one it was reading) when
 *       {@link ConnectionGuard} sees it end. JeroMQ delivers a dead connection's complete messages (its pipes
 *       delay their termination until they are read), so no other frame is lost to the count;</li>
 *   <li>turns a frame that does not fit into a {@link Discarded} one, read into a shared scratch buffer, so
 *       the reader drops its message; and closes the connection holding the most bytes of an unfinished
 *       message, so nobody can keep the budget by never ending one;</li>
 *   <li>closes a connection that sends more than {@code maxFrames} frames in one message.</li>
 * </ul>
 * With CURVE ({@code decrypts}) the frames it allocates never reach the reader: JeroMQ decrypts each into a
 * new message the moment it is read. A frame's bytes are then given back when the connection's next frame
 * is allocated (by then the engine has decrypted and passed on the last one) or when the connection ends, so
 * the budget bounds what the decoders hold, not the decrypted messages waiting for the reader; those come
 * only from peers that passed the CURVE handshake, and the high-water mark bounds them in messages.
 * Not public API.
 */
public final class FrameBudget {
    private static final Logger log = LoggerFactory.getLogger(FrameBudget.class);
    /** Bytes charged per frame beyond its payload: JeroMQ's message object and our reservation. */
    static final int FRAME_OVERHEAD = 128;

    private final String name;
    private final long maxBytes;
    private final int maxFrameBytes;
    private final int maxFrames;
    private final boolean decrypts;
    private final AtomicLong queued = new AtomicLong();
    private final AtomicLong discarded;
    private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
    private final WarnLimiter warn = new WarnLimiter();
    private final BoundedAllocator invalid;
    private byte[] scratch; // JeroMQ's I/O thread only

    /**
     * {@code discarded} counts frames that did not fit; {@code decrypts} for a CURVE socket, whose frames are
     * decrypted into other messages before the reader sees them.
     */
    public FrameBudget(String name, long maxBytes, int maxFrameBytes, int maxFrames, boolean decrypts,
                       AtomicLong discarded) {
        this.name = name;
        this.decrypts = decrypts;
        this.maxBytes = maxBytes;
        this.maxFrameBytes = maxFrameBytes;
        this.maxFrames = maxFrames;
        this.discarded = discarded;
        this.invalid = new BoundedAllocator(maxFrameBytes);
    }

    /** Bytes of frames allocated and not yet taken by the reader (nor dropped). */
    public long queuedBytes() {
        return queued.get();
    }

    /** The frame was taken by the reader: its bytes leave the budget. */
    public static void consumed(Msg frame) {
        if (frame instanceof Budgeted b) {
            b.release();
        }
    }

    /** True for a frame that did not fit in the budget: its content is gone, its message must be dropped. */
    public static boolean isDiscarded(Msg frame) {
        return frame instanceof Discarded;
    }

    /**
     * A fresh allocator for the next connection. {@code resolver} finds the channel of a connection that has
     * none bound yet (JeroMQ may decode a connection's first frames before anyone could see which it is).
     */
    Connection newConnection(Function<Connection, SocketChannel> resolver) {
        Connection c = new Connection(resolver);
        connections.add(c);
        return c;
    }

    private void release(long bytes) {
        queued.addAndGet(-bytes);
    }

    /** The allocator of one connection; its per-message state is touched by JeroMQ's I/O thread only. */
    final class Connection implements MsgAllocator {
        private final Function<Connection, SocketChannel> resolver;
        private volatile SocketChannel channel;
        private Consumer<SocketChannel> close = ch -> { };
        private final List<Budgeted> unfinished = new ArrayList<>();
        /** The frame JeroMQ read last: it may be the one its body was still arriving for. */
        private Budgeted last;
        private volatile long unfinishedBytes;
        private int frames;
        private volatile boolean closed;

        Connection(Function<Connection, SocketChannel> resolver) {
            this.resolver = resolver;
        }

        /** Binds this allocator to its connection (once JeroMQ's engine took it). */
        void bind(SocketChannel channel, Consumer<SocketChannel> close) {
            this.close = close;
            this.channel = channel;
            if (closed) {
                close.accept(channel); // shut before anyone knew which connection it was
            }
        }

        boolean isBound() {
            return channel != null;
        }

        FrameBudget budget() {
            return FrameBudget.this;
        }

        /** The connection ended: its unfinished frames will never be read. */
        synchronized void ended() {
            connections.remove(this);
            unfinished.forEach(Budgeted::release);
            unfinished.clear();
            if (last != null) {
                last.release(); // if it was complete and is still waiting, the reader's release is then a no-op
                last = null;
            }
        }

        @Override
        public Msg allocate(int size) {
            Budgeted previous = last;
            if (decrypts && previous != null) {
                previous.release(); // decrypted and passed on by now: the reader never sees this frame
            }
            if (size < 0 || size > maxFrameBytes) {
                return invalid.allocate(size); // an empty frame: the connection's framing is broken anyway
            }
            long charge = (long) size + FRAME_OVERHEAD;
            if (!closed) {
                long now = queued.addAndGet(charge);
                if (now <= maxBytes) {
                    return new Budgeted(this, size, charge);
                }
                queued.addAndGet(-charge);
                discarded.incrementAndGet();
                if (warn.tryAcquire()) {
                    log.warn("{} - {} bytes of frames are queued (budget {}): dropping frames until the reader "
                            + "catches up (dropped so far: {})", name, now - charge, maxBytes, discarded.get());
                }
                evictHoarder();
            }
            return new Discarded(this, scratchView(size));
        }

        private ByteBuffer scratchView(int size) {
            if (scratch == null) {
                scratch = new byte[maxFrameBytes];
            }
            return ByteBuffer.wrap(scratch, 0, size);
        }

        /** JeroMQ's decoder set the frame's flags: count it into its message (commands are not message frames). */
        void framed(Budgeted frame, int flags) {
            if ((flags & Msg.COMMAND) != 0) {
                frame.release(); // handled by the engine at once, never reaches the reader
                return;
            }
            boolean tooMany;
            synchronized (this) { // the sweeps of ConnectionGuard may end the connection meanwhile
                last = frame;
                if ((flags & Msg.MORE) == 0 && frames == 0) {
                    return; // a one-frame message: nothing of it stays unfinished
                }
                frames++;
                if (!(frame instanceof Discarded)) {
                    unfinished.add(frame);
                    unfinishedBytes += frame.charge;
                }
                tooMany = (flags & Msg.MORE) != 0 && frames > maxFrames;
                if ((flags & Msg.MORE) == 0) {
                    frames = 0;
                    unfinished.clear();
                    unfinishedBytes = 0;
                }
            }
            if (tooMany) {
                shut("a message of more than " + maxFrames + " frames");
            }
        }

        /** Closes the connection that holds the most bytes in a message it has not finished (maybe this one). */
        private void evictHoarder() {
            Connection hoarder = null;
            for (Connection c : connections) {
                if (!c.closed && c.unfinishedBytes > 0 && (hoarder == null || c.unfinishedBytes > hoarder.unfinishedBytes)) {
                    hoarder = c;
                }
            }
            if (hoarder != null) {
                hoarder.shut("the most bytes (" + hoarder.unfinishedBytes + ") in an unfinished message while "
                        + "the queued-bytes budget is full");
            }
        }

        /** Closes the connection; never called with a lock held (closing takes ConnectionGuard's). */
        private void shut(String why) {
            if (closed) {
                return;
            }
            closed = true;
            ended();
            SocketChannel ch = channel;
            if (ch != null) {
                close.accept(ch);
            } else {
                ch = resolver.apply(this); // binding an allocator that is shut closes its connection
            }
            if (warn.tryAcquire()) {
                log.warn("{} - closing a connection from {} that sent {}", name,
                        ch == null ? "?" : ch.socket().getInetAddress(), why);
            }
        }
    }

    /** A frame whose bytes are in the budget until the reader takes it (or its connection ends unread). */
    static class Budgeted extends Msg {
        private static final AtomicIntegerFieldUpdater<Budgeted> RELEASED =
                AtomicIntegerFieldUpdater.newUpdater(Budgeted.class, "released");
        private final Connection owner;
        final long charge;
        private volatile int released;

        Budgeted(Connection owner, int size, long charge) {
            super(size);
            this.owner = owner;
            this.charge = charge;
        }

        /** For {@link Discarded}: a view of the scratch buffer, nothing reserved. */
        Budgeted(Connection owner, ByteBuffer view) {
            super(view);
            this.owner = owner;
            this.charge = 0;
        }

        @Override
        public void setFlags(int flags) {
            super.setFlags(flags);
            owner.framed(this, flags);
        }

        /** Gives the bytes back, once (the reader and the connection's end may both try). */
        void release() {
            if (charge != 0 && RELEASED.compareAndSet(this, 0, 1)) {
                owner.budget().release(charge);
            }
        }
    }

    /** A frame that did not fit: read into the scratch buffer, so the reader must drop its message. */
    static final class Discarded extends Budgeted {
        Discarded(Connection owner, ByteBuffer view) {
            super(owner, view);
        }
    }
}
