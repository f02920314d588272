package org.offload.client;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.offload.service.Body;
import org.offload.service.ServiceServer;

/** Test helper: a notification handler that keeps what it received, with ways to wait for a proved subscription. */
final class NotificationRecorder implements NotificationHandler {
    /** Topic of the events tests publish until every subscriber has one (so its subscription is proved). */
    static final String WARM_UP = "warmup";

    final List<Notification> received = new CopyOnWriteArrayList<>();

    @Override
    public void onNotification(Notification n) {
        received.add(n);
    }

    /** The received notifications on {@code topic}, in arrival order. */
    List<Notification> on(String topic) {
        return received.stream().filter(n -> n.topic().equals(topic)).toList();
    }

    /** The "n" member of each body on {@code topic}. */
    List<Integer> numbers(String topic) {
        return on(topic).stream().map(n -> n.body().json().get("n").asInt()).collect(Collectors.toList());
    }

    boolean has(String topic) {
        return received.stream().anyMatch(n -> n.topic().equals(topic));
    }

    /**
     * Publishes {@code prefix + WARM_UP} events until every recorder has one: from then on each subscription is
     * proved at {@code server} and gets every later event. Loaded machines take a while; no timing assumed.
     */
    static void warmUp(ServiceServer server, String prefix, NotificationRecorder... recorders) {
        Awaitility.await().atMost(Fixtures.WAIT).pollInterval(Duration.ofMillis(20)).until(() -> {
            server.publish(prefix + WARM_UP, Body.empty());
            for (NotificationRecorder r : recorders) {
                if (!r.has(prefix + WARM_UP)) {
                    return false;
                }
            }
            return true;
        });
    }
}
