package org.offload.client;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.offload.service.Body;
import org.offload.service.ServiceUnavailableException;
import org.offload.service.internal.Envelope;
import org.offload.service.internal.Sealed;
import org.offload.service.internal.SharedContext;
import org.offload.service.internal.Wire;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.ZMQ;

/**
 * Application-level liveness, Paranoid Pirate style (PROTOCOL.md section 17), on the sender thread. Each
 * instance is pinged through its real PUSH when nothing has been heard from it for the liveness interval; the
 * pong comes back through the SUB like any reply. An instance enters the rotation on its first pong and
 * learns its instance id from it; one silent for the liveness timeout leaves the rotation, its calls in
 * flight fail at once (they may or may not have run, so they are never sent again), and its connections are
 * recreated until it answers again. ZMTP heartbeats cannot do this: JeroMQ 0.6.0 keeps a PUSH "writable"
 * through a 20 s packet drop, and never reconnects a session it ended on a protocol error.
 */
final class Liveness {
    private static final Logger log = LoggerFactory.getLogger(ServiceClient.class);
    /** How often an instance out of the rotation is pinged, so it rejoins soon after it can answer. */
    static final long PROBE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /**
     * An instance out of the rotation whose PUSH has not finished a handshake this long after a (re)connect is
     * connected anew: a connect stuck on an unreachable host, or a handshake with a frozen process, never
     * ends by itself, and JeroMQ's reconnect backoff would otherwise add up to its maximum.
     */
    static final long RECONNECT_NANOS = TimeUnit.MILLISECONDS.toNanos(300);
    /** ... with CURVE, whose handshakes are slow (see {@link #reconnectNanos}). */
    static final long RECONNECT_CURVE_NANOS = TimeUnit.MILLISECONDS.toNanos(1_500);
    /** ... and even with a finished handshake, after this long without a pong (the SUB's side may be dead). */
    static final long RECONNECT_WRITABLE_NANOS = TimeUnit.SECONDS.toNanos(2);
    /** How often the sender thread looks at the instances while all are in the rotation. */
    static final long CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    /** ... and while some instance is out of it (a new one waits for its first pong). */
    static final long FAST_CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    /** A ping in flight, by request id (receiver reads). */
    record Ping(ServiceEntry service, Instance instance, byte[] proof, long sentNanos) {
    }

    private final ClientIo io;
    private final Connections connections;
    private final LongSupplier nextRequestId;
    private final long intervalNanos;
    private final long timeoutNanos;
    private long nextCheckNanos;
    private boolean allAlive;

    Liveness(ClientIo io, Connections connections, LongSupplier nextRequestId) {
        this.io = io;
        this.connections = connections;
        this.nextRequestId = nextRequestId;
        this.intervalNanos = io.settings.livenessInterval().toNanos();
        this.timeoutNanos = io.settings.livenessTimeout().toNanos();
    }

    /**
     * A client that was not running (a GC pause, a starved or frozen process) must not take that for its
     * instances' silence: after a late look, or while the reply thread is behind, nobody is called silent
     * until a full liveness timeout of listening has passed.
     */
    private long lastTickNanos = System.nanoTime();
    private long judgeFromNanos = lastTickNanos; // nanoTime may be negative: never compare with 0

    /** Nanoseconds until the next look, for the sender's sleep. */
    long nanosToNextCheck(long now) {
        return Math.max(0, nextCheckNanos - now);
    }

    /** Sender thread, every loop: pings what is due, takes silent instances out, brings answering ones back. */
    void tick(long now, Collection<ServiceEntry> services) {
        if (now - nextCheckNanos < 0) {
            return;
        }
        long receiverBehind = now - io.receiver.lastLoopNanos;
        if (now - lastTickNanos > timeoutNanos / 2 || receiverBehind > intervalNanos) {
            judgeFromNanos = now + timeoutNanos;
        }
        lastTickNanos = now;
        boolean all = true;
        for (ServiceEntry service : services) {
            for (Instance i : service.instances) {
                check(now, service, i);
                all &= i.alive;
            }
        }
        allAlive = all;
        expirePings(now);
        nextCheckNanos = now + (allAlive ? Math.min(CHECK_NANOS, intervalNanos / 4) : FAST_CHECK_NANOS);
    }

