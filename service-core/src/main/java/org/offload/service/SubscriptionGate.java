package org.offload.service;

import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import org.offload.service.internal.ClientId;
import org.offload.service.internal.ManualXpub;
import org.offload.service.internal.Proof;
import org.offload.service.internal.WarnLimiter;
import org.offload.service.internal.Wire;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import zmq.pipe.Pipe;

/**
 * Decides which subscriptions reach the XPUB's filter (PROTOCOL.md sections 5 and 10). The XPUB is in manual
 * mode, so a peer hears a client's replies only once it sent that client's proved topic (client id and a tag
 * only a holder of the passphrase can make); this class then subscribes that peer to the bare client id. Any
 * other subscription is dropped as it arrives ({@link #admit}), counted, and leaves no trace in JeroMQ; a peer
 * that sends too many is disconnected. Keeps the set of subscribed clients. A subscription whose topic starts
 * with {@code 0xFF} is a notification subscription (section 20), never a reply one: only this passphrase's
 * notification topic passes, and subscribes its connection to every notification. Under the publisher's lock.
 */
final class SubscriptionGate implements ManualXpub.Screen {
    private static final Logger log = LoggerFactory.getLogger(ServiceServer.class);
    /** Most clients subscribed at once; further proved subscriptions are ignored and counted. */
    static final int MAX_LIVE_CLIENTS = 100_000;
    /** Most client ids one peer may be subscribed to (a client's connection needs one). */
    static final int MAX_PROVED_PER_PEER = 16;
    /**
     * Unproved subscriptions of the two shapes a real client sends (its bare 16-byte id, the local filter of
     * its SUB; proved topics of other passphrases) ignored without counting, per peer.
     */
    static final int FREE_UNPROVED_PER_PEER = 16;
    /** Unproved subscriptions after which a peer is disconnected. */
    static final int MAX_UNPROVED_PER_PEER = 1_024;
    /** Most connections that subscribed to a bare id (one each) kept as where 401s for that id may go. */
    static final int MAX_CLAIMS = 10_000;
    private static final int BARE_MESSAGE_BYTES = 1 + Wire.CLIENT_ID_BYTES;

    private static final class Peer {
        final Set<ClientId> clients = new HashSet<>();
        ClientId claim;
        /** Subscribed to this instance's notifications (PROTOCOL.md section 20). */
        boolean notified;
        int unproved;
    }

    private final String name;
    private final ManualXpub xpub;
    private final Proof proof;
    /** The notification subscription this passphrase proves: {@code 0xFF} and its tag (33 bytes). */
    private final byte[] notifyTopic;
    private final ServerCounters counters;
    private final WarnLimiter warn = new WarnLimiter();
    /** Subscribed client ids, each with the number of peers subscribed to it. */
    private final Map<ClientId, Integer> live = new HashMap<>();
    private final Map<Pipe, Peer> peers = new WeakHashMap<>();
    /** Connections subscribed to a client's bare id (its SUB's filter), by id: only 401s and 505s go there. */
    private final Map<ClientId, Set<Pipe>> claims = new HashMap<>();

    SubscriptionGate(String name, ManualXpub xpub, Proof proof, ServerCounters counters) {
        this.name = name;
        this.xpub = xpub;
        this.proof = proof;
        this.notifyTopic = proof.notifySubscription();
        this.counters = counters;
        xpub.screen(this);
    }

    int liveClients() {
        return live.size();
    }

    boolean isLive(ClientId client) {
        return live.containsKey(client);
    }

    /**
     * As a subscription message arrives: only one whose topic is proved, or a connection's first bare id
     * (a claim), is queued for {@link #onMessage}; any other is dropped there, counted against its sender,
     * and never reaches a trie.
     */
    @Override
    public boolean admit(Pipe from, byte[] message) {
        if (isNotification(message)) { // before the reply shapes: no client id starts with the marker
            if (isNotifyProved(message)) {
                return true;
            }
            unproved(from, peers.computeIfAbsent(from, p -> new Peer()), message);
            return false;
        }
        if (isProved(message)) {
            return true;
        }
        Peer peer = peers.computeIfAbsent(from, p -> new Peer());
        if (message.length == BARE_MESSAGE_BYTES && claim(from, peer, message)) {
            return message[0] == 1; // queued so the reader flushes what waits for this id
        }
        unproved(from, peer, message);
        return false;
    }

    /**
     * A connection's first bare id (its SUB's filter) is kept, within MAX_CLAIMS, as where answers to
     * unauthenticated messages for that id may go; JeroMQ keeps it too, so the connection's end is seen.
     * True when {@code message} was such a claim or withdrew it.
     */
    private boolean claim(Pipe from, Peer peer, byte[] message) {
        ClientId client = ClientId.read(message, 1);
        if (message[0] == 0) {
            if (!client.equals(peer.claim)) {
                return false;
            }
            peer.claim = null;
            Set<Pipe> pipes = claims.get(client);
            if (pipes != null && pipes.remove(from) && pipes.isEmpty()) {
                claims.remove(client);
            }
            return true;
        }
        if (peer.claim != null || (claims.size() >= MAX_CLAIMS && !claims.containsKey(client))) {
            return false;
        }
        peer.claim = client;
        claims.computeIfAbsent(client, c -> Collections.newSetFromMap(new WeakHashMap<>())).add(from);
        return true;
    }

