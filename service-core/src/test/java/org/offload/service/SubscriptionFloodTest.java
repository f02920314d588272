package org.offload.service;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.Socket;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.offload.service.RawPeer.Received;
import org.offload.service.internal.ClientId;
import org.offload.service.internal.Proof;
import org.offload.service.internal.Wire;

/**
 * Subscriptions from peers that prove nothing (PROTOCOL.md sections 5 and 10): they never reach the XPUB's
 * filter, cannot lock real clients out, and leave nothing behind in JeroMQ. What the XPUB holds is read from
 * its tries (nodes), so "bounded" is a count, not a timing.
 */
@Timeout(value = 120, unit = SECONDS)
class SubscriptionFloodTest {
    private static final int FLOOD = 100_000;
    /** Nodes of the two tries for one subscribed client: 16 for its id, 48 for its proved topic. */
    private static final int NODES_PER_CLIENT = Wire.CLIENT_ID_BYTES + Wire.PROVED_TOPIC_BYTES;

    @RegisterExtension
    final Fixtures fx = new Fixtures();

    @Test
    void flood100kBareAndBadTagSubscriptions_freshClientAnsweredAndNothingLeftInJeroMq() throws Exception {
        ServiceServer server = fx.echoServer("flood");
        RawPeer before = subscribed(server, 0x0A);
        Socket attacker = fx.add(SubscriptionFlooder.connect(server.pubAddress()));
        Thread writer = Thread.ofVirtual().start(() -> {
            try {
                SubscriptionFlooder.flood(attacker, 0, FLOOD);
            } catch (IOException closed) {
                // the service cut the connection, or the test closed it
            }
        });

        // cut off once it sent MAX_UNPROVED_PER_PEER: the rest of its flood is never read, and nothing of it queues
        Fixtures.await().until(() -> server.subscriptionState().disconnected() == 1);
        assertEquals(0, server.subscriptionState().queued());
        RawPeer fresh = subscribed(server, 0x0B);
        assertEcho(fresh, "after the flood");
        assertEcho(before, "still served");
        attacker.close();
        writer.join();
        // only the two clients' own topics stay: two roots, and each client's id and proved topic
        Fixtures.await().until(() -> server.subscriptionState().trieNodes() == 2 + 2L * NODES_PER_CLIENT
                && server.subscriptionState().queued() == 0);
        assertEquals(2, server.subscriptionState().liveClients());
        // read until its count passed MAX_UNPROVED_PER_PEER (its first FREE_UNPROVED_PER_PEER are a client's
        // normal ones), then never again
        assertEquals(SubscriptionGate.MAX_UNPROVED_PER_PEER + 1 - SubscriptionGate.FREE_UNPROVED_PER_PEER,
                server.stats().malformed());
    }

    @Test
    void subscriberWithoutTag_receivesNoReplyEvenToEverythingOrAVictimsId() {
        ServiceServer server = fx.echoServer("no-tag");
        RawPeer victim = subscribed(server, 0x0A);
        RawPeer snoop = subscribed(server, 0x0B, new byte[0], victim.id().topic());

        assertEcho(victim, "private");
        snoop.send(RawPeer.PING_PATH, "ping");

        Received next = snoop.receiveAny();
        assertArrayEquals(snoop.id().topic(), next.topic(), "the snoop's next message is its own ping's 404");
        assertEquals(Status.NOT_FOUND, next.status());
        assertEquals(2, server.subscriptionState().liveClients());
    }

    /**
     * The known limit (README, Security): a proved topic is the same every time, so a peer that captured a
     * client's subscription off the wire can replay it and get copies of that client's replies, which it
     * could read on the wire anyway without encryption. It gains nothing else: the victim still gets them.
     */
    @Test
    void replayedProvedTopic_copiesThatClientsRepliesToTheReplayer() {
        ServiceServer server = fx.echoServer("replay");
        RawPeer victim = subscribed(server, 0x0A);
        byte[] captured = new Proof(Fixtures.PASSPHRASE).provedTopic(victim.id());
        RawPeer replayer = subscribed(server, 0x0B, captured, victim.id().topic()); // the bare id: its SUB's filter

        assertEcho(victim, "copied");

        Received copy = replayer.receiveAny();
        assertArrayEquals(victim.id().topic(), copy.topic());
        assertEquals(Status.OK, copy.status());
    }

