package org.offload.service;

import java.time.Duration;

/**
 * One call seen by a {@link ServerObserver} or a client observer, from its start to its one end. Offload
 * invokes it from its own threads; implementations must be thread-safe and must not block.
 */
public interface ObservedCall {
    /** What an observer that watches nothing returns; Offload skips its work for it. */
    ObservedCall NONE = new ObservedCall() {
        @Override
        public Scope openScope() {
            return Scope.NONE;
        }

        @Override
        public void end(int status, Duration elapsed) {
        }
    };

    /**
     * Makes this call's context (a trace span, say) current on the calling thread until the scope closes:
     * around the handler on the worker thread, and around each client callback for the call.
     */
    Scope openScope();

    /**
     * The call ended with {@code status} (a reply's status, or the status of the failure: 408 deadline,
     * 503 unavailable, 499 cancelled) after {@code elapsed}. Called once, on any thread.
     */
    void end(int status, Duration elapsed);

    /** An open {@link #openScope()}; closed on the thread that opened it. */
    interface Scope extends AutoCloseable {
        /** The scope of {@link ObservedCall#NONE}. */
        Scope NONE = () -> {
        };

        @Override
        void close();
    }
}
