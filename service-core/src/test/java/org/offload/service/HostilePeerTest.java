package org.offload.service;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.offload.service.RawPeer.Received;
import org.offload.service.internal.BoundedAllocator;
import org.offload.service.internal.ClientId;
import org.offload.service.internal.Sealed;
import org.zeromq.SocketType;
import org.zeromq.ZMQ;

/**
 * Hostile peers on the raw TCP ports: garbage, ZMTP greetings announcing huge frames, frames over the size
 * limit, odd subscriptions. Afterwards the service must still be running and answer a correct peer.
 */
@Timeout(value = 60, unit = SECONDS)
class HostilePeerTest {
    private static final int MAX_MESSAGE_BYTES = 64 * 1024;
    /** The service's handshake timeout here: a connection that has not finished its handshake by then is closed. */
    private static final Duration HANDSHAKE_TIMEOUT = Duration.ofMillis(500);
    /**
     * How long a test waits for the service to close a hostile connection (or, reading, for its next bytes):
     * milliseconds normally, so generous for a loaded machine.
     */
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(10);
    /**
     * What each attempt of a fresh JeroMQ socket gets to connect, where one may stall for good (see the
     * oversize test): a stalled first attempt is retried soon, and later attempts get longer, so a merely
     * slow (loaded) machine still gets through.
     */
    private static final List<Duration> ATTEMPTS = List.of(Duration.ofSeconds(2), Duration.ofSeconds(5),
            Duration.ofSeconds(10), Duration.ofSeconds(10));

    @RegisterExtension
    final Fixtures fx = new Fixtures();
    private final Fixtures.Counting counting = new Fixtures.Counting();
    private ServiceServer server;

    private ServiceServer start(String name) {
        server = fx.start(Fixtures.builder(name).maxMessageBytes(MAX_MESSAGE_BYTES)
                .handshakeTimeout(HANDSHAKE_TIMEOUT).route("^/count$", "request", counting));
        return server;
    }

    /** The service is up and a correct peer, connected afterwards, gets its reply. */
    private void assertStillServing() {
        assertTrue(server.isRunning(), "the service stopped");
        RawPeer peer = fx.peer(server);
        Received r = peer.call("/count", "request", Map.of(), Body.json(Map.of("after", "attack")));
        assertEquals(Status.OK, r.status());
        assertEquals("attack", r.body().json().get("echo").get("after").asText());
    }

    // ------------------------------------------------------------------ raw TCP helpers

    private Socket connect(String address) throws IOException {
        return fx.rawConnect(address);
    }

    private Socket zmtpConnect(String address, String socketType) throws IOException {
        return fx.zmtpConnect(address, socketType);
    }

    private static byte[] longFrameHeader(long size) {
        return Fixtures.longFrameHeader(size, false);
    }

    private static byte[] frame(byte[] body, boolean more) {
        return Fixtures.frame(body, more);
    }

    private static boolean closedByService(Socket s) throws IOException {
        return Fixtures.closedByService(s, CLOSE_WAIT);
    }

    private static void write(Socket s, byte[]... chunks) throws IOException {
        Fixtures.write(s, chunks);
    }

    // ------------------------------------------------------------------ tests

    /** The control for the raw-socket tests below: this hand-made ZMTP handshake and framing are accepted. */
    @Test
    void tcp_handMadeZmtpPush_validRequest_isAnswered() throws Exception {
        start("hand-made");
        RawPeer peer = fx.peer(server);
        peer.handshake();
        Sealed m = peer.seal(peer.request("/count", "request", Map.of()),
                Body.json(Map.of("raw", true)));
        Socket s = zmtpConnect(server.pullAddress(), "PUSH");

        write(s, frame(m.envelope(), true), frame(m.body(), true), frame(m.proof(), false));
        Received r = peer.reply();

        assertEquals(Status.OK, r.status());
        assertTrue(r.body().json().get("echo").get("raw").asBoolean());
        assertEquals(1, counting.invocations.get());
    }

