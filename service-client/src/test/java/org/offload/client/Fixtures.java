package org.offload.client;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.offload.service.Call;
import org.offload.service.Encryption;
import org.offload.service.Handler;
import org.offload.service.Reply;
import org.offload.service.ServiceException;
import org.offload.service.ServiceServer;
import org.zeromq.SocketType;
import org.zeromq.ZMQ;

/**
 * Shared test fixtures: services on ephemeral loopback ports and clients, all closed by {@link #close()}.
 * One per test: a {@code @RegisterExtension} field (closed after each test) or try-with-resources.
 */
final class Fixtures implements AutoCloseable, AfterEachCallback {
    static final String PASSPHRASE = "test-passphrase-0123456789";
    static final String ANY_PORT = "tcp://127.0.0.1:*";
    /**
     * The fixture clients' default deadline: far beyond what a call takes (milliseconds), so that a loaded
     * machine never fails a call whose deadline the test is not about.
     */
    static final Duration DEADLINE = Duration.ofSeconds(15);
    /** Upper bound of waits for what normally takes milliseconds; generous for a loaded or slow machine. */
    static final Duration WAIT = Duration.ofSeconds(15);
    /** Handshake timeout of the raw peers' sockets ({@link #raw}). */
    static final int RAW_HANDSHAKE_MS = 3_000;
    /**
     * How long a raw SUB's first subscription may take to reach the service before the SUB connects anew: JeroMQ
     * 0.6.0 now and then never delivers the subscriptions a SUB sends at connect, though the connection stays up
     * (README, JeroMQ behaviours). The same helper serves service-core's tests (its {@code Fixtures}); the client
     * itself recovers through liveness, which makes the SUB's connection anew.
     */
    static final Duration SUBSCRIBE_WAIT = Duration.ofSeconds(3);
    /** Connects a raw SUB gets before a test gives up on its subscription arriving. */
    static final int SUBSCRIBE_ATTEMPTS = 8;

    /**
     * Connects {@code sub} to {@code address} and waits until {@code arrived} holds, connecting anew (which sends
     * its subscriptions again) after each {@link #SUBSCRIBE_WAIT} without it, at most {@link #SUBSCRIBE_ATTEMPTS} times.
     */
    static void connectSubscribed(ZMQ.Socket sub, String address, java.util.concurrent.Callable<Boolean> arrived) {
        sub.connect(address);
        awaitSubscribed(sub, address, arrived);
    }

    /** {@link #connectSubscribed} for a {@code sub} already connected to {@code address}. */
    static void awaitSubscribed(ZMQ.Socket sub, String address, java.util.concurrent.Callable<Boolean> arrived) {
        for (int attempt = 1; ; attempt++) {
            try {
                await().pollInterval(Duration.ofMillis(10)).atMost(SUBSCRIBE_WAIT).until(arrived);
                return;
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                if (attempt == SUBSCRIBE_ATTEMPTS) {
                    throw e;
                }
                sub.disconnect(address);
                sub.connect(address);
            }
        }
    }

    private final List<AutoCloseable> resources = new ArrayList<>();
    private final List<Gate> gates = new ArrayList<>();
    private final List<ZMQ.Socket> rawSockets = new ArrayList<>();
    private ZMQ.Context rawContext;

    /** A started echo service: {@code ^/echo$ request} answers {"echo": <request body>}. */
    ServiceServer echoServer(String name) {
        return server(name, b -> b);
    }

    /** A started service with the echo route plus whatever {@code custom} adds. */
    ServiceServer server(String name, UnaryOperator<ServiceServer.Builder> custom) {
        return server(name, ANY_PORT, ANY_PORT, custom);
    }

    /** A started service on the given addresses (e.g. to restart on the same ports). */
    ServiceServer server(String name, String pull, String pub, UnaryOperator<ServiceServer.Builder> custom) {
        ServiceServer.Builder b = ServiceServer.builder().name(name).bind(pull, pub).passphrase(PASSPHRASE)
                .route("^/echo$", "request", call -> Reply.json(Map.of("echo", call.json())));
        ServiceServer server = custom.apply(b).build().start();
        resources.add(server);
        return server;
    }

    /**
     * A started plaintext echo service ({@link Encryption#NONE}): for tests of attacks that CURVE would stop
     * at the handshake (raw ZMTP peers, captured and resent messages, wrong passphrases reaching the proof).
     */
    ServiceServer plainEchoServer(String name) {
        return server(name, b -> b.encryption(Encryption.NONE));
    }

