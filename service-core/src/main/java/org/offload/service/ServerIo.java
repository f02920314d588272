package org.offload.service;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.offload.service.internal.ClientId;
import org.offload.service.internal.Envelope;
import org.offload.service.internal.EventLoop;
import org.offload.service.internal.Proof;
import org.offload.service.internal.Sealed;
import org.offload.service.internal.WarnLimiter;
import org.offload.service.internal.Wire;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.SocketType;
import org.zeromq.ZMQ;
import org.zeromq.ZMQException;

/**
 * The server's I/O thread: owns the PULL and XPUB sockets. Workers hand replies back through
 * {@link EventLoop#execute}; nothing else touches the sockets.
 */
final class ServerIo implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(ServiceServer.class);
    private static final int BATCH = 256;
    private static final long SWEEP_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final int MAX_TRACKED_CLIENTS = 100_000;
    private static final int SUBSCRIPTION_BYTES = 1 + Wire.CLIENT_ID_BYTES;
    /** Inbound frame limit on the XPUB: subscriptions only (ZMTP 3.1 may frame them as commands, a bit longer). */
    private static final int MAX_SUBSCRIPTION_FRAME_BYTES = 256;
    static final String NOTIFY_START_HEADER = "offload-notify";

    /** A sealed reply and how long it may wait to be published. */
    private record Outbound(ClientId topic, Sealed sealed, long expiresAtNanos) {
    }

    private final ServiceServer.Settings s;
    private final String name;
    private final ZMQ.Context context;
    private final ZMQ.Socket pull;
    private final ZMQ.Socket pub;
    private final String pullAddress;
    private final String pubAddress;
    private final EventLoop loop;
    private final Proof proof;
    private final Router router;
    private final ThreadPoolExecutor workers;
    private final Thread thread;
    private final CountDownLatch terminated = new CountDownLatch(1);
    private final WarnLimiter warn = new WarnLimiter();

    private final Map<ClientId, Long> lastIds = new LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<ClientId, Long> eldest) {
            return size() > MAX_TRACKED_CLIENTS;
        }
    };
    private final Set<ClientId> live = new HashSet<>();
    private final Map<ClientId, ArrayDeque<Outbound>> parked = new HashMap<>();
    private final Map<Job.Key, Job> inflight = new HashMap<>();
    private int parkedCount;
    private boolean blockedByHwm;
    private long nextSweep = System.nanoTime();
    private volatile boolean stopRequested;
    private long drainDeadline;

    private final AtomicLong received = new AtomicLong();
    private final AtomicLong replied = new AtomicLong();
    private final AtomicLong unauthorized = new AtomicLong();
    private final AtomicLong replayed = new AtomicLong();
    private final AtomicLong malformed = new AtomicLong();
    private final AtomicLong notFound = new AtomicLong();
    private final AtomicLong busy = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong expired = new AtomicLong();
    private final AtomicLong cancelled = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicInteger inflightGauge = new AtomicInteger();
    private volatile int parkedGauge;

    private ServerIo(ServiceServer.Settings s, ZMQ.Context context, ZMQ.Socket pull, ZMQ.Socket pub) {
        this.s = s;
        this.name = s.name();
        this.context = context;
        this.pull = pull;
        this.pub = pub;
        this.pullAddress = pull.getLastEndpoint();
        this.pubAddress = pub.getLastEndpoint();
        this.loop = new EventLoop(name);
        this.proof = s.proof();
        this.router = new Router(s.routes());
        this.workers = new ThreadPoolExecutor(s.workers(), s.workers(), 60, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(s.queueCapacity()), workerThreads(s));
        this.thread = new Thread(this, name + "-io");
        this.thread.setDaemon(true);
    }

    /** Creates and binds the sockets on the calling thread, so bind errors surface in {@code start()}. */
    static ServerIo open(ServiceServer.Settings s) {
        ZMQ.Context context = ZMQ.context(1);
        ZMQ.Socket pull = null;
        ZMQ.Socket pub = null;
        try {
            pull = context.socket(SocketType.PULL);
            pull.setRcvHWM(s.receiveHwm());
            pull.setMaxMsgSize(s.maxMessageBytes());
            pull.setLinger(0);
            pull.setHandshakeIvl((int) s.handshakeTimeout().toMillis());
            bind(s, pull, "PULL", s.pullAddress());
            pub = context.socket(SocketType.XPUB);
            pub.setSndHWM(s.sendHwm());
            pub.setXpubNoDrop(true);
            pub.setMaxMsgSize(MAX_SUBSCRIPTION_FRAME_BYTES);
            pub.setLinger((int) s.linger().toMillis());
            pub.setHandshakeIvl((int) s.handshakeTimeout().toMillis());
            bind(s, pub, "PUB", s.pubAddress());
            return new ServerIo(s, context, pull, pub);
        } catch (RuntimeException e) {
            closeQuietly(pull);
            closeQuietly(pub);
            context.term();
            throw e;
        }
    }

    private static void bind(ServiceServer.Settings s, ZMQ.Socket socket, String kind, String address) {
        try {
            socket.bind(address);
        } catch (ZMQException | IllegalArgumentException e) {
            throw new ServiceStartException(s.name() + " - cannot bind " + kind + " to " + address + ": "
                    + e.getMessage(), e);
        }
    }

    private static ThreadFactory workerThreads(ServiceServer.Settings s) {
        if (s.virtualThreads()) {
            return Thread.ofVirtual().name(s.name() + "-worker-", 1).factory();
        }
        return Thread.ofPlatform().name(s.name() + "-worker-", 1).daemon(true).factory();
    }

    void start() {
        thread.start();
    }

    String pullAddress() {
        return pullAddress;
    }

    String pubAddress() {
        return pubAddress;
    }

    // ---------------------------------------------------------------- the loop

    @Override
    public void run() {
        try {
            loop.watch(pull);
            loop.watch(pub);
            while (!drained()) {
                int work = loop.runCommands() + readRequests() + readSubscriptions();
                long now = System.nanoTime();
                if (blockedByHwm) {
                    flushLive();
                }
                if (now - nextSweep >= 0) {
                    sweep(now);
                    nextSweep = now + SWEEP_NANOS;
                }
                if (work == 0 && !readable()) {
                    loop.await(blockedByHwm ? 1 : stopRequested ? 5 : TimeUnit.NANOSECONDS.toMillis(SWEEP_NANOS));
                }
            }
        } catch (Throwable t) {
            log.error("{} - I/O thread failed; stopping", name, t);
        } finally {
            shutdown();
        }
    }

    private boolean readable() {
        return (pull.getEvents() & ZMQ.Poller.POLLIN) != 0 || (pub.getEvents() & ZMQ.Poller.POLLIN) != 0;
    }

    private boolean drained() {
        if (!stopRequested) {
            return false;
        }
        boolean done = inflight.isEmpty() && parkedCount == 0;
        if (!done && System.nanoTime() - drainDeadline < 0) {
            return false;
        }
        abandonInflight();
        return true;
    }

    // ---------------------------------------------------------------- requests in

    private int readRequests() {
        int n = 0;
        while (n < BATCH) {
            byte[] env = pull.recv(ZMQ.DONTWAIT);
            if (env == null) {
                break;
            }
            n++;
            byte[] body = null;
            byte[] proofBytes = null;
            int frames = 1;
            while (pull.hasReceiveMore()) {
                byte[] f = pull.recv(0);
                frames++;
                if (frames == 2) {
                    body = f;
                } else if (frames == 3) {
                    proofBytes = f;
                }
            }
            onMessage(env, body, proofBytes, frames);
        }
        return n;
    }

    private void onMessage(byte[] env, byte[] body, byte[] proofBytes, int frames) {
        if (frames != Wire.REQUEST_FRAMES || !Wire.hasStablePrefix(env)) {
            peerError(malformed, "dropped a message with " + frames + " frames (expected 3) or no Offload envelope");
            return;
        }
        ClientId client = Wire.clientId(env);
        long requestId = Wire.requestId(env);
        if (Wire.version(env) != Wire.VERSION) {
            peerError(malformed, "unsupported protocol version " + Wire.version(env));
            answerIfLive(client, requestId, "/", Status.VERSION_NOT_SUPPORTED,
                    "protocol version " + Wire.version(env) + " is not supported (this service speaks " + Wire.VERSION + ")");
            return;
        }
        if (!proof.verify(env, body, proofBytes)) {
            peerError(unauthorized, "rejected a request whose passphrase proof did not verify");
            answerIfLive(client, requestId, "/", Status.UNAUTHORIZED, "passphrase proof did not verify");
            return;
        }
        Envelope e;
        try {
            e = Wire.decode(env);
        } catch (ProtocolException x) {
            peerError(malformed, "malformed envelope: " + x.getMessage());
            answer(client, requestId, "/", Reply.error(x.status(), x.getMessage()), System.nanoTime() + parkNanos());
            return;
        }
        long skew = System.currentTimeMillis() - e.timestampMs();
        if (Math.abs(skew) > s.replayWindow().toMillis()) {
            peerError(unauthorized, "rejected a request outside the replay window (skew " + skew + " ms)");
            answer(client, requestId, e.path(), Reply.error(Status.UNAUTHORIZED, "timestamp outside the replay window"
                    + " (skew " + skew + " ms, window " + s.replayWindow().toMillis() + " ms)"), System.nanoTime() + parkNanos());
            return;
        }
        switch (e.kind()) {
            case Wire.REQUEST -> onRequest(e, body);
            case Wire.CANCEL -> onCancel(e);
            default -> {
                peerError(malformed, "a service accepts requests and cancels, not kind " + e.kind());
                answer(client, requestId, e.path(), Reply.error(Status.BAD_REQUEST,
                        "a service accepts requests and cancels, not kind " + e.kind()), System.nanoTime() + parkNanos());
            }
        }
    }

    private void onRequest(Envelope e, byte[] body) {
        Long last = lastIds.get(e.clientId());
        if (last != null && Long.compareUnsigned(e.requestId(), last) <= 0) {
            peerError(replayed, "dropped a replayed request id " + e.requestId());
            return;
        }
        lastIds.put(e.clientId(), e.requestId());
        received.incrementAndGet();
        long now = System.nanoTime();
        long deadline = Call.deadlineFrom(now, e.timeoutMs());
        long keepUntil = e.timeoutMs() == 0 ? now + parkNanos() : deadline;
        Request request;
        try {
            Map<String, String> headers = e.headers();
            Body b = Sealed.body(headers, body);
            request = new Request(e.path(), e.method(), headers, b);
        } catch (IllegalArgumentException x) {
            peerError(malformed, "invalid request: " + x.getMessage());
            answer(e.clientId(), e.requestId(), e.path(), Reply.error(Status.BAD_REQUEST, x.getMessage()), keepUntil);
            return;
        }
        if (log.isDebugEnabled()) {
            log.debug("{} - request {} {} id {} from {}", name, e.method(), e.path(), e.requestId(), e.clientId());
        }
        if (stopRequested) {
            answer(e.clientId(), e.requestId(), e.path(), Reply.error(Status.SERVICE_UNAVAILABLE,
                    name + " is stopping"), keepUntil);
            return;
        }
        Router.Match match = router.match(e.path(), e.method());
        if (match.handler() == null) {
            notFound.incrementAndGet();
            answer(e.clientId(), e.requestId(), e.path(), Reply.error(match.status(), match.message()), keepUntil);
            return;
        }
        Call call = new Call(request, e.clientId(), e.requestId(), deadline);
        Job job = new Job(call, match.handler(), this, "started".equals(e.headers().get(NOTIFY_START_HEADER)));
        inflight.put(job.key, job);
        inflightGauge.incrementAndGet();
        try {
            workers.execute(job);
        } catch (RejectedExecutionException x) {
            inflight.remove(job.key);
            inflightGauge.decrementAndGet();
            busy.incrementAndGet();
            answer(e.clientId(), e.requestId(), e.path(), Reply.error(Status.TOO_MANY_REQUESTS, name
                    + " is busy - worker queue full (queued=" + workers.getQueue().size() + ", workers="
                    + s.workers() + ")"), keepUntil);
        }
    }

    private void onCancel(Envelope e) {
        Job job = inflight.get(new Job.Key(e.clientId(), e.requestId()));
        if (job == null) {
            log.debug("{} - cancel for request id {} that is not in flight", name, e.requestId());
            return;
        }
        cancelled.incrementAndGet();
        boolean wasQueued = job.cancel(true);
        if (wasQueued && job.claimAnswer()) {
            complete(job, Reply.error(Status.CANCELLED, "request " + e.path() + " (id " + e.requestId()
                    + ") was cancelled before it started"));
        }
        log.debug("{} - cancelled request id {} ({})", name, e.requestId(), wasQueued ? "queued" : "running");
    }

    // ---------------------------------------------------------------- from the workers

    /** Worker thread: the handler started (interim 102 when the client asked for it). */
    void started(Job job) {
        Outbound o = seal(job.call, Reply.error(Status.STARTED, "started"));
        loop.execute(() -> publish(o));
    }

    /** Worker thread: the handler ended with {@code reply}. */
    void finished(Job job, Reply reply) {
        if (!job.claimAnswer()) {
            return;
        }
        Outbound o = seal(job.call, reply);
        loop.execute(() -> {
            if (inflight.remove(job.key) != null) {
                inflightGauge.decrementAndGet();
            }
            replied.incrementAndGet();
            publish(o);
        });
    }

    /** Worker thread: the deadline passed while the job was queued; nobody waits for it. */
    void expired(Job job) {
        expired.incrementAndGet();
        if (job.claimAnswer()) {
            loop.execute(() -> {
                if (inflight.remove(job.key) != null) {
                    inflightGauge.decrementAndGet();
                }
            });
        }
    }

    /** Worker thread: the handler threw {@code t}; the 500 reply. */
    Reply failed(Job job, Throwable t) {
        failed.incrementAndGet();
        log.warn("{} - handler for {} {} (id {}) failed", name, job.call.method(), job.call.path(),
                job.call.requestId(), t);
        String detail = s.exposeErrorDetails() ? ": " + t.getClass().getName() + ": " + t.getMessage() : "";
        return Reply.error(Status.INTERNAL_ERROR, "handler for " + job.call.path() + " failed" + detail);
    }

    /** I/O thread: sends the final reply for a job the I/O thread answered itself. */
    private void complete(Job job, Reply reply) {
        if (inflight.remove(job.key) != null) {
            inflightGauge.decrementAndGet();
        }
        replied.incrementAndGet();
        publish(seal(job.call, reply));
    }

    private Outbound seal(Call call, Reply reply) {
        long keepUntil = call.hasDeadline() ? call.deadlineNanos() : System.nanoTime() + parkNanos();
        return new Outbound(call.client(), sealReply(call.client(), call.requestId(), call.path(), reply), keepUntil);
    }

    private Sealed sealReply(ClientId client, long requestId, String path, Reply reply) {
        Envelope e = new Envelope(Wire.REPLY, client, requestId, System.currentTimeMillis(), 0, reply.status(),
                reply.method(), path, reply.message(), Sealed.wireHeaders(reply.headers(), reply.body()));
        return Sealed.seal(proof, e, reply.body());
    }

    // ---------------------------------------------------------------- replies out

    /** Answers a request the I/O thread decided itself (errors); parked like any reply. */
    private void answer(ClientId client, long requestId, String path, Reply reply, long keepUntil) {
        replied.incrementAndGet();
        publish(new Outbound(client, sealReply(client, requestId, path, reply), keepUntil));
    }

    /** Answers an unauthenticated message only if its client is subscribed now: nothing is kept for strangers. */
    private void answerIfLive(ClientId client, long requestId, String path, int status, String message) {
        if (live.contains(client) && !parked.containsKey(client)) {
            trySend(new Outbound(client, sealReply(client, requestId, path, Reply.error(status, message)), 0));
        }
    }

    private void publish(Outbound o) {
        if (!live.contains(o.topic()) || parked.containsKey(o.topic()) || !trySend(o)) {
            park(o);
        }
    }

    private boolean trySend(Outbound o) {
        if (!pub.send(o.topic().topic(), ZMQ.SNDMORE | ZMQ.DONTWAIT)) {
            blockedByHwm = true;
            return false;
        }
        Sealed m = o.sealed();
        pub.send(m.envelope(), ZMQ.SNDMORE);
        pub.send(m.body(), ZMQ.SNDMORE);
        pub.send(m.proof(), 0);
        return true;
    }

    private void park(Outbound o) {
        if (parkedCount >= s.maxParkedReplies()) {
            dropped.incrementAndGet();
            if (warn.tryAcquire()) {
                log.warn("{} - dropped a reply: {} replies already parked (maxParkedReplies)", name, parkedCount);
            }
            return;
        }
        parked.computeIfAbsent(o.topic(), k -> new ArrayDeque<>()).add(o);
        parkedGauge = ++parkedCount;
    }

    /** Sends what is parked for {@code topic}, in order, until the HWM pushes back. */
    private void flush(ClientId topic) {
        ArrayDeque<Outbound> q = parked.get(topic);
        if (q == null) {
            return;
        }
        while (!q.isEmpty() && trySend(q.peek())) {
            q.poll();
            parkedCount--;
        }
        if (q.isEmpty()) {
            parked.remove(topic);
        }
        parkedGauge = parkedCount;
    }

    private void flushLive() {
        blockedByHwm = false;
        for (ClientId topic : new ArrayList<>(parked.keySet())) {
            if (live.contains(topic)) {
                flush(topic);
            }
        }
    }

    private int readSubscriptions() {
        int n = 0;
        byte[] sub;
        while (n < BATCH && (sub = pub.recv(ZMQ.DONTWAIT)) != null) {
            n++;
            while (pub.hasReceiveMore()) {
                pub.recv(0);
            }
            if (sub.length != SUBSCRIPTION_BYTES || (sub[0] != 0 && sub[0] != 1)) {
                peerError(malformed, "ignored a subscription of " + sub.length + " bytes (expected a 16-byte client id)");
                continue;
            }
            ClientId topic = ClientId.read(sub, 1);
            if (sub[0] == 1) {
                live.add(topic);
                log.debug("{} - client {} subscribed", name, topic);
                flush(topic);
            } else {
                live.remove(topic);
                log.debug("{} - client {} unsubscribed", name, topic);
            }
        }
        return n;
    }

    /** Drops parked replies whose time ran out. */
    private void sweep(long now) {
        Iterator<ArrayDeque<Outbound>> it = parked.values().iterator();
        while (it.hasNext()) {
            ArrayDeque<Outbound> q = it.next();
            int before = q.size();
            q.removeIf(o -> now - o.expiresAtNanos() > 0);
            int gone = before - q.size();
            if (gone > 0) {
                parkedCount -= gone;
                dropped.addAndGet(gone);
                log.debug("{} - dropped {} parked replies whose client never subscribed in time", name, gone);
            }
            if (q.isEmpty()) {
                it.remove();
            }
        }
        parkedGauge = parkedCount;
    }

    private long parkNanos() {
        return s.parkTimeout().toNanos();
    }

    private void peerError(AtomicLong counter, String what) {
        counter.incrementAndGet();
        if (warn.tryAcquire()) {
            log.warn("{} - {} (unauthorized={}, malformed={}, replayed={})", name, what, unauthorized.get(),
                    malformed.get(), replayed.get());
        }
    }

    // ---------------------------------------------------------------- stop

    void stop(java.time.Duration drainTimeout) {
        loop.execute(() -> {
            if (!stopRequested) {
                drainDeadline = System.nanoTime() + drainTimeout.toNanos();
                stopRequested = true;
                log.info("{} - stopping: draining {} in-flight requests for up to {} ms", name, inflight.size(),
                        drainTimeout.toMillis());
            }
        });
    }

    /** I/O thread, at the drain deadline: cancels what is still running and answers 503 for it. */
    private void abandonInflight() {
        if (inflight.isEmpty()) {
            return;
        }
        log.warn("{} - drain timeout: cancelling {} unfinished requests", name, inflight.size());
        for (Job job : new ArrayList<>(inflight.values())) {
            job.cancel(true);
            cancelled.incrementAndGet();
            if (job.claimAnswer()) {
                complete(job, Reply.error(Status.SERVICE_UNAVAILABLE, name + " stopped before request "
                        + job.call.path() + " (id " + job.call.requestId() + ") finished"));
            }
        }
        inflight.clear();
        inflightGauge.set(0);
        flushLive();
    }

    private void shutdown() {
        try {
            workers.shutdownNow();
            closeQuietly(pull);
            closeQuietly(pub);
            context.term();
        } catch (Throwable t) {
            log.error("{} - error while closing sockets", name, t);
        } finally {
            loop.close();
            terminated.countDown();
            log.info("{} - stopped (received={}, replied={}, dropped={})", name, received.get(), replied.get(),
                    dropped.get());
        }
    }

    private static void closeQuietly(ZMQ.Socket socket) {
        if (socket != null) {
            try {
                socket.close();
            } catch (RuntimeException e) {
                log.debug("closing a socket failed", e);
            }
        }
    }

    boolean isTerminated() {
        return terminated.getCount() == 0;
    }

    boolean awaitTermination(long timeout, TimeUnit unit) {
        try {
            return terminated.await(timeout, unit);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return isTerminated();
        }
    }

    boolean awaitTerminationInterruptibly(long timeoutMs) throws InterruptedException {
        return terminated.await(timeoutMs, TimeUnit.MILLISECONDS);
    }

    ServerStats stats() {
        return new ServerStats(received.get(), replied.get(), unauthorized.get(), replayed.get(), malformed.get(),
                notFound.get(), busy.get(), failed.get(), expired.get(), cancelled.get(), dropped.get(),
                inflightGauge.get(), parkedGauge);
    }

    static ServerStats emptyStats() {
        return new ServerStats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    }
}
