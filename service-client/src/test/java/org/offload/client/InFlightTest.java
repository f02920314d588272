package org.offload.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.offload.service.Encryption;
import org.offload.service.Reply;
import org.offload.service.Request;
import org.offload.service.ServiceException;
import org.offload.service.ServiceServer;

/** Many requests in flight from one client: every one ends in its own reply or a typed failure. */
class InFlightTest {

    @ParameterizedTest(name = "{0} in flight")
    @ValueSource(ints = {16, 256, 1_000, 10_000})
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void callAsync_manyInFlight_everyCallGetsItsOwnReply(int inFlight) {
        try (Fixtures f = new Fixtures()) {
            // plaintext: with CURVE, JeroMQ 0.6.0 loses the message that meets a full receive queue (README,
            // "JeroMQ 0.6.0 behaviours"), and this test fills the PULL's 100-message queue on purpose
            ServiceServer server = f.server("wide", b -> b.encryption(Encryption.NONE).queueCapacity(inFlight)
                    .receiveHighWaterMark(100)
                    .route("^/n$", "request", call -> Reply.json(Map.of("n", call.json().get("n").asInt()))));
            // a small PUSH HWM on the client too: requests wait in the client, none is lost
            ServiceClient client = f.client(ServiceClient.builder().name("wide-client").sendHighWaterMark(100)
                    .deadline(Duration.ofSeconds(120)));
            client.register(server.name(), server.pullAddress(), server.pubAddress(), Fixtures.PASSPHRASE,
                    Encryption.NONE);

            List<CompletableFuture<Reply>> futures = send(client, server.name(), inFlight);
            for (int i = 0; i < inFlight; i++) {
                assertEquals(i, futures.get(i).join().body().json().get("n").asInt());
            }
            assertEquals(0, server.stats().dropped());
            assertEquals(inFlight, client.stats().replies());
        }
    }

    /** Past the PUB high-water mark replies may be lost, but never silently: each call still ends, typed. */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void callAsync_moreInFlightThanPubHwm_everyCallEndsInReplyOrTypedFailure() {
        try (Fixtures f = new Fixtures()) {
            ServiceServer server = f.server("tight", b -> b.sendHighWaterMark(10).queueCapacity(2_000)
                    .route("^/n$", "request", call -> Reply.json(Map.of("n", call.json().get("n").asInt()))));
            ServiceClient client = f.client(ServiceClient.builder().name("tight-client").deadline(Duration.ofSeconds(3)));
            client.register(server.name(), server.pullAddress(), server.pubAddress(), Fixtures.PASSPHRASE);

            List<CompletableFuture<Reply>> futures = send(client, server.name(), 2_000);
            int replies = 0;
            for (int i = 0; i < futures.size(); i++) {
                try {
                    assertEquals(i, futures.get(i).join().body().json().get("n").asInt());
                    replies++;
                } catch (CompletionException e) {
                    assertTrue(e.getCause() instanceof ServiceException, () -> "untyped failure: " + e.getCause());
                }
            }
            assertTrue(replies > 0, "no call got its reply");
            assertEquals(0, client.stats().pending());
        }
    }

    private static List<CompletableFuture<Reply>> send(ServiceClient client, String service, int count) {
        List<CompletableFuture<Reply>> futures = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            futures.add(client.callAsync(service, Request.json("/n", "request", Map.of("n", i))));
        }
        return futures;
    }
}