    /** A plaintext client with {@code server} registered under the server's name ({@link Encryption#NONE}). */
    ServiceClient plainClientFor(ServiceServer server) {
        ServiceClient client = client("client-of-" + server.name());
        client.register(server.name(), server.pullAddress(), server.pubAddress(), PASSPHRASE, Encryption.NONE);
        return client;
    }

    /** Closes {@code resource} with the fixture's own; returns it. */
    <T extends AutoCloseable> T add(T resource) {
        resources.add(resource);
        return resource;
    }

    /** A client with test-friendly defaults. */
    ServiceClient client(String name) {
        return client(ServiceClient.builder().name(name).deadline(DEADLINE));
    }

    ServiceClient client(ServiceClient.Builder builder) {
        ServiceClient client = builder.build();
        resources.add(client);
        return client;
    }

    /** A client with {@code server} registered under the server's name. */
    ServiceClient clientFor(ServiceServer server) {
        ServiceClient client = client("client-of-" + server.name());
        client.register(server.name(), server.pullAddress(), server.pubAddress(), PASSPHRASE);
        return client;
    }

    /** A new {@link Gate}; {@link #close()} opens it before closing anything, so no worker stays blocked. */
    Gate gate() {
        Gate gate = new Gate();
        gates.add(gate);
        return gate;
    }

    /**
     * Waits up to {@link #WAIT} for {@code latch}, from a callback or thread hook that cannot throw: true if it
     * opened, false if the time ran out or the thread was interrupted (the interrupt is kept).
     */
    static boolean awaitOpen(CountDownLatch latch) {
        try {
            return latch.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * A handler latch: handlers made by {@link #handler()} count themselves in, block until {@link #open()},
     * then answer {"released": true, "echo": <request body>}. Lets a test hold calls in flight on purpose.
     */
    static final class Gate {
        private final CountDownLatch release = new CountDownLatch(1);
        private final AtomicInteger entered = new AtomicInteger();
        private final AtomicInteger interrupted = new AtomicInteger();

        /** A handler that waits (interruptibly) for {@link #open()}. */
        Handler handler() {
            return call -> {
                entered.incrementAndGet();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    interrupted.incrementAndGet();
                    throw e;
                }
                return Reply.json(Map.of("released", true, "echo", call.json()));
            };
        }

        /** A handler that ignores interrupts and keeps waiting for {@link #open()} (a stubborn handler). */
        Handler stubbornHandler() {
            return call -> {
                entered.incrementAndGet();
                boolean wasInterrupted = false;
                while (true) {
                    try {
                        release.await();
                        break;
                    } catch (InterruptedException e) {
                        interrupted.incrementAndGet();
                        wasInterrupted = true;
                    }
                }
                if (wasInterrupted) {
                    Thread.currentThread().interrupt();
                }
                return Reply.json(Map.of("released", true));
            };
        }

        /** How many handler invocations reached the gate. */
        int entered() {
            return entered.get();
        }

        /** How many blocked handlers were interrupted. */
        int interrupted() {
            return interrupted.get();
        }

        void open() {
            release.countDown();
        }
    }

    /**
     * A handler that works a fixed time per call (parks until {@code work} has passed, never less) and records
     * the {@code n} of each request body it ran ({"n": 7}). Answers {"n": n}.
     */
    static final class Paced implements Handler {
        final Set<Integer> ran = ConcurrentHashMap.newKeySet();
        private final long workNanos;

        Paced(Duration work) {
            this.workNanos = work.toNanos();
        }

        @Override
        public Reply handle(Call call) throws InterruptedException {
            int n = call.json().path("n").asInt();
            ran.add(n);
            long end = System.nanoTime() + workNanos;
            for (long left = workNanos; left > 0; left = end - System.nanoTime()) {
                LockSupport.parkNanos(left);
                if (Thread.interrupted()) {
                    throw new InterruptedException("cancelled");
                }
            }
            return Reply.json(Map.of("n", n));
        }
    }

    // ---------------------------------------------------------------- assertion helpers

    /** The live threads a client names, {@code NAME-send} and {@code NAME-recv} (take them before closing it). */
    static List<Thread> threadsOf(ServiceClient client) {
        return liveThreads(client.name() + "-send", client.name() + "-recv");
    }

    /** The live threads a server names, {@code NAME-io} and {@code NAME-recv} (take them before closing it). */
    static List<Thread> threadsOf(ServiceServer server) {
        return liveThreads(server.name() + "-io", server.name() + "-recv");
    }

    private static List<Thread> liveThreads(String... names) {
        List<String> wanted = List.of(names);
        List<Thread> threads = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> wanted.contains(t.getName())).toList();
        if (threads.size() != wanted.size()) {
            throw new AssertionError("expected the live threads " + wanted + " but found " + threads
                    + " (another client or server of this name left its threads running?)");
        }
        return threads;
    }

    /**
     * Asserts that {@code threads} end within {@link #WAIT}. What proves a close really ended its client or
     * server: close() returns after its own bound whether or not its threads ended.
     */
    static void assertEnded(List<Thread> threads) {
        await().atMost(WAIT).alias("the threads " + threads + " ended")
                .until(() -> threads.stream().noneMatch(Thread::isAlive));
    }

    /** Asserts that {@code server}, just closed, ended: its stop sequence finished and its threads are gone. */
    static void assertTerminated(ServiceServer server, List<Thread> threads) throws InterruptedException {
        if (!server.awaitTermination(WAIT)) {
            fail(server.name() + " - the I/O thread did not end within " + WAIT + " after close()");
        }
        assertEnded(threads);
    }

    /** The reply body as a JSON tree. */
    static JsonNode json(Reply reply) {
        return reply.body().json();
    }

    /**
     * The typed failure of {@code future}, which must complete exceptionally within {@code within} with an
     * exception of {@code type} (not wrapped).
     */
    static <T extends ServiceException> T failureOf(CompletableFuture<?> future, Class<T> type, Duration within) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> {
            try {
                future.get(within.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException t) {
                fail("future did not complete within " + within.toMillis() + " ms");
            }
        }, "the future completed normally");
        return assertInstanceOf(type, e.getCause(), () -> "unexpected failure: " + e.getCause());
    }

