package org.offload.service;

import java.io.IOException;
import java.nio.channels.Selector;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.offload.service.internal.Batch;
import org.offload.service.internal.Checks;
import org.offload.service.internal.ClientId;
import org.offload.service.internal.ConnectionGuard;
import org.offload.service.internal.Envelope;
import org.offload.service.internal.FrameBudget;
import org.offload.service.internal.ManualXpub;
import org.offload.service.internal.Observers;
import org.offload.service.internal.SharedContext;
import org.offload.service.internal.SocketGuard;
import org.offload.service.internal.Wire;
import org.offload.service.internal.ZmqErrors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.SocketType;
import org.zeromq.ZMQ;
import org.zeromq.ZMQException;

/**
 * A running service instance: its context, sockets, threads and in-flight jobs. The receiver thread owns
 * PULL; the {@link ReplyPublisher} owns XPUB (workers publish under its lock; the I/O thread housekeeps it
 * and runs the stop sequence).
 */
final class ServerIo {
    private static final Logger log = LoggerFactory.getLogger(ServiceServer.class);
    /** Inbound frame limit on the XPUB: subscriptions only (ZMTP 3.1 may frame them as commands). */
    private static final int MAX_SUBSCRIPTION_FRAME_BYTES = 256;
    static final String NOTIFY_START_HEADER = ProgressReports.NOTIFY_HEADER;
    /**
     * Frames one message may have on the PULL before its connection is closed (a request has 3; a few more
     * are dropped as malformed like any bad message, a message that never ends is cut off).
     */
    static final int MAX_FRAMES_PER_MESSAGE = 64;
    /** At stop, how long interrupted handlers get to return before the sockets close without them. */
    static final long WORKER_EXIT_WAIT_MS = 1_000;

    private final ServiceServer.Settings s;
    private final String name;
    private final SharedContext.Lease context;
    private final String pullAddress;
    private final String pubAddress;
    private final String instanceId = newInstanceId();
    private final ServerCounters counters;
    private final ServerSecurity security;
    private final ReplyPublisher publisher;
    private final Notifier notifier;
    private final ReplySealer sealer;
    private final Router router;
    private final Introspection introspection;
    private final Admission admission;
    private final ThreadPoolExecutor workers;
    private final ReplyLinger linger;
    private final Map<Job.Key, Job> inflight = new ConcurrentHashMap<>();
    private final ProgressReports progress;
    private final Thread receiverThread;
    private final Thread ioThread;
    private final Selector selector;
    private final CountDownLatch terminated = new CountDownLatch(1);
    /** Why the service stopped on its own (a dead JeroMQ thread, a failed receiver or I/O thread), if it did. */
    private volatile Throwable failure;
    private volatile boolean stopRequested;
    private volatile boolean receiverStop;
    private volatile long drainDeadline;

    private final ConnectionGuard guard;
    private final FrameBudget budget;

    private ServerIo(ServiceServer.Settings s, SharedContext.Lease context, ServerSecurity security,
                     ConnectionGuard guard, FrameBudget budget, ServerCounters counters, ZMQ.Socket pull,
                     ZMQ.Socket pub, ManualXpub xpub) throws IOException {
        this.s = s;
        this.security = security;
        this.guard = guard;
        this.budget = budget;
        this.counters = counters;
        this.name = s.name();
        this.context = context;
        this.pullAddress = pull.getLastEndpoint();
        this.pubAddress = pub.getLastEndpoint();
        this.publisher = new ReplyPublisher(name, pub, xpub, s.proof(), s.maxParkedReplies(), counters);
        this.sealer = new ReplySealer(s, counters);
        this.router = new Router(s.routes());
        this.progress = new ProgressReports(name, s.progressInterval());
        this.introspection = new Introspection(name, instanceId, s.routes());
        this.admission = new Admission(name, s.workers(), s.deadlineMargin().toNanos());
        this.workers = new ThreadPoolExecutor(s.workers(), s.workers(), 60, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(s.queueCapacity()), workerThreads(s)) {
            @Override
            protected void beforeExecute(Thread t, Runnable next) {
                linger.beforeRun(next);
            }

            @Override
            protected void afterExecute(Runnable done, Throwable t) {
                linger.afterRun();
            }
        };
        this.linger = new ReplyLinger(name, workers.getQueue(), admission, publisher);
        this.selector = Selector.open();
        this.notifier = new Notifier(name, instanceId, s.proof(), ServiceServer.MAX_QUEUED_NOTIFICATION_BYTES,
                selector::wakeup);
        RequestReceiver receiver = new RequestReceiver(this, name, pull, s.proof(), s.replayWindow().toMillis(), counters);
        this.receiverThread = new Thread(receiver, name + "-recv");
        this.receiverThread.setDaemon(true);
        this.ioThread = new Thread(this::housekeep, name + "-io");
        this.ioThread.setDaemon(true);
    }

