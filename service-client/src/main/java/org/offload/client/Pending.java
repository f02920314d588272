package org.offload.client;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.offload.service.ObservedCall;
import org.offload.service.Reply;
import org.offload.service.Request;
import org.offload.service.internal.Observers;

/**
 * One call between submit and its outcome. {@link #requestId} and {@link #instance} are written by the
 * sender thread before the call enters the pending map, so the receiver sees them; exactly one thread wins
 * {@link #tryFinish()} and delivers the outcome.
 */
final class Pending {
    final ServiceEntry service;
    final Request request;
    final CallMode mode;
    final long timeoutMs;
    final long deadlineNanos;
    final long seq;
    final CompletableFuture<Reply> future;
    final Consumer<Reply> interim;
    final ObservedCall observed;
    private final long startNanos = System.nanoTime();
    private final AtomicBoolean done = new AtomicBoolean();

    volatile long requestId;
    volatile Instance instance;
    /** The one instance this call must go to (a targeted or fanout call), or null for any. */
    Instance target;
    /** Sender thread: instances tried and answered "not run" (429, 503 stopping), and the last such one. */
    int attempts;
    Instance avoid;
    /** Set before it is queued: the one instance this call may go to (a routes read); null for any. */
    volatile Instance only;
    /** The proof sent with the request (never modified): a rejection answer must echo it. */
    volatile byte[] sentProof;

    Pending(ServiceEntry service, Request request, CallMode mode, long timeoutMs, long seq,
            CompletableFuture<Reply> future, Consumer<Reply> interim, ObservedCall observed) {
        this.service = service;
        this.request = request;
        this.mode = mode;
        this.timeoutMs = timeoutMs;
        this.deadlineNanos = startNanos + timeoutMs * 1_000_000L;
        this.seq = seq;
        this.future = future;
        this.interim = interim;
        this.observed = observed;
    }

    /** Tells the observer how the call ended; by the one thread that won {@link #tryFinish()}. */
    void observeEnd(String client, int status) {
        Observers.end(client, observed, status, startNanos);
    }

    boolean sent() {
        return instance != null;
    }

    boolean isDone() {
        return done.get();
    }

    /** True for exactly one caller. */
    boolean tryFinish() {
        return done.compareAndSet(false, true);
    }
}