    /** The open connections that subscribed to {@code client}'s bare id. */
    List<Pipe> claimers(ClientId client) {
        Set<Pipe> pipes = claims.get(client);
        return pipes == null ? List.of() : pipes.stream().filter(Pipe::checkWrite).toList();
    }

    /** A bare id: a claim just made by {@code from} (flush for it), or JeroMQ's when the last holder left. */
    private ClientId onClaim(byte[] message, Pipe from) {
        ClientId client = ClientId.read(message, 1);
        if (from == null && message[0] == 0) {
            claims.remove(client);
        }
        return from != null && message[0] == 1 ? client : null;
    }

    /** A subscription message whose topic starts with {@link Wire#NOTIFY_MARKER}: never a reply subscription. */
    private static boolean isNotification(byte[] message) {
        return message.length >= 2 && message[1] == Wire.NOTIFY_MARKER;
    }

    private boolean isNotifyProved(byte[] message) {
        return message.length == 1 + Wire.NOTIFY_SUBSCRIPTION_BYTES
                && MessageDigest.isEqual(notifyTopic, Arrays.copyOfRange(message, 1, message.length));
    }

    /**
     * A proved notification subscription (or its withdrawal) from {@code from}: the connection gets (or stops
     * getting) every notification, whose topic frames start with the proved topic.
     */
    private void onNotifyMessage(byte[] message, Pipe from) {
        if (from == null) {
            return; // JeroMQ's own, when the last holder left: its trie entries went with the pipes
        }
        Peer peer = peers.computeIfAbsent(from, p -> new Peer());
        boolean subscribe = message[0] == 1;
        if (subscribe != peer.notified) {
            peer.notified = subscribe;
            if (subscribe) {
                xpub.subscribe(from, notifyTopic);
            } else {
                xpub.unsubscribe(from, notifyTopic);
            }
            log.debug("{} - a connection {} notifications", name, subscribe ? "subscribed to" : "unsubscribed from");
        }
    }

    private boolean isProved(byte[] message) {
        return message.length == 1 + Wire.PROVED_TOPIC_BYTES && proof.isProvedTopic(message, 1);
    }

    /**
     * One admitted subscription message ({@code 0x01} or {@code 0x00}, then a proved topic) from
     * {@code from}, or from JeroMQ itself (null) when the last peer holding a topic left. Returns the client
     * that just became subscribed (its parked replies can go), else null.
     */
    ClientId onMessage(byte[] message, Pipe from) {
        if (isNotification(message)) {
            onNotifyMessage(message, from);
            return null;
        }
        if (message.length == BARE_MESSAGE_BYTES) {
            return onClaim(message, from);
        }
        boolean subscribe = message[0] == 1;
        if (from == null) {
            if (isProved(message) && !subscribe && live.remove(ClientId.read(message, 1)) != null) {
                log.debug("{} - client {} unsubscribed (disconnected)", name, ClientId.read(message, 1));
            }
            return null;
        }
        Peer peer = peers.computeIfAbsent(from, p -> new Peer());
        ClientId client = ClientId.read(message, 1);
        if (!subscribe) {
            if (peer.clients.remove(client)) {
                xpub.unsubscribe(from, client.topic());
                live.computeIfPresent(client, (c, n) -> n == 1 ? null : n - 1);
                log.debug("{} - client {} unsubscribed", name, client);
            }
            return null;
        }
        if (peer.clients.contains(client)) {
            return null;
        }
        if (peer.clients.size() >= MAX_PROVED_PER_PEER || (live.size() >= MAX_LIVE_CLIENTS && !isLive(client))) {
            xpub.reject(from, message);
            counters.malformed.incrementAndGet();
            if (warn.tryAcquire()) {
                log.warn("{} - ignored a proved subscription: {} clients subscribed, {} on this connection", name,
                        live.size(), peer.clients.size());
            }
            return null;
        }
        peer.clients.add(client);
        xpub.subscribe(from, client.topic());
        live.merge(client, 1, Integer::sum);
        log.debug("{} - client {} subscribed", name, client);
        return client;
    }

    private void unproved(Pipe from, Peer peer, byte[] message) {
        peer.unproved++;
        boolean expected = message.length == 1 + Wire.CLIENT_ID_BYTES || message.length == 1 + Wire.PROVED_TOPIC_BYTES
                || (isNotification(message) && message.length == 1 + Wire.NOTIFY_SUBSCRIPTION_BYTES);
        if (expected && peer.unproved <= FREE_UNPROVED_PER_PEER) {
            return;
        }
        counters.malformed.incrementAndGet();
        if (peer.unproved == MAX_UNPROVED_PER_PEER + 1) {
            xpub.disconnect(from);
            log.warn("{} - disconnected a subscriber that sent {} subscriptions without a valid tag", name,
                    peer.unproved);
        } else if (warn.tryAcquire()) {
            log.warn("{} - ignored a subscription of {} bytes without a valid tag (malformed={})", name,
                    message.length, counters.malformed.get());
        }
    }
}
