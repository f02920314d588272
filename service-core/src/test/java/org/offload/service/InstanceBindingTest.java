package org.offload.service;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.offload.service.RawPeer.Received;
import org.offload.service.internal.Sealed;
import org.offload.service.internal.Wire;

/**
 * Liveness pings, instance ids and requests bound to one instance (PROTOCOL.md section 17; issue 9,
 * defect 4): a request captured on its way to one instance and played to a sibling with the same
 * passphrase must not run there.
 */
@Timeout(value = 30, unit = SECONDS)
class InstanceBindingTest {
    @RegisterExtension
    final Fixtures fx = new Fixtures();

    private final AtomicInteger catchAllRuns = new AtomicInteger();
    private final Map<String, String> seenHeaders = new ConcurrentHashMap<>();

    /** A service whose routes match every path and METHOD there is: none may shadow the reserved paths. */
    private ServiceServer greedyServer(String name) {
        return fx.start(Fixtures.builder(name)
                .route("^/headers$", "request", call -> {
                    seenHeaders.putAll(call.headers());
                    return Reply.json(Map.of());
                })
                .route("^/", Wire.PING, call -> {
                    catchAllRuns.incrementAndGet();
                    return Reply.json(Map.of());
                }));
    }

    @Test
    void ping_serviceWithCatchAllRoute_answeredPongNamingTheInstanceNoHandlerRuns() {
        ServiceServer server = greedyServer("pinged");
        RawPeer peer = fx.peer(server); // no handshake: its ping would be caught by the catch-all route

        Received pong = peer.call(Wire.PING_PATH, Wire.PING);

        assertEquals(Status.OK, pong.status());
        assertEquals(Wire.PONG, pong.envelope().method());
        assertEquals(server.instanceId(), pong.envelope().headers().get(Wire.INSTANCE));
        assertTrue(server.instanceId().matches("[0-9a-f]{16}"), server.instanceId());
        assertEquals(0, catchAllRuns.get(), "a route never answers a reserved path");
        assertEquals(0, server.stats().received(), "a ping is not a request");
    }

    @Test
    void request_unknownReservedPath_answered404NoHandlerRuns() {
        ServiceServer server = greedyServer("reserved");
        RawPeer peer = fx.peer(server);

        Received r = peer.call("/_offload/whatever", Wire.PING);

        assertEquals(Status.NOT_FOUND, r.status());
        assertEquals(0, catchAllRuns.get());
    }

    @Test
    void request_boundToASibling_droppedAndCountedNeverRuns() {
        ServiceServer first = greedyServer("first");
        ServiceServer sibling = greedyServer("sibling");
        assertNotEquals(first.instanceId(), sibling.instanceId());
        RawPeer toFirst = fx.peer(first);
        Sealed captured = toFirst.seal(toFirst.request("/headers", "request", Map.of(Wire.INSTANCE, first.instanceId(),
                "x-trace", "1")), Body.json(Map.of()));
        RawPeer replayer = fx.peer(sibling);

        replayer.send(captured); // played to the sibling: same passphrase, another instance

        Fixtures.await().until(() -> sibling.stats().replayed() == 1);
        assertEquals(0, sibling.stats().received(), "the sibling never accepted it");
        assertTrue(seenHeaders.isEmpty(), "no handler ran for the replayed copy");

        toFirst.send(captured); // the instance it was meant for runs it
        Received r = toFirst.reply();
        assertEquals(Status.OK, r.status());
        assertEquals("1", seenHeaders.get("x-trace"));
        assertFalse(seenHeaders.containsKey(Wire.INSTANCE), "the binding is not the handler's business");
    }

    @Test
    void ping_stoppingService_answered503() throws InterruptedException {
        Fixtures.Gate gate = fx.gate();
        ServiceServer server = fx.start(Fixtures.builder("draining").route("^/hold$", "request", gate));
        RawPeer peer = fx.subscribedPeer(server);
        long held = peer.send("/hold", "request", Map.of(), Body.empty());
        Fixtures.await().until(() -> server.stats().inFlight() == 1);
        Thread stopper = Thread.ofPlatform().start(() -> server.stop(java.time.Duration.ofSeconds(20)));

        Fixtures.await().until(() -> {
            Received pong = peer.call(Wire.PING_PATH, Wire.PING);
            return pong.status() == Status.SERVICE_UNAVAILABLE;
        });
        gate.open();
        stopper.join(20_000);
        assertFalse(stopper.isAlive());
        assertTrue(held > 0);
    }
}