    /**
     * The typed failure of an async call that may be refused at once (thrown by {@code callAsync} itself) or
     * later (through its future). Both are typed; the client refuses some calls synchronously (unknown
     * service, client closed, too many pending calls).
     */
    static <T extends ServiceException> T asyncFailure(Supplier<CompletableFuture<Reply>> call, Class<T> type,
                                                        Duration within) {
        CompletableFuture<Reply> future;
        try {
            future = call.get();
        } catch (ServiceException e) {
            return assertInstanceOf(type, e, () -> "unexpected failure: " + e);
        }
        return failureOf(future, type, within);
    }

    /** Addresses where nothing listens: those of a service that was started, then closed. */
    static ServiceServer closedServer() {
        try (Fixtures local = new Fixtures()) {
            return local.echoServer("closed");
        }
    }

    /** A raw JeroMQ socket (no linger) for a test that plays a peer; closed, with its context, by {@link #close()}. */
    ZMQ.Socket raw(SocketType type) {
        if (rawContext == null) {
            rawContext = ZMQ.context(1);
        }
        ZMQ.Socket socket = rawContext.socket(type);
        socket.setLinger(0);
        // JeroMQ 0.6.0 can stall a fresh connection's handshake until this timer drops and retries it (README,
        // JeroMQ behaviours); long enough for a CURVE handshake on a loaded machine
        socket.setHandshakeIvl(RAW_HANDSHAKE_MS);
        rawSockets.add(socket);
        return socket;
    }

    /** A {@link Tap} in front of an instance's PULL; closed before the raw context by {@link #close()}. */
    Tap tap(String instancePull) {
        if (rawContext == null) {
            rawContext = ZMQ.context(1);
        }
        Tap tap = new Tap(rawContext, instancePull);
        resources.add(tap);
        return tap;
    }

    /** Closes everything after each test, when registered with {@code @RegisterExtension}. */
    @Override
    public void afterEach(ExtensionContext context) {
        close();
    }

    @Override
    public void close() {
        gates.forEach(Gate::open);
        for (int i = resources.size() - 1; i >= 0; i--) {
            try {
                resources.get(i).close();
            } catch (Exception e) {
                throw new IllegalStateException("closing a fixture failed", e);
            }
        }
        resources.clear();
        rawSockets.forEach(ZMQ.Socket::close); // an open socket would hang term()
        rawSockets.clear();
        if (rawContext != null) {
            rawContext.term();
            rawContext = null;
        }
    }
}
