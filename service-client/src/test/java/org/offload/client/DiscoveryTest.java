package org.offload.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.offload.client.Fixtures.PASSPHRASE;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.offload.service.Reply;
import org.offload.service.Request;
import org.offload.service.ServiceServer;

/** Discovery (issue 11): instances found by DNS or a file join and leave while calls run, none lost. */
class DiscoveryTest {
    private static final Duration INTERVAL = Duration.ofMillis(100);

    @RegisterExtension
    final Fixtures fx = new Fixtures();

    @TempDir
    Path dir;

    private ServiceServer whoServer(String name, String pull, String pub) {
        return fx.server(name, pull, pub, b -> b.route("^/who$", "request", call -> Reply.json(Map.of("who", name))));
    }

    private static int port(String address) {
        return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void register_dnsNameGainsThenLosesAnAddressWhileCallsRun_noCallLostAndTheRemovedOneGetsNoMore()
            throws Exception {
        ServiceServer a = whoServer("a", "tcp://127.0.0.1:*", "tcp://127.0.0.1:*");
        int pullPort = port(a.pullAddress());
        int pubPort = port(a.pubAddress());
        ServiceServer b = whoServer("b", "tcp://127.0.0.2:" + pullPort, "tcp://127.0.0.2:" + pubPort);
        InetAddress ipA = InetAddress.getByName("127.0.0.1");
        InetAddress ipB = InetAddress.getByName("127.0.0.2");
        AtomicReference<InetAddress[]> records = new AtomicReference<>(new InetAddress[] {ipA});
        List<String> lookedUp = new CopyOnWriteArrayList<>();
        Discovery.Resolver resolver = host -> {
            lookedUp.add(host);
            return records.get();
        };
        ServiceClient client = fx.client(ServiceClient.builder().name("dns").deadline(Fixtures.DEADLINE)
                .discoveryInterval(INTERVAL));
        client.register("reports", Discovery.dns("reports.example", pullPort, pubPort, resolver), PASSPHRASE);

        Map<String, AtomicInteger> served = new ConcurrentHashMap<>();
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        AtomicBoolean running = new AtomicBoolean(true);
        List<Thread> callers = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            callers.add(Thread.ofPlatform().start(() -> {
                while (running.get()) {
                    try {
                        String who = client.call("reports", Request.of("/who", "request")).body().json().get("who").asText();
                        served.computeIfAbsent(who, k -> new AtomicInteger()).incrementAndGet();
                    } catch (RuntimeException e) {
                        failures.add(e);
                    }
                }
            }));
        }
        Awaitility.await().atMost(Fixtures.DEADLINE).until(() -> served.containsKey("a"));

        records.set(new InetAddress[] {ipA, ipB});
        Awaitility.await().atMost(Fixtures.DEADLINE).until(() -> served.containsKey("b"));
        records.set(new InetAddress[] {ipB});
        Awaitility.await().atMost(Fixtures.DEADLINE).until(() -> client.service("reports").orElseThrow().instances()
                .equals(List.of("tcp://127.0.0.2:" + pullPort)));
        int aAfterRemoval = served.get("a").get();
        Awaitility.await().atMost(Fixtures.DEADLINE).until(() -> served.get("b").get() > 200);
        running.set(false);
        for (Thread t : callers) {
            t.join(30_000);
        }

        assertEquals(List.of(), failures, "no call lost while instances came and went");
        assertEquals(aAfterRemoval, served.get("a").get(), "a retired instance gets no new call");
        assertTrue(lookedUp.size() >= 3 && lookedUp.stream().allMatch("reports.example"::equals), lookedUp::toString);
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void register_instancesFileEdited_newInstanceJoins() throws Exception {
        ServiceServer a = whoServer("a", "tcp://127.0.0.1:*", "tcp://127.0.0.1:*");
        ServiceServer b = whoServer("b", "tcp://127.0.0.1:*", "tcp://127.0.0.1:*");
        Path file = Files.writeString(dir.resolve("reports.instances"),
                "# PULL PUB\n" + a.pullAddress() + " " + a.pubAddress() + "\n");
        ServiceClient client = fx.client(ServiceClient.builder().name("file").deadline(Fixtures.DEADLINE)
                .discoveryInterval(INTERVAL));
        client.register("reports", Discovery.file(file), PASSPHRASE);
        assertEquals("a", client.call("reports", Request.of("/who", "request")).body().json().get("who").asText());

        Files.writeString(file, b.pullAddress() + " " + b.pubAddress() + "\n");

        Awaitility.await().atMost(Fixtures.DEADLINE).until(() -> client.call("reports", Request.of("/who", "request"))
                .body().json().get("who").asText().equals("b"));
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void register_discoveryFailsAtFirstLookup_throwsWithTheCause() {
        ServiceClient client = fx.client("broken");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> client.register("reports",
                Discovery.file(dir.resolve("missing")), PASSPHRASE));
        assertTrue(e.getMessage().contains("discovery of reports failed"), e.getMessage());
        assertTrue(client.service("reports").isEmpty());
    }
}