    /** Creates and binds the sockets on the calling thread, so bind errors surface in {@code start()}. */
    static ServerIo open(ServiceServer.Settings s) {
        // inproc endpoints exist only inside one context: an instance with one binds in the JVM's shared context
        ServerIo[] self = new ServerIo[1];
        Throwable[] early = new Throwable[1];
        SharedContext.Lease context = SharedContext.lease(
                SharedContext.isInproc(s.pullAddress()) || SharedContext.isInproc(s.pubAddress()), e -> {
                    ServerIo io = self[0];
                    if (io == null) {
                        early[0] = e;
                    } else {
                        io.failed("a JeroMQ thread of its context died", e);
                    }
                });
        ZMQ.Socket pull = null;
        ZMQ.Socket pub = null;
        ServerCounters counters = new ServerCounters();
        ConnectionGuard guard = null;
        FrameBudget budget = null;
        ServerSecurity security = null;
        try {
            security = ServerSecurity.open(s, context.context(), counters.refusedHandshakes);
            Duration handshake = security.handshakeTimeout(s.handshakeTimeout());
            guard = new ConnectionGuard(s.name(), new ConnectionGuard.Limits(handshake, s.maxConnections(),
                    s.maxConnectionsPerPeer()), counters.handshakeTimeouts, counters.connectionsRefused);
            pull = context.context().socket(SocketType.PULL);
            pull.setRcvHWM(s.receiveHwm());
            pull.setLinger(0);
            SocketGuard.apply(pull, security.frameLimit(s.maxMessageBytes()), handshake, s.heartbeatInterval());
            security.apply(pull);
            budget = new FrameBudget(s.name(), s.maxQueuedBytes(), security.frameLimit(s.maxMessageBytes()),
                    MAX_FRAMES_PER_MESSAGE, s.encryption() == Encryption.CURVE, counters.overBudget);
            guard.watch("PULL", pull, budget);
            bind(s, pull, "PULL", s.pullAddress());
            pub = context.context().socket(SocketType.XPUB);
            // manual: only subscriptions that carry a valid tag reach the filter (SubscriptionGate)
            ManualXpub xpub = ManualXpub.install(pub);
            pub.setSndHWM(s.sendHwm());
            // Lossy on purpose (no XPUB_NODROP): with NODROP one subscriber that stops reading - a stalled or
            // hostile peer subscribed to every topic - blocks every send. The HWM is sized above what a
            // reading client can have outstanding (see DEFAULT_SEND_HWM), so only a non-reader loses replies.
            pub.setLinger((int) s.linger().toMillis());
            SocketGuard.apply(pub, security.frameLimit(MAX_SUBSCRIPTION_FRAME_BYTES), handshake, s.heartbeatInterval());
            security.apply(pub);
            // subscriptions are one frame each; a message whose frames keep the MORE flag would be held whole
            guard.watch("PUB", pub, new FrameBudget(s.name(), Long.MAX_VALUE,
                    security.frameLimit(MAX_SUBSCRIPTION_FRAME_BYTES), 1, s.encryption() == Encryption.CURVE,
                    new AtomicLong()));
            bind(s, pub, "PUB", s.pubAddress());
            ServerIo io = new ServerIo(s, context, security, guard, budget, counters, pull, pub, xpub);
            self[0] = io;
            if (early[0] != null) {
                io.failed("a JeroMQ thread of its context died", early[0]);
            }
            io.inprocEndpoints(SharedContext::bound);
            return io;
        } catch (IOException | RuntimeException e) {
            if (guard != null) {
                guard.close();
            }
            closeQuietly(pull);
            closeQuietly(pub);
            if (security != null) {
                security.close();
            }
            try {
                context.end();
            } catch (RuntimeException termFailed) {
                e.addSuppressed(termFailed);
            }
            if (e instanceof ServiceStartException sse) {
                throw sse;
            }
            throw new ServiceStartException(s.name() + " - cannot start: " + e.getMessage(), e);
        }
    }

