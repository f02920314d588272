package org.offload.service.internal;

import java.util.HashSet;
import java.util.Set;
import org.zeromq.ZMQ;

/**
 * The one ZeroMQ context of this JVM that {@code inproc://} endpoints live in. An inproc endpoint is visible
 * only to sockets of the context that bound it, so a service and a client in one JVM can talk over inproc
 * only when both take their sockets from here. Counted: the first {@link #lease} of it creates it, the
 * last {@link Lease#end} terminates it (after its user closed its sockets), so nothing outlives the last user.
 * A service bound to tcp or ipc keeps a context of its own, and with it its own I/O thread.
 *
 * <p>It also knows which inproc endpoints are bound, because JeroMQ 0.6.0 mishandles an inproc connect that
 * comes before the bind: the first message the connecting side queued is dropped and its identity frame is
 * delivered in its place, so a SUB's subscription is lost (and an XPUB under {@code -ea} fails an assertion
 * in {@code SocketBase.extractFlags}). Clients therefore connect to an inproc endpoint only once it is bound.
 * Not public API.
 */
public final class SharedContext {
    private static ZMQ.Context context;
    private static int users;
    private static final Set<String> bound = new HashSet<>();

    private SharedContext() {}

    /** The shared context; each call must be matched by one {@link #release}. */
    private static synchronized ZMQ.Context acquire() {
        if (users++ == 0) {
            context = ZMQ.context(1);
        }
        return context;
    }

    /** One user fewer; the last one terminates the context, so its sockets must be closed first. */
    private static void release() {
        ZMQ.Context last;
        synchronized (SharedContext.class) {
            if (users == 0) {
                throw new IllegalStateException("SharedContext released more often than acquired");
            }
            if (--users > 0) {
                return;
            }
            last = context;
            context = null;
        }
        last.term(); // outside the lock: term waits for sockets, and a new acquire must not wait for it
    }

    /**
     * A context for one service or client: the shared one when {@code shared} (it speaks inproc), else a
     * context of its own. {@link Lease#end()} terminates an own context or releases the shared one.
     */
    public static Lease lease(boolean shared) {
        return new Lease(shared ? acquire() : ZMQ.context(1), shared);
    }

    /** A context and whether it is the shared one; end it once, after closing its sockets. */
    public record Lease(ZMQ.Context context, boolean shared) {
        public void end() {
            if (shared) {
                release();
            } else {
                context.term();
            }
        }
    }

    /** A service bound {@code address} in the shared context. */
    public static synchronized void bound(String address) {
        bound.add(address);
    }

    /** The service that bound {@code address} closed its socket. */
    public static synchronized void unbound(String address) {
        bound.remove(address);
    }

    /** True while a service of this JVM has {@code address} bound. */
    public static synchronized boolean isBound(String address) {
        return bound.contains(address);
    }

    /** True for an {@code inproc://} address, whose peers must share the leased context. */
    public static boolean isInproc(String address) {
        return address.startsWith("inproc://");
    }
}
