package org.offload.service.internal;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import org.zeromq.ZMQ;
import zmq.Msg;
import zmq.pipe.Pipe;
import zmq.socket.pubsub.XPub;
import zmq.util.Blob;

/**
 * An XPUB in manual mode (ZeroMQ applies no subscription by itself) that tells which peer sent each
 * subscription and lets the application decide what enters JeroMQ 0.6.0's subscription tries. Works around
 * four behaviours of JeroMQ 0.6.0's {@code XPub} (README, "JeroMQ 0.6.0 behaviours worked around"):
 * <ul>
 *   <li>manual mode still stores every subscription a peer sends in a second trie (for unsubscribing at
 *       disconnect), so junk topics would grow it without bound: rejected ones are removed at once;</li>
 *   <li>{@code subscribe} in manual mode turns the topic into a UTF-8 string and back and drops its first
 *       byte, so a binary client id cannot be subscribed through the socket option: the trie is updated
 *       directly;</li>
 *   <li>the pipe of a subscription is kept in a queue beside the messages that loses step: a message that is
 *       no subscription has no entry, and a peer's disconnect clears the queue while older subscriptions still
 *       wait, so later subscriptions were applied to the wrong peer: this class keeps each message's peer with
 *       the message itself;</li>
 *   <li>the queue of subscription messages waiting for the application has no bound: here each message
 *       passes a {@link Screen} as it arrives (a rejected one is never queued), and at most
 *       {@link #MAX_QUEUED_PER_PEER} per peer and {@link #MAX_QUEUED} in all wait; a peer past either is
 *       disconnected and its extra messages dropped.</li>
 * </ul>
 * Installed by reflection on the 0.6.0 fields (checked when installed: any other version fails at once).
 * Use under the lock of the socket's owner: every method runs JeroMQ code of that socket.
 */
public final class ManualXpub {
    /** Subscription messages one peer may have waiting for the application; more disconnect it. */
    public static final int MAX_QUEUED_PER_PEER = 256;
    /** Subscription messages all peers together may have waiting; more disconnect the sender. */
    public static final int MAX_QUEUED = 65_536;
    private static final Object NO_PEER = new Object();

    /** Decides, as each subscription message arrives, whether it is queued for {@link #recv()} at all. */
    public interface Screen {
        /**
         * True to queue {@code message} ({@code 0x01} or {@code 0x00} then the topic) from {@code from};
         * false drops it and removes what JeroMQ stored of it. Runs inside JeroMQ's read of {@code from}, under
         * the socket owner's lock; it may {@link #disconnect} {@code from}.
         */
        boolean admit(Pipe from, byte[] message);
    }

    private static final Field SUBSCRIPTIONS = field("subscriptions");
    private static final Field MANUAL_SUBSCRIPTIONS = field("manualSubscriptions");
    private static final Field PENDING_DATA = field("pendingData");
    private static final Field PENDING_FLAGS = field("pendingFlags");
    private static final Field PENDING_PIPES = field("pendingPipes");
    private static final Method TRIE_ADD = trieMethod("add");
    private static final Method TRIE_RM = trieMethod("rm");

    private final ZMQ.Socket socket;
    private final Object subscriptions;
    private final Object manualSubscriptions;
    private final Queued queued = new Queued();
    private final Set<Pipe> cut = Collections.newSetFromMap(new WeakHashMap<>());
    private Screen screen = (from, message) -> true;
    private long disconnected;
    private long userMessages;

    private ManualXpub(ZMQ.Socket socket) throws ReflectiveOperationException {
        this.socket = socket;
        XPub xpub = (XPub) socket.base();
        socket.setXpubManual(true);
        this.subscriptions = SUBSCRIPTIONS.get(xpub);
        this.manualSubscriptions = MANUAL_SUBSCRIPTIONS.get(xpub);
        PENDING_DATA.set(xpub, queued);
        PENDING_FLAGS.set(xpub, new NoFlags());
        PENDING_PIPES.set(xpub, queued.pipes);
    }

    /** Puts {@code xpub} (an XPUB socket, before it binds or connects) in manual mode under this class's control. */
    public static ManualXpub install(ZMQ.Socket xpub) {
        try {
            return new ManualXpub(xpub);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("this JeroMQ's XPub is not the 0.6.0 one Offload works around: " + e, e);
        }
    }

    /** Sets the screen every subscription message from a peer passes before it is queued (default: all queued). */
    public void screen(Screen s) {
        this.screen = s;
    }

    /** The next subscription message, or null when none waits. {@link #peer()} then says who sent it. */
    public byte[] recv() {
        return socket.recv(ZMQ.DONTWAIT);
    }

    /** The sender of the message {@link #recv()} returned last; null for JeroMQ's own unsubscription of a peer that left. */
    public Pipe peer() {
        return queued.last instanceof Pipe p ? p : null;
    }

    /** Subscribes {@code peer} to exactly {@code topic}: the replies it is sent start with it. */
    public void subscribe(Pipe peer, byte[] topic) {
        trie(TRIE_ADD, subscriptions, subscription((byte) 1, topic), peer);
    }

