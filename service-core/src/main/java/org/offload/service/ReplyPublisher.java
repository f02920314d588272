package org.offload.service;

import java.io.IOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.offload.service.internal.Batch;
import org.offload.service.internal.ClientId;
import org.offload.service.internal.ManualXpub;
import org.offload.service.internal.Proof;
import org.offload.service.internal.SharedContext;
import org.offload.service.internal.Sealed;
import org.offload.service.internal.WarnLimiter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.ZMQ;
import zmq.pipe.Pipe;

/**
 * Owns the XPUB socket. Any thread may {@link #publish} under the lock (workers publish their own replies:
 * no thread hop); the housekeeping thread watches subscriptions, flushes parked replies and drops expired
 * ones. Every lock holder first reads pending subscription messages, so the live set is never stale for
 * long. Callers must not be interruptible while publishing: an interrupt during a JeroMQ send can close
 * the channel ZeroMQ signals through.
 */
final class ReplyPublisher {
    private static final Logger log = LoggerFactory.getLogger(ServiceServer.class);
    private static final long SWEEP_MS = 50;
    /** Subscription messages read per lock hold; the housekeeper reads the rest on its next pass. */
    private static final int SUBSCRIPTION_BATCH = 256;
    /** Outbox replies published per pass under the lock; a holder makes passes until the outbox is empty. */
    private static final int OUTBOX_BATCH = 1_024;
    /** Most answers to unauthenticated messages (401, 505) parked at once. */
    static final int MAX_UNTRUSTED_PARKED = 1_000;
    /** How long an answer to an unauthenticated message may wait for its client's subscription. */
    static final long UNTRUSTED_PARK_NANOS = TimeUnit.SECONDS.toNanos(2);

    /** One client may hold at most this share of {@code maxParkedReplies} (a tenth), so no client fills it. */
    static final int PER_CLIENT_SHARE = 10;

    /** The most replies one client may have parked: a tenth of {@code maxParked}, at least one. */
    static int perClientLimit(int maxParked) {
        return Math.max(1, maxParked / PER_CLIENT_SHARE);
    }

    /**
     * A sealed reply and how long it may wait to be published. {@code batchLimit} &gt; 0: it may travel in a
     * batch frame of at most that many bytes ({@link Batch}; its client reads them); 0: alone.
     */
    record Outbound(ClientId topic, Sealed sealed, long expiresAtNanos, boolean untrusted, int batchLimit) {
        Outbound(ClientId topic, Sealed sealed, long expiresAtNanos) {
            this(topic, sealed, expiresAtNanos, false, 0);
        }

        Outbound(ClientId topic, Sealed sealed, long expiresAtNanos, boolean untrusted) {
            this(topic, sealed, expiresAtNanos, untrusted, 0);
        }
    }

    private final String name;
    private final ZMQ.Socket pub;
    private final int maxParked;
    private final int maxParkedPerClient;
    private final ServerCounters counters;
    private final ReentrantLock lock = new ReentrantLock();
    private final ManualXpub xpub;
    private final SubscriptionGate gate;
    private final Map<ClientId, ArrayDeque<Outbound>> parked = new HashMap<>();
    private final WarnLimiter warn = new WarnLimiter();
    /** Replies that may be batched, waiting for a lock holder to publish them ({@link #publish}). */
    private final ConcurrentLinkedQueue<Outbound> outbox = new ConcurrentLinkedQueue<>();
    private final ReplyBatcher batcher = new ReplyBatcher(new ReplyBatcher.Sink() {
        @Override
        public boolean canSend(ClientId topic) {
            return gate.isLive(topic) && !parked.containsKey(topic);
        }

        @Override
        public boolean send(ClientId topic, Sealed message) {
            return trySend(new Outbound(topic, message, 0));
        }

        @Override
        public void park(Outbound o) {
            ReplyPublisher.this.park(o);
        }
    });
    /** The housekeeping thread's selector, woken when replies wait in the outbox and nobody may send them. */
    private volatile Selector housekeeper;
    /** When the oldest reply now lingering in the outbox began to (nanoTime, never 0), or 0: none lingers. */
    private volatile long lingeringSince;
    private int parkedCount;
    private int untrustedCount;
    private boolean blockedByHwm;
    private boolean closed;
    private long nextSweep = System.nanoTime();

