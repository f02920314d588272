package org.offload.service.internal;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.SocketType;
import org.zeromq.ZMQ;

/**
 * The ZAP 1.0 handler (RFC 27) of one ZeroMQ context: a REP socket on {@value #ENDPOINT} and a thread that
 * answers 200 only for a CURVE client whose public key is the one registered for the request's ZAP domain,
 * and 400 for everything else. JeroMQ 0.6.0 admits every CURVE client when no handler is bound (the server
 * mechanism then skips ZAP), so each CURVE service registers its domain here before it binds. One handler
 * per context, because a context has one {@value #ENDPOINT}: the JVM's shared context may hold several
 * services. The last domain's {@link Domain#close()} stops the thread and closes the socket, so the context
 * can terminate. Not public API.
 */
public final class ZapHandler implements Runnable {
    public static final String ENDPOINT = "inproc://zeromq.zap.01";
    private static final Logger log = LoggerFactory.getLogger(ZapHandler.class);
    private static final int RECEIVE_TIMEOUT_MS = 50;
    private static final Map<ZMQ.Context, ZapHandler> handlers = new IdentityHashMap<>();
    private static final AtomicLong domains = new AtomicLong();

    private final ZMQ.Socket rep;
    private final Thread thread;
    private final Map<String, Domain> byDomain = new ConcurrentHashMap<>();
    private final WarnLimiter warn = new WarnLimiter();
    private volatile boolean stop;

    /** One service's registration: the client key it admits, and the counter of handshakes it refused. */
    public final class Domain implements AutoCloseable {
        private final String name;
        private final String domain;
        private final byte[] clientKey;
        private final AtomicLong refused;

        private Domain(String name, String domain, byte[] clientKey, AtomicLong refused) {
            this.name = name;
            this.domain = domain;
            this.clientKey = clientKey;
            this.refused = refused;
        }

        /** The ZAP domain to set on the service's sockets. */
        public String domain() {
            return domain;
        }

        /** Unregisters; the context's last domain stops the handler. */
        @Override
        public void close() {
            unregister(this);
        }
    }

    private ZapHandler(ZMQ.Context context) {
        this.rep = context.socket(SocketType.REP);
        rep.setLinger(0);
        rep.setReceiveTimeOut(RECEIVE_TIMEOUT_MS);
        rep.bind(ENDPOINT);
        this.thread = new Thread(this, "offload-zap");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Registers service {@code name}, which admits only CURVE clients with {@code clientKey}, in
     * {@code context}'s handler (started on the first registration); each refusal counts in {@code refused}.
     * Call before binding the sockets.
     */
    public static Domain register(ZMQ.Context context, String name, byte[] clientKey, AtomicLong refused) {
        synchronized (handlers) {
            ZapHandler h = handlers.computeIfAbsent(context, ZapHandler::new);
            Domain d = h.new Domain(name, "offload-" + domains.incrementAndGet(), clientKey.clone(), refused);
            h.byDomain.put(d.domain, d);
            return d;
        }
    }

    private static void unregister(Domain d) {
        ZapHandler stopped = null;
        synchronized (handlers) {
            for (Map.Entry<ZMQ.Context, ZapHandler> e : handlers.entrySet()) {
                ZapHandler h = e.getValue();
                if (h.byDomain.remove(d.domain, d) && h.byDomain.isEmpty()) {
                    handlers.remove(e.getKey());
                    stopped = h;
                    break;
                }
            }
        }
        if (stopped != null) {
            stopped.stopAndJoin();
        }
    }

    private void stopAndJoin() {
        stop = true;
        try {
            thread.join(RECEIVE_TIMEOUT_MS * 40L);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            log.error("ZAP handler did not stop within {} ms; the context may not terminate", RECEIVE_TIMEOUT_MS * 40L);
        }
    }

    @Override
    public void run() {
        try {
            while (!stop) {
                byte[] first = rep.recv(0);
                if (first != null) {
                    answer(first);
                }
            }
        } catch (RuntimeException e) {
            if (!stop) {
                log.error("ZAP handler failed; CURVE handshakes on this context will stall until the handshake timeout", e);
            }
        } finally {
            // unbind first: it frees the inproc endpoint at once, while close() frees it later on JeroMQ's
            // reaper, and a service started right after this one on the same context must bind it again
            try {
                rep.unbind(ENDPOINT);
            } catch (RuntimeException e) {
                log.debug("ZAP handler: unbind failed", e);
            }
            rep.close();
        }
    }

    /** One request: version, request id, domain, address, identity, mechanism, then the credentials. */
    private void answer(byte[] version) {
        byte[][] f = new byte[7][];
        f[0] = version;
        int count = 1;
        while (rep.hasReceiveMore()) {
            byte[] frame = rep.recv(0);
            if (count < f.length) {
                f[count] = frame;
            }
            count++;
        }
        String requestId = count > 1 ? new String(f[1], StandardCharsets.UTF_8) : "";
        if (count != 7 || !"1.0".equals(new String(version, StandardCharsets.UTF_8))) {
            reply(requestId, "400", "malformed ZAP request");
            return;
        }
        Domain d = byDomain.get(new String(f[2], StandardCharsets.UTF_8));
        String mechanism = new String(f[5], StandardCharsets.UTF_8);
        if (d != null && "CURVE".equals(mechanism) && Arrays.equals(d.clientKey, f[6])) {
            reply(requestId, "200", "OK");
            return;
        }
        if (d != null) {
            d.refused.incrementAndGet();
        }
        if (d != null && warn.tryAcquire()) {
            log.warn("{} - refused a {} handshake from {}: not the key of this service's passphrase (refused={})",
                    d.name, mechanism, new String(f[3], StandardCharsets.UTF_8), d.refused.get());
        }
        reply(requestId, "400", "client key not accepted");
    }

    private void reply(String requestId, String status, String text) {
        rep.sendMore("1.0");
        rep.sendMore(requestId);
        rep.sendMore(status);
        rep.sendMore(text);
        rep.sendMore("");
        rep.send("");
    }
}
