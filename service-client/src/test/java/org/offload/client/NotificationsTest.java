package org.offload.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.offload.client.NotificationRecorder.warmUp;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.offload.service.Body;
import org.offload.service.Reply;
import org.offload.service.Request;
import org.offload.service.ServiceServer;
import org.offload.service.ServiceUnavailableException;
import org.offload.service.internal.Proof;
import org.zeromq.SocketType;
import org.zeromq.ZMQ;

/** Notifications over real sockets (PROTOCOL.md section 20): fan-out, order, prefixes, proof, late joiners. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NotificationsTest {
    @RegisterExtension
    final Fixtures fx = new Fixtures();

    private static ConditionFactory await() {
        return Awaitility.await().atMost(Fixtures.WAIT).pollInterval(Duration.ofMillis(10));
    }

    private static void publishNumbers(ServiceServer server, String topic, int from, int to) {
        for (int i = from; i < to; i++) {
            assertTrue(server.publish(topic, Body.json(Map.of("n", i))));
        }
    }

    private static List<Integer> range(int from, int to) {
        return IntStream.range(from, to).boxed().toList();
    }

    /** Each recorder's events on {@code topic} carry consecutive sequence numbers. */
    private static void assertConsecutive(NotificationRecorder r, String topic) {
        List<Notification> events = r.on(topic);
        for (int i = 1; i < events.size(); i++) {
            assertEquals(events.get(i - 1).sequence() + 1, events.get(i).sequence(), "sequence after " + events.get(i - 1));
        }
    }

    @Test
    void publish_threeSubscribers_eachReceiveEveryEventInOrder() {
        ServiceServer server = fx.echoServer("events");
        List<NotificationRecorder> recorders = new ArrayList<>();
        List<ServiceClient> clients = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ServiceClient c = fx.clientFor(server);
            NotificationRecorder r = new NotificationRecorder();
            c.subscribe("events", "orders.", r);
            recorders.add(r);
            clients.add(c);
        }
        warmUp(server, "orders.", recorders.toArray(NotificationRecorder[]::new));

        publishNumbers(server, "orders.created", 0, 100);

        for (NotificationRecorder r : recorders) {
            await().until(() -> r.on("orders.created").size() == 100);
            assertEquals(range(0, 100), r.numbers("orders.created"));
            assertConsecutive(r, "orders.created");
            Notification first = r.on("orders.created").get(0);
            assertEquals("events", first.service());
            assertEquals(server.instanceId(), first.instance());
        }
        for (ServiceClient c : clients) {
            assertEquals(0, c.notificationStats().missed());
            assertEquals(0, c.notificationStats().rejected());
        }
        await().until(() -> server.notifierStats().published() >= 100);
        assertEquals(0, server.notifierStats().dropped());
    }

    @Test
    void subscribe_topicPrefix_receivesOnlyMatchingTopics() {
        ServiceServer server = fx.echoServer("prefixes");
        ServiceClient client = fx.clientFor(server);
        NotificationRecorder orders = new NotificationRecorder();
        NotificationRecorder all = new NotificationRecorder();
        client.subscribe("prefixes", "orders.", orders);
        client.subscribe("prefixes", "", all);
        warmUp(server, "orders.", orders, all);

        server.publish("audit", Body.json(Map.of("n", 1)));
        server.publish("orders.created", Body.json(Map.of("n", 2)));
        server.publish("ordersX", Body.json(Map.of("n", 3)));
        server.publish("orders.paid", Body.json(Map.of("n", 4)));

        await().until(() -> all.has("orders.paid") && orders.has("orders.paid"));
        assertEquals(List.of("audit", "orders.created", "ordersX", "orders.paid"),
                all.received.stream().map(Notification::topic).filter(t -> !t.endsWith(NotificationRecorder.WARM_UP)).toList());
        assertEquals(List.of("orders.created", "orders.paid"),
                orders.received.stream().map(Notification::topic).filter(t -> !t.endsWith(NotificationRecorder.WARM_UP)).toList());
    }

    @Test
    void rawSubscriber_withoutProof_receivesNothingUntilItProves() {
        ServiceServer server = fx.plainEchoServer("guarded-events");
        ServiceClient client = fx.plainClientFor(server);
        NotificationRecorder proved = new NotificationRecorder();
        client.subscribe("guarded-events", "", proved);

        ZMQ.Socket raw = fx.raw(SocketType.SUB);
        raw.setReceiveTimeOut(0);
        raw.subscribe(new byte[0]); // everything: proves nothing, counted as malformed by the service
        // the stranger's connection is up and was heard
        Fixtures.connectSubscribed(raw, server.pubAddress(), () -> server.stats().malformed() >= 1);
        raw.subscribe(new byte[] {(byte) 0xFF});
        raw.subscribe(new Proof("not-the-" + Fixtures.PASSPHRASE).notifySubscription());

        warmUp(server, "", proved);
        publishNumbers(server, "secret", 0, 20);
        await().until(() -> proved.on("secret").size() == 20);
        long lastSecret = proved.on("secret").get(19).sequence();
        assertNull(raw.recv(ZMQ.DONTWAIT), "a subscriber without the passphrase's tag got a notification");

        // the same connection with the right tag: from then on it gets them, so it was listening all along
        raw.subscribe(new Proof(Fixtures.PASSPHRASE).notifySubscription());
        AtomicReference<byte[]> envelope = new AtomicReference<>();
        await().until(() -> {
            server.publish("later", Body.empty());
            byte[] topic = raw.recv(ZMQ.DONTWAIT);
            if (topic == null) {
                return false;
            }
            envelope.set(raw.recv(0));
            while (raw.hasReceiveMore()) {
                raw.recv(0);
            }
            return true;
        });
        long seq = java.nio.ByteBuffer.wrap(envelope.get()).getLong(22);
        assertTrue(seq > lastSecret, "first event the proved stranger got: " + seq + ", last secret: " + lastSecret);
    }

    @Test
    void subscribe_late_receivesNothingFromBeforeAndEverythingAfter() {
        ServiceServer server = fx.echoServer("late");
        NotificationRecorder early = new NotificationRecorder();
        fx.clientFor(server).subscribe("late", "", early);
        warmUp(server, "", early);
        publishNumbers(server, "e", 0, 50);
        await().until(() -> early.on("e").size() == 50);

        NotificationRecorder late = new NotificationRecorder();
        ServiceClient lateClient = fx.clientFor(server);
        lateClient.subscribe("late", "", late);
        warmUp(server, "", late);
        publishNumbers(server, "e", 50, 100);

        await().until(() -> early.on("e").size() == 100 && late.on("e").size() == 50);
        assertEquals(range(0, 100), early.numbers("e"));
        assertEquals(range(50, 100), late.numbers("e"));
        assertConsecutive(late, "e");
        assertEquals(0, lateClient.notificationStats().missed(), "the first event it sees is no gap");
    }

    @Test
    void close_subscription_stopsDeliveryAndIsIdempotent() {
        ServiceServer server = fx.echoServer("closing");
        ServiceClient client = fx.clientFor(server);
        NotificationRecorder closed = new NotificationRecorder();
        NotificationRecorder witness = new NotificationRecorder();
        Subscription s = client.subscribe("closing", "", closed);
        client.subscribe("closing", "", witness);
        warmUp(server, "", closed, witness);

        s.close();
        s.close();
        assertTrue(s.isClosed());
        publishNumbers(server, "after", 0, 10);

        await().until(() -> witness.on("after").size() == 10);
        assertEquals(List.of(), closed.on("after"));
    }

    @Test
    void publish_fromHandler_reachesSubscribers() {
        AtomicReference<ServiceServer> self = new AtomicReference<>();
        ServiceServer server = fx.server("shop", b -> b.route("^/order$", "request", call -> {
            self.get().publish("orders.placed", Body.json(Map.of("n", call.json().get("n").asInt())));
            return Reply.json(Map.of("ok", true));
        }));
        self.set(server);
        ServiceClient client = fx.clientFor(server);
        NotificationRecorder r = new NotificationRecorder();
        client.subscribe("shop", "orders.", r);
        warmUp(server, "orders.", r);

        Reply reply = client.call("shop", Request.json("/order", "request", Map.of("n", 7)));

        assertTrue(reply.isSuccess());
        await().until(() -> r.has("orders.placed"));
        assertEquals(List.of(7), r.numbers("orders.placed"));
    }

    @Test
    void subscribe_unregisteredServiceOrBadPrefix_throwsPreciseErrors() {
        ServiceServer server = fx.echoServer("checked");
        ServiceClient client = fx.clientFor(server);
        NotificationRecorder r = new NotificationRecorder();
        ServiceUnavailableException missing = assertThrows(ServiceUnavailableException.class,
                () -> client.subscribe("nope", "", r));
        assertTrue(missing.getMessage().contains("nope is not registered") || missing.getMessage().contains("nope: it is not registered"),
                missing.getMessage());
        IllegalArgumentException tooLong = assertThrows(IllegalArgumentException.class,
                () -> client.subscribe("checked", "é".repeat(128), r));
        assertEquals("topicPrefix must be <= 255 UTF-8 bytes but was 256", tooLong.getMessage());
        IllegalArgumentException empty = assertThrows(IllegalArgumentException.class,
                () -> server.publish("", Body.empty()));
        assertEquals("topic must not be empty", empty.getMessage());
        IllegalArgumentException surrogate = assertThrows(IllegalArgumentException.class,
                () -> server.publish("a\uD800", Body.empty()));
        assertTrue(surrogate.getMessage().startsWith("topic must be well-formed Unicode"), surrogate.getMessage());
        assertFalse(client.notificationStats().received() > 0);
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void subscribe_clientFrameLimitBelowANotification_refusedSayingWhichLimit() {
        ServiceServer server = fx.echoServer("limited");
        ServiceClient small = fx.client(ServiceClient.builder().name("small").maxMessageBytes(64 * 1024));
        small.register(server.name(), server.pullAddress(), server.pubAddress(), Fixtures.PASSPHRASE);

        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> small.subscribe("limited", "", new NotificationRecorder()));

        assertEquals("small - maxMessageBytes must be >= 1048576 to subscribe to notifications (a notification body"
                + " may be that large) but was 65536", e.getMessage());
        assertEquals(200, small.call("limited", Request.json("/echo", "request", Map.of())).status(),
                "the client still calls the service");
    }
}
