package org.offload.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.offload.client.Fixtures.PASSPHRASE;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.offload.service.Request;
import org.offload.service.ServiceServer;

/**
 * An unregister racing a register never leaves the service registered in name only (issue 9, defect 7):
 * whenever {@code service(name)} says it is registered once both returned, calls reach it.
 */
class RegisterRaceTest {
    private static final int ROUNDS = 300;

    @RegisterExtension
    final Fixtures fx = new Fixtures();

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void registerAndUnregister_concurrently_registeredMeansCallable() throws Exception {
        ServiceServer server = fx.echoServer("raced");
        ServiceClient client = fx.client("racer");
        List<String> broken = new ArrayList<>();
        CyclicBarrier start = new CyclicBarrier(2);
        for (int i = 0; i < ROUNDS; i++) {
            client.register("raced", server.pullAddress(), server.pubAddress(), PASSPHRASE);
            CompletableFuture<Void> unregister = CompletableFuture.runAsync(() -> {
                await(start);
                client.unregister("raced");
            });
            await(start);
            client.register("raced", server.pullAddress(), server.pubAddress(), PASSPHRASE);
            unregister.join();
            if (client.service("raced").isPresent()) {
                try {
                    client.call("raced", Request.of("/echo", "request"));
                } catch (RuntimeException e) {
                    broken.add("round " + i + ": " + e.getMessage());
                }
            }
        }
        assertEquals(List.of(), broken);
    }

    private static void await(CyclicBarrier barrier) {
        try {
            barrier.await(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