    /**
     * A connection that subscribed to another client's bare id (a claim) gets the answers to messages sent
     * under that id that could not be authenticated, as a client with another passphrase must, and nothing
     * else: the client's own reply waits for the client.
     */
    @Test
    void claimOfAVictimsBareId_receivesOnlyTheUnauthenticatedAnswer() {
        ServiceServer server = fx.echoServer("claim");
        RawPeer victim = subscribed(server, 0x0A);
        victim.provedSubscription(false);
        Fixtures.await().until(() -> server.subscriptionState().liveClients() == 0);
        RawPeer snoop = subscribed(server, 0x0B, victim.id().topic());

        RawPeer stranger = fx.add(new RawPeer(server.pullAddress(), server.pubAddress(), "not-the-passphrase",
                victim.id()));
        stranger.send(Fixtures.ECHO, Request.DEFAULT_METHOD);
        Received rejection = snoop.receiveAny();
        victim.send(Fixtures.ECHO, Request.DEFAULT_METHOD, Map.of(), Body.json(Map.of("k", "v")));
        Fixtures.await().until(() -> server.stats().parked() == 1); // the victim's own reply waits for the victim
        victim.provedSubscription(true);
        Received own = victim.reply();
        snoop.send(RawPeer.PING_PATH, "ping");
        Received next = snoop.receiveAny();

        assertArrayEquals(victim.id().topic(), rejection.topic());
        assertEquals(Status.UNAUTHORIZED, rejection.status());
        assertEquals(Status.OK, own.status());
        assertArrayEquals(snoop.id().topic(), next.topic(), "the victim's reply did not reach the snoop");
        assertEquals(Status.NOT_FOUND, next.status());
    }

    @Test
    void provedTopicWithdrawnThenRenewed_replyParkedMeanwhileThenDelivered() {
        ServiceServer server = fx.echoServer("renew");
        RawPeer peer = subscribed(server, 0x0A);
        peer.provedSubscription(false);
        Fixtures.await().until(() -> server.subscriptionState().liveClients() == 0);

        long requestId = peer.send(Fixtures.ECHO, Request.DEFAULT_METHOD, Map.of(), Body.json(Map.of("k", "v")));
        Fixtures.await().until(() -> server.stats().parked() == 1);
        peer.provedSubscription(true);

        Received r = peer.reply();
        assertEquals(requestId, r.requestId());
        assertEquals(Status.OK, r.status());
        assertEquals(0, server.stats().dropped());
    }

    // ------------------------------------------------------------------ helpers

    /** A peer with id {@code first, 1, 2, ...}: ids of different first bytes share no trie node. */
    private static ClientId id(int first) {
        byte[] b = new byte[Wire.CLIENT_ID_BYTES];
        Arrays.setAll(new int[b.length], i -> b[i] = (byte) (i == 0 ? first : i));
        return ClientId.read(b, 0);
    }

    /** A peer whose SUB first subscribes to {@code extra}, then (proved) to its own id, which the service has seen. */
    private RawPeer subscribed(ServiceServer server, int first, byte[]... extra) {
        RawPeer peer = fx.add(new RawPeer(server.pullAddress(), server.pubAddress(), Fixtures.PASSPHRASE, id(first),
                extra));
        peer.handshake(); // its own proved subscription is live, so the ones before it were read too
        return peer;
    }

    private static void assertEcho(RawPeer peer, String text) {
        Received r = peer.call(Fixtures.ECHO, Request.DEFAULT_METHOD, Map.of(), Body.json(Map.of("t", text)));
        assertEquals(Status.OK, r.status());
        assertEquals(text, r.body().json().get("echo").get("t").asText());
    }
}