    private static void bind(ServiceServer.Settings s, ZMQ.Socket socket, String kind, String address) {
        try {
            socket.bind(address);
        } catch (ZMQException | IllegalArgumentException e) {
            throw new ServiceStartException(s.name() + " - cannot bind " + kind + " to " + address + ": "
                    + ZmqErrors.describe(e), e);
        }
    }

    private static ThreadFactory workerThreads(ServiceServer.Settings s) {
        if (s.virtualThreads()) {
            return Thread.ofVirtual().name(s.name() + "-worker-", 1).factory();
        }
        return Thread.ofPlatform().name(s.name() + "-worker-", 1).daemon(true).factory();
    }

    void start() {
        ioThread.start();
        receiverThread.start();
    }

    String pullAddress() {
        return pullAddress;
    }

    String pubAddress() {
        return pubAddress;
    }

    /** Queues a notification (any thread); false when dropped. */
    boolean publish(String topic, Body body) {
        return notifier.publish(topic, body);
    }

    NotifierStats notifierStats() {
        return notifier.stats();
    }

    String instanceId() {
        return instanceId;
    }

    String name() {
        return name;
    }

    private static String newInstanceId() {
        byte[] b = new byte[8];
        new java.security.SecureRandom().nextBytes(b);
        return java.util.HexFormat.of().formatHex(b);
    }

    /**
     * A liveness ping (PROTOCOL.md section 17): answered here on the receiver thread, never queued behind
     * handlers, so a busy instance still proves it is alive. A stopping one answers 503 so clients send it
     * nothing new.
     */
    void pong(Envelope e) {
        Reply pong = stopRequested
                ? Reply.error(Status.SERVICE_UNAVAILABLE, name + " is stopping").withMethod(Wire.PONG)
                : Reply.ok(Body.empty()).withMethod(Wire.PONG);
        answerReserved(e, pong.withHeader(Wire.INSTANCE, instanceId).withHeader(Wire.PROTOCOLS, Wire.PROTOCOLS_SPOKEN)
                .withHeader(Wire.MAX_REQUEST_BYTES, Integer.toString(s.maxMessageBytes()))
                .withHeader(Batch.HEADER, Batch.READS));
    }

    /** Jobs waiting in the worker queue now. */
    int queuedJobs() {
        return workers.getQueue().size();
    }

    /** Whether a reply may linger for a job of the route serving {@code path} and {@code method} now. */
    boolean quickRoute(String path, String method) {
        Router.Match match = router.match(path, method);
        return match.handler() != null && linger.isQuick(match.handler());
    }

    /** Introspection (PROTOCOL.md section 18): routes, health or stats of this instance, as JSON. */
    void introspect(Envelope e) {
        Introspection.Load load = new Introspection.Load(stopRequested, s.workers(), workers.getActiveCount(),
                queuedJobs(), s.queueCapacity(), counters.inFlight.get(), counters.parked.get());
        answerReserved(e, introspection.answer(e.path(), load, counters.snapshot()));
    }