    /** Undoes {@link #subscribe}. */
    public void unsubscribe(Pipe peer, byte[] topic) {
        trie(TRIE_RM, subscriptions, subscription((byte) 1, topic), peer);
    }

    /** Forgets a subscribe message {@code peer} sent that the application rejected (no trace left in JeroMQ). */
    public void reject(Pipe peer, byte[] message) {
        if (message.length > 0 && message[0] == 1) {
            trie(TRIE_RM, manualSubscriptions, new Msg(message), peer);
        }
    }

    /** Ends {@code peer}'s connection to this socket: its subscriptions go, and it is read no more. Idempotent. */
    public void disconnect(Pipe peer) {
        if (cut.add(peer)) {
            disconnected++;
            peer.terminate(false);
        }
    }

    /** Subscription messages waiting for {@link #recv()}. */
    public int queued() {
        return queued.size();
    }

    /** Peers disconnected so far, by {@link #disconnect} or for sending past the queue bounds. */
    public long disconnected() {
        return disconnected;
    }

    /** Messages that were no subscription (dropped unread). */
    public long userMessages() {
        return userMessages;
    }

    /** Nodes of JeroMQ's two subscription tries: what they hold, for tests and diagnostics. */
    public long trieNodes() {
        return TrieCount.nodes(subscriptions) + TrieCount.nodes(manualSubscriptions);
    }

    private static Msg subscription(byte first, byte[] topic) {
        byte[] b = new byte[topic.length + 1];
        b[0] = first;
        System.arraycopy(topic, 0, b, 1, topic.length);
        return new Msg(b);
    }

    private static void trie(Method m, Object trie, Msg msg, Pipe peer) {
        try {
            m.invoke(trie, msg, peer);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("JeroMQ subscription trie " + m.getName() + " failed", e);
        }
    }

    private static Field field(String name) {
        try {
            Field f = XPub.class.getDeclaredField(name);
            f.setAccessible(true);
            return f;
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new ExceptionInInitializerError("JeroMQ XPub has no field " + name + ": " + e);
        }
    }

    private static Method trieMethod(String name) {
        try {
            Method m = TrieCount.TRIE.getDeclaredMethod(name, Msg.class, Pipe.class);
            m.setAccessible(true);
            return m;
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new ExceptionInInitializerError("JeroMQ Mtrie has no method " + name + ": " + e);
        }
    }

    /**
     * Replaces XPub's {@code pendingData}: each message keeps its peer (XPub announces it by adding the pipe
     * to {@code pendingPipes}, {@link #pipes}, just before the message), and the bounds apply as messages
     * arrive. XPub calls only {@code add}, {@code isEmpty} and {@code pollFirst} on it.
     */
    private final class Queued extends ArrayDeque<Blob> {
        private final ArrayDeque<Object> peers = new ArrayDeque<>();
        private final Map<Pipe, int[]> perPeer = new IdentityHashMap<>();
        private final Announced pipes = new Announced();
        private Pipe next;
        private Object last;

        @Override
        public boolean add(Blob message) {
            Pipe peer = next;
            next = null;
            byte[] d = message.data();
            if (d.length == 0 || (d[0] != 0 && d[0] != 1)) {
                userMessages++; // no subscription: nothing here reads it
                return true;
            }
            if (peer == null) { // XPub's unsubscription for a peer that left: bounded by what the tries held
                super.add(message);
                peers.add(NO_PEER);
                return true;
            }
            if (!screen.admit(peer, d)) {
                reject(peer, d);
                return true;
            }
            int[] n = perPeer.computeIfAbsent(peer, p -> new int[1]);
            if (n[0] >= MAX_QUEUED_PER_PEER || size() >= MAX_QUEUED) {
                reject(peer, d);
                if (n[0] == 0) {
                    perPeer.remove(peer);
                }
                disconnect(peer); // a terminating pipe is read no more
                return true;
            }
            n[0]++;
            super.add(message);
            peers.add(peer);
            return true;
        }

        @Override
        public Blob pollFirst() {
            Blob b = super.pollFirst();
            last = b == null ? null : peers.pollFirst();
            if (last instanceof Pipe p) {
                int[] n = perPeer.get(p);
                if (--n[0] == 0) {
                    perPeer.remove(p);
                }
            }
            return b;
        }

        /** Replaces XPub's {@code pendingPipes}: stores nothing (XPub never sees a pipe to set as its last). */
        private final class Announced extends ArrayDeque<Pipe> {
            @Override
            public boolean add(Pipe pipe) {
                next = pipe;
                return true;
            }

            @Override
            public void clear() {
                // XPub clears it when a peer leaves, which lost the peers of older messages; nothing to clear here
            }
        }
    }

    /** Replaces XPub's {@code pendingFlags}: subscriptions have no flags, and other messages are dropped. */
    private static final class NoFlags extends ArrayDeque<Integer> {
        private static final Integer NONE = 0;

        @Override
        public boolean add(Integer flags) {
            return true;
        }

        @Override
        public Integer pollFirst() {
            return NONE;
        }
    }
}
