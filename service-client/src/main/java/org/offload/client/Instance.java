package org.offload.client;

import java.util.concurrent.atomic.AtomicInteger;
import org.zeromq.ZMQ;

/**
 * One service instance as the client sees it: its addresses, its PUSH socket and its liveness. The sender
 * thread owns the socket and the rotation state; the receiver thread records what it hears.
 */
final class Instance {
    final String pullAddress;
    final String pubAddress;
    /** Replaced when the instance went silent (sender thread only). */
    ZMQ.Socket push;
    final AtomicInteger inFlight = new AtomicInteger();
    /**
     * Whether any call sent here was answered (receiver thread writes, sender thread reads): what tells an
     * instance that never really connected from one that is gone or full. Writability alone cannot: in
     * JeroMQ 0.6.0 a PUSH connected to an XPUB (PULL and PUB swapped) is writable for a moment.
     */
    volatile boolean answered;
    /** When a pong or a reply from this instance last arrived ({@code System.nanoTime()}; receiver writes). */
    volatile long lastHeardNanos;
    /**
     * The protocol version requests to this instance use: {@value org.offload.service.internal.Wire#VERSION_2}
     * once a pong said it speaks it ({@code offload-protocols}), else 1 (receiver writes, sender reads).
     */
    volatile int wireVersion = org.offload.service.internal.Wire.VERSION;
    /** The largest request frame its pong said it takes ({@code offload-max-request-bytes}); 0 until then. */
    volatile int maxRequestBytes;
    /** Its pong said it reads batch frames ({@code offload-batch: 1}, PROTOCOL.md section 2.2). */
    volatile boolean readsBatches;
    /** The id the instance's last pong gave; requests are bound to it. Empty until known, or if it gave none. */
    volatile String instanceId = "";
    /** Set by the receiver when a pong names an id other than {@link #instanceId}: the instance restarted. */
    volatile String restartedAs;
    /** The last pong said the instance is stopping: it gets nothing new. */
    volatile boolean stopping;
    /** What it serves, once a versioned request needed to know (VersionCatalog; callback thread writes). */
    volatile ServedRoutes routes;
    /** Discovery no longer lists it: no new calls; closed once nothing is in flight (sender thread). */
    boolean retired;

    // sender thread only
    /** The headers of a request without any but its binding to {@link #instanceId} (RequestSender.bound). */
    java.util.Map<String, String> bindingOnly;
    /** In the rotation: answered a ping since it was (re)connected, and not silent for the liveness timeout. */
    boolean alive;
    long lastPingNanos;
    /** Requests sealed for it in this pass of the sender thread, not yet sent. */
    final RequestBatch batch = new RequestBatch();
    /** When {@link #push} (and the SUB's connection) was last created. */
    long connectedSinceNanos;
    /** When the instance last left the rotation; what was heard before does not bring it back. */
    long silentSinceNanos;

    Instance(String pullAddress, String pubAddress, ZMQ.Socket push) {
        this(pullAddress, pubAddress, push, System.nanoTime());
    }

    Instance(String pullAddress, String pubAddress, ZMQ.Socket push, long now) {
        this.pullAddress = pullAddress;
        this.pubAddress = pubAddress;
        this.push = push;
        this.connectedSinceNanos = now;
        this.silentSinceNanos = now;
        this.lastHeardNanos = now - Long.MAX_VALUE / 4; // never heard
        this.lastPingNanos = now - Long.MAX_VALUE / 4;
    }

    /** Set when a send broke the PUSH (sender thread): liveness makes it anew at its next look. */
    boolean pushBroken;

    /**
     * Sender thread: sends the frames of {@code m} (three in version 1, one in version 2), or nothing if the PUSH cannot take a message now.
     * JeroMQ 0.6.0 can lose the connection between the frames of one message (a handshake that fails just
     * then), and its load balancer then fails an assertion (or throws) on the next frame; the partial message
     * dies with its pipe, so that counts as not sent, and the socket is made anew.
     */
    boolean send(org.offload.service.internal.Sealed m) {
        try {
            return m.send(push, ZMQ.DONTWAIT);
        } catch (AssertionError | RuntimeException e) {
            pushBroken = true;
            return false;
        }
    }

    /** Sender thread: true when the PUSH socket has a live connection with room under its HWM. */
    boolean writable() {
        return !pushBroken && (push.getEvents() & ZMQ.Poller.POLLOUT) != 0;
    }

    /** Sender thread: may take a new call now. */
    boolean inRotation() {
        return alive && !stopping && !retired && writable();
    }

    /** Receiver thread: something authentic came back from this instance. */
    void heard(long now) {
        lastHeardNanos = now;
    }

    /** Both addresses, for messages: {@code tcp://h:1 (PULL) / tcp://h:2 (PUB)}. */
    String addresses() {
        return pullAddress + " (PULL) / " + pubAddress + " (PUB)";
    }
}
