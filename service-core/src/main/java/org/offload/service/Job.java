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
    private final Admission admission;
    private final boolean notifyStart;
    /** The request asked for no reply at all (a cast). */
    final boolean cast;
    private final ObservedCall observed;
    private final long acceptedNanos = System.nanoTime();
    private final AtomicBoolean answered = new AtomicBoolean();
    private State state = State.QUEUED;
    private Thread runner;
    /** {@link Admission}'s bookkeeping: the work (ns) this job added to the queue, and whether a worker was free. */
    long admittedWork;
    boolean admittedFree;
    /** When it started running (nanoTime), and its planned end (Admission's microseconds). */
    long startedAt;
    long plannedEnd;
    /** {@link #finish} ran (the worker's thread only). */
    private boolean finished;

    Job(Call call, Handler handler, ServerIo io, Admission admission, boolean notifyStart, boolean cast,
        ObservedCall observed) {
        this.call = call;
        this.cast = cast;
        this.key = new Key(call.client(), call.requestId());
        this.handler = handler;
        this.io = io;
        this.admission = admission;
        this.notifyStart = notifyStart;
        this.observed = observed;
    }

    /** Tells the observer how the job ended; called once, by whoever sent (or skipped) its final reply. */
    void observeEnd(int status) {
        Observers.end(io.name(), observed, status, acceptedNanos);
    }

    /** The route's handler (its moving estimate is per route). */
    Handler handler() {
        return handler;
    }

    @Override
    public void run() {
        synchronized (this) {
            if (state != State.QUEUED) {
                return;
            }
            state = State.STARTING;
        }
        long now = System.nanoTime();
        Admission.Start start = admission.take(this, handler, now);
        if (start != Admission.Start.RUN) {
            end();
            if (start == Admission.Start.EXPIRED) {
                io.expired(this);
            } else {
                io.late(this, now);
            }
            return;
        }
        try {
            runAndReply();
        } finally {
            finish(); // if the reply was not reached (a throw), still once
        }
    }

    /**
     * Tells admission the run ended, once: before the reply is published, so a client that has the reply
     * finds the service already knowing what the call cost (its next burst is admitted by the new estimate).
     */
    private void finish() {
        if (!finished) {
            finished = true;
            admission.finished(this, handler, System.nanoTime(), !call.isCancelled());
        }
    }

    private void runAndReply() {
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
        finish();
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
                admission.dequeued(this);
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