    @Test
    void tcp_garbageToPullAndPubPorts_serviceStillAnswers() throws Exception {
        start("garbage");
        byte[] garbage = new byte[64 * 1024];
        new Random(7).nextBytes(garbage);
        byte[] http = "GET / HTTP/1.1\r\nHost: offload\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

        for (String address : new String[] {server.pullAddress(), server.pubAddress()}) {
            Socket random = connect(address);
            Socket text = connect(address);
            write(random, garbage);
            write(text, http);
        }

        assertStillServing();
    }

    @ParameterizedTest(name = "announced size {0}")
    @ValueSource(longs = {MAX_MESSAGE_BYTES + 1, (1L << 32) + 16, 1L << 40, Long.MAX_VALUE})
    void tcp_zmtpGreetingThenHugeFrameLength_toPull_connectionClosedAndServiceAnswers(long size) throws Exception {
        start("huge-frame-pull");
        Socket s = zmtpConnect(server.pullAddress(), "PUSH");

        write(s, longFrameHeader(size), new byte[64]);

        assertTrue(closedByService(s), "the service kept a connection that announced a " + size + "-byte frame");
        assertStillServing();
        assertEquals(1, counting.invocations.get(), "only the correct peer's request ran");
    }

    @ParameterizedTest(name = "announced size {0}")
    @ValueSource(longs = {257, 1L << 40, Long.MAX_VALUE})
    void tcp_zmtpGreetingThenHugeFrameLength_toPub_connectionClosedAndServiceAnswers(long size) throws Exception {
        start("huge-frame-pub");
        Socket s = zmtpConnect(server.pubAddress(), "SUB");

        write(s, longFrameHeader(size), new byte[64]);

        assertTrue(closedByService(s), "the service kept a connection that announced a " + size + "-byte frame");
        assertStillServing();
    }

    /**
     * A ZMTP frame length with the top bit set (here 2^64-1) passes JeroMQ 0.6.0's Decoder.sizeReady as a
     * negative long; unguarded, {@code new byte[(int) size]} throws on JeroMQ's I/O thread, the session
     * wedges and close() cannot finish. The service's BoundedAllocator must keep it serving and closable.
     */
    @ParameterizedTest(name = "to {0}")
    @ValueSource(strings = {"PULL", "PUB"})
    void tcp_zmtpFrameLengthWithTopBitSet_connectionClosedAndCloseEndsTheService(String port) throws Exception {
        start("negative-frame-" + port);
        boolean pull = "PULL".equals(port);
        Socket s = zmtpConnect(pull ? server.pullAddress() : server.pubAddress(), pull ? "PUSH" : "SUB");

        write(s, longFrameHeader(-1L), new byte[64]);
        assertStillServing();
        boolean closed = closedByService(s);
        s.close();
        List<Thread> threads = Fixtures.ioThreads(server);
        server.close();
        // stop() returns after its own bound whether or not the I/O thread ended: a wedged session shows as an
        // I/O thread that never ends (stuck in context.term) and ports that stay bound, not as a slow close()
        boolean terminated = server.awaitTermination(Fixtures.WAIT);
        boolean threadsEnded = awaitEnded(threads);
        String rebind = null;
        try {
            fx.start(Fixtures.builder("rebind-" + port).bind(server.pullAddress(), server.pubAddress()));
        } catch (ServiceStartException e) {
            rebind = e.getMessage();
        }
        String rebindFailure = rebind;

        assertAll(
                () -> assertTrue(closed, "the service kept the connection open"),
                () -> assertTrue(terminated, "the service's I/O thread never ended (stuck in context.term)"),
                () -> assertTrue(threadsEnded, "the service's threads still run: " + threads),
                () -> assertEquals(null, rebindFailure, "the closed service's ports are still bound"));
    }

