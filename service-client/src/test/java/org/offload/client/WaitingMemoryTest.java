package org.offload.client;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.offload.client.Fixtures.PASSPHRASE;
import static org.offload.client.Fixtures.failureOf;

import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.offload.service.Body;
import org.offload.service.Reply;
import org.offload.service.Request;
import org.offload.service.ServiceServer;
import org.offload.service.ServiceUnavailableException;

/**
 * While no instance is connected, a call that ends unsent lets go of its request at once, even behind a
 * long call at the head of the queue (issue 9, defect 2): client memory stays bounded during an outage.
 */
class WaitingMemoryTest {
    private static final int SHORT_CALLS = 50;

    @RegisterExtension
    final Fixtures fx = new Fixtures();

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void expire_unsentCallsBehindAnHourLongOne_requestsBecomeCollectable() {
        ServiceServer gone = Fixtures.closedServer();
        ServiceClient client = fx.client("outage");
        client.register("down", gone.pullAddress(), gone.pubAddress(), PASSPHRASE);
        CompletableFuture<Reply> head = client.callAsync("down", Request.of("/echo", "request"), Duration.ofHours(1));

        List<WeakReference<Request>> requests = new ArrayList<>();
        List<CompletableFuture<Reply>> shortCalls = new ArrayList<>();
        for (int i = 0; i < SHORT_CALLS; i++) {
            Request r = new Request("/echo", "request", Map.of(), Body.bytes(new byte[64 * 1024]));
            requests.add(new WeakReference<>(r));
            shortCalls.add(client.callAsync("down", r, Duration.ofMillis(200)));
        }
        for (CompletableFuture<Reply> f : shortCalls) {
            failureOf(f, ServiceUnavailableException.class, Duration.ofSeconds(20));
        }

        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).until(() -> {
            System.gc();
            return requests.stream().allMatch(w -> w.get() == null);
        });
        assertFalse(head.isDone(), "the hour-long call is still waiting");
    }
}
