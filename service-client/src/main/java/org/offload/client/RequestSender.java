package org.offload.client;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.offload.service.Body;
import org.offload.service.CancelledException;
import org.offload.service.DeadlineExceededException;
import org.offload.service.RouteVersion;
import org.offload.service.ServiceUnavailableException;
import org.offload.service.internal.Envelope;
import org.offload.service.internal.Sealed;
import org.offload.service.internal.Wire;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.ZMQ;

/**
 * The sender thread: owns every PUSH socket, the calls waiting for a connected instance, and deadline
 * expiry. Callers hand it commands through a queue and wake it with {@link LockSupport#unpark}. Request ids
 * grow in send order, so each instance sees them increasing (its replay check relies on that).
 */
final class RequestSender implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(ServiceClient.class);
    private static final long IDLE_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /** While calls wait for a connection, how often to look again. */
    private static final long RETRY_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final ClientIo io;
    private final String name;
    private final Thread thread;
    private final Queue<Runnable> commands = new ConcurrentLinkedQueue<>();
    private final Map<String, ServiceEntry> services = new HashMap<>();
    private final Connections connections;
    private final Liveness liveness;
    private final VersionCatalog versions;
    private final RequestBatches batches;
    /** Every call not ended, by deadline (this thread only; a call ended elsewhere is skipped at the head). */
    final DeadlineQueue deadlines = new DeadlineQueue();
    private volatile boolean sleeping;
    private boolean stopRequested;
    private long nextRequestId = 1;
    private int waitingCount;
    /** Retired instances not yet closed. */
    private int retiring;

    RequestSender(ClientIo io) {
        this.io = io;
        this.name = io.name;
        this.connections = new Connections(io);
        this.liveness = new Liveness(io, connections, () -> nextRequestId++);
        this.versions = new VersionCatalog(io, this::enqueue);
        this.batches = new RequestBatches(io.pending, io::sent);
        this.thread = new Thread(this, name + "-send");
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Any thread: queues {@code command} for the sender thread. */
    void execute(Runnable command) {
        commands.add(command);
        if (sleeping) {
            LockSupport.unpark(thread);
        }
    }

    /** After the sender thread ended: runs commands that arrived too late (they only fail their calls). */
    void runLeftoverCommands() {
        Runnable r;
        while ((r = commands.poll()) != null) {
            r.run();
        }
    }

    void requestStop() {
        stopRequested = true;
    }

    @Override
    public void run() {
        try {
            while (!stopRequested) {
                int work = runCommands();
                // what the commands sealed leaves before a ping takes a later id: each instance must see ids grow
                waitAgain(batches.endPass());
                long now = System.nanoTime();
                expire(now); // first: a call whose deadline passed while it waited is failed, never sent
                liveness.tick(now, services.values());
                if (retiring > 0) {
                    reapRetired();
                }
                if (waitingCount > 0) {
                    work += flushWaiting();
                }
                if (connections.hasIdle()) {
                    connections.closeExpired(now);
                }
                waitAgain(batches.endPass());
                if (work == 0) {
                    sleep();
                }
            }
        } catch (Throwable t) {
            log.error("{} - sender thread failed; closing", name, t);
        } finally {
            closeSockets();
            io.shutdown();
        }
    }

    private int runCommands() {
        int n = 0;
        Runnable r;
        while ((r = commands.poll()) != null) {
            n++;
            try {
                r.run();
            } catch (RuntimeException e) {
                log.error("{} - a command failed on the sender thread", name, e);
            }
        }
        return n;
    }

    private void sleep() {
        long nanos = waitingCount > 0 ? RETRY_PARK_NANOS : IDLE_PARK_NANOS;
        if (!services.isEmpty()) {
            nanos = Math.min(nanos, Math.max(RETRY_PARK_NANOS, liveness.nanosToNextCheck(System.nanoTime())));
        }
        Pending next = earliest();
        if (next != null) {
            nanos = Math.min(nanos, Math.max(RETRY_PARK_NANOS, next.deadlineNanos - System.nanoTime()));
        }
        sleeping = true;
        if (commands.isEmpty()) {
            LockSupport.parkNanos(this, nanos);
        }
        sleeping = false;
    }

    // ---------------------------------------------------------------- commands

    /** Adds an instance (and the service on first use). */
    void register(ServiceEntry entry, String pullAddress, String pubAddress) {
        ServiceEntry current = services.get(entry.name);
        if (current != entry) {
            // the client's map is the truth: a different entry here was just unregistered, and its own
            // unregister command (queued behind this one) releases it without touching this one
            services.put(entry.name, entry);
        }
        ServiceEntry target = entry;
        for (Instance i : target.instances) {
            if (i.pullAddress.equals(pullAddress)) {
                if (!i.pubAddress.equals(pubAddress)) {
                    throw new IllegalArgumentException(name + " - " + target.name + " instance " + pullAddress
                            + " is registered with PUB " + i.pubAddress + ", not " + pubAddress
                            + "; unregister the service first to change it");
                }
                if (i.retired) {
                    i.retired = false; // back before its calls drained: it stays
                    retiring--;
                }
                return;
            }
        }
        ZMQ.Socket push = null;
        try {
            push = connections.openPush(pullAddress, target.security);
            connections.proveSubscription(target.proof, target.security);
            connections.acquirePub(pubAddress, target.security);
        } catch (RuntimeException e) {
            if (push != null) {
                push.close();
            }
            if (target.instances.isEmpty()) {
                services.remove(target.name, target);
            }
            throw e;
        }
        target.instances.add(new Instance(pullAddress, pubAddress, push, System.nanoTime()));
        log.info("{} - registered {} instance PULL {} PUB {} ({} instances)", name, target.name, pullAddress,
                pubAddress, target.instances.size());
    }

    /** Removes this entry of a service (not one registered again since), failing its calls. */
    void unregister(ServiceEntry entry) {
        String service = entry.name;
        services.remove(service, entry);
        ServiceUnavailableException gone = new ServiceUnavailableException(name + " - service " + service
                + " was unregistered");
        for (Pending p : deadlines.live()) {
            if (p.service == entry) {
                io.fail(p, gone);
            }
        }
        waitingCount -= entry.waiting.size();
        entry.waiting.clear();
        for (Instance i : entry.instances) {
            if (i.retired) {
                retiring--;
            }
            batches.discard(i);
            liveness.forget(i);
            connections.releasePush(i.pullAddress, entry.security, i.push);
            connections.releasePub(i.pubAddress, entry.security);
        }
        log.info("{} - unregistered {}", name, service);
    }

    /** Takes an instance out of the rotation; it closes when its last call in flight has ended. */
    void retire(ServiceEntry entry, String pullAddress) {
        for (Instance i : entry.instances) {
            if (i.pullAddress.equals(pullAddress) && !i.retired) {
                i.retired = true;
                retiring++;
            }
        }
    }

    /** Closes retired instances with nothing in flight. */
    private void reapRetired() {
        for (ServiceEntry e : services.values()) {
            for (Instance i : e.instances) {
                if (i.retired && i.inFlight.get() == 0) {
                    e.instances.remove(i);
                    retiring--;
                    liveness.forget(i);
                    connections.releasePush(i.pullAddress, e.security, i.push);
                    connections.releasePub(i.pubAddress, e.security);
                    log.info("{} - {} instance {} retired and closed ({} instances)", name, e.name, i.addresses(),
                            e.instances.size());
                }
            }
        }
    }

    /** Queues a call and sends it if an instance can take it. */
    void enqueue(Pending p) {
        if (io.isClosed()) {
            io.fail(p, new ServiceUnavailableException(name + " - client is closed"));
            return;
        }
        if (services.get(p.service.name) != p.service) {
            io.fail(p, new ServiceUnavailableException(name + " - service " + p.service.name + " is not registered"));
            return;
        }
        deadlines.add(p, io.pendingGauge.get());
        if ((p.only != null || p.target != null || p.service.waiting.isEmpty()) && sendNow(p)) {
            return;
        }
        if (p.only != null) { // a call for one instance never waits: it would hold up the service's queue
            io.fail(p, new ServiceUnavailableException(name + " - " + p.service.name + " instance "
                    + p.only.addresses() + " cannot take request " + p.request.path() + " now"));
            return;
        }
        p.service.waiting.add(p);
        waitingCount++;
    }

    /** Asks the instance running {@code p} to cancel it; a call not yet sent just fails. */
    void cancel(Pending p) {
        if (p.isDone()) {
            return;
        }
        if (p.instance != null) {
            batches.flush(p.instance); // the request leaves before its cancel
            waitAgain(batches.endPass());
        }
        Instance instance = p.instance;
        if (instance == null) {
            io.fail(p, new CancelledException(name + " - request " + p.request.path() + " was cancelled before it was sent"));
            dropWaiting(p);
            return;
        }
        Envelope e = new Envelope(Wire.CANCEL, io.id, p.requestId, System.currentTimeMillis(), 0, 0, "cancel",
                p.request.path(), "", bound(Map.of(), instance));
        Sealed m = WireVersions.seal(p.service.proof, e, Body.empty(), instance);
        if (!instance.send(m)) {
            log.debug("{} - could not send cancel for request id {}: instance not writable", name, p.requestId);
        }
    }

    // ---------------------------------------------------------------- sending

    /**
     * Sends what waits, in order. A call pinned to one instance (targeted, fanout, a version read) or asking
     * for a version waits only for its own instances: it never holds up the calls behind it. Once an
     * ordinary call finds no instance, the ordinary calls behind it wait too (order is kept among them).
     */
    private int flushWaiting() {
        int n = 0;
        for (ServiceEntry e : services.values()) {
            boolean ordinaryBlocked = false;
            for (Iterator<Pending> it = e.waiting.iterator(); it.hasNext(); ) {
                Pending p = it.next();
                boolean particular = p.target != null || p.only != null
                        || p.request.headers().containsKey(org.offload.service.RouteVersion.HEADER);
                if (!p.isDone()) {
                    if (!particular && ordinaryBlocked) {
                        continue;
                    }
                    if (!sendNow(p)) {
                        ordinaryBlocked |= !particular;
                        continue;
                    }
                }
                it.remove();
                waitingCount--;
                n++;
            }
        }
        return n;
    }

    /**
     * A call that ended before it was sent leaves its service's waiting queue now, wherever it stands:
     * behind a long call at the head it would otherwise keep its request (body included) until that one
     * went. The call to drop usually stands near the head, so the scan is short.
     */
    private void dropWaiting(Pending p) {
        if (p.service.waiting.removeFirstOccurrence(p)) {
            waitingCount--;
        }
    }

    /**
     * Receiver said {@code p} was not run ({@link Wire#NOT_RUN}) by the instance it went to: send it to
     * another one within its deadline, or end it with that {@code reply} when no other can take it now.
     */
    void retry(Pending p, org.offload.service.Reply reply) {
        if (p.isDone()) {
            return;
        }
        Instance from = p.instance;
        if (pick(p, from) == null || p.deadlineNanos - System.nanoTime() <= 0) {
            io.complete(p, reply, p.request.path());
            return;
        }
        io.pending.remove(p.requestId);
        from.inFlight.decrementAndGet();
        p.instance = null;
        p.avoid = from;
        p.attempts++;
        log.debug("{} - {} instance {} did not run request id {} (status {}); trying another", name,
                p.service.name, from.addresses(), p.requestId, reply.status());
        if (!sendNow(p)) {
            p.service.waiting.addFirst(p);
            waitingCount++;
        }
    }

    /**
     * {@code headers} plus the binding to {@code target}'s instance id, once its pong told it: a view, not a
     * copy ({@link BoundHeaders}), and for the usual request without headers one map per instance id.
     */
    private static Map<String, String> bound(Map<String, String> headers, Instance target) {
        String id = target.instanceId;
        if (id.isEmpty()) {
            return headers;
        }
        if (!headers.isEmpty()) {
            return new BoundHeaders(headers, id);
        }
        if (target.bindingOnly == null || !target.bindingOnly.get(Wire.INSTANCE).equals(id)) {
            target.bindingOnly = Map.of(Wire.INSTANCE, id);
        }
        return target.bindingOnly;
    }

    /**
     * Where {@code p} may go now: its one instance, else for a request asking for a version one that serves
     * it ({@link VersionCatalog}), else the least-loaded instance in the rotation; null when none can take it.
     */
    private Instance pick(Pending p, Instance avoid) {
        Instance only = p.only != null ? p.only : p.target; // a version read, or a targeted / fanout call
        if (only != null) {
            return only != avoid && only.inRotation() ? only : null;
        }
        String version = p.request.headers().get(RouteVersion.HEADER);
        return version == null ? p.service.pick(avoid) : versions.pick(p, avoid, version);
    }

    /** Sends {@code p} to the instance {@link #pick} chooses; false when none can take it now. */
    private boolean sendNow(Pending p) {
        Instance target = pick(p, p.avoid);
        if (target == null) {
            return false;
        }
        long remaining = TimeUnit.NANOSECONDS.toMillis(p.deadlineNanos - System.nanoTime());
        if (remaining <= 0) {
            return false; // its deadline passed while it waited: expire() fails it; a handler must not run for it
        }
        long requestId = nextRequestId++;
        Envelope e = new Envelope(Wire.REQUEST, io.id, requestId, System.currentTimeMillis(), remaining, 0,
                p.request.method(), p.request.path(), "", bound(p.request.headers(), target));
        Sealed m = WireVersions.seal(p.service.proof, e, p.request.body(), target);
        p.requestId = requestId;
        p.sentProof = m.proof();
        p.instance = target;
        target.inFlight.incrementAndGet();
        io.pending.put(requestId, p);
        if (RequestBatch.batchable(target, m)) {
            batches.add(target, p, m); // sent at the end of this pass, with whatever else it finds for target
            return true;
        }
        batches.flush(target); // what was sealed for target before this leaves before it
        if (!target.send(m)) {
            io.pending.remove(requestId); // the id is skipped; ids only need to grow
            target.inFlight.decrementAndGet();
            p.instance = null;
            return false;
        }
        io.sent(p);
        return true;
    }

    /**
     * Calls whose batch the PUSH did not take ({@link RequestBatches}) wait again at the head of their
     * service's queue, in their order; one for a single instance (a routes read) fails, as in {@link #enqueue}.
     */
    private void waitAgain(java.util.List<Pending> unsent) {
        for (int k = unsent.size() - 1; k >= 0; k--) {
            Pending p = unsent.get(k);
            if (p.isDone()) {
                continue;
            }
            if (p.only != null) {
                io.fail(p, new ServiceUnavailableException(name + " - " + p.service.name + " instance "
                        + p.only.addresses() + " cannot take request " + p.request.path() + " now"));
                continue;
            }
            p.service.waiting.addFirst(p);
            waitingCount++;
        }
    }

    private void expire(long now) {
        Pending p;
        while ((p = earliest()) != null) {
            if (now - p.deadlineNanos < 0) {
                return;
            }
            if (p.sent()) {
                io.timeouts.incrementAndGet();
                Instance to = p.instance;
                io.fail(p, new DeadlineExceededException(name + " - " + p.service.name + " - no reply to request "
                        + p.request.path() + " after " + p.timeoutMs + " ms (pending=" + io.pending.size()
                        + ", instances=" + p.service.instances.size() + ")" + (to == null || to.answered ? ""
                        : "; nothing has come back from " + to.addresses() + " yet - unless its handler is just slow,"
                        + " check that the worker runs there, that PULL and PUB are in the right order, and that it uses"
                        + " the same encryption (" + p.service.security.encryption() + " here) and passphrase")));
            } else {
                io.unavailable.incrementAndGet();
                io.fail(p, new ServiceUnavailableException(name + " - request " + p.request.path() + " not sent within "
                        + p.timeoutMs + " ms: " + p.service.noInstanceReason()));
                dropWaiting(p);
            }
            deadlines.poll(); // p is the head: earliest() returned it and nothing was added since
        }
    }

    /** The call not ended with the earliest deadline, or null. */
    private Pending earliest() {
        return deadlines.peek();
    }

    private void closeSockets() {
        connections.closeIdle();
        for (ServiceEntry e : services.values()) {
            for (Instance i : e.instances) {
                try {
                    i.push.close();
                } catch (RuntimeException ex) {
                    log.debug("{} - closing PUSH failed", name, ex);
                }
            }
        }
    }
}
