package org.offload.service;

import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/** Handler classes that service definitions in tests name (nested classes: {@code TestHandlers$Echo}). */
public final class TestHandlers {
    static final String ECHO = TestHandlers.class.getName() + "$Echo";
    static final String FRESH = TestHandlers.class.getName() + "$Fresh";
    static final String SLEEPY = TestHandlers.class.getName() + "$Sleepy";

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

    /** Sleeps the body's {@code ms} (a slow job for drain tests), then answers {@code {"slept": ms}}. */
    public static final class Sleepy implements Handler {
        @Override
        public Reply handle(Call call) throws InterruptedException {
            long ms = call.json().get("ms").asLong();
            Thread.sleep(ms);
            return Reply.json(Map.of("slept", ms));
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
