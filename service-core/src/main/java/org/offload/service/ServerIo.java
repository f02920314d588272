package org.offload.service;

import java.io.IOException;
import java.nio.channels.Selector;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.offload.service.internal.Checks;
import org.offload.service.internal.ClientId;
import org.offload.service.internal.Envelope;
import org.offload.service.internal.Observers;
import org.offload.service.internal.Sealed;
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
    static final String NOTIFY_START_HEADER = "offload-notify";
    /** At stop, how long interrupted handlers get to return before the sockets close without them. */
    static final long WORKER_EXIT_WAIT_MS = 1_000;

    private final ServiceServer.Settings s;
    private final String name;
    private final SharedContext.Lease context;
    private final String pullAddress;
    private final String pubAddress;
    private final String instanceId = newInstanceId();
    private final ServerCounters counters = new ServerCounters();
    private final ReplyPublisher publisher;
    private final Router router;
    private final ThreadPoolExecutor workers;
    private final Map<Job.Key, Job> inflight = new ConcurrentHashMap<>();
    private final Thread receiverThread;
    private final Thread ioThread;
    private final Selector selector;
    private final CountDownLatch terminated = new CountDownLatch(1);
    private volatile boolean stopRequested;
    private volatile boolean receiverStop;
    private volatile long drainDeadline;

    private ServerIo(ServiceServer.Settings s, SharedContext.Lease context, ZMQ.Socket pull, ZMQ.Socket pub) throws IOException {
        this.s = s;
        this.name = s.name();
        this.context = context;
        this.pullAddress = pull.getLastEndpoint();
        this.pubAddress = pub.getLastEndpoint();
        this.publisher = new ReplyPublisher(name, pub, s.maxParkedReplies(), counters);
        this.router = new Router(s.routes());
        this.workers = new ThreadPoolExecutor(s.workers(), s.workers(), 60, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(s.queueCapacity()), workerThreads(s));
        this.selector = Selector.open();
        RequestReceiver receiver = new RequestReceiver(this, name, pull, s.proof(), s.replayWindow().toMillis(), counters);
        this.receiverThread = new Thread(receiver, name + "-recv");
        this.receiverThread.setDaemon(true);
        this.ioThread = new Thread(this::housekeep, name + "-io");
        this.ioThread.setDaemon(true);
    }

    /** Creates and binds the sockets on the calling thread, so bind errors surface in {@code start()}. */
    static ServerIo open(ServiceServer.Settings s) {
        // inproc endpoints exist only inside one context: an instance with one binds in the JVM's shared context
        SharedContext.Lease context = SharedContext.lease(
                SharedContext.isInproc(s.pullAddress()) || SharedContext.isInproc(s.pubAddress()));
        ZMQ.Socket pull = null;
        ZMQ.Socket pub = null;
        try {
            pull = context.context().socket(SocketType.PULL);
            pull.setRcvHWM(s.receiveHwm());
            pull.setLinger(0);
            SocketGuard.apply(pull, s.maxMessageBytes(), s.handshakeTimeout(), s.heartbeatInterval());
            bind(s, pull, "PULL", s.pullAddress());
            pub = context.context().socket(SocketType.XPUB);
            pub.setSndHWM(s.sendHwm());
            // Lossy on purpose (no XPUB_NODROP): with NODROP one subscriber that stops reading - a stalled or
            // hostile peer subscribed to every topic - blocks every send. The HWM is sized above what a
            // reading client can have outstanding (see DEFAULT_SEND_HWM), so only a non-reader loses replies.
            pub.setLinger((int) s.linger().toMillis());
            SocketGuard.apply(pub, MAX_SUBSCRIPTION_FRAME_BYTES, s.handshakeTimeout(), s.heartbeatInterval());
            bind(s, pub, "PUB", s.pubAddress());
            ServerIo io = new ServerIo(s, context, pull, pub);
            io.inprocEndpoints(SharedContext::bound);
            return io;
        } catch (IOException | RuntimeException e) {
            closeQuietly(pull);
            closeQuietly(pub);
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
        pong = pong.withHeader(Wire.INSTANCE, instanceId); // not counted as a reply: pings are not requests
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(e.timeoutMs());
        publisher.publish(new ReplyPublisher.Outbound(e.clientId(), sealReply(e.clientId(), e.requestId(), e.path(),
                pong), parkUntil(e.timeoutMs() != 0, deadline)));
    }

    ServerStats stats() {
        return counters.snapshot();
    }

    // ---------------------------------------------------------------- from the receiver thread

    boolean receiverShouldStop() {
        return receiverStop;
    }

    /** Routes an authentic request and hands it to a worker, or answers it at once (404/405/429/503). */
    void dispatch(Envelope e, Request request) {
        if (stopRequested) {
            observeRefusal("", request, Status.SERVICE_UNAVAILABLE);
            answer(e.clientId(), e.requestId(), e.path(), notRun(Status.SERVICE_UNAVAILABLE, name + " is stopping"),
                    e.timeoutMs());
            return;
        }
        Router.Match match = router.match(e.path(), e.method());
        if (match.handler() == null) {
            counters.notFound.incrementAndGet();
            observeRefusal("", request, match.status());
            answer(e.clientId(), e.requestId(), e.path(), Reply.error(match.status(), match.message()), e.timeoutMs());
            return;
        }
        // receipt + timeout on this clock: deadlines must not depend on clocks agreeing across machines
        long deadline = Call.deadlineFrom(System.nanoTime(), e.timeoutMs());
        Call call = new Call(request, e.clientId(), e.requestId(), deadline);
        ObservedCall observed = observe(match.route(), request);
        Job job = new Job(call, match.handler(), this, "started".equals(request.headers().get(NOTIFY_START_HEADER)),
                observed);
        inflight.put(job.key, job);
        counters.inFlight.incrementAndGet();
        try {
            workers.execute(job);
        } catch (RejectedExecutionException x) {
            removeInflight(job);
            if (workers.isShutdown()) { // the stop began between the check above and here: stopping, not busy
                job.observeEnd(Status.SERVICE_UNAVAILABLE);
                answer(e.clientId(), e.requestId(), e.path(), notRun(Status.SERVICE_UNAVAILABLE,
                        name + " is stopping"), e.timeoutMs());
                return;
            }
            counters.busy.incrementAndGet();
            job.observeEnd(Status.TOO_MANY_REQUESTS);
            answer(e.clientId(), e.requestId(), e.path(), notRun(Status.TOO_MANY_REQUESTS, name
                    + " is busy - worker queue full (queued=" + workers.getQueue().size() + ", workers="
                    + s.workers() + ")"), e.timeoutMs());
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
    private static Reply notRun(int status, String message) {
        return Reply.error(status, message).withHeader(Wire.NOT_RUN, "1");
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

    /** Answers a request decided without a handler; parked like any reply (see {@link #parkUntil}). */
    void answer(ClientId client, long requestId, String path, Reply reply, long timeoutMs) {
        counters.replied.incrementAndGet();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        publisher.publish(new ReplyPublisher.Outbound(client, sealReply(client, requestId, path, reply),
                parkUntil(timeoutMs != 0, deadline)));
    }

    /**
     * Answers a message that could not be authenticated (401, 505). Such answers may wait for the client's
     * subscription only briefly and within their own small bound, so strangers cannot fill the parking.
     */
    void answerUntrusted(ClientId client, long requestId, String path, Reply reply) {
        counters.replied.incrementAndGet();
        publisher.publishUntrusted(new ReplyPublisher.Outbound(client, sealReply(client, requestId, path, reply),
                System.nanoTime() + ReplyPublisher.UNTRUSTED_PARK_NANOS));
    }

    // ---------------------------------------------------------------- from the workers (never interruptible here)

    /** The handler is about to start (interim 102, only when the client asked for it). */
    void started(Job job) {
        publisher.publish(outbound(job.call, Reply.error(Status.STARTED, "started")));
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

    /** Sends the job's one final reply and ends the job, even when {@code reply} cannot be encoded. */
    private void complete(Job job, Reply reply) {
        int status = reply.status();
        try {
            ReplyPublisher.Outbound o;
            try {
                o = outbound(job.call, reply);
            } catch (RuntimeException tooLarge) { // e.g. the handler's headers push the envelope over 1 MiB
                log.warn("{} - reply to {} (id {}) could not be encoded: {}", name, job.call.path(),
                        job.call.requestId(), tooLarge.getMessage());
                counters.failed.incrementAndGet();
                status = Status.INTERNAL_ERROR;
                o = outbound(job.call, Reply.error(Status.INTERNAL_ERROR, "reply to " + job.call.path()
                        + " could not be encoded: " + Checks.fitText(String.valueOf(tooLarge.getMessage()))));
            }
            counters.replied.incrementAndGet();
            publisher.publish(o);
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

    private ReplyPublisher.Outbound outbound(Call call, Reply reply) {
        return new ReplyPublisher.Outbound(call.client(), sealReply(call.client(), call.requestId(), call.path(), reply),
                parkUntil(call.hasDeadline(), call.deadlineNanos()));
    }

    /**
     * Until when a reply may stay parked: {@code parkTimeout} from now, or the request's deadline if that
     * comes first. Never longer, however long the deadline: a reply for a client that is gone (a front end
     * restarted with hours-long tasks in flight) must not hold a parking slot for hours.
     */
    private long parkUntil(boolean hasDeadline, long deadlineNanos) {
        long limit = System.nanoTime() + s.parkTimeout().toNanos();
        return hasDeadline && deadlineNanos - limit < 0 ? deadlineNanos : limit;
    }

    private Sealed sealReply(ClientId client, long requestId, String path, Reply reply) {
        Envelope e = new Envelope(Wire.REPLY, client, requestId, System.currentTimeMillis(), 0, reply.status(),
                reply.method(), path, reply.message(), reply.headers());
        return Sealed.seal(s.proof(), e, reply.body());
    }

    // ---------------------------------------------------------------- the I/O thread: housekeeping and stop

    private void housekeep() {
        try {
            publisher.watch(selector);
            while (!drained()) {
                publisher.housekeep(selector);
            }
        } catch (Throwable t) {
            log.error("{} - I/O thread failed; stopping", name, t);
        } finally {
            shutdown();
        }
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

    void stopAfterFailure() {
        stop(Duration.ZERO);
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
            int left = publisher.flushAll();
            if (left > 0) {
                log.warn("{} - {} replies never reached their clients (not subscribed)", name, left);
            }
            inprocEndpoints(SharedContext::unbound);
            publisher.close();
            context.end();
        } catch (Throwable t) {
            log.error("{} - error while closing sockets", name, t);
        } finally {
            try {
                selector.close();
            } catch (IOException e) {
                log.debug("{} - closing the selector failed", name, e);
            }
            terminated.countDown();
            log.info("{} - stopped (received={}, replied={}, dropped={})", name, counters.received.get(),
                    counters.replied.get(), counters.dropped.get());
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