    /**
     * JeroMQ 0.6.0 allocates {@code (int) length}: a 64-bit length 0xFFFFFFFF000000NN is negative as a long, so it
     * passes the size check, and its low 32 bits are a valid size NN. Such a frame is read as an ordinary
     * NN-byte frame (the allocator sees nothing unusual, so it rejects nothing): junk is dropped as malformed, a
     * signed request is served, and no frame takes more than maxMessageBytes. README guarantee 4 says this.
     */
    @Test
    void tcp_frameLengthsWithHighWordSet_readAsFramesOfTheirLow32Bits() throws Exception {
        start("high-word");
        RawPeer peer = fx.subscribedPeer(server);
        Sealed m = peer.seal(peer.request("/count", "request", Map.of()), Body.json(Map.of("high", "word")));
        long rejectedBefore = BoundedAllocator.rejected();
        Socket s = zmtpConnect(server.pullAddress(), "PUSH");

        write(s, highWordFrame(new byte[16], false));
        Fixtures.await().until(() -> server.stats().malformed() == 1);
        write(s, highWordFrame(m.envelope(), true), highWordFrame(m.body(), true), highWordFrame(m.proof(), false));
        Received r = peer.reply();

        assertEquals(Status.OK, r.status(), () -> "the request framed with 0xFFFFFFFF lengths: " + r);
        assertEquals("word", r.body().json().get("echo").get("high").asText());
        assertEquals(1, counting.invocations.get());
        assertEquals(1, server.stats().malformed(), "the 16 junk bytes, read as one frame");
        assertEquals(rejectedBefore, BoundedAllocator.rejected(), "no length looked invalid to the allocator");
        assertStillServing();
    }

    /** A message frame whose 8-byte length is {@code 0xFFFFFFFF00000000 | body.length}. */
    private static byte[] highWordFrame(byte[] body, boolean more) {
        return ByteBuffer.allocate(9 + body.length).put((byte) (0x02 | (more ? 0x01 : 0)))
                .putLong(0xFFFF_FFFF_0000_0000L | body.length).put(body).array();
    }

    @Test
    void tcp_connectionThatNeverGreets_closedAfterHandshakeTimeout() throws Exception {
        start("silent");
        Socket s = connect(server.pullAddress());

        assertTrue(closedByService(s), "a silent connection outlived the " + HANDSHAKE_TIMEOUT.toMillis()
                + " ms handshake timeout");
        assertStillServing();
    }

    @Test
    void realPush_frameOverMaxMessageBytes_disconnectedAndHandlerNeverRuns() throws Exception {
        start("oversize");
        RawPeer signer = fx.peer(server);
        Body big = Body.bytes(new byte[1024 * 1024]);
        Sealed m = signer.seal(signer.request("/count", "request", Map.of()), big);

        // Under CPU load a fresh JeroMQ 0.6.0 PUSH with a large message queued before it connects sometimes never
        // starts its own handshake (its socket stays in CLOSE_WAIT after the service's handshake timeout), so a
        // stalled attempt is retried with a fresh context; one disconnect is all the test needs.
        boolean disconnected = false;
        for (int attempt = 0; attempt < ATTEMPTS.size() && !disconnected; attempt++) {
            disconnected = sendOnFreshPushAndAwaitDisconnect(m, attempt);
        }

        assertTrue(disconnected, "the service did not disconnect a PUSH that sent a 1 MiB frame (limit 64 KiB)");
        assertStillServing();
        assertEquals(1, counting.invocations.get(), "the oversized request never reached a handler");
        Received underLimit = signer.call("/count", "request", Map.of(), Body.bytes(new byte[MAX_MESSAGE_BYTES - 1024]));
        assertEquals(Status.BAD_REQUEST, underLimit.status(), "a body under the limit reaches the (JSON) handler");
        assertTrue(underLimit.message().startsWith("body is not valid JSON"), underLimit.message());
    }

