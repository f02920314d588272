package org.offload.client;

/** A call sent without waiting ({@code send}) that can still be cancelled. */
@FunctionalInterface
public interface Cancellable {
    /**
     * Cancels the call: one not sent yet fails with {@code CancelledException}; one in flight is cancelled on
     * the worker (its handler is interrupted and its reply is a 499). Idempotent; a call that ended is left alone.
     */
    void cancel();
}
