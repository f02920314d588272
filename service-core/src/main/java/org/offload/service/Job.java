package org.offload.service;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One accepted request on its way through the worker pool. Whoever first claims {@link #claimAnswer()} —
 * the worker when the handler returns, or the I/O thread on cancel or stop — sends the one final reply.
 */
final class Job implements Runnable {
    private enum State { QUEUED, RUNNING, DONE }

    /** Key of an in-flight job: the client's id and its request id. */
    record Key(org.offload.service.internal.ClientId client, long requestId) {
    }

    final Call call;
    final Key key;
    private final Handler handler;
    private final ServerIo io;
    private final boolean notifyStart;
    private final AtomicBoolean answered = new AtomicBoolean();
    private State state = State.QUEUED;
    private Thread runner;

    Job(Call call, Handler handler, ServerIo io, boolean notifyStart) {
        this.call = call;
        this.key = new Key(call.client(), call.requestId());
        this.handler = handler;
        this.io = io;
        this.notifyStart = notifyStart;
    }

    @Override
    public void run() {
        synchronized (this) {
            if (state != State.QUEUED) {
                return;
            }
            state = State.RUNNING;
            runner = Thread.currentThread();
        }
        try {
            if (call.isExpired(System.nanoTime())) {
                io.expired(this);
                return;
            }
            if (notifyStart) {
                io.started(this);
            }
            io.finished(this, invoke());
        } finally {
            synchronized (this) {
                state = State.DONE;
                runner = null;
            }
            Thread.interrupted(); // a cancel's interrupt must not leak into the next job on this thread
        }
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
            return reply;
        } catch (ServiceException e) {
            return call.isCancelled() ? cancelled() : Reply.error(e.status(), e.getMessage());
        } catch (Throwable t) { // a handler's bug must never stop the worker or lose the reply
            if (t instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
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
