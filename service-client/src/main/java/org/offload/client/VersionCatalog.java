package org.offload.client;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.offload.service.Reply;
import org.offload.service.Request;
import org.offload.service.RouteVersion;
import org.offload.service.internal.Wire;

/**
 * Sender thread: chooses the instance for a request that asks for a version ({@value RouteVersion#HEADER}),
 * preferring instances whose routes serve it. What an instance serves is read from its
 * {@code /_offload/routes} answer, through the normal call path, the first time a versioned request needs it
 * and again after the instance restarts (new instance id); services that never get a versioned request are
 * never read. Choice, in order: an instance in the rotation known to serve the version; none while some
 * instance in the rotation is still being read (the request waits a few milliseconds); an instance whose
 * routes could not be read (it may serve it); and when every instance is known and none serves the version,
 * any instance, whose 406 then says so at once. Otherwise the request waits, like any, until its deadline.
 */
final class VersionCatalog {
    static final String ROUTES_PATH = Wire.RESERVED_PREFIX + "routes";
    /** Deadline of one routes read. */
    static final long READ_TIMEOUT_MS = 2_000;
    /** After a failed read, how long before the instance is read again. */
    static final long RETRY_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final ClientIo io;
    private final Consumer<Pending> enqueue;
    /** Sequence numbers of reads: negative, so they never equal a call's (the deadline set orders by them). */
    private long seq;

    VersionCatalog(ClientIo io, Consumer<Pending> enqueue) {
        this.io = io;
        this.enqueue = enqueue;
    }

    /** The instance for {@code p}, which asks for version {@code askedHeader}; null to wait. */
    Instance pick(Pending p, Instance avoid, String askedHeader) {
        ServiceEntry s = p.service;
        RouteVersion asked;
        try {
            asked = RouteVersion.parse(askedHeader);
        } catch (IllegalArgumentException e) {
            return s.pick(avoid); // the service answers 400
        }
        String path = p.request.path();
        String method = p.request.method();
        long now = System.nanoTime();
        boolean reading = false;
        boolean unknown = false;
        boolean anyServing = false;
        for (Instance i : s.instances) {
            ServedRoutes r = current(i);
            if (i.inRotation() && (r == null || (r.state() == ServedRoutes.State.FAILED && now - r.atNanos() > RETRY_NANOS))) {
                read(s, i, now);
                r = current(i);
            }
            if (r == null || r.state() == ServedRoutes.State.READING) {
                unknown = true;
                reading |= r != null && i.inRotation();
            } else if (r.serves(path, method, asked)) {
                anyServing = true;
            }
        }
        Instance best = s.pick(avoid, i -> {
            ServedRoutes r = current(i);
            return r != null && r.state() == ServedRoutes.State.KNOWN && r.serves(path, method, asked);
        });
        if (best != null || reading) {
            return best;
        }
        best = s.pick(avoid, i -> {
            ServedRoutes r = current(i);
            return r != null && r.state() == ServedRoutes.State.FAILED;
        });
        if (best != null || anyServing || unknown) {
            return best;
        }
        return s.pick(avoid); // every instance is known and none serves it: one answers 406 now
    }

    /** What {@code i} serves, if read for its current run. */
    private static ServedRoutes current(Instance i) {
        ServedRoutes r = i.routes;
        return r != null && r.instanceId().equals(i.instanceId) ? r : null;
    }

    /** Sends a routes request to {@code i} alone; its answer (callback executor) fills {@link Instance#routes}. */
    private void read(ServiceEntry s, Instance i, long now) {
        String id = i.instanceId;
        i.routes = ServedRoutes.reading(id, now);
        CompletableFuture<Reply> answer = new CompletableFuture<>();
        Pending read = new Pending(s, Request.of(ROUTES_PATH, Request.DEFAULT_METHOD), CallMode.ASYNC, READ_TIMEOUT_MS,
                --seq, answer, null, org.offload.service.ObservedCall.NONE);
        read.only = i;
        answer.whenComplete((reply, failure) -> {
            long t = System.nanoTime();
            ServedRoutes r;
            try {
                r = failure == null ? ServedRoutes.parse(id, reply.body().json(), t) : ServedRoutes.failed(id, t);
            } catch (RuntimeException notJson) {
                r = ServedRoutes.failed(id, t);
            }
            i.routes = r;
        });
        io.pendingGauge.incrementAndGet();
        enqueue.accept(read);
    }
}