    /** Not counted as a reply: requests to reserved paths are not requests to the service's routes. */
    private void answerReserved(Envelope e, Reply reply) {
        ReplyPublisher.Outbound o = sealer.answer(e.clientId(), e.requestId(), e.path(), reply, e.timeoutMs(),
                Wire.DEFAULT_MAX_REPLY_FRAME_BYTES, e.version());
        if (o != null) {
            publisher.publish(o);
        }
    }

    ServerStats stats() {
        return counters.snapshot(budget.queuedBytes());
    }

    /** Connections open on both sockets, as the connection guard counts them (tests). */
    int openConnections() {
        return guard.open();
    }

    ReplyPublisher.SubscriptionState subscriptionState() {
        return publisher.subscriptionState();
    }

    // ---------------------------------------------------------------- from the receiver thread

    boolean receiverShouldStop() {
        return receiverStop;
    }

    /**
     * Routes an authentic request and hands it to a worker, or answers it at once (404/405/429/503).
     * {@code maxReplyBytes} is the client's reply frame limit ({@link ReplyLimit}).
     */
    void dispatch(Envelope e, Request request, int maxReplyBytes, boolean batched) {
        boolean cast = Wire.NO_REPLY.equals(request.headers().get(Wire.REPLY_MODE));
        if (stopRequested) {
            observeRefusal("", request, Status.SERVICE_UNAVAILABLE);
            answerUnlessCast(cast, e, notRun(Reply.error(Status.SERVICE_UNAVAILABLE, name + " is stopping")),
                    maxReplyBytes);
            return;
        }
        Router.Match match = router.match(e.path(), e.method(), request.headers().get(RouteVersion.HEADER));
        if (match.handler() == null) {
            (match.status() == Status.BAD_REQUEST ? counters.malformed : counters.notFound).incrementAndGet();
            observeRefusal("", request, match.status());
            answerUnlessCast(cast, e, Reply.error(match.status(), match.message()), maxReplyBytes);
            return;
        }
        // receipt + timeout on this clock: deadlines must not depend on clocks agreeing across machines
        long now = System.nanoTime();
        Call call = new Call(request, e.clientId(), e.requestId(), Call.deadlineFrom(now, e.timeoutMs()), maxReplyBytes,
                s.caller().orElse(null)).inVersion(e.version()).batchingReplies(batched);
        Reply refusal = admission.refusal(call, match.handler(), now);
        if (refusal != null) {
            counters.shed.incrementAndGet();
            observeRefusal(match.route(), request, Status.TOO_MANY_REQUESTS);
            answerUnlessCast(cast, e, notRun(refusal), maxReplyBytes);
            return;
        }
        Set<String> notify = cast ? Set.of() : ProgressReports.tokens(request.headers().get(ProgressReports.NOTIFY_HEADER));
        if (notify.contains(ProgressReports.PROGRESS)) {
            call.reportProgressTo(progress.gate(p -> {
                ReplyPublisher.Outbound o = sealer.interim(call, p.toReply());
                if (o != null) {
                    publisher.publish(o);
                }
            }));
        }
        ObservedCall observed = observe(match.route(), request);
        Job job = new Job(call, match.handler(), this, admission, notify.contains(ProgressReports.STARTED), cast,
                observed);
        inflight.put(job.key, job);
        counters.inFlight.incrementAndGet();
        admission.queued(job, match.handler());
        try {
            workers.execute(job);
        } catch (RejectedExecutionException x) {
            admission.dequeued(job);
            removeInflight(job);
            if (workers.isShutdown()) { // the stop began between the check above and here: stopping, not busy
                job.observeEnd(Status.SERVICE_UNAVAILABLE);
                answerUnlessCast(cast, e, notRun(Reply.error(Status.SERVICE_UNAVAILABLE, name + " is stopping")),
                        maxReplyBytes);
                return;
            }
            counters.busy.incrementAndGet();
            job.observeEnd(Status.TOO_MANY_REQUESTS);
            answerUnlessCast(cast, e, notRun(admission.busy(name + " is busy - worker queue full (queued="
                    + queuedJobs() + ", workers=" + s.workers() + ")", System.nanoTime())), maxReplyBytes);
        }
    }

