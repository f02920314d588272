package org.offload.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.offload.client.Fixtures.json;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.offload.service.Reply;
import org.offload.service.Request;
import org.offload.service.ServiceServer;

/** Acceptance 6: thousands of concurrent sync calls over two instances, each answered with its own value. */
class ConcurrencyTest {
    private static final int CALLS = 2_000;
    private static final Duration DEADLINE = Duration.ofSeconds(30);

    @RegisterExtension
    final Fixtures fx = new Fixtures();

    private ServiceServer instance(String label) {
        // the queue holds every call, so this test is about correctness and spreading, not backpressure
        return fx.server("scaled-" + label, b -> b.workers(2).queueCapacity(CALLS)
                .route("^/id$", "request", call -> Reply.json(Map.of(
                        "value", call.json().get("value").asText(),
                        "n", call.json().get("n").asInt(),
                        "instance", label))));
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void call_2000ConcurrentFromVirtualThreadsOverTwoInstances_eachGetsItsOwnAnswerAndBothInstancesWork()
            throws Exception {
        ServiceServer a = instance("a");
        ServiceServer b = instance("b");
        ServiceClient client = fx.client(ServiceClient.builder().name("many").deadline(DEADLINE));
        client.register("scaled", a.pullAddress(), a.pubAddress(), Fixtures.PASSPHRASE);
        client.register("scaled", b.pullAddress(), b.pubAddress(), Fixtures.PASSPHRASE);
        assertEquals(2, client.service("scaled").orElseThrow().instances().size());
        // both in the rotation before the burst: else one that answers its first ping late may get none of it
        client.fanout("scaled", Request.json("/id", "request", Map.of("value", "warm", "n", -1)), DEADLINE)
                .forEach(o -> assertTrue(o.reply().isPresent(), "warm-up call failed: " + o));
        long warmA = a.stats().received();
        long warmB = b.stats().received();

        Map<String, Integer> perInstance = new ConcurrentHashMap<>();
        Set<String> seen = ConcurrentHashMap.newKeySet();
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> futures = new ArrayList<>(CALLS);
        try (ExecutorService vts = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < CALLS; i++) {
                int n = i;
                futures.add(vts.submit(() -> {
                    String value = n + "-" + UUID.randomUUID();
                    go.await();
                    Reply reply = client.call("scaled", Request.json("/id", "request", Map.of("value", value, "n", n)));
                    JsonNode body = json(reply);
                    assertEquals(value, body.get("value").asText(), "call " + n + " got another call's answer");
                    assertEquals(n, body.get("n").asInt());
                    assertTrue(seen.add(value), "answer delivered twice: " + value);
                    perInstance.merge(body.get("instance").asText(), 1, Integer::sum);
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : futures) {
                f.get(DEADLINE.toSeconds() + 10, TimeUnit.SECONDS);
            }
        }

        assertEquals(CALLS, seen.size());
        assertEquals(CALLS, perInstance.values().stream().mapToInt(Integer::intValue).sum());
        long byA = a.stats().received() - warmA;
        long byB = b.stats().received() - warmB;
        assertTrue(byA > 0, "instance a did no work: " + a.stats());
        assertTrue(byB > 0, "instance b did no work: " + b.stats());
        assertEquals(CALLS, byA + byB);
        assertEquals(Map.of("a", (int) byA, "b", (int) byB), perInstance);
        assertEquals(0, client.stats().pending());
        assertEquals(0, client.stats().timeouts());
    }
}
