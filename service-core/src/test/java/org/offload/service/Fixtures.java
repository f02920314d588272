package org.offload.service;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Shared test fixtures for the service tests: servers on ephemeral loopback ports, {@link RawPeer}s and
 * {@link Gate}s, all released and closed by {@link #close()}. One per test: a {@code @RegisterExtension} field
 * (closed after each test).
 */
final class Fixtures implements AutoCloseable, AfterEachCallback {
    static final String PASSPHRASE = "core-test-passphrase-0123456789";
    static final String ANY_PORT = "tcp://127.0.0.1:*";
    /**
     * Upper bound of every wait for something that normally takes milliseconds; generous (a loaded or slow
     * machine may stall a thread for seconds), as a wait that succeeds ends as soon as it does.
     */
    static final Duration WAIT = Duration.ofSeconds(15);
    /** Route answered by every fixture server: {@code {"echo": <request body as JSON>}}. */
    static final String ECHO = "/echo";

    private final List<AutoCloseable> resources = new ArrayList<>();
    private final List<Gate> gates = new ArrayList<>();

    /** Awaitility with the fixtures' bound and a short poll interval (no fixed sleeps anywhere). */
    static ConditionFactory await() {
        return Awaitility.await().atMost(WAIT).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(5));
    }

    /**
     * A builder bound to ephemeral ports with the test passphrase and the echo route, in plaintext: these
     * tests drive the message protocol (proofs, replay, parking) with {@link RawPeer}s, some with a wrong
     * passphrase, which CURVE would stop at the handshake. CURVE itself: EncryptionTest (client module).
     */
    static ServiceServer.Builder builder(String name) {
        return ServiceServer.builder().name(name).bind(ANY_PORT, ANY_PORT).passphrase(PASSPHRASE)
                .encryption(Encryption.NONE)
                .route("^" + ECHO + "$", Request.DEFAULT_METHOD, call -> Reply.json(Map.of("echo", call.json())));
    }

    /** Builds and starts {@code builder}; the server is closed with the fixtures. */
    ServiceServer start(ServiceServer.Builder builder) {
        return add(builder.build().start());
    }

    /** A started server with just the echo route. */
    ServiceServer echoServer(String name) {
        return start(builder(name));
    }

    /** A started service whose {@code ^/count$} route counts its calls into {@code counting}. */
    ServiceServer startCounting(String name, Counting counting) {
        return start(builder(name).route("^/count$", "request", counting));
    }

    /** A peer whose subscription the service has already seen. */
    RawPeer subscribedPeer(ServiceServer server) {
        RawPeer peer = peer(server);
        peer.handshake();
        return peer;
    }

    /** A raw peer with the right passphrase. */
    RawPeer peer(ServiceServer server) {
        return add(new RawPeer(server, PASSPHRASE));
    }

    /** A raw peer with {@code passphrase}. */
    RawPeer peer(ServiceServer server, String passphrase) {
        return add(new RawPeer(server, passphrase));
    }

    /** A new gate, released on {@link #close()} so no handler outlives its test. */
    Gate gate() {
        Gate g = new Gate();
        gates.add(g);
        return g;
    }

    /**
     * Asserts that {@code server}, which was just closed, really ended, rather than that close() returned
     * in time ({@code stop()} returns after its own bound whether or not its threads ended): its I/O thread
     * finished the stop sequence, and the threads it named ({@code NAME-io}, {@code NAME-recv}) are gone.
     * Each wait is bounded by {@link #WAIT}.
     */
    static void assertTerminated(ServiceServer server, List<Thread> threads) throws InterruptedException {
        if (!server.awaitTermination(WAIT)) {
            throw new AssertionError(server.name() + " - the I/O thread did not end within " + WAIT + " after close()");
        }
        await().alias(server.name() + "'s threads " + threads + " ended")
                .until(() -> threads.stream().noneMatch(Thread::isAlive));
    }

    /** The live threads {@code server} names {@code NAME-io} and {@code NAME-recv} (take them before closing it). */
    static List<Thread> ioThreads(ServiceServer server) {
        List<String> names = List.of(server.name() + "-io", server.name() + "-recv");
        List<Thread> threads = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> names.contains(t.getName())).toList();
        if (threads.size() != names.size()) {
            throw new AssertionError("expected the live threads " + names + " but found " + threads
                    + " (another server of this name left its threads running?)");
        }
        return threads;
    }

    <T extends AutoCloseable> T add(T resource) {
        resources.add(resource);
        return resource;
    }

    /** Closes everything after each test, when registered with {@code @RegisterExtension}. */
    @Override
    public void afterEach(ExtensionContext context) {
        close();
    }

    @Override
    public void close() {
        gates.forEach(Gate::open);
        RuntimeException failure = null;
        for (int i = resources.size() - 1; i >= 0; i--) {
            try {
                resources.get(i).close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = new IllegalStateException("closing a fixture failed", e);
                }
            }
        }
        resources.clear();
        if (failure != null) {
            throw failure;
        }
    }

    /**
     * A handler that blocks until {@link #open()}, counting its calls and recording whether it was
     * interrupted and whether its call was cancelled.
     */
    static final class Gate implements Handler {
        final AtomicInteger invocations = new AtomicInteger();
        final AtomicBoolean interrupted = new AtomicBoolean();
        final AtomicBoolean sawCancelled = new AtomicBoolean();
        private final CountDownLatch started = new CountDownLatch(1);
        private final CountDownLatch release = new CountDownLatch(1);
        /** Counted down once {@link #interrupted} and {@link #sawCancelled} are set for an interrupt. */
        private final CountDownLatch interruptSeen = new CountDownLatch(1);
        private volatile boolean ignoreInterrupts;

        /** Makes the handler keep waiting through interrupts (a handler that never finishes on its own). */
        Gate stubborn() {
            ignoreInterrupts = true;
            return this;
        }

        @Override
        public Reply handle(Call call) throws Exception {
            invocations.incrementAndGet();
            started.countDown();
            while (true) {
                try {
                    release.await();
                    sawCancelled.set(call.isCancelled());
                    return Reply.json(Map.of("gate", "passed", "id", call.requestId()));
                } catch (InterruptedException e) {
                    interrupted.set(true);
                    sawCancelled.set(call.isCancelled());
                    interruptSeen.countDown();
                    if (!ignoreInterrupts) {
                        throw e;
                    }
                }
            }
        }

        /** Waits (bounded) until a call entered the handler. */
        void awaitStarted() throws InterruptedException {
            if (!started.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("the gated handler did not start within " + WAIT);
            }
        }

        /**
         * Waits (bounded) until the handler was interrupted and recorded it. At the drain deadline the service
         * answers an abandoned call (503) without waiting for its handler, so the answer's arrival says nothing
         * about {@link #interrupted} or {@link #sawCancelled}; after this call a test may read them (the latch
         * orders the reads after the handler's writes).
         */
        void awaitInterrupted() throws InterruptedException {
            if (!interruptSeen.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("the gated handler was not interrupted within " + WAIT);
            }
        }

        void open() {
            release.countDown();
        }
    }

    /** A handler that counts its calls and echoes like the echo route. */
    static final class Counting implements Handler {
        final AtomicInteger invocations = new AtomicInteger();

        @Override
        public Reply handle(Call call) {
            invocations.incrementAndGet();
            return Reply.json(Map.of("echo", call.json()));
        }
    }
}
