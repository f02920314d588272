package org.offload.service;

import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.offload.service.internal.ClientId;
import org.offload.service.internal.Envelope;
import org.offload.service.internal.Proof;
import org.offload.service.internal.Sealed;
import org.offload.service.internal.Topics;
import org.offload.service.internal.WarnLimiter;
import org.offload.service.internal.Wire;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An instance's notifications (PROTOCOL.md section 20). Any thread {@link #publish}es: the event goes, as
 * bytes, into a queue bounded in bytes (full: dropped and counted, the caller never waits), and the I/O thread
 * {@link #drain}s it in order, numbering each one (the instance's sequence, from 1), signing it and handing it
 * to the XPUB under the publisher's lock. No caller thread touches the socket, so an interrupted handler
 * cannot break it.
 */
final class Notifier {
    private static final Logger log = LoggerFactory.getLogger(ServiceServer.class);
    /** Bytes each queued notification counts beyond its topic and body. */
    static final int OVERHEAD_BYTES = 128;

    private record Event(byte[] topic, String topicText, Body body, long timestampMs, int bytes) {
    }

    private final String name;
    private final String instanceId;
    private final Proof proof;
    private final byte[] subscription;
    private final long maxQueuedBytes;
    private final Runnable wakeup;
    private final ConcurrentLinkedQueue<Event> queue = new ConcurrentLinkedQueue<>();
    private final AtomicLong queuedBytes = new AtomicLong();
    private final AtomicLong published = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final WarnLimiter warn = new WarnLimiter();
    /** I/O thread only. */
    private long sequence;
    private volatile boolean closed;

    Notifier(String name, String instanceId, Proof proof, long maxQueuedBytes, Runnable wakeup) {
        this.name = name;
        this.instanceId = instanceId;
        this.proof = proof;
        this.subscription = proof.notifySubscription();
        this.maxQueuedBytes = maxQueuedBytes;
        this.wakeup = wakeup;
    }

    /**
     * Queues a notification on {@code topic}; true when queued, false when dropped (queue full, or stopping).
     * Throws {@link IllegalArgumentException} for an invalid topic or a body above {@link Wire#MAX_NOTIFICATION_BODY_BYTES}.
     */
    boolean publish(String topic, Body body) {
        byte[] t = Topics.topic(topic);
        Objects.requireNonNull(body, "body");
        int size = body.size();
        if (size > Wire.MAX_NOTIFICATION_BODY_BYTES) {
            throw new IllegalArgumentException("notification body must be <= " + Wire.MAX_NOTIFICATION_BODY_BYTES
                    + " bytes but was " + size);
        }
        int bytes = OVERHEAD_BYTES + t.length + size;
        if (closed || queuedBytes.addAndGet(bytes) > maxQueuedBytes) {
            if (!closed) {
                queuedBytes.addAndGet(-bytes);
            }
            dropped.incrementAndGet();
            if (warn.tryAcquire()) {
                log.warn("{} - dropped a notification on {}: {}", name, topic, closed ? "the service is stopping"
                        : "the notification queue is full (" + maxQueuedBytes + " bytes)");
            }
            return false;
        }
        queue.add(new Event(t, topic, body, System.currentTimeMillis(), bytes));
        wakeup.run();
        return true;
    }

    /** I/O thread: publishes every queued notification, in order. */
    void drain(ReplyPublisher publisher) {
        Event e;
        while ((e = queue.poll()) != null) {
            queuedBytes.addAndGet(-e.bytes());
            long seq = ++sequence;
            Envelope env = new Envelope(Wire.NOTIFICATION, ClientId.NONE, seq, e.timestampMs(), 0, 0, Wire.NOTIFY, "/",
                    "", Map.of(Wire.TOPIC, e.topicText(), Wire.SERVICE, name, Wire.INSTANCE, instanceId));
            Sealed sealed = Sealed.seal(proof, env, e.body());
            byte[] frame = new byte[subscription.length + e.topic().length];
            System.arraycopy(subscription, 0, frame, 0, subscription.length);
            System.arraycopy(e.topic(), 0, frame, subscription.length, e.topic().length);
            if (publisher.publishNotification(frame, sealed)) {
                published.incrementAndGet();
            } else {
                dropped.incrementAndGet();
            }
        }
    }

    /** Stops taking notifications; what is still queued is dropped by {@link #discard}. */
    void close() {
        closed = true;
    }

    void discard() {
        Event e;
        while ((e = queue.poll()) != null) {
            queuedBytes.addAndGet(-e.bytes());
            dropped.incrementAndGet();
        }
    }

    NotifierStats stats() {
        return new NotifierStats(published.get(), dropped.get(), queuedBytes.get());
    }
}
