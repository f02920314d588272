package org.offload.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.offload.client.Fixtures.PASSPHRASE;
import static org.offload.client.Fixtures.json;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.offload.service.Request;
import org.offload.service.ServiceServer;

/** A service and a client in one JVM talk over {@code inproc://}: they share the JVM's ZeroMQ context. */
class InprocTest {
    @RegisterExtension
    final Fixtures fx = new Fixtures();

    private static Request echo(int i) {
        return Request.json("/echo", "request", Map.of("i", i));
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void call_serviceBoundToInproc_repliesInTheSameJvm() {
        ServiceServer server = fx.server("inproc-echo", "inproc://inproc-echo-pull", "inproc://inproc-echo-pub", b -> b);
        ServiceClient client = fx.clientFor(server);

        assertEquals("inproc://inproc-echo-pull", server.pullAddress());
        for (int i = 0; i < 20; i++) {
            assertEquals(i, json(client.call(server.name(), echo(i))).at("/echo/i").asInt());
        }
        CompletableFuture<?>[] async = IntStream.range(0, 200)
                .mapToObj(i -> client.callAsync(server.name(), echo(i))).toArray(CompletableFuture[]::new);
        CompletableFuture.allOf(async).join();
        assertEquals(220, server.stats().received());
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void register_afterTheInprocServiceRestarted_reachesTheNewInstance() {
        ServiceClient client = fx.client("stays");
        try (Fixtures first = new Fixtures()) {
            ServiceServer server = first.server("again", "inproc://again-pull", "inproc://again-pub", b -> b);
            client.register("again", server.pullAddress(), server.pubAddress(), PASSPHRASE);
            assertEquals(1, json(client.call("again", echo(1))).at("/echo/i").asInt());
        }
        client.unregister("again");
        ServiceServer second = fx.server("again", "inproc://again-pull", "inproc://again-pub", b -> b);

        client.register("again", second.pullAddress(), second.pubAddress(), PASSPHRASE);

        assertEquals(2, json(client.call("again", echo(2))).at("/echo/i").asInt());
        assertEquals(1, second.stats().received());
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void restart_inprocServiceAndClientsClosedAndReopened_keepWorking() {
        for (int round = 0; round < 3; round++) {
            try (Fixtures local = new Fixtures()) {
                ServiceServer server = local.server("loop", "inproc://loop-pull", "inproc://loop-pub", b -> b);
                ServiceClient client = local.clientFor(server);
                assertEquals(round, json(client.call("loop", echo(round))).at("/echo/i").asInt());
            }
        }
    }
}
