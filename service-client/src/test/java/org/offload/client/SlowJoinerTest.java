package org.offload.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.offload.client.Fixtures.json;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.offload.service.Encryption;
import org.offload.service.Reply;
import org.offload.service.Request;
import org.offload.service.ServiceServer;

/**
 * Acceptance 5: the PUB/SUB slow joiner. A fresh client sends its first request right after register, so
 * the reply is usually ready before the service has seen the client's subscription; it must not be lost.
 */
class SlowJoinerTest {
    private static final int CLIENTS = 200;
    /** Clients alive at once: bounded so 200 ZeroMQ contexts do not swamp a 2-core machine. */
    private static final int CONCURRENCY = 8;

    @RegisterExtension
    final Fixtures fx = new Fixtures();

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void call_firstRequestRightAfterRegister_getsItsReplyForEachOf200FreshClients() throws Exception {
        // plaintext: this is about the slow joiner; 400 CURVE handshakes (JeroMQ's pure-Java Curve25519, each
        // hundreds of ms on a loaded 2-core machine, README "JeroMQ 0.6.0 behaviours") would time the test
        ServiceServer server = fx.server("joiner", b -> b.encryption(Encryption.NONE).route("^/who$", "request",
                call -> Reply.json(Map.of("client", call.json().get("client").asInt(), "callerId", call.clientId()))));
        List<Future<Integer>> results = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(CONCURRENCY)) {
            for (int i = 0; i < CLIENTS; i++) {
                int n = i;
                results.add(pool.submit(() -> {
                    try (ServiceClient client = ServiceClient.builder().name("joiner-" + n)
                            .deadline(Fixtures.DEADLINE).build()) {
                        client.register("joiner", server.pullAddress(), server.pubAddress(), Fixtures.PASSPHRASE,
                                Encryption.NONE);
                        Reply reply = client.call("joiner", Request.json("/who", "request", Map.of("client", n)));
                        assertEquals(client.clientId(), json(reply).get("callerId").asText(),
                                "the reply is for this client");
                        return json(reply).get("client").asInt();
                    }
                }));
            }
            for (int i = 0; i < CLIENTS; i++) {
                assertEquals(i, results.get(i).get(60, TimeUnit.SECONDS), "client " + i + " got another's answer");
            }
        }
        assertEquals(CLIENTS, server.stats().received());
        assertEquals(0, server.stats().dropped(), "stats: " + server.stats());
    }
}