    ReplyPublisher(String name, ZMQ.Socket pub, ManualXpub xpub, Proof proof, int maxParked, ServerCounters counters) {
        this.name = name;
        this.pub = pub;
        this.xpub = xpub;
        this.gate = new SubscriptionGate(name, xpub, proof, counters);
        this.maxParked = maxParked;
        this.maxParkedPerClient = perClientLimit(maxParked);
        this.counters = counters;
    }

    /**
     * Publishes {@code o} now, or parks it until its client subscribes or the HWM has room. A reply that may
     * travel in a batch goes through the {@link #outbox}: the thread that holds the lock (or takes it next)
     * publishes what waits there, one batch frame per client, so a worker never waits for another's send and
     * replies that pile up while the socket is busy leave together.
     */
    void publish(Outbound o) {
        publish(o, false);
    }

    /**
     * {@link #publish}, but when {@code mayLinger} (a quick job is next, {@link ReplyLinger}) a batchable
     * reply waits in the outbox for the replies behind it, at most {@link ReplyLinger#MAX_LINGER_NANOS} after
     * the first one began to wait; {@link #flushLingering} or any later publish sends it.
     */
    void publish(Outbound o, boolean mayLinger) {
        if (o.batchLimit() > 0) {
            outbox.add(o);
            if (mayLinger && mayStillLinger()) {
                return;
            }
            drainOutbox();
            return;
        }
        lock.lock();
        try {
            publishLocked(o);
        } finally {
            release();
        }
    }

    private void publishLocked(Outbound o) {
        if (closed) {
            counters.dropped.incrementAndGet();
            return;
        }
        drainAllLocked(); // what was queued before it leaves before it
        readSubscriptions();
        if (!gate.isLive(o.topic()) || parked.containsKey(o.topic()) || !trySend(o)) {
            park(o);
        }
    }

    /**
     * Publishes what waits in the outbox unless another thread holds the lock: that thread does it when it
     * lets go (every holder that may send calls this after unlocking), so nothing is left behind.
     */
    private void drainOutbox() {
        while (!outbox.isEmpty() && lock.tryLock()) {
            try {
                drainLocked();
            } finally {
                lock.unlock();
            }
        }
    }

    /** True while the first reply lingering in the outbox began to less than the linger limit ago. */
    private boolean mayStillLinger() {
        long now = System.nanoTime();
        long since = lingeringSince;
        if (since == 0) {
            lingeringSince = now | 1; // 0 means none lingers
            return true;
        }
        return now - since < ReplyLinger.MAX_LINGER_NANOS;
    }

    /** True when replies wait in the outbox (lingering, or for the lock holder to send them). */
    boolean hasOutbox() {
        return !outbox.isEmpty();
    }

    /** Publishes what lingers in the outbox (a worker about to wait, or to run a job that may take long). */
    void flushLingering() {
        drainOutbox();
    }

    /** Publishes what lingers in the outbox once the first of it has waited the linger limit (quick jobs go on). */
    void flushLingeringIfDue() {
        long since = lingeringSince;
        if (since != 0 && System.nanoTime() - since >= ReplyLinger.MAX_LINGER_NANOS) {
            drainOutbox();
        }
    }

    /** Unlocks, then publishes what arrived in the outbox meanwhile (its adders found the lock taken). */
    private void release() {
        lock.unlock();
        drainOutbox();
    }

    /** Unlock for a thread that must not send (it may be interruptible): the housekeeper publishes instead. */
    private void releaseWithoutSending() {
        lock.unlock();
        if (!outbox.isEmpty()) {
            Selector s = housekeeper;
            if (s != null) {
                s.wakeup();
            }
        }
    }

    /** Under the lock: publishes everything in the outbox (the housekeeper, and the last flush). */
    private void drainAllLocked() {
        while (!outbox.isEmpty()) {
            drainLocked();
        }
    }

