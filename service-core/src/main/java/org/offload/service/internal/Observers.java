package org.offload.service.internal;

import java.time.Duration;
import java.util.function.Supplier;
import org.offload.service.ObservedCall;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls an observer (user code) so that whatever it throws is logged and ignored: a broken metrics or
 * tracing hook must never lose a reply, stop a worker or the receiver thread. Callers skip it entirely for
 * {@link ObservedCall#NONE}.
 */
public final class Observers {
    private static final Logger log = LoggerFactory.getLogger(Observers.class);

    private Observers() {
    }

    /** {@code start.get()}, or {@link ObservedCall#NONE} when it throws or returns null. */
    public static ObservedCall start(String name, Supplier<ObservedCall> start) {
        try {
            ObservedCall call = start.get();
            return call == null ? ObservedCall.NONE : call;
        } catch (RuntimeException e) {
            log.warn("{} - an observer failed to start a call; the call goes on unobserved", name, e);
            return ObservedCall.NONE;
        }
    }

    /** Opens {@code call}'s scope; a scope that fails to open or to close is logged and skipped. */
    public static ObservedCall.Scope open(String name, ObservedCall call) {
        if (call == ObservedCall.NONE) {
            return ObservedCall.Scope.NONE;
        }
        ObservedCall.Scope scope;
        try {
            scope = call.openScope();
        } catch (RuntimeException e) {
            log.warn("{} - an observer failed to open a scope", name, e);
            return ObservedCall.Scope.NONE;
        }
        return () -> {
            try {
                scope.close();
            } catch (RuntimeException e) {
                log.warn("{} - an observer failed to close a scope", name, e);
            }
        };
    }

    /** Ends {@code call} with {@code status}, {@code startNanos} ({@link System#nanoTime()}) ago. */
    public static void end(String name, ObservedCall call, int status, long startNanos) {
        if (call == ObservedCall.NONE) {
            return;
        }
        try {
            call.end(status, Duration.ofNanos(System.nanoTime() - startNanos));
        } catch (RuntimeException e) {
            log.warn("{} - an observer failed to end a call (status {})", name, status, e);
        }
    }
}
