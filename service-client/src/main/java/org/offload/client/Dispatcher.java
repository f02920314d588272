package org.offload.client;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.offload.service.Reply;
import org.offload.service.Request;
import org.offload.service.ServiceException;
import org.offload.service.ObservedCall;
import org.offload.service.internal.Checks;
import org.offload.service.internal.Mdc;
import org.offload.service.internal.Observers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Delivers outcomes: completes futures and runs response and error handlers on the callback executor. */
final class Dispatcher {
    private static final Logger log = LoggerFactory.getLogger(ServiceClient.class);

    private record ResponseRoute(Pattern pattern, String method, ResponseHandler handler) {
    }

    /** A per-route error handler: for failed nowait requests whose path and METHOD match. */
    private record ErrorRoute(Pattern pattern, String method, ErrorHandler handler) {
    }

    private final String name;
    private final Executor callbacks;
    private final List<ResponseRoute> routes = new CopyOnWriteArrayList<>();
    private final List<ErrorHandler> errorHandlers = new CopyOnWriteArrayList<>();
    private final List<ErrorRoute> errorRoutes = new CopyOnWriteArrayList<>();
    private final AtomicLong unhandled = new AtomicLong();
    /** Whether the receiver's callbacks of one pass may share a virtual thread (the client's own executor only). */
    private final boolean runsTogether;
    /** The receiver thread's pass of callbacks, once the receiver exists. */
    private volatile CallbackRuns runs;

    Dispatcher(String name, Executor callbacks, boolean runsTogether) {
        this.name = name;
        this.callbacks = callbacks;
        this.runsTogether = runsTogether;
    }

    /**
     * The runs that gather the callbacks {@code receiver} dispatches in one pass ({@link CallbackRuns}); with an
     * executor the user chose they gather none, and each callback is a task of its own.
     */
    CallbackRuns runsOn(Thread receiver) {
        CallbackRuns r = new CallbackRuns(callbacks, receiver, runsTogether);
        runs = r;
        return r;
    }

    void onResponse(String pathRegex, String method, ResponseHandler handler) {
        Objects.requireNonNull(pathRegex, "pathRegex");
        Objects.requireNonNull(handler, "handler");
        routes.add(new ResponseRoute(Pattern.compile(pathRegex), Checks.method(method), handler));
    }

    void onError(ErrorHandler handler) {
        errorHandlers.add(Objects.requireNonNull(handler, "handler"));
    }

    void onError(String pathRegex, String method, ErrorHandler handler) {
        Objects.requireNonNull(pathRegex, "pathRegex");
        Objects.requireNonNull(handler, "handler");
        errorRoutes.add(new ErrorRoute(Pattern.compile(pathRegex), Checks.method(method), handler));
    }

    /** The first response handler registered for {@code path} (matched at its start) and reply METHOD, or null. */
    ResponseHandler responseHandler(String path, String method) {
        for (ResponseRoute r : routes) {
            if (r.method().equals(method) && r.pattern().matcher(path).lookingAt()) {
                return r.handler();
            }
        }
        return null;
    }

    /** The callback executor (notification handlers run there too). */
    Executor executor() {
        return callbacks;
    }

    long unhandled() {
        return unhandled.get();
    }

    /** A final reply arrived for {@code p}. */
    void reply(Pending p, Reply reply, String path) {
        if (!reply.isSuccess()) {
            failure(p, ServiceException.forStatus(reply.status(), name + " - " + p.service.name + " - "
                    + reply.message() + " (status " + reply.status() + ", " + p.request.method() + " " + path + ")"));
            return;
        }
        switch (p.mode) {
            case SYNC -> p.future.complete(reply);
            case ASYNC -> run(p, () -> p.future.complete(reply));
            case NOWAIT -> run(p, () -> route(p, reply, path));
            case CAST -> { } // never: a cast ends when it is sent
        }
    }

    /** A call ended without a successful reply. */
    void failure(Pending p, ServiceException error) {
        switch (p.mode) {
            case SYNC -> p.future.completeExceptionally(error);
            case ASYNC -> run(p, () -> p.future.completeExceptionally(error));
            case NOWAIT, CAST -> run(p, () -> routeError(p, error));
        }
    }

    /**
     * An interim (1xx) reply arrived for {@code p} (receiver thread). Delivered right here, so listeners see
     * interim replies in the order they came and before the final reply; listeners are the client's own
     * (tasks) and only record state, never block.
     */
    void interim(Pending p, Reply reply) {
        try {
            p.interim.accept(reply);
        } catch (RuntimeException e) {
            log.warn("{} - an interim listener threw", name, e);
        }
    }

    private void route(Pending p, Reply reply, String path) {
        ResponseHandler h = responseHandler(path, reply.method());
        if (h != null) {
            h.onResponse(p.request, reply);
            return;
        }
        unhandled.incrementAndGet();
        log.debug("{} - no response handler for {} {}; reply dropped", name, reply.method(), path);
    }

    /** The first per-route error handler for the request's path and METHOD, else every global one. */
    private void routeError(Pending p, ServiceException error) {
        for (ErrorRoute r : errorRoutes) {
            if (r.method().equals(p.request.method()) && r.pattern().matcher(p.request.path()).lookingAt()) {
                r.handler().onError(p.service.name, p.request, error);
                return;
            }
        }
        if (errorHandlers.isEmpty()) {
            unhandled.incrementAndGet();
            log.warn("{} - nowait request {} to {} failed and no error handler is registered: {}", name,
                    p.request.path(), p.service.name, error.getMessage());
            return;
        }
        for (ErrorHandler h : errorHandlers) {
            h.onError(p.service.name, p.request, error);
        }
    }

    /** Runs a callback of {@code p} with its service and request id in the MDC and its observation's scope open. */
    private void run(Pending p, Runnable task) {
        Runnable guarded = () -> {
            Mdc mdc = Mdc.enter(p.service.name, p.requestId, null);
            ObservedCall.Scope scope = Observers.open(name, p.observed);
            try {
                task.run();
            } catch (RuntimeException | Error e) {
                log.warn("{} - a response or error handler threw", name, e);
            } finally {
                scope.close();
                mdc.restore();
            }
        };
        CallbackRuns r = runs;
        if (r != null && r.offer(guarded)) {
            return;
        }
        try {
            callbacks.execute(guarded);
        } catch (RejectedExecutionException e) {
            guarded.run(); // the executor is shut down (client closing): deliver here rather than lose it
        }
    }
}
