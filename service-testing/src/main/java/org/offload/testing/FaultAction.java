package org.offload.testing;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.offload.service.Call;
import org.offload.service.Handler;
import org.offload.service.Reply;
import org.offload.service.internal.Checks;

/** What a fault does to a call it claimed, on the worker thread that runs the call. */
sealed interface FaultAction {
    /** Status a dropped call answers when the kit closes; its clients are closed by then. */
    int DROPPED_STATUS = 504;

    Reply act(Call call, Handler handler, CountDownLatch released) throws Exception;

    /** Waits (interruptibly, so a cancel ends it) until {@code nanos} passed or the kit released every fault. */
    static void hold(long nanos, CountDownLatch released) throws InterruptedException {
        if (nanos > 0) {
            released.await(nanos, TimeUnit.NANOSECONDS);
        }
    }

    /** Runs the handler late. */
    record Delay(Duration delay) implements FaultAction {
        public Delay {
            Checks.positive("delay", delay);
        }

        @Override
        public Reply act(Call call, Handler handler, CountDownLatch released) throws Exception {
            hold(delay.toNanos(), released);
            return handler.handle(call);
        }
    }

    /**
     * No reply at all while the kit is open: the call is held (its worker with it) until the kit closes, after
     * its clients, or until the call is cancelled. Holding only until the call's deadline would race the
     * client's own deadline timer on a loaded machine, and the caller could see the late reply.
     */
    record Drop() implements FaultAction {
        @Override
        public Reply act(Call call, Handler handler, CountDownLatch released) throws InterruptedException {
            released.await();
            return Reply.error(DROPPED_STATUS, "dropped by fault injection: " + call.path());
        }
    }

    /** Answers at once with an error status, without running the handler. */
    record Answer(int status, String message) implements FaultAction {
        static final String DEFAULT_MESSAGE = "injected fault";

        public Answer {
            if (status < 400 || status > 599) {
                throw new IllegalArgumentException("status must be an error status, 400..599, but was " + status);
            }
            Checks.text("message", Objects.requireNonNull(message, "message"));
        }

        @Override
        public Reply act(Call call, Handler handler, CountDownLatch released) {
            return Reply.error(status, message);
        }
    }
}