    private boolean sendOnFreshPushAndAwaitDisconnect(Sealed m, int attempt) {
        String monitorAddress = "inproc://oversize-monitor-" + attempt;
        try (ZMQ.Context context = ZMQ.context(1);
             ZMQ.Socket push = context.socket(SocketType.PUSH);
             ZMQ.Socket monitor = context.socket(SocketType.PAIR)) {
            push.setLinger(0);
            push.setReconnectIVL(10_000); // no second connection within the test
            push.monitor(monitorAddress, ZMQ.EVENT_DISCONNECTED);
            monitor.setReceiveTimeOut((int) ATTEMPTS.get(attempt).toMillis());
            monitor.connect(monitorAddress);
            push.connect(server.pullAddress());
            push.send(m.envelope(), ZMQ.SNDMORE);
            push.send(m.body(), ZMQ.SNDMORE);
            push.send(m.proof(), 0);
            ZMQ.Event event = ZMQ.Event.recv(monitor);
            return event != null && event.getEvent() == ZMQ.EVENT_DISCONNECTED;
        }
    }

    @Test
    void tcp_oversizedSubscriptionOnPub_connectionClosedAndServiceAnswers() throws Exception {
        start("long-subscription");
        Socket s = zmtpConnect(server.pubAddress(), "SUB");
        byte[] subscription = new byte[300]; // over the PUB side's 256-byte inbound frame limit
        subscription[0] = 1;

        write(s, frame(subscription, false));

        assertTrue(closedByService(s), "the service kept a connection that sent a 300-byte subscription");
        assertStillServing();
    }

    /**
     * A peer subscribed to the empty prefix matches every reply. With XPUB_NODROP, a non-reading one would
     * make every send fail at its high-water mark and stop all replies; the lossy PUB must let the victim's
     * replies through while only the stalled peer's copies are dropped.
     */
    @Test
    void stalledEmptyPrefixSubscriber_doesNotBlockOtherClientsReplies() throws Exception {
        server = fx.start(Fixtures.builder("stall").sendHighWaterMark(4).maxMessageBytes(MAX_MESSAGE_BYTES)
                .route("^/big$", "request", call -> Reply.ok(Body.wrap(new byte[256 * 1024], Body.OCTET_STREAM))));
        // A fresh JeroMQ SUB occasionally never completes its own connect (see the oversize test): retry it.
        for (int attempt = 0; attempt < ATTEMPTS.size() && server.stats().malformed() == 0; attempt++) {
            subscribeToEverythingAndNeverRead();
            long until = System.nanoTime() + ATTEMPTS.get(attempt).toNanos();
            Fixtures.await().until(() -> server.stats().malformed() > 0 || System.nanoTime() - until > 0);
        }
        assertTrue(server.stats().malformed() > 0, "the stalled subscriber's empty subscription was not seen");
        RawPeer victim = fx.peer(server);

        int replies = 0;
        try {
            for (int i = 0; i < 60; i++) {
                assertEquals(Status.OK, victim.call("/big", "request").status());
                replies++;
            }
        } catch (AssertionError stuck) {
            throw new AssertionError("a stalled subscriber to the empty prefix blocked the victim after " + replies
                    + " replies (" + server.stats() + ")", stuck);
        }
        assertEquals(60, replies);
    }

    /** True when every one of {@code threads} ended within {@link Fixtures#WAIT}. */
    private static boolean awaitEnded(List<Thread> threads) {
        try {
            Fixtures.await().until(() -> threads.stream().noneMatch(Thread::isAlive));
            return true;
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            return false;
        }
    }

    /** A SUB on its own context, subscribed to the empty prefix, with tiny buffers, that is never read. */
    private void subscribeToEverythingAndNeverRead() {
        ZMQ.Context context = ZMQ.context(1);
        fx.add(context::term);
        ZMQ.Socket stalled = context.socket(SocketType.SUB);
        fx.add(stalled::close);
        stalled.setLinger(0);
        stalled.setRcvHWM(1);
        stalled.setReceiveBufferSize(16 * 1024);
        stalled.subscribe(new byte[0]);
        stalled.connect(server.pubAddress());
    }
}