    /** Under the lock: takes up to {@value #OUTBOX_BATCH} replies from the outbox and publishes them, batched per client. */
    private void drainLocked() {
        lingeringSince = 0; // what lingers is taken now; a reply added from here on starts a new wait
        List<Outbound> taken = new ArrayList<>();
        Outbound o;
        while (taken.size() < OUTBOX_BATCH && (o = outbox.poll()) != null) {
            taken.add(o);
        }
        if (taken.isEmpty()) {
            return;
        }
        if (closed) {
            counters.dropped.addAndGet(taken.size());
            return;
        }
        readSubscriptions();
        batcher.publish(taken);
    }

    /** Like {@link #publish} for an answer to an unauthenticated message: parked only within its own bound. */
    void publishUntrusted(Outbound o) {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            readSubscriptions();
            boolean sent = !parked.containsKey(o.topic()) && deliver(new Outbound(o.topic(), o.sealed(),
                    o.expiresAtNanos(), true));
            if (!sent && untrustedCount < MAX_UNTRUSTED_PARKED) {
                park(new Outbound(o.topic(), o.sealed(), o.expiresAtNanos(), true));
            } else if (!sent) {
                counters.dropped.incrementAndGet();
            }
        } finally {
            release();
        }
    }

    /**
     * Sends one notification ({@code topic} frame, then {@code m}) to every connection whose notification
     * subscription was proved; a connection at its send high-water mark misses it (ZeroMQ drops its copy).
     * False when the socket is closed or refused the message.
     */
    boolean publishNotification(byte[] topic, Sealed m) {
        lock.lock();
        try {
            if (closed) {
                return false;
            }
            readSubscriptions();
            if (!pub.send(topic, ZMQ.SNDMORE | ZMQ.DONTWAIT)) {
                return false;
            }
            pub.send(m.envelope(), ZMQ.SNDMORE);
            pub.send(m.body(), ZMQ.SNDMORE);
            pub.send(m.proof(), 0);
            return true;
        } finally {
            release();
        }
    }

    /**
     * What the XPUB holds: subscribed clients, nodes of JeroMQ's subscription tries, subscription messages
     * queued for reading, peers disconnected for their subscriptions.
     */
    record SubscriptionState(int liveClients, long trieNodes, int queued, long disconnected) {
    }

    SubscriptionState subscriptionState() {
        lock.lock();
        try {
            return new SubscriptionState(gate.liveClients(), xpub.trieNodes(), xpub.queued(), xpub.disconnected());
        } finally {
            releaseWithoutSending();
        }
    }

    /** Replies parked, and replies in the outbox not yet taken by a lock holder. */
    int parkedCount() {
        lock.lock();
        try {
            return parkedCount + outbox.size();
        } finally {
            releaseWithoutSending();
        }
    }

    /**
     * The housekeeping loop body: waits for a subscription signal (or a short timeout while replies are
     * parked), then reads subscriptions, flushes and sweeps.
     */
    void housekeep(Selector selector) throws IOException {
        long timeout;
        lock.lock();
        try {
            readSubscriptions();
            if (blockedByHwm) {
                flushLive();
            }
            drainLocked(); // one pass; a fuller outbox makes the next pass come at once
            long now = System.nanoTime();
            if (now - nextSweep >= 0) {
                sweep(now);
                nextSweep = now + TimeUnit.MILLISECONDS.toNanos(SWEEP_MS);
            }
            // also consumes ZeroMQ's edge-triggered signal before sleeping on it
            boolean moreSubscriptions = (pub.getEvents() & ZMQ.Poller.POLLIN) != 0;
            timeout = moreSubscriptions || !outbox.isEmpty() ? 0 : blockedByHwm ? 1 : parkedCount > 0 ? 5 : SWEEP_MS;
        } finally {
            release();
        }
        if (timeout > 0) {
            selector.select(timeout);
            selector.selectedKeys().clear();
        }
    }

    /** Registers the XPUB's signal channel with {@code selector} (housekeeping thread). */
    void watch(Selector selector) throws IOException {
        lock.lock();
        try {
            pub.getFD().register(selector, SelectionKey.OP_READ);
            housekeeper = selector;
        } finally {
            release();
        }
    }

    /** Last flush before close; returns how many replies stay parked. */
    int flushAll() {
        lock.lock();
        try {
            readSubscriptions();
            drainAllLocked();
            flushLive();
            return parkedCount;
        } finally {
            release();
        }
    }

    void close() {
        lock.lock();
        try {
            closed = true;
            SharedContext.closeReleasingInproc(pub);
        } finally {
            release();
        }
    }

    // ---------------------------------------------------------------- under the lock

    private boolean trySend(Outbound o) {
        if (!pub.send(o.topic().topic(), ZMQ.SNDMORE | ZMQ.DONTWAIT)) {
            blockedByHwm = true;
            return false;
        }
        o.sealed().send(pub, 0); // the rest of the message: three frames in version 1, one in version 2
        return true;
    }

    /**
     * Sends {@code o} to its subscribed client; an answer to an unauthenticated message (401, 505) for a
     * client that is not subscribed goes to the connections that subscribed to its bare id instead (a client
     * with another passphrase can subscribe no other way): each is subscribed for this one send, under the
     * lock, so nothing else reaches it.
     */
    private boolean deliver(Outbound o) {
        if (gate.isLive(o.topic())) {
            return trySend(o);
        }
        List<Pipe> claimers = o.untrusted() ? gate.claimers(o.topic()) : List.of();
        if (claimers.isEmpty()) {
            return false;
        }
        byte[] id = o.topic().topic();
        claimers.forEach(p -> xpub.subscribe(p, id));
        try {
            return trySend(o);
        } finally {
            claimers.forEach(p -> xpub.unsubscribe(p, id));
        }
    }

    private void park(Outbound o) {
        if (parkedCount >= maxParked) {
            counters.dropped.incrementAndGet();
            if (warn.tryAcquire()) {
                log.warn("{} - dropped a reply: {} replies already parked (maxParkedReplies)", name, parkedCount);
            }
            return;
        }
        ArrayDeque<Outbound> mine = parked.computeIfAbsent(o.topic(), k -> new ArrayDeque<>());
        if (mine.size() >= maxParkedPerClient) {
            counters.dropped.incrementAndGet();
            if (warn.tryAcquire()) {
                log.warn("{} - dropped a reply: client {} already has {} replies parked (a tenth of maxParkedReplies)",
                        name, o.topic(), mine.size());
            }
            return;
        }
        mine.add(o);
        counters.parked.set(++parkedCount);
        if (o.untrusted()) {
            untrustedCount++;
        }
    }

    private void unparked(Outbound o) {
        parkedCount--;
        if (o.untrusted()) {
            untrustedCount--;
        }
    }

    private void flush(ClientId topic) {
        ArrayDeque<Outbound> q = parked.get(topic);
        if (q == null) {
            return;
        }
        while (!q.isEmpty() && deliver(q.peek())) {
            unparked(q.poll());
        }
        if (q.isEmpty()) {
            parked.remove(topic);
        }
        counters.parked.set(parkedCount);
    }

    private void flushLive() {
        blockedByHwm = false;
        for (ClientId topic : new ArrayList<>(parked.keySet())) {
            if (gate.isLive(topic)) {
                flush(topic);
            }
        }
    }

    /** Reads pending subscription messages, at most a batch per call so a flood cannot hold the lock. */
    private void readSubscriptions() {
        byte[] sub;
        int n = 0;
        while (n++ < SUBSCRIPTION_BATCH && (sub = xpub.recv()) != null) {
            ClientId subscribed = gate.onMessage(sub, xpub.peer());
            if (subscribed != null) {
                flush(subscribed);
            }
        }
    }

    private void sweep(long now) {
        Iterator<ArrayDeque<Outbound>> it = parked.values().iterator();
        while (it.hasNext()) {
            ArrayDeque<Outbound> q = it.next();
            int before = q.size();
            q.removeIf(o -> {
                boolean expired = now - o.expiresAtNanos() > 0;
                if (expired) {
                    unparked(o);
                }
                return expired;
            });
            int gone = before - q.size();
            if (gone > 0) {
                counters.dropped.addAndGet(gone);
                log.debug("{} - dropped {} parked replies whose client did not subscribe in time", name, gone);
            }
            if (q.isEmpty()) {
                it.remove();
            }
        }
        counters.parked.set(parkedCount);
    }
}
