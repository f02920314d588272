package org.offload.client;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.offload.service.Body;
import org.offload.service.CancelledException;
import org.offload.service.DeadlineExceededException;
import org.offload.service.ProtocolException;
import org.offload.service.Reply;
import org.offload.service.ServiceException;
import org.offload.service.ServiceUnavailableException;
import org.offload.service.Status;
import org.offload.service.UnauthorizedException;
import org.offload.service.internal.ClientId;
import org.offload.service.internal.Envelope;
import org.offload.service.internal.EventLoop;
import org.offload.service.internal.Sealed;
import org.offload.service.internal.WarnLimiter;
import org.offload.service.internal.Wire;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.SocketType;
import org.zeromq.ZMQ;

/**
 * The client's I/O thread: owns the SUB socket and one PUSH socket per service instance, the pending-call
 * map and the deadline queue. Callers reach it only through {@link EventLoop#execute}.
 */
final class ClientIo implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(ServiceClient.class);
    private static final int BATCH = 256;
    private static final long IDLE_SLEEP_MS = 100;
    private static final long RETRY_SLEEP_MS = 1;

    private final ServiceClient.Settings s;
    private final String name;
    private final ClientId id = ClientId.random();
    private final ZMQ.Context context = ZMQ.context(1);
    private final ZMQ.Socket sub;
    private final EventLoop loop;
    private final Thread thread;
    private final CountDownLatch terminated = new CountDownLatch(1);
    private final Dispatcher dispatcher;
    private final WarnLimiter warn = new WarnLimiter();

    private final Map<Long, Pending> pending = new HashMap<>();
    private final TreeSet<Pending> deadlines = new TreeSet<>(
            Comparator.<Pending>comparingLong(p -> p.deadlineNanos).thenComparingLong(p -> p.seq));
    private final Map<String, Integer> pubRefs = new HashMap<>();
    private final Map<String, ServiceEntry> services = new HashMap<>();
    private long nextRequestId = 1;
    private int waitingCount;
    private volatile boolean closed;
    private boolean stopRequested;

    final AtomicInteger pendingGauge = new AtomicInteger();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong replies = new AtomicLong();
    private final AtomicLong timeouts = new AtomicLong();
    private final AtomicLong unavailable = new AtomicLong();
    private final AtomicLong late = new AtomicLong();
    private final AtomicLong badProof = new AtomicLong();
    private final AtomicLong malformed = new AtomicLong();

    ClientIo(ServiceClient.Settings s, Dispatcher dispatcher) {
        this.s = s;
        this.name = s.name();
        this.dispatcher = dispatcher;
        this.loop = new EventLoop(name);
        this.sub = context.socket(SocketType.SUB);
        sub.setRcvHWM(s.receiveHwm());
        sub.setMaxMsgSize(s.maxMessageBytes());
        sub.setLinger(0);
        sub.setReconnectIVL((int) s.reconnectInterval().toMillis());
        sub.setReconnectIVLMax((int) s.reconnectIntervalMax().toMillis());
        sub.subscribe(id.topic());
        this.thread = new Thread(this, name + "-io");
        this.thread.setDaemon(true);
        thread.start();
    }

    String clientId() {
        return id.toString();
    }

    // ---------------------------------------------------------------- commands from callers

    /** Runs {@code command} on the I/O thread; after close, runs it here (it then only fails calls). */
    void execute(Runnable command) {
        loop.execute(command);
        if (terminated.getCount() == 0) {
            Runnable r;
            while ((r = loop.pollCommand()) != null) {
                r.run();
            }
        }
    }

    boolean isClosed() {
        return closed;
    }

    /** I/O thread: adds an instance (and the service on first use). */
    void register(ServiceEntry entry, String pullAddress, String pubAddress) {
        ServiceEntry existing = services.putIfAbsent(entry.name, entry);
        ServiceEntry target = existing == null ? entry : existing;
        for (Instance i : target.instances) {
            if (i.pullAddress.equals(pullAddress)) {
                return;
            }
        }
        ZMQ.Socket push = context.socket(SocketType.PUSH);
        try {
            push.setSndHWM(s.sendHwm());
            push.setImmediate(true);
            push.setLinger(0);
            push.setReconnectIVL((int) s.reconnectInterval().toMillis());
            push.setReconnectIVLMax((int) s.reconnectIntervalMax().toMillis());
            push.connect(pullAddress);
            if (pubRefs.merge(pubAddress, 1, Integer::sum) == 1) {
                sub.connect(pubAddress);
            }
        } catch (RuntimeException e) {
            push.close();
            if (target.instances.isEmpty()) {
                services.remove(target.name);
            }
            throw e;
        }
        loop.watch(push);
        target.instances.add(new Instance(pullAddress, pubAddress, push));
        log.info("{} - registered {} instance PULL {} PUB {} ({} instances)", name, target.name, pullAddress,
                pubAddress, target.instances.size());
    }

    /** I/O thread: removes a service, failing its calls. */
    void unregister(String service) {
        ServiceEntry entry = services.remove(service);
        if (entry == null) {
            return;
        }
        for (Pending p : new ArrayList<>(pending.values())) {
            if (p.service == entry) {
                fail(p, new ServiceUnavailableException(name + " - service " + service + " was unregistered"));
            }
        }
        failWaiting(entry, "service " + service + " was unregistered");
        for (Instance i : entry.instances) {
            i.push.close();
            if (pubRefs.merge(i.pubAddress, -1, Integer::sum) == 0) {
                pubRefs.remove(i.pubAddress);
                sub.disconnect(i.pubAddress);
            }
        }
        log.info("{} - unregistered {}", name, service);
    }

    /** I/O thread: queues a call and sends it if an instance can take it. */
    void enqueue(Pending p) {
        if (closed) {
            p.done = true;
            pendingGauge.decrementAndGet();
            dispatcher.failure(p, new ServiceUnavailableException(name + " - client is closed"));
            return;
        }
        if (services.get(p.service.name) != p.service) {
            fail(p, new ServiceUnavailableException(name + " - service " + p.service.name + " is not registered"));
            return;
        }
        deadlines.add(p);
        if (p.service.waiting.isEmpty() && sendNow(p)) {
            return;
        }
        p.service.waiting.add(p);
        waitingCount++;
    }

    /** I/O thread: asks the instance running {@code p} to cancel it. */
    void cancel(Pending p) {
        if (p.done) {
            return;
        }
        p.cancelRequested = true;
        if (!p.sent()) {
            fail(p, new CancelledException(name + " - request " + p.request.path() + " was cancelled before it was sent"));
            return;
        }
        Envelope e = new Envelope(Wire.CANCEL, id, p.requestId, System.currentTimeMillis(), 0, 0, "cancel",
                p.request.path(), "", Map.of());
        Sealed m = Sealed.seal(p.service.proof, e, Body.empty());
        if (!p.instance.push.send(m.envelope(), ZMQ.SNDMORE | ZMQ.DONTWAIT)) {
            log.debug("{} - could not send cancel for request id {}: instance not writable", name, p.requestId);
            return;
        }
        p.instance.push.send(m.body(), ZMQ.SNDMORE);
        p.instance.push.send(m.proof(), 0);
    }

    // ---------------------------------------------------------------- the loop

    @Override
    public void run() {
        try {
            loop.watch(sub);
            while (!stopRequested) {
                int work = loop.runCommands() + readReplies();
                if (waitingCount > 0) {
                    work += flushWaiting();
                }
                expire(System.nanoTime());
                if (work == 0 && !readable()) {
                    loop.await(sleepMs());
                }
            }
        } catch (Throwable t) {
            log.error("{} - I/O thread failed; closing", name, t);
        } finally {
            shutdown();
        }
    }

    private long sleepMs() {
        if (waitingCount > 0) {
            return RETRY_SLEEP_MS;
        }
        if (deadlines.isEmpty()) {
            return IDLE_SLEEP_MS;
        }
        long ms = TimeUnit.NANOSECONDS.toMillis(deadlines.first().deadlineNanos - System.nanoTime()) + 1;
        return Math.max(1, Math.min(IDLE_SLEEP_MS, ms));
    }

    /** Processes pending socket commands (edge-triggered signals) and says whether a reply is waiting. */
    private boolean readable() {
        for (ServiceEntry e : services.values()) {
            for (Instance i : e.instances) {
                i.push.getEvents();
            }
        }
        return (sub.getEvents() & ZMQ.Poller.POLLIN) != 0;
    }

    private int flushWaiting() {
        int n = 0;
        for (ServiceEntry e : services.values()) {
            Pending p;
            while ((p = e.waiting.peek()) != null) {
                if (p.done) {
                    e.waiting.poll();
                    waitingCount--;
                    continue;
                }
                if (!sendNow(p)) {
                    break;
                }
                e.waiting.poll();
                waitingCount--;
                n++;
            }
        }
        return n;
    }

    /** Sends {@code p} to the least-loaded writable instance; false when none can take it now. */
    private boolean sendNow(Pending p) {
        Instance target = p.service.pick();
        if (target == null) {
            return false;
        }
        long remaining = Math.max(1, TimeUnit.NANOSECONDS.toMillis(p.deadlineNanos - System.nanoTime()));
        long requestId = nextRequestId++;
        Envelope e = new Envelope(Wire.REQUEST, id, requestId, System.currentTimeMillis(), remaining, 0,
                p.request.method(), p.request.path(), "", Sealed.wireHeaders(p.request.headers(), p.request.body()));
        Sealed m = Sealed.seal(p.service.proof, e, p.request.body());
        if (!target.push.send(m.envelope(), ZMQ.SNDMORE | ZMQ.DONTWAIT)) {
            return false; // the id is skipped; ids only need to grow
        }
        target.push.send(m.body(), ZMQ.SNDMORE);
        target.push.send(m.proof(), 0);
        p.requestId = requestId;
        p.instance = target;
        target.inFlight++;
        target.sent++;
        pending.put(requestId, p);
        sent.incrementAndGet();
        return true;
    }

    // ---------------------------------------------------------------- replies

    private int readReplies() {
        int n = 0;
        while (n < BATCH) {
            byte[] topic = sub.recv(ZMQ.DONTWAIT);
            if (topic == null) {
                break;
            }
            n++;
            byte[][] frames = new byte[Wire.REPLY_FRAMES][];
            frames[0] = topic;
            int count = 1;
            while (sub.hasReceiveMore()) {
                byte[] f = sub.recv(0);
                if (count < Wire.REPLY_FRAMES) {
                    frames[count] = f;
                }
                count++;
            }
            onReply(frames, count);
        }
        return n;
    }

    private void onReply(byte[][] frames, int count) {
        byte[] env = frames[1];
        if (count != Wire.REPLY_FRAMES || !id.matches(frames[0]) || !Wire.hasStablePrefix(env)
                || !id.equals(Wire.clientId(env))) {
            peerError(malformed, "dropped a reply with " + count + " frames or a foreign topic");
            return;
        }
        Pending p = pending.get(Wire.requestId(env));
        if (p == null) {
            late.incrementAndGet();
            log.debug("{} - dropped a reply for request id {} that is not pending", name, Wire.requestId(env));
            return;
        }
        if (!p.service.proof.verify(env, frames[2], frames[3])) {
            if (Wire.status(env) == Status.UNAUTHORIZED) {
                fail(p, new UnauthorizedException(name + " - " + p.service.name + " rejected request "
                        + p.request.path() + ": passphrase proof did not verify (do both sides use the same passphrase?)"));
            } else {
                peerError(badProof, "dropped a reply from " + p.service.name + " whose proof did not verify");
            }
            return;
        }
        Envelope e;
        try {
            e = Wire.decode(env);
        } catch (ProtocolException x) {
            malformed.incrementAndGet();
            fail(p, new ProtocolException(x.status(), name + " - malformed reply from " + p.service.name
                    + " to " + p.request.path() + ": " + x.getMessage()));
            return;
        }
        Reply reply;
        try {
            reply = new Reply(e.status(), e.message(), e.method(), e.headers(), Sealed.body(e.headers(), frames[2]));
        } catch (IllegalArgumentException x) {
            malformed.incrementAndGet();
            fail(p, new ProtocolException(name + " - invalid reply from " + p.service.name + ": " + x.getMessage()));
            return;
        }
        if (Status.isInterim(reply.status())) {
            if (p.interim != null) {
                dispatcher.interim(p, reply);
            }
            return;
        }
        finish(p);
        replies.incrementAndGet();
        dispatcher.reply(p, reply, e.path());
    }

    // ---------------------------------------------------------------- outcomes

    private void expire(long now) {
        while (!deadlines.isEmpty()) {
            Pending p = deadlines.first();
            if (now - p.deadlineNanos < 0) {
                return;
            }
            if (p.sent()) {
                timeouts.incrementAndGet();
                fail(p, new DeadlineExceededException(name + " - " + p.service.name + " - no reply to request "
                        + p.request.path() + " after " + p.timeoutMs + " ms (pending=" + pending.size()
                        + ", instances=" + p.service.instances.size() + ")"));
            } else {
                unavailable.incrementAndGet();
                fail(p, new ServiceUnavailableException(name + " - " + p.service.name
                        + " - no connected instance took request " + p.request.path() + " within " + p.timeoutMs
                        + " ms (instances=" + p.service.instances.size() + ", connected=" + p.service.connected()
                        + ")"));
            }
        }
    }

    private void finish(Pending p) {
        p.done = true;
        deadlines.remove(p);
        if (p.sent()) {
            pending.remove(p.requestId);
            p.instance.inFlight--;
        }
        pendingGauge.decrementAndGet();
    }

    /** I/O thread: ends {@code p} with {@code error}. */
    void fail(Pending p, ServiceException error) {
        if (p.done) {
            return;
        }
        finish(p);
        dispatcher.failure(p, error);
    }

    private void failWaiting(ServiceEntry entry, String why) {
        Pending p;
        while ((p = entry.waiting.poll()) != null) {
            waitingCount--;
            fail(p, new ServiceUnavailableException(name + " - " + why));
        }
    }

    private void peerError(AtomicLong counter, String what) {
        counter.incrementAndGet();
        if (warn.tryAcquire()) {
            log.warn("{} - {} (badProof={}, malformed={})", name, what, badProof.get(), malformed.get());
        }
    }

    // ---------------------------------------------------------------- close

    void stop() {
        loop.execute(() -> stopRequested = true);
    }

    private void shutdown() {
        closed = true;
        for (Pending p : new ArrayList<>(deadlines)) {
            fail(p, new ServiceUnavailableException(name + " - client closed before request " + p.request.path()
                    + " to " + p.service.name + " ended"));
        }
        try {
            for (ServiceEntry e : services.values()) {
                for (Instance i : e.instances) {
                    i.push.close();
                }
            }
            sub.close();
            context.term();
        } catch (Throwable t) {
            log.error("{} - error while closing sockets", name, t);
        } finally {
            loop.close();
            terminated.countDown();
            Runnable r;
            while ((r = loop.pollCommand()) != null) {
                r.run();
            }
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
