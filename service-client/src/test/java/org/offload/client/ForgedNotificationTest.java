package org.offload.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.offload.service.Encryption;
import org.offload.service.internal.ClientId;
import org.offload.service.internal.Envelope;
import org.offload.service.internal.Proof;
import org.offload.service.internal.Wire;
import org.zeromq.SocketType;
import org.zeromq.ZMQ;

/**
 * A client against a fake instance (raw PULL and XPUB) that publishes hand-made notifications: forged, tampered,
 * replayed or out of sequence ones are dropped and counted, never handed to a handler (PROTOCOL.md section 20).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ForgedNotificationTest {
    private static final String INSTANCE = "00112233aabbccdd";

    @RegisterExtension
    final Fixtures fx = new Fixtures();

    private ZMQ.Socket pub;
    private ZMQ.Socket pull;
    private final Proof proof = new Proof(Fixtures.PASSPHRASE);

    private static ConditionFactory await() {
        // the test thread owns the fake's sockets, so conditions run on it (they answer pings too)
        return Awaitility.await().atMost(Fixtures.WAIT).pollInSameThread().pollInterval(Duration.ofMillis(10));
    }

    /** A client subscribed to every topic of the fake instance "fake", once its subscription reached the XPUB. */
    private ServiceClient subscribed(NotificationRecorder r) {
        pull = fx.raw(SocketType.PULL);
        pull.bind("tcp://127.0.0.1:*");
        pub = fx.raw(SocketType.XPUB);
        pub.setReceiveTimeOut(0);
        pub.bind("tcp://127.0.0.1:*");
        ServiceClient client = fx.client("forged-client");
        client.register("fake", pull.getLastEndpoint(), pub.getLastEndpoint(), Fixtures.PASSPHRASE, Encryption.NONE);
        client.subscribe("fake", "", r);
        byte[] topic = proof.notifySubscription();
        boolean[] subscribed = new boolean[1];
        // the last subscribe or unsubscribe of the topic the XPUB passed up says whether the SUB holds it now;
        // once the fake answered a ping, the client keeps its SUB connection, so that state then stays
        await().until(() -> {
            answerPings();
            byte[] sub;
            while ((sub = pub.recv(ZMQ.DONTWAIT)) != null) {
                if (sub.length == 1 + topic.length && Arrays.equals(sub, 1, sub.length, topic, 0, topic.length)) {
                    subscribed[0] = sub[0] == 1;
                }
            }
            return subscribed[0] && client.awaitReady("fake", Duration.ofMillis(1));
        });
        return client;
    }

    /**
     * Answers the client's liveness pings with signed pongs, so the fake instance stays in its rotation and
     * the client never recycles its SUB connection (which would lose what the test sends meanwhile).
     */
    private boolean answerPings() {
        byte[] env;
        while ((env = pull.recv(ZMQ.DONTWAIT)) != null) {
            while (pull.hasReceiveMore()) {
                pull.recv(0);
            }
            Envelope ping = Wire.decode(env);
            if (!ping.path().equals(Wire.PING_PATH)) {
                continue;
            }
            byte[] pong = Wire.encode(new Envelope(Wire.REPLY, ping.clientId(), ping.requestId(),
                    System.currentTimeMillis(), 0, 200, Wire.PONG, Wire.PING_PATH, "", Map.of(Wire.INSTANCE, INSTANCE)));
            send(ping.clientId().toByteArray(), pong, new byte[0], proof.sign(pong, new byte[0]));
        }
        return false;
    }

    private static byte[] envelope(long seq, String topic) {
        return Wire.encode(new Envelope(Wire.NOTIFICATION, ClientId.NONE, seq, System.currentTimeMillis(), 0, 0,
                Wire.NOTIFY, "/", "", Map.of(Wire.TOPIC, topic, Wire.SERVICE, "fake", Wire.INSTANCE, INSTANCE)));
    }

    private byte[] topicFrame(String topic) {
        byte[] t = topic.getBytes(StandardCharsets.UTF_8);
        byte[] frame = Arrays.copyOf(proof.notifySubscription(), Wire.NOTIFY_SUBSCRIPTION_BYTES + t.length);
        System.arraycopy(t, 0, frame, Wire.NOTIFY_SUBSCRIPTION_BYTES, t.length);
        return frame;
    }

    private void send(byte[] topic, byte[] env, byte[] body, byte[] proofFrame) {
        pub.send(topic, ZMQ.SNDMORE);
        pub.send(env, ZMQ.SNDMORE);
        pub.send(body, ZMQ.SNDMORE);
        pub.send(proofFrame, 0);
    }

    private void sendGenuine(long seq, String topic, String body) {
        byte[] env = envelope(seq, topic);
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        send(topicFrame(topic), env, b, proof.sign(env, b));
    }

    @Test
    void forgedTamperedOrReplayed_notification_isDroppedAndCounted() {
        NotificationRecorder r = new NotificationRecorder();
        ServiceClient client = subscribed(r);
        byte[] env = envelope(1, "t");
        byte[] body = "{\"n\":1}".getBytes(StandardCharsets.UTF_8);

        send(topicFrame("t"), env, body, new Proof("not-the-" + Fixtures.PASSPHRASE).sign(env, body)); // forged
        send(topicFrame("t"), env, "{\"n\":666}".getBytes(StandardCharsets.UTF_8), proof.sign(env, body)); // tampered
        send(topicFrame("other"), env, body, proof.sign(env, body)); // topic frame not the envelope's topic
        sendGenuine(1, "t", "{\"n\":1}");
        sendGenuine(1, "t", "{\"n\":1}"); // replayed
        sendGenuine(2, "t", "{\"n\":2}");

        await().until(() -> answerPings() || r.on("t").size() == 2);
        assertEquals(List.of(1, 2), r.numbers("t"));
        await().until(() -> answerPings() || client.notificationStats().rejected() == 4);
        assertEquals(new NotificationStats(2, 0, 4, 0), client.notificationStats());
        Notification first = r.on("t").get(0);
        assertEquals("fake", first.service());
        assertEquals(INSTANCE, first.instance());
        assertEquals(1, first.sequence());
        assertArrayEquals(body, first.body().toByteArray());
    }

    @Test
    void gap_inInstanceSequence_isCountedAsMissed() {
        NotificationRecorder r = new NotificationRecorder();
        ServiceClient client = subscribed(r);

        sendGenuine(10, "t", "{\"n\":10}"); // the first seen sets the mark: no gap
        sendGenuine(11, "t", "{\"n\":11}");
        sendGenuine(15, "t", "{\"n\":15}"); // 12, 13, 14 lost (say, at the service's high-water mark)

        await().until(() -> answerPings() || r.on("t").size() == 3);
        assertEquals(List.of(10, 11, 15), r.numbers("t"));
        assertEquals(3, client.notificationStats().missed());
    }
}