    /** The observer's call for a routed request; {@link ObservedCall#NONE} when there is no observer. */
    private ObservedCall observe(String route, Request request) {
        ServerObserver observer = s.observer();
        return observer == ServerObserver.NONE ? ObservedCall.NONE
                : Observers.start(name, () -> observer.onRequest(name, route, request));
    }

    /** A request refused before it got a job: its observation starts and ends at once. */
    private void observeRefusal(String route, Request request, int status) {
        if (s.observer() != ServerObserver.NONE) {
            Observers.end(name, observe(route, request), status, System.nanoTime());
        }
    }

    /** A refusal of a request that never ran, so the client may send it to another instance (section 17). */
    static Reply notRun(Reply refusal) {
        return refusal.withHeader(Wire.NOT_RUN, "1");
    }

    /** A cast asked for no reply (PROTOCOL.md section 19): not even a refusal is published. */
    private void answerUnlessCast(boolean cast, Envelope e, Reply reply, int maxReplyBytes) {
        if (!cast) {
            answer(e.clientId(), e.requestId(), e.path(), reply, e.timeoutMs(), maxReplyBytes, e.version());
        }
    }

    /** A client cancels one of its requests: a queued one never runs, a running one is flagged and interrupted. */
    void cancel(Envelope e) {
        Job job = inflight.get(new Job.Key(e.clientId(), e.requestId()));
        if (job == null) {
            log.debug("{} - cancel for request id {} that is not in flight", name, e.requestId());
            return;
        }
        counters.cancelled.incrementAndGet();
        boolean wasQueued = job.cancel(true);
        if (wasQueued && job.claimAnswer()) {
            complete(job, Reply.error(Status.CANCELLED, "request " + e.path() + " (id " + e.requestId()
                    + ") was cancelled before it started"));
        }
        log.debug("{} - cancelled request id {} ({})", name, e.requestId(), wasQueued ? "queued" : "running");
    }

    /** Answers a request decided without a handler, to a client with the default reply frame limit. */
    void answer(ClientId client, long requestId, String path, Reply reply, long timeoutMs) {
        answer(client, requestId, path, reply, timeoutMs, Wire.DEFAULT_MAX_REPLY_FRAME_BYTES, Wire.VERSION);
    }

    /**
     * Answers a request decided without a handler, in protocol version {@code version} (the request's);
     * parked like any reply (see {@link ReplySealer}).
     */
    void answer(ClientId client, long requestId, String path, Reply reply, long timeoutMs, int maxReplyBytes,
                int version) {
        ReplyPublisher.Outbound o = sealer.answer(client, requestId, path, reply, timeoutMs, maxReplyBytes, version);
        if (o != null) {
            counters.replied.incrementAndGet();
            publisher.publish(o);
        }
    }

    /**
     * Answers a message that could not be authenticated (401, 505). Such answers may wait for the client's
     * subscription only briefly and within their own small bound, so strangers cannot fill the parking.
     */
    void answerUntrusted(ClientId client, long requestId, String path, Reply reply) {
        counters.replied.incrementAndGet();
        publisher.publishUntrusted(sealer.untrusted(client, requestId, path, reply));
    }

    // ---------------------------------------------------------------- from the workers (never interruptible here)

    /** The handler is about to start (interim 102, only when the client asked for it). */
    void started(Job job) {
        ReplyPublisher.Outbound o = sealer.interim(job.call, Reply.error(Status.STARTED, "started"));
        if (o != null) {
            publisher.publish(o);
        }
    }

