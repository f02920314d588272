package org.offload.client;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import org.offload.service.Body;
import org.offload.service.ProtocolException;
import org.offload.service.internal.Envelope;
import org.offload.service.internal.Proof;
import org.offload.service.internal.Sealed;
import org.offload.service.internal.Topics;
import org.offload.service.internal.WarnLimiter;
import org.offload.service.internal.Wire;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client's notification subscriptions (PROTOCOL.md section 20). For each distinct passphrase with an open
 * subscription, the SUB subscribes to that passphrase's notification topic ({@code 0xFF} and its tag), so every
 * instance of a service with that passphrase sends it all its notifications; they are verified, checked
 * against their instance's sequence (a gap is counted as missed, a number already seen is dropped) and handed
 * to the subscriptions whose service and topic prefix match. Subscribing and closing run on any thread; every
 * message is read on the receiver thread.
 */
final class Notifications {
    private static final Logger log = LoggerFactory.getLogger(ServiceClient.class);
    /** Instances whose last sequence number one passphrase's feed remembers; the least recently heard goes. */
    static final int MAX_INSTANCES_TRACKED = 4_096;

    /** One passphrase's notification topic, the SUBs subscribed to it, and its instances' last sequences. */
    private static final class Feed {
        final Proof proof;
        final byte[] topic;
        final Map<String, ClientSecurity> securities = new HashMap<>();
        int users;
        /** Receiver thread only: "service instance" to the last sequence number received. */
        final Map<String, Long> last = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
                return size() > MAX_INSTANCES_TRACKED;
            }
        };

        Feed(Proof proof, byte[] topic) {
            this.proof = proof;
            this.topic = topic;
        }
    }

    private final ClientIo io;
    private final String name;
    private final Executor executor;
    private final Map<ByteBuffer, Feed> feeds = new ConcurrentHashMap<>();
    private final Map<Subscription, Feed> subscriptions = new ConcurrentHashMap<>();
    private final WarnLimiter warn = new WarnLimiter();
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong missed = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();

    Notifications(ClientIo io, Executor executor) {
        this.io = io;
        this.name = io.name;
        this.executor = executor;
    }

    /** A subscription to {@code entry}'s notifications on topics that start with {@code topicPrefix}. */
    synchronized Subscription subscribe(ServiceEntry entry, String topicPrefix, NotificationHandler handler) {
        Topics.prefix(topicPrefix);
        Objects.requireNonNull(handler, "handler");
        byte[] topic = entry.proof.notifySubscription();
        Feed feed = feeds.computeIfAbsent(ByteBuffer.wrap(topic), k -> new Feed(entry.proof, topic));
        ClientSecurity security = entry.security;
        if (feed.securities.putIfAbsent(security.id(), security) == null) {
            io.receiver.execute(subs -> subs.prove(security, topic));
        }
        feed.users++;
        Subscription s = new Subscription(name, entry.name, topicPrefix, handler, executor, this);
        subscriptions.put(s, feed);
        log.debug("{} - subscribed to {} notifications on '{}'", name, entry.name, topicPrefix);
        return s;
    }

    /** {@code s} closed: the last subscription of its passphrase unsubscribes the SUBs. */
    synchronized void remove(Subscription s) {
        Feed feed = subscriptions.remove(s);
        if (feed == null || --feed.users > 0) {
            return;
        }
        feeds.remove(ByteBuffer.wrap(feed.topic));
        for (ClientSecurity security : feed.securities.values()) {
            io.receiver.execute(subs -> subs.unprove(security, feed.topic));
        }
    }

    /** True for a message whose topic frame is a notification's (it starts with the marker no client id has). */
    static boolean isNotification(byte[] topic) {
        return topic.length > 0 && topic[0] == Wire.NOTIFY_MARKER;
    }

    /** Receiver thread: one message whose topic frame starts with the marker; {@code count} frames in all. */
    void onMessage(byte[][] frames, int count) {
        byte[] t = frames[0];
        if (count != Wire.REPLY_FRAMES || t.length < Wire.NOTIFY_SUBSCRIPTION_BYTES) {
            reject("dropped a notification with " + count + " frames or a short topic");
            return;
        }
        Feed feed = feeds.get(ByteBuffer.wrap(t, 0, Wire.NOTIFY_SUBSCRIPTION_BYTES));
        if (feed == null) {
            return; // a copy still on its way after the last subscription closed
        }
        if (!feed.proof.verify(frames[1], frames[2], frames[3])) {
            reject("dropped a notification whose proof did not verify");
            return;
        }
        Envelope e;
        try {
            e = Wire.decode(frames[1]);
        } catch (ProtocolException x) {
            reject("dropped a malformed notification: " + x.getMessage());
            return;
        }
        String topic = e.headers().get(Wire.TOPIC);
        String service = e.headers().get(Wire.SERVICE);
        String instance = e.headers().get(Wire.INSTANCE);
        if (e.kind() != Wire.NOTIFICATION || topic == null || topic.isEmpty() || service == null || instance == null
                || e.requestId() == 0 || !topicFrameMatches(t, topic)) {
            reject("dropped a notification of kind " + e.kind() + " without its headers, or whose topic frame does"
                    + " not match its offload-topic");
            return;
        }
        long seq = e.requestId();
        String key = service + " " + instance;
        Long last = feed.last.get(key);
        if (last != null) {
            if (Long.compareUnsigned(seq, last) <= 0) {
                reject("dropped notification " + Long.toUnsignedString(seq) + " of " + service + " " + instance
                        + ": already past " + Long.toUnsignedString(last) + " (a replay or duplicate)");
                return;
            }
            long gap = seq - last - 1;
            if (gap > 0) {
                missed.addAndGet(gap);
                log.debug("{} - missed {} notifications of {} {}", name, gap, service, instance);
            }
        }
        feed.last.put(key, seq);
        Body body = Sealed.body(e.headers(), frames[2]);
        Notification n = new Notification(service, instance, topic, seq, Instant.ofEpochMilli(e.timestampMs()), body);
        boolean any = false;
        for (Map.Entry<Subscription, Feed> s : subscriptions.entrySet()) {
            if (s.getValue() == feed && s.getKey().wants(service, topic)) {
                any = true;
                if (!s.getKey().offer(n)) {
                    dropped.incrementAndGet();
                    if (warn.tryAcquire()) {
                        log.warn("{} - dropped a notification on {}: {} already wait for its handler", name, topic,
                                Subscription.MAX_QUEUED);
                    }
                }
            }
        }
        if (any) {
            received.incrementAndGet();
        }
    }

    private static boolean topicFrameMatches(byte[] frame, String topic) {
        byte[] expected = topic.getBytes(StandardCharsets.UTF_8);
        return frame.length == Wire.NOTIFY_SUBSCRIPTION_BYTES + expected.length && Arrays.equals(frame,
                Wire.NOTIFY_SUBSCRIPTION_BYTES, frame.length, expected, 0, expected.length);
    }

    private void reject(String what) {
        rejected.incrementAndGet();
        if (warn.tryAcquire()) {
            log.warn("{} - {} (rejected={})", name, what, rejected.get());
        }
    }

    NotificationStats stats() {
        return new NotificationStats(received.get(), missed.get(), rejected.get(), dropped.get());
    }
}
