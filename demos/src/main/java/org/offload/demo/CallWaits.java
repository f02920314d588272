package org.offload.demo;

import java.time.Duration;
import org.offload.service.Call;
import org.offload.service.CancelledException;

/** Cooperative waiting inside handlers: a wait ends early, with {@link CancelledException}, once the call is cancelled. */
final class CallWaits {
    /** Longest stretch a wait sleeps before it looks at the call's cancellation flag again. */
    static final Duration SLICE = Duration.ofMillis(50);

    private CallWaits() {}

    /** Sleeps {@code duration}, or less when the call is cancelled or the thread interrupted (then throws). */
    static void pause(Call call, Duration duration) {
        long end = System.nanoTime() + duration.toNanos();
        for (long left = duration.toNanos(); left > 0; left = end - System.nanoTime()) {
            throwIfCancelled(call);
            try {
                Thread.sleep(Duration.ofNanos(Math.min(left, SLICE.toNanos())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw cancelled(call);
            }
        }
        throwIfCancelled(call);
    }

    static void throwIfCancelled(Call call) {
        if (call.isCancelled() || Thread.currentThread().isInterrupted()) {
            throw cancelled(call);
        }
    }

    static CancelledException cancelled(Call call) {
        return new CancelledException(call.path() + " (request " + call.requestId() + ") was cancelled");
    }
}
