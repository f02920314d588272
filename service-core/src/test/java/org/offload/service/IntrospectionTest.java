package org.offload.service;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.offload.service.RawPeer.Received;

/** Introspection over the service's own sockets and proof (PROTOCOL.md section 18; issue 11). */
@Timeout(value = 30, unit = SECONDS)
class IntrospectionTest {
    @RegisterExtension
    final Fixtures fx = new Fixtures();

    private static JsonNode json(Received r) {
        assertEquals(Status.OK, r.status(), r::toString);
        return r.body().json();
    }

    @Test
    void routes_serviceWithRoutes_listsEachRegexWithItsMethodsAndHandlersInMatchOrder() {
        ServiceServer server = fx.start(Fixtures.builder("listed").route("^/report/(\\d+)$", "render", new TestHandlers.Echo())
                .route("^/report/(\\d+)$", "delete", call -> Reply.json(java.util.Map.of())));
        RawPeer peer = fx.peer(server);

        JsonNode routes = json(peer.call("/_offload/routes", "request"));

        assertEquals("listed", routes.get("service").asText());
        assertEquals(server.instanceId(), routes.get("instance").asText());
        assertEquals(1, routes.get("protocol").asInt());
        assertEquals(2, routes.get("routes").size(), routes.toString());
        assertEquals("^" + Fixtures.ECHO + "$", routes.get("routes").get(0).get("path").asText());
        JsonNode report = routes.get("routes").get(1);
        assertEquals("^/report/(\\d+)$", report.get("path").asText());
        assertEquals("[\"delete\",\"render\"]", report.get("methods").toString());
        assertEquals(TestHandlers.Echo.class.getName(), report.get("handlers").get("render").asText());
        assertTrue(report.get("handlers").get("delete").asText().startsWith("lambda in " + IntrospectionTest.class.getName()),
                report.toString());
    }

    @Test
    void health_idleThenStopping_reportsLoadAndState() throws InterruptedException {
        Fixtures.Gate gate = fx.gate();
        ServiceServer server = fx.start(Fixtures.builder("healthy").workers(2).route("^/hold$", "request", gate));
        RawPeer peer = fx.peer(server);
        JsonNode idle = json(peer.call("/_offload/health", "request"));
        assertEquals("SERVING", idle.get("status").asText());
        assertEquals(2, idle.get("workers").asInt());
        assertEquals(0, idle.get("busyWorkers").asInt());

        peer.send("/hold", "request", java.util.Map.of(), Body.empty());
        Fixtures.await().until(() -> server.stats().inFlight() == 1);
        JsonNode busy = json(peer.call("/_offload/health", "request"));
        assertEquals(1, busy.get("busyWorkers").asInt(), busy.toString());
        assertEquals(1, busy.get("inFlight").asInt());

        Thread stopper = Thread.ofPlatform().start(() -> server.stop(Duration.ofSeconds(20)));
        Fixtures.await().until(() -> json(peer.call("/_offload/health", "request")).get("status").asText()
                .equals("STOPPING"));
        gate.open();
        stopper.join(20_000);
    }

    @Test
    void stats_afterCalls_carriesEveryServerStatsCounter() {
        ServiceServer server = fx.echoServer("counted");
        RawPeer peer = fx.peer(server);
        assertEquals(Status.OK, peer.call(Fixtures.ECHO, "request").status());
        assertEquals(Status.NOT_FOUND, peer.call("/nowhere", "request").status());

        JsonNode stats = json(peer.call("/_offload/stats", "request")).get("stats");

        assertEquals(2, stats.get("received").asLong(), stats.toString());
        assertEquals(1, stats.get("notFound").asLong());
        assertEquals(ServerStats.class.getRecordComponents().length, stats.size());
    }
}
