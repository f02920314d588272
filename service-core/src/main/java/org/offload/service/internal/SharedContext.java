package org.offload.service.internal;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
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
 *
 * <p>Every context it hands out reports the death of one of its JeroMQ threads (I/O thread or reaper, e.g.
 * of an {@link OutOfMemoryError}): JeroMQ 0.6.0 lets such a thread end silently, leaving every socket of the
 * context deaf and {@code term()} hung. The lease's failure listener hears of it (the service then fails
 * loudly); a lease of the shared context hears of a death in it whoever caused it.
 * Not public API.
 */
public final class SharedContext {
    private static final Logger log = LoggerFactory.getLogger(SharedContext.class);
    private static final List<Consumer<Throwable>> sharedListeners = new CopyOnWriteArrayList<>();
    private static ZMQ.Context context;
    private static int users;
    private static final Set<String> bound = new HashSet<>();

    private SharedContext() {}

    /** The shared context; each call must be matched by one {@link #release}. */
    private static synchronized ZMQ.Context acquire() {
        if (users++ == 0) {
            context = watched(ZMQ.context(1), e -> sharedListeners.forEach(l -> l.accept(e)));
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
        return lease(shared, e -> { });
    }

    /**
     * {@link #lease(boolean)}, with {@code onThreadDeath} told (on the dying thread, so it must be quick) when
     * a JeroMQ thread of the context dies of an uncaught exception or error. Such a context cannot be
     * terminated any more: {@link Lease#end()} then leaves it.
     */
    public static Lease lease(boolean shared, Consumer<Throwable> onThreadDeath) {
        if (!shared) {
            return new Lease(watched(ZMQ.context(1), onThreadDeath), false, onThreadDeath);
        }
        sharedListeners.add(onThreadDeath);
        return new Lease(acquire(), true, onThreadDeath);
    }

    /** Installs the handlers before any socket exists (JeroMQ refuses them afterwards). */
    private static ZMQ.Context watched(ZMQ.Context ctx, Consumer<Throwable> onThreadDeath) {
        ctx.setUncaughtExceptionHandler((thread, e) -> {
            try {
                log.error("JeroMQ thread {} died; every socket of its context is deaf from now on", thread.getName(), e);
            } finally {
                onThreadDeath.accept(e);
            }
        });
        // JeroMQ's poller survives a RuntimeException in a handler and reports it here (default: printStackTrace)
        ctx.setNotificationExceptionHandler((thread, e) ->
                log.warn("JeroMQ thread {} caught an exception and goes on", thread.getName(), e));
        return ctx;
    }

    /** A context and whether it is the shared one; end it once, after closing its sockets. */
    public record Lease(ZMQ.Context context, boolean shared, Consumer<Throwable> onThreadDeath) {
        /** Terminates an own context or releases the shared one; {@code broken}: a JeroMQ thread died, do not wait for it. */
        public void end(boolean broken) {
            if (shared) {
                sharedListeners.remove(onThreadDeath);
                if (broken) {
                    log.error("the shared ZeroMQ context lost a thread; it is left unterminated");
                    return;
                }
                release();
            } else if (!broken) {
                context.term();
            }
        }

        public void end() {
            end(false);
        }
    }

    /**
     * Closes a service's bound {@code socket}, releasing its inproc endpoint first. JeroMQ 0.6.0 releases a
     * closed socket's inproc endpoints only when its reaper thread gets to the socket, so a service restarted
     * on the same inproc address right after the old one stopped could fail to bind ("address already in
     * use"); {@code unbind} releases it at once, on the calling thread.
     */
    public static void closeReleasingInproc(ZMQ.Socket socket) {
        String endpoint = socket.getLastEndpoint();
        if (endpoint != null && isInproc(endpoint)) {
            try {
                socket.unbind(endpoint);
            } catch (RuntimeException e) {
                log.debug("unbinding {} before close failed", endpoint, e);
            }
        }
        socket.close();
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
