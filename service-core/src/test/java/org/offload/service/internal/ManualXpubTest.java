package org.offload.service.internal;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.zeromq.SocketType;
import org.zeromq.ZMQ;
import zmq.pipe.Pipe;

/**
 * {@link ManualXpub} over real tcp connections, with XSUB peers sending raw subscription messages. The
 * sequences here are the ones that made JeroMQ 0.6.0's own manual mode apply a subscription to the wrong
 * peer (a message that is no subscription, then a peer's disconnect while subscriptions waited), and the
 * flood its unbounded queue kept.
 */
@Timeout(value = 60, unit = SECONDS)
class ManualXpubTest {
    private static final Duration WAIT = Duration.ofSeconds(15);

    private final ZMQ.Context context = ZMQ.context(1);
    private final ZMQ.Socket socket = context.socket(SocketType.XPUB);
    private final ManualXpub xpub = ManualXpub.install(socket);
    private final String address;

    ManualXpubTest() {
        socket.setLinger(0);
        socket.bind("tcp://127.0.0.1:*");
        address = socket.getLastEndpoint();
    }

    private final List<ZMQ.Socket> peers = new ArrayList<>();

    @AfterEach
    void close() {
        peers.forEach(ZMQ.Socket::close);
        socket.close();
        context.term();
    }

    /** Two connected peers, each known by its first subscription (a0, b0). */
    private record Two(ZMQ.Socket a, Pipe peerA, ZMQ.Socket b, Pipe peerB) {
    }

    private Two twoPeers() {
        ZMQ.Socket a = peer();
        ZMQ.Socket b = peer();
        return new Two(a, first(a, "a0"), b, first(b, "b0"));
    }

    @Test
    void messageThatIsNoSubscriptionThenAnotherPeer_eachSubscriptionKeepsItsSender() {
        Two t = twoPeers();
        ZMQ.Socket a = t.a();
        ZMQ.Socket b = t.b();

        a.send(new byte[] {2, 'x'}); // not a subscription: JeroMQ queues no pipe for it
        a.send(subscribe("a1"));
        awaitQueued(1);
        b.send(subscribe("b1"));
        awaitQueued(2);

        assertFrom(t.peerA(), "a1");
        assertFrom(t.peerB(), "b1");
        assertEquals(1, xpub.userMessages());
        assertDelivery(t);
    }

    @Test
    void peerLeavesWhileSubscriptionsWait_laterSubscriptionsKeepTheirSender() {
        Two t = twoPeers();

        t.a().send(subscribe("a1"));
        awaitQueued(1);
        ZMQ.Socket c = peer();
        c.send(subscribe("c0"));
        awaitQueued(2);
        peers.remove(c);
        c.close(); // JeroMQ cleared its queue of pipes here, while a1 and c0 still waited
        awaitQueued(3);
        t.b().send(subscribe("b1"));
        awaitQueued(4);

        assertFrom(t.peerA(), "a1");
        Pipe peerC = xpubRecv("c0");
        assertNotNull(peerC);
        assertArrayEquals(unsubscribe("c0"), xpub.recv(), "JeroMQ's unsubscription for the peer that left");
        assertNull(xpub.peer(), "sent by no peer");
        assertFrom(t.peerB(), "b1");
        assertDelivery(t);
    }

    @Test
    void peerFloodsFasterThanRead_queueStopsAtItsBoundAndPeerIsDisconnected() {
        ZMQ.Socket flooder = peer();
        for (int i = 0; i < ManualXpub.MAX_QUEUED_PER_PEER * 4; i++) {
            flooder.send(subscribe("junk-" + i));
        }

        // the flooder's bound, then JeroMQ's unsubscription of each topic it still held when it was cut off
        awaitQueued(ManualXpub.MAX_QUEUED_PER_PEER * 2);
        assertEquals(1, xpub.disconnected());
        int fromPeer = 0;
        int fromJeroMq = 0;
        while (xpub.recv() != null) {
            if (xpub.peer() == null) {
                fromJeroMq++;
            } else {
                fromPeer++;
            }
        }
        assertEquals(ManualXpub.MAX_QUEUED_PER_PEER, fromPeer);
        assertEquals(ManualXpub.MAX_QUEUED_PER_PEER, fromJeroMq);
        assertEquals(2, xpub.trieNodes(), "both tries are empty again (their roots)");
    }

    @Test
    void rejectedSubscription_leavesNoTrieNodes() {
        ZMQ.Socket a = peer();
        Pipe peerA = first(a, "a0");
        a.send(subscribe("sixteen-byte-id!"));
        awaitQueued(1);
        Pipe from = xpubRecv("sixteen-byte-id!");
        assertSame(peerA, from);
        assertEquals(2 + "a0".length() + 16, xpub.trieNodes(), "the two roots and what waits in JeroMQ's own trie");

        xpub.reject(from, subscribe("sixteen-byte-id!"));
        xpub.reject(from, subscribe("a0"));

        assertEquals(2, xpub.trieNodes());
    }

    // ------------------------------------------------------------------ helpers

    private ZMQ.Socket peer() {
        ZMQ.Socket s = context.socket(SocketType.XSUB);
        s.setLinger(0);
        s.setReceiveTimeOut((int) WAIT.toMillis());
        s.connect(address);
        peers.add(s);
        return s;
    }

    /**
     * Sends {@code topic} as the peer's first subscription (XSUB replays it once connected) and reads it:
     * the peer as this class knows it.
     */
    private Pipe first(ZMQ.Socket peer, String topic) {
        peer.send(subscribe(topic));
        awaitQueued(1);
        return xpubRecv(topic);
    }

    private Pipe xpubRecv(String topic) {
        assertArrayEquals(subscribe(topic), xpub.recv(), "next subscription message");
        return xpub.peer();
    }

    private void assertFrom(Pipe expected, String topic) {
        assertSame(expected, xpubRecv(topic), () -> "the sender of " + topic);
    }

    /** Subscribed by hand, each peer gets the message of its own topic and not the other's. */
    private void assertDelivery(Two t) {
        assertNotSame(t.peerA(), t.peerB());
        xpub.subscribe(t.peerA(), bytes("A"));
        xpub.subscribe(t.peerB(), bytes("B"));
        socket.send("A-first");
        socket.send("B-second");
        assertEquals("A-first", t.a().recvStr());
        assertEquals("B-second", t.b().recvStr(), "peer b's first message is its own");
    }

    /** Waits until {@code n} subscription messages wait (processing the socket's commands on this thread). */
    private void awaitQueued(int n) {
        BooleanSupplier reached = () -> {
            socket.getEvents();
            return xpub.queued() == n;
        };
        Awaitility.await().atMost(WAIT).pollInSameThread().pollInterval(Duration.ofMillis(2))
                .until(reached::getAsBoolean);
    }

    private static byte[] subscribe(String topic) {
        return message((byte) 1, topic);
    }

    private static byte[] unsubscribe(String topic) {
        return message((byte) 0, topic);
    }

    private static byte[] message(byte first, String topic) {
        byte[] t = bytes(topic);
        byte[] m = new byte[t.length + 1];
        m[0] = first;
        System.arraycopy(t, 0, m, 1, t.length);
        return m;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
