package org.offload.client;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.offload.service.Reply;
import org.offload.service.ServiceException;
import org.offload.service.ServiceUnavailableException;
import org.offload.service.Status;
import org.offload.service.internal.Wire;
import org.offload.service.internal.SharedContext;
import org.offload.service.internal.SocketGuard;
import org.offload.service.internal.ClientId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.ZMQ;

/**
 * A client's moving parts: its lease on the JVM's shared ZeroMQ context, the sender thread (all PUSH sockets, waiting calls,
 * deadlines: {@link DeadlineQueue}), the receiver thread (the SUB socket, blocked in {@code recv}), the pending-call map and the
 * counters. User threads never touch a socket: an interrupt during a JeroMQ call could break the context.
 */
final class ClientIo {
    private static final Logger log = LoggerFactory.getLogger(ServiceClient.class);

    final ServiceClient.Settings settings;
    final String name;
    final ClientId id = ClientId.random();
    /** The JVM's shared context, so this client reaches {@code inproc://} services of the same JVM too. */
    private final SharedContext.Lease contextLease = SharedContext.lease(true);
    final ZMQ.Context context = contextLease.context();
    final Dispatcher dispatcher;
    final Map<Long, Pending> pending = new ConcurrentHashMap<>();
    /** Liveness pings in flight, by request id (sender adds, receiver takes). */
    final Map<Long, Liveness.Ping> pings = new ConcurrentHashMap<>();
    final RequestSender sender;
    final ReplyReceiver receiver;
    final Notifications notifications;
    private final CountDownLatch terminated = new CountDownLatch(1);
    private volatile boolean closed;

    final AtomicInteger pendingGauge = new AtomicInteger();
    final AtomicLong sent = new AtomicLong();
    final AtomicLong replies = new AtomicLong();
    final AtomicLong timeouts = new AtomicLong();
    final AtomicLong unavailable = new AtomicLong();
    final AtomicLong late = new AtomicLong();
    final AtomicLong badProof = new AtomicLong();
    final AtomicLong malformed = new AtomicLong();

    ClientIo(ServiceClient.Settings settings, Dispatcher dispatcher) {
        this.settings = settings;
        this.name = settings.name();
        this.dispatcher = dispatcher;
        this.notifications = new Notifications(this, dispatcher.executor());
        this.receiver = new ReplyReceiver(this);
        this.sender = new RequestSender(this);
        receiver.start();
        sender.start();
    }

    /**
     * Options every client socket gets: {@link SocketGuard}'s limits (on the frames as {@code security} puts
     * them on the wire, and a handshake timeout long enough for its handshake), no linger, reconnect backoff.
     */
    void guard(ZMQ.Socket socket, ClientSecurity security) {
        ServiceClient.Settings s = settings;
        SocketGuard.apply(socket, security.frameLimit(s.maxMessageBytes()), security.handshakeTimeout(s.handshakeTimeout()),
                s.heartbeatInterval());
        socket.setLinger(0);
        socket.setReconnectIVL((int) s.reconnectInterval().toMillis());
        socket.setReconnectIVLMax((int) s.reconnectIntervalMax().toMillis());
    }

    String clientId() {
        return id.toString();
    }

    boolean isClosed() {
        return closed;
    }

    /** Runs {@code command} on the sender thread; once the client is closed, runs it here (it then only fails calls). */
    void execute(Runnable command) {
        sender.execute(command);
        if (terminated.getCount() == 0) {
            sender.runLeftoverCommands();
        }
    }

    // ---------------------------------------------------------------- outcomes (any thread; one wins)

    /** Ends {@code p} with a final reply (success or error status). */
    void complete(Pending p, Reply reply, String path) {
        Instance from = p.instance;
        if (from != null && !from.answered) {
            from.answered = true;
        }
        if (finish(p)) {
            replies.incrementAndGet();
            p.observeEnd(name, reply.status());
            dispatcher.reply(p, reply, path);
        }
    }

    /**
     * Receiver thread: a final reply that says the request never ran ({@link Wire#NOT_RUN}: 429, 503 while
     * stopping) goes back to the sender to be tried on another instance within the same deadline. True when
     * it did; the sender completes the call with {@code reply} if no other instance can take it.
     */
    boolean retryElsewhere(Pending p, Reply reply) {
        int status = reply.status();
        if (p.target != null || p.only != null || (status != Status.TOO_MANY_REQUESTS && status != Status.SERVICE_UNAVAILABLE)
                || !reply.headers().containsKey(Wire.NOT_RUN) || p.attempts >= p.service.instances.size()) {
            return false;
        }
        sender.execute(() -> sender.retry(p, reply));
        return true;
    }

    /** {@code p} went out (sender thread): counted, and a cast is over, with nothing to deliver. */
    void sent(Pending p) {
        sent.incrementAndGet();
        if (p.mode == CallMode.CAST) {
            finish(p);
        }
    }

    /** Ends {@code p} with {@code error}. */
    void fail(Pending p, ServiceException error) {
        if (finish(p)) {
            p.observeEnd(name, error.status());
            dispatcher.failure(p, error);
        }
    }

    private boolean finish(Pending p) {
        if (!p.tryFinish()) {
            return false;
        }
        Instance instance = p.instance;
        if (instance != null) {
            pending.remove(p.requestId);
            instance.inFlight.decrementAndGet();
        }
        pendingGauge.decrementAndGet();
        return true;
    }

    // ---------------------------------------------------------------- close

    void stop() {
        sender.execute(sender::requestStop);
    }

    /** Sender thread, last: fails what is left, stops the receiver, terminates the context. */
    void shutdown() {
        closed = true;
        for (Pending p : sender.deadlines.live()) {
            fail(p, new ServiceUnavailableException(name + " - client closed before request " + p.request.path()
                    + " to " + p.service.name + " ended"));
        }
        try {
            receiver.stopAndJoin();
            contextLease.end();
        } catch (Throwable t) {
            log.error("{} - error while closing sockets", name, t);
        } finally {
            terminated.countDown();
            sender.runLeftoverCommands();
            log.info("{} - closed (sent={}, replies={}, timeouts={})", name, sent.get(), replies.get(), timeouts.get());
        }
    }

    boolean awaitTermination(long timeoutMs) {
        try {
            return terminated.await(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return terminated.getCount() == 0;
        }
    }

    ClientStats stats(long unhandled) {
        return new ClientStats(sent.get(), replies.get(), timeouts.get(), unavailable.get(), late.get(),
                badProof.get(), malformed.get(), unhandled, pendingGauge.get());
    }
}
