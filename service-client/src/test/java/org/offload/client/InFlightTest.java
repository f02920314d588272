package org.offload.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.offload.service.Reply;
import org.offload.service.Request;
import org.offload.service.ServiceServer;

/**
 * Many requests in flight from one client: JeroMQ's PUB drops silently at its high-water mark, so every
 * reply must still arrive (the service parks what the HWM refuses) — none may go missing.
 */
class InFlightTest {

    @ParameterizedTest(name = "{0} in flight")
    @ValueSource(ints = {16, 1_000, 10_000})
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void callAsync_manyInFlightWithSmallHwm_everyCallGetsItsOwnReply(int inFlight) {
        try (Fixtures f = new Fixtures()) {
            // HWMs far below the number in flight, so the no-drop path is exercised
            ServiceServer server = f.server("wide", b -> b.sendHighWaterMark(100).receiveHighWaterMark(100)
                    .queueCapacity(inFlight)
                    .route("^/n$", "request", call -> Reply.json(Map.of("n", call.json().get("n").asInt()))));
            ServiceClient client = f.client(ServiceClient.builder().name("wide-client").sendHighWaterMark(100)
                    .receiveHighWaterMark(100).deadline(Duration.ofSeconds(30)));
            client.register(server.name(), server.pullAddress(), server.pubAddress(), Fixtures.PASSPHRASE);

            List<CompletableFuture<Reply>> futures = new ArrayList<>(inFlight);
            for (int i = 0; i < inFlight; i++) {
                futures.add(client.callAsync(server.name(), Request.json("/n", "request", Map.of("n", i))));
            }
            for (int i = 0; i < inFlight; i++) {
                assertEquals(i, futures.get(i).join().body().json().get("n").asInt());
            }
            assertEquals(0, server.stats().dropped());
            assertEquals(inFlight, client.stats().replies());
        }
    }
}