    /** The handler ended with {@code reply}. */
    void finished(Job job, Reply reply) {
        if (job.claimAnswer()) {
            complete(job, reply);
        }
    }

    /** The deadline passed while the job was queued: nobody waits for it. */
    void expired(Job job) {
        counters.expired.incrementAndGet();
        if (job.claimAnswer()) {
            job.observeEnd(Status.REQUEST_TIMEOUT);
            removeInflight(job);
        }
    }

    /** A worker took the job but it could not finish before its deadline: 429, the handler never runs. */
    void late(Job job, long now) {
        counters.shed.incrementAndGet();
        if (job.claimAnswer()) {
            complete(job, notRun(admission.late(job.call, job.handler(), now)));
        }
    }

    /** The handler threw {@code t}: the 500 reply. */
    Reply failed(Job job, Throwable t) {
        counters.failed.incrementAndGet();
        log.warn("{} - handler for {} {} (id {}) failed", name, job.call.method(), job.call.path(),
                job.call.requestId(), t);
        String detail = s.exposeErrorDetails() ? ": " + t.getClass().getName() + ": " + t.getMessage() : "";
        return Reply.error(Status.INTERNAL_ERROR, Checks.fitText("handler for " + job.call.path() + " failed" + detail));
    }

    /**
     * The handler threw a {@link ServiceException}: its status and message, the message cut to fit an
     * envelope (none: the status's reason). A 1xx is no final answer, so a thrown one is a handler bug (500).
     */
    Reply thrown(Job job, ServiceException e) {
        if (Status.isInterim(e.status())) {
            return failed(job, new IllegalStateException("handler threw " + e.getClass().getSimpleName()
                    + " with interim status " + e.status() + ", which would never end the call", e));
        }
        String message = e.getMessage() == null ? Status.reason(e.status()) : Checks.fitText(e.getMessage());
        return Reply.error(e.status(), message);
    }

    /**
     * Sends the job's one final reply and ends the job, even when {@code reply} cannot be encoded or has a
     * frame the client cannot take: a 500 then goes out in its place ({@link ReplySealer#finalReply}).
     */
    private void complete(Job job, Reply reply) {
        int status = reply.status();
        if (job.cast) {
            job.observeEnd(status);
            removeInflight(job); // a cast wants no reply: the handler ran, nothing is published
            return;
        }
        try {
            job.call.closeProgress();
            ReplyPublisher.Outbound o = sealer.finalReply(job.call, reply);
            if (o != null) {
                counters.replied.incrementAndGet();
                publisher.publish(o, linger.nextIsQuick());
            }
        } catch (RuntimeException e) {
            log.error("{} - could not publish the reply to {} (id {})", name, job.call.path(), job.call.requestId(), e);
        } finally {
            job.observeEnd(status);
            removeInflight(job);
        }
    }

    private void removeInflight(Job job) {
        if (inflight.remove(job.key) != null) {
            counters.inFlight.decrementAndGet();
        }
    }

    // ---------------------------------------------------------------- the I/O thread: housekeeping and stop

    private void housekeep() {
        try {
            publisher.watch(selector);
            while (!drained()) {
                publisher.housekeep(selector);
                notifier.drain(publisher);
                progress.flush();
            }
        } catch (Throwable t) {
            failed("its housekeeping thread failed", t);
        } finally {
            shutdown();
        }
    }

    /**
     * The service cannot go on: remembers the first cause, logs it at ERROR and stops at once. A dead JeroMQ
     * thread leaves the sockets deaf, so the stop does not wait for them (nor terminate their context, which
     * would hang). Quick and safe from any thread, including a dying JeroMQ one.
     */
    void failed(String what, Throwable cause) {
        boolean first;
        synchronized (this) {
            first = failure == null;
            if (first) {
                failure = cause;
            }
        }
        if (first) {
            log.error("{} - {}: the service fails and stops (restart the process)", name, what, cause);
        }
        stop(Duration.ZERO);
    }

