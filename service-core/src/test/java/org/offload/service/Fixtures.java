package org.offload.service;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
    /**
     * How long a raw SUB's first subscription may take to reach the service before the SUB connects anew: JeroMQ
     * 0.6.0 now and then never delivers the subscriptions a SUB sends at connect, though the connection stays up
     * (about 1 connect in 60 on loopback; README, JeroMQ behaviours). ServiceClient recovers the same way: its
     * liveness check makes the SUB's connection anew when an instance does not answer.
     */
    static final Duration SUBSCRIBE_WAIT = Duration.ofSeconds(3);
    /** Connects a raw SUB gets before a test gives up on its subscription arriving. */
    static final int SUBSCRIBE_ATTEMPTS = 8;

    /** Drops {@code sub}'s connection to {@code address} and makes it again (its subscriptions are sent again). */
    static void reconnect(org.zeromq.ZMQ.Socket sub, String address) {
        sub.disconnect(address);
        sub.connect(address);
    }

    /**
     * Connects {@code sub} to {@code address} and waits until {@code arrived} holds, connecting anew after each
     * {@link #SUBSCRIBE_WAIT} without it (see there), at most {@link #SUBSCRIBE_ATTEMPTS} times.
     */
    static void connectSubscribed(org.zeromq.ZMQ.Socket sub, String address, java.util.concurrent.Callable<Boolean> arrived) {
        sub.connect(address);
        for (int attempt = 1; ; attempt++) {
            try {
                org.awaitility.Awaitility.await().pollInterval(Duration.ofMillis(10)).atMost(SUBSCRIBE_WAIT).until(arrived);
                return;
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                if (attempt == SUBSCRIBE_ATTEMPTS) {
                    throw e;
                }
                reconnect(sub, address);
            }
        }
    }
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

    // ------------------------------------------------------------------ raw TCP peers (attacks below ZeroMQ)

    /** A plain TCP connection to a {@code tcp://127.0.0.1:PORT} address, closed with the fixtures. */
    Socket rawConnect(String address) throws IOException {
        int port = Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
        Socket s = add(new Socket("127.0.0.1", port));
        s.setSoTimeout((int) WAIT.toMillis());
        return s;
    }

    /**
     * Connects and completes a ZMTP 3.0 NULL handshake as {@code socketType} the way libzmq peers do: greeting,
     * then READY once the service's greeting arrived. (JeroMQ 0.6.0 drops a peer whose greeting and READY
     * arrive in one read before it sent its own greeting.)
     */
    Socket zmtpConnect(String address, String socketType) throws IOException {
        Socket s = rawConnect(address);
        write(s, greeting());
        readGreeting(s);
        write(s, ready(socketType));
        return s;
    }

    /** Reads the service's 64-byte ZMTP 3 greeting. */
    static void readGreeting(Socket s) throws IOException {
        byte[] theirs = s.getInputStream().readNBytes(64);
        assertEquals(64, theirs.length, "the service's greeting");
        assertEquals((byte) 0xFF, theirs[0], "signature");
        assertEquals(3, theirs[10], "ZMTP major version");
    }

    /** A ZMTP 3.0 greeting with the NULL mechanism, as a client. */
    static byte[] greeting() {
        ByteBuffer b = ByteBuffer.allocate(64);
        b.put((byte) 0xFF).put(new byte[8]).put((byte) 0x7F); // signature
        b.put((byte) 3).put((byte) 0); // version 3.0
        byte[] mechanism = new byte[20];
        byte[] name = "NULL".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(name, 0, mechanism, 0, name.length);
        b.put(mechanism);
        b.put((byte) 0); // as-server
        return b.array(); // filler stays zero
    }

    /** The NULL mechanism's READY command announcing {@code socketType}. */
    static byte[] ready(String socketType) {
        byte[] name = "Socket-Type".getBytes(StandardCharsets.US_ASCII);
        byte[] value = socketType.getBytes(StandardCharsets.US_ASCII);
        ByteBuffer body = ByteBuffer.allocate(1 + 5 + 1 + name.length + 4 + value.length);
        body.put((byte) 5).put("READY".getBytes(StandardCharsets.US_ASCII));
        body.put((byte) name.length).put(name).putInt(value.length).put(value);
        ByteBuffer frame = ByteBuffer.allocate(2 + body.capacity());
        frame.put((byte) 0x04).put((byte) body.capacity()).put(body.array()); // short command frame
        return frame.array();
    }

    /** A message frame header with the 8-byte length form, with the MORE flag if {@code more}. */
    static byte[] longFrameHeader(long size, boolean more) {
        return ByteBuffer.allocate(9).put((byte) (0x02 | (more ? 0x01 : 0))).putLong(size).array();
    }

    /** A complete message frame (8-byte length form), with the MORE flag if {@code more}. */
    static byte[] frame(byte[] body, boolean more) {
        return ByteBuffer.allocate(9 + body.length).put(longFrameHeader(body.length, more)).put(body).array();
    }

    static void write(Socket s, byte[]... chunks) throws IOException {
        OutputStream out = s.getOutputStream();
        for (byte[] c : chunks) {
            out.write(c);
        }
        out.flush();
    }

    /**
     * Reads (and discards) what the service sends until it closes the connection. True when it closed it
     * (end of stream or reset) within {@code bound}, false when the connection was still open then.
     */
    static boolean closedByService(Socket s, Duration bound) throws IOException {
        s.setSoTimeout((int) bound.toMillis());
        InputStream in = s.getInputStream();
        byte[] buf = new byte[4096];
        try {
            while (in.read(buf) >= 0) {
                // the service's greeting and READY; keep reading
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (SocketException e) {
            return true; // reset by the service
        }
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

    /**
     * A handler that works a fixed time per call (parks until {@code work} has passed, never less, so a
     * service's moving estimate of it is at least {@code work}) and records the request ids it ran. A call
     * that carries the header {@value #HOLD} first waits at its gate, holding its worker until the gate opens.
     */
    static final class Paced implements Handler {
        static final String HOLD = "test-hold";
        final Set<Long> ran = ConcurrentHashMap.newKeySet();
        private final long workNanos;
        private final Gate gate;

        Paced(Duration work, Gate gate) {
            this.workNanos = work.toNanos();
            this.gate = gate;
        }

        @Override
        public Reply handle(Call call) throws Exception {
            ran.add(call.requestId());
            if (call.headers().containsKey(HOLD)) {
                gate.handle(call);
            }
            long end = System.nanoTime() + workNanos;
            for (long left = workNanos; left > 0; left = end - System.nanoTime()) {
                LockSupport.parkNanos(left);
                if (Thread.interrupted()) {
                    throw new InterruptedException("cancelled");
                }
            }
            return Reply.json(Map.of("id", call.requestId()));
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