    private void check(long now, ServiceEntry service, Instance i) {
        if (i.pushBroken) {
            i.pushBroken = false;
            reconnect(now, service, i); // a send broke it: a new PUSH, whatever the rotation says
        }
        String announced = i.restartedAs;
        if (announced != null) {
            i.restartedAs = null;
            adopt(service, i, announced);
        }
        boolean heardSinceSilent = i.lastHeardNanos - i.silentSinceNanos > 0;
        if (i.alive && now - i.lastHeardNanos > timeoutNanos && now - judgeFromNanos >= 0) {
            silent(now, service, i);
        } else if (!i.alive && heardSinceSilent) {
            i.alive = true;
            log.info("{} - {} instance {} answers{}: in the rotation", io.name, service.name, i.addresses(),
                    i.instanceId.isEmpty() ? "" : " as " + i.instanceId);
            service.ready();
        }
        long since = now - i.connectedSinceNanos;
        if (!i.alive && !heardSinceSilent
                && (since > RECONNECT_WRITABLE_NANOS || (since > reconnectNanos(service) && !i.writable()))) {
            reconnect(now, service, i);
        }
        long every = i.alive ? intervalNanos : PROBE_NANOS;
        if (now - i.lastPingNanos >= every && now - i.lastHeardNanos >= (i.alive ? intervalNanos : 0)) {
            ping(now, service, i);
        }
    }

    /** The instance named an id: bind to it; if it had another, it restarted and what went to the old run is lost. */
    private void adopt(ServiceEntry service, Instance i, String id) {
        String old = i.instanceId;
        i.instanceId = id;
        if (old.isEmpty() || old.equals(id)) {
            return;
        }
        int failed = failInFlight(i, "restarted (instance id " + old + " is now " + id + ") while request");
        log.warn("{} - {} instance {} restarted (id {} -> {}); failed {} calls sent to its previous run", io.name,
                service.name, i.addresses(), old, id, failed);
    }

    private void silent(long now, ServiceEntry service, Instance i) {
        i.alive = false;
        i.silentSinceNanos = now;
        int failed = failInFlight(i, "went silent (nothing heard for "
                + TimeUnit.NANOSECONDS.toMillis(now - i.lastHeardNanos) + " ms) while request");
        log.warn("{} - {} instance {} went silent: nothing heard for {} ms; out of the rotation, {} calls in flight"
                + " failed, reconnecting", io.name, service.name, i.addresses(),
                TimeUnit.NANOSECONDS.toMillis(now - i.lastHeardNanos), failed);
        reconnect(now, service, i);
    }

    /** Fails every call in flight on {@code i}: it may have run, so it is never sent again. */
    private int failInFlight(Instance i, String what) {
        int n = 0;
        for (Pending p : new ArrayList<>(io.pending.values())) {
            if (p.instance == i) {
                io.unavailable.incrementAndGet();
                io.fail(p, new ServiceUnavailableException(io.name + " - " + p.service.name + " instance "
                        + i.addresses() + " " + what + " " + p.request.path() + " was in flight; it may or may not"
                        + " have run, so it is not sent again"));
                n++;
            }
        }
        io.pings.values().removeIf(ping -> ping.instance() == i);
        return n;
    }

    /** New PUSH, and the SUB's connection to the instance's PUB made again: whatever JeroMQ's state was. */
    private void reconnect(long now, ServiceEntry service, Instance i) {
        i.connectedSinceNanos = now;
        if (SharedContext.isInproc(i.pullAddress)) {
            return; // an inproc connection lives as long as its service; there is nothing to recreate
        }
        try {
            i.push = connections.reopenPush(i.pullAddress, service.security, i.push);
        } catch (RuntimeException e) { // the old PUSH is closed: a later tick tries again
            log.warn("{} - could not reconnect to {}: {}", io.name, i.pullAddress, e.getMessage());
            i.push = connections.closedPush();
            return;
        }
        connections.reconnectPub(i.pubAddress, service.security);
    }

    /**
     * How long a new connection may stay without a finished handshake before it is made again: a CURVE
     * handshake in JeroMQ 0.6.0 is pure Java and slow on a busy machine, so it gets longer.
     */
    private static long reconnectNanos(ServiceEntry service) {
        return service.security.encryption() == org.offload.service.Encryption.CURVE ? RECONNECT_CURVE_NANOS
                : RECONNECT_NANOS;
    }

    private void ping(long now, ServiceEntry service, Instance i) {
        if (!i.writable() || !i.batch.isEmpty()) { // sealed calls with lower ids go first (RequestSender's loop)
            return;
        }
        long requestId = nextRequestId.getAsLong();
        Envelope e = new Envelope(Wire.REQUEST, io.id, requestId, System.currentTimeMillis(),
                TimeUnit.NANOSECONDS.toMillis(timeoutNanos), 0, Wire.PING, Wire.PING_PATH, "", Map.of());
        Sealed m = Sealed.seal(service.proof, e, Body.empty());
        io.pings.put(requestId, new Ping(service, i, m.proof(), now));
        if (!i.send(m)) {
            io.pings.remove(requestId);
            return;
        }
        i.lastPingNanos = now;
    }

    private void expirePings(long now) {
        io.pings.values().removeIf(ping -> now - ping.sentNanos() > timeoutNanos);
    }

    /** Unregistering: its pings are of no interest any more. */
    void forget(Instance i) {
        io.pings.values().removeIf(ping -> ping.instance() == i);
    }
}