    Throwable failure() {
        return failure;
    }

    /** Starts the stop, or shortens the drain of one under way: a later, shorter stop wins. */
    synchronized void stop(Duration drainTimeout) {
        long deadline = System.nanoTime() + drainTimeout.toNanos();
        if (!stopRequested) {
            drainDeadline = deadline;
            stopRequested = true;
            log.info("{} - stopping: draining {} in-flight requests for up to {} ms", name, inflight.size(),
                    drainTimeout.toMillis());
        } else if (deadline - drainDeadline < 0) {
            drainDeadline = deadline;
            log.info("{} - stopping: drain shortened to {} ms", name, drainTimeout.toMillis());
        }
        selector.wakeup();
    }

    private boolean drained() {
        if (!stopRequested) {
            return false;
        }
        boolean done = inflight.isEmpty() && publisher.parkedCount() == 0;
        if (!done && System.nanoTime() - drainDeadline < 0) {
            return false;
        }
        abandonInflight();
        return true;
    }

    /** At the drain deadline: cancels what is still queued or running and answers 503 for it. */
    private void abandonInflight() {
        if (inflight.isEmpty()) {
            return;
        }
        log.warn("{} - drain timeout: cancelling {} unfinished requests", name, inflight.size());
        workers.getQueue().clear(); // queued jobs must not start once their slot frees up
        for (Job job : new ArrayList<>(inflight.values())) {
            counters.cancelled.incrementAndGet();
            // claim first: once interrupted, the worker would otherwise race us and answer 499 instead
            boolean ours = job.claimAnswer();
            job.cancel(true);
            if (ours) {
                complete(job, Reply.error(Status.SERVICE_UNAVAILABLE, name + " stopped before request "
                        + job.call.path() + " (id " + job.call.requestId() + ") finished"));
            }
        }
    }

    private void shutdown() {
        try {
            receiverStop = true;
            workers.shutdown(); // no interrupts: abandonInflight() cancelled what ran; a worker may be publishing
            receiverThread.join(RequestReceiver.RECEIVE_TIMEOUT_MS * 10L);
            abandonInflight(); // a request dispatched while the drain ended is answered 503 too, never dropped
            if (!workers.awaitTermination(WORKER_EXIT_WAIT_MS, TimeUnit.MILLISECONDS)) {
                log.warn("{} - {} handlers still running {} ms after they were interrupted; not waiting longer",
                        name, workers.getActiveCount(), WORKER_EXIT_WAIT_MS);
            }
            notifier.close();
            notifier.drain(publisher);
            int left = publisher.flushAll();
            if (left > 0) {
                log.warn("{} - {} replies never reached their clients (not subscribed)", name, left);
            }
            inprocEndpoints(SharedContext::unbound);
            publisher.close();
            notifier.discard();
            guard.close();
            security.close();
            context.end(failure != null);
        } catch (Throwable t) {
            log.error("{} - error while closing sockets", name, t);
        } finally {
            try {
                selector.close();
            } catch (IOException e) {
                log.debug("{} - closing the selector failed", name, e);
            }
            terminated.countDown();
            if (failure == null) {
                log.info("{} - stopped (received={}, replied={}, dropped={})", name, counters.received.get(),
                        counters.replied.get(), counters.dropped.get());
            } else {
                log.error("{} - FAILED and stopped (received={}, replied={}, dropped={}): {}", name,
                        counters.received.get(), counters.replied.get(), counters.dropped.get(), failure.toString());
            }
        }
    }

    /** Tells {@link SharedContext} which of this instance's endpoints are inproc ones (clients wait for them). */
    private void inprocEndpoints(Consumer<String> action) {
        for (String address : new String[] {pullAddress, pubAddress}) {
            if (SharedContext.isInproc(address)) {
                action.accept(address);
            }
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
}
