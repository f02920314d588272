package org.offload.client;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.offload.client.Fixtures.asyncFailure;
import static org.offload.client.Fixtures.json;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.offload.service.BusyException;
import org.offload.service.Reply;
import org.offload.service.Request;
import org.offload.service.ServiceServer;
import org.offload.service.Status;

/** Acceptance 9: the client's bound on calls in flight says BUSY instead of queueing without bound. */
class BackpressureTest {
    private static final Duration WITHIN = Fixtures.WAIT;

    @RegisterExtension
    final Fixtures fx = new Fixtures();

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void call_maxPendingCallsReached_failsBusy429AndRecoversWhenCallsEnd() throws Exception {
        Fixtures.Gate gate = fx.gate();
        ServiceServer server = fx.server("gated", b -> b.workers(2).route("^/hold$", "request", gate.handler()));
        ServiceClient client = fx.client(ServiceClient.builder().name("bounded").maxPendingCalls(2)
                .deadline(Duration.ofSeconds(60)));
        client.register("gated", server.pullAddress(), server.pubAddress(), Fixtures.PASSPHRASE);
        CompletableFuture<Reply> one = client.callAsync("gated", Request.json("/hold", "request", Map.of("n", 1)));
        CompletableFuture<Reply> two = client.callAsync("gated", Request.json("/hold", "request", Map.of("n", 2)));
        await().atMost(WITHIN).until(() -> gate.entered() == 2);
        assertEquals(2, client.stats().pending());

        BusyException sync = assertThrows(BusyException.class,
                () -> client.call("gated", Request.json("/echo", "request", Map.of("n", 3))));
        assertEquals(Status.TOO_MANY_REQUESTS, sync.status());
        assertTrue(sync.getMessage().contains("max=2"), sync.getMessage());
        asyncFailure(() -> client.callAsync("gated", Request.json("/echo", "request", Map.of("n", 4))),
                BusyException.class, WITHIN);
        assertThrows(BusyException.class, () -> client.send("gated", Request.json("/echo", "request", Map.of("n", 5))));
        assertEquals(2, server.stats().received(), "refused calls never leave the client");

        gate.open();
        assertEquals(1, json(one.get(10, TimeUnit.SECONDS)).at("/echo/n").asInt());
        assertEquals(2, json(two.get(10, TimeUnit.SECONDS)).at("/echo/n").asInt());
        await().atMost(WITHIN).until(() -> client.stats().pending() == 0);
        assertEquals(6, json(client.call("gated", Request.json("/echo", "request", Map.of("n", 6)))).at("/echo/n").asInt());
    }
}
