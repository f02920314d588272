package org.offload.service;

import java.util.concurrent.atomic.AtomicBoolean;
import org.offload.service.internal.ClientId;
import org.offload.service.internal.Mdc;
import org.offload.service.internal.Observers;

/**
 * One accepted request on its way through the worker pool. Whoever first claims {@link #claimAnswer()} —
 * the worker when the handler returns, or another thread on cancel or stop — sends the one final reply.
 * The worker is interruptible (by a cancel) only while the handler runs, never while it publishes.
 */
final class Job implements Runnable {
    private enum State { QUEUED, STARTING, RUNNING, DONE }

    /** Key of an in-flight job: the client's id and its request id. */
    record Key(ClientId client, long requestId) {
    }

    final Call call;
    final Key key;
    private final Handler handler;
    private final ServerIo io;
    private final boolean notifyStart;
    private final ObservedCall observed;
    private final long acceptedNanos = System.nanoTime();
    private final AtomicBoolean answered = new AtomicBoolean();
    private State state = State.QUEUED;
    private Thread runner;

    Job(Call call, Handler handler, ServerIo io, boolean notifyStart, ObservedCall observed) {
        this.call = call;
        this.key = new Key(call.client(), call.requestId());
        this.handler = handler;
        this.io = io;
        this.notifyStart = notifyStart;
        this.observed = observed;
    }

    /** Tells the observer how the job ended; called once, by whoever sent (or skipped) its final reply. */
    void observeEnd(int status) {
        Observers.end(io.name(), observed, status, acceptedNanos);
    }

    @Override
    public void run() {
        synchronized (this) {
            if (state != State.QUEUED) {
                return;
            }
            state = State.STARTING;
        }
        if (call.isExpired(System.nanoTime())) {
            end();
            io.expired(this);
            return;
        }
        if (notifyStart) {
            io.started(this);
        }
        synchronized (this) {
            state = State.RUNNING;
            runner = Thread.currentThread();
        }
        Reply reply;
        Mdc mdc = Mdc.enter(io.name(), call.requestId(), call.client());
        ObservedCall.Scope scope = Observers.open(io.name(), observed);
        try {
            // a cancel or stop that came while STARTING (publishing the 102) could not interrupt: honour it here
            reply = call.isCancelled() ? cancelled() : invoke();
        } finally {
            end();
            scope.close();
            mdc.restore();
        }
        io.finished(this, reply); // never throws: whatever the reply, exactly one answer goes out
    }

    /** Leaves the interruptible state and clears any interrupt a cancel left behind. */
    private void end() {
        synchronized (this) {
            state = State.DONE;
            runner = null;
        }
        Thread.interrupted();
    }

    private Reply invoke() {
        try {
            Reply reply = handler.handle(call);
            if (call.isCancelled()) {
                return cancelled();
            }
            if (reply == null) {
                return io.failed(this, new IllegalStateException("handler returned no reply"));
            }
            if (Status.isInterim(reply.status())) {
                return io.failed(this, new IllegalStateException("handler returned interim status " + reply.status()
                        + ", which would never end the call"));
            }
            return reply;
        } catch (ServiceException e) {
            return call.isCancelled() ? cancelled() : io.thrown(this, e);
        } catch (Throwable t) { // a handler's bug must never stop the worker or lose the reply
            return call.isCancelled() ? cancelled() : io.failed(this, t);
        }
    }

    private Reply cancelled() {
        return Reply.error(Status.CANCELLED, "request " + call.path() + " (id " + call.requestId() + ") was cancelled");
    }

    /**
     * Marks the call cancelled. A queued job will never run (returns true: the caller answers for it); a
     * running one is interrupted if asked and answers for itself when its handler returns.
     */
    boolean cancel(boolean interrupt) {
        call.cancel();
        synchronized (this) {
            if (state == State.QUEUED) {
                state = State.DONE;
                return true;
            }
            if (state == State.RUNNING && interrupt) {
                runner.interrupt();
            }
            return false;
        }
    }

    /** True for exactly one caller: the one that sends the final reply. */
    boolean claimAnswer() {
        return answered.compareAndSet(false, true);
    }
}
