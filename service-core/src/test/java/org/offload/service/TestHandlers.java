package org.offload.service;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Handler classes that service definitions in tests name (nested classes: {@code TestHandlers$Echo}). */
public final class TestHandlers {
    static final String ECHO = TestHandlers.class.getName() + "$Echo";
    static final String FRESH = TestHandlers.class.getName() + "$Fresh";
    static final String UNTIL_SHUTDOWN = TestHandlers.class.getName() + "$UntilShutdown";

    private TestHandlers() {}

    /** Shared by all calls: answers {@code {"echo": body, "calls": calls so far on this instance}}. */
    public static final class Echo implements Handler {
        private final AtomicInteger calls = new AtomicInteger();

        @Override
        public Reply handle(Call call) {
            return Reply.json(Map.of("echo", call.json(), "calls", calls.incrementAndGet()));
        }
    }

    /** A fresh instance per call: {@code uses} is 1 in every reply. */
    public static final class Fresh extends ServiceHandler {
        private int uses;

        @Override
        protected Reply request() {
            addToPayload("uses", ++uses);
            return render();
        }
    }

    /**
     * A job that is still running when its JVM is told to stop, however slow the machine, and that ends as
     * soon as the stop begins: answers {@code {"shutdown": true}} once the JVM's shutdown has started (its
     * own shutdown hook, registered when the definition creates it, runs beside the launcher's), or
     * {@code {"shutdown": false}} after {@link #MAX_WAIT} without one. For drain tests: a fixed sleep would be
     * either too short to be in flight at the SIGTERM or too long for the drain timeout on a loaded machine.
     */
    public static final class UntilShutdown implements Handler {
        static final Duration MAX_WAIT = Duration.ofSeconds(60);
        private final CountDownLatch shutdown = new CountDownLatch(1);

        public UntilShutdown() {
            Runtime.getRuntime().addShutdownHook(new Thread(shutdown::countDown, "until-shutdown-hook"));
        }

        @Override
        public Reply handle(Call call) throws InterruptedException {
            boolean seen = shutdown.await(MAX_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            return Reply.json(Map.of("shutdown", seen));
        }
    }

    /** Public, but neither a Handler nor a ServiceHandler. */
    public static final class NotAHandler {
    }

    /** A handler without a no-argument constructor. */
    public static final class NeedsArgument implements Handler {
        public NeedsArgument(String argument) {
            // never created by a definition
        }

        @Override
        public Reply handle(Call call) {
            return Reply.json(Map.of());
        }
    }

    /** An abstract handler. */
    public abstract static class Abstract implements Handler {
    }

    /** A handler that is not public. */
    static final class Hidden implements Handler {
        @Override
        public Reply handle(Call call) {
            return Reply.json(Map.of());
        }
    }

    /** A shared handler whose constructor fails. */
    public static final class Exploding implements Handler {
        public Exploding() {
            throw new IllegalStateException("boom");
        }

        @Override
        public Reply handle(Call call) {
            return Reply.json(Map.of());
        }
    }

    /** A handler that always throws {@link IllegalStateException} with {@link #MESSAGE}. */
    public static final class Failing implements Handler {
        static final String MESSAGE = "failing on purpose";

        @Override
        public Reply handle(Call call) {
            throw new IllegalStateException(MESSAGE);
        }
    }
}
