package org.offload.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.offload.service.NotFoundException;
import org.offload.service.Reply;
import org.offload.service.Request;
import org.offload.service.RouteVersion;
import org.offload.service.ServiceException;
import org.offload.service.ServiceServer;
import org.offload.service.Status;

/**
 * Versioned routes across instances (issue 12 item 8): during a rolling upgrade an instance serving 1.2
 * and one serving 2.0 sit behind one service name, and each gets the requests meant for it.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class VersionedCallsTest {
    private static final int CALLS = 20;

    @RegisterExtension
    final Fixtures fx = new Fixtures();

    /** An instance whose ^/calc$ serves {@code version}, answering {"version": ..., "instance": ...}. */
    private ServiceServer instance(String name, String version) {
        return fx.server(name, b -> b.route("^/calc$", "request", version,
                call -> Reply.json(Map.of("version", version, "instance", name))));
    }

    /** A client with both instances registered as service "calc". */
    private ServiceClient rolling(ServiceServer... instances) {
        ServiceClient client = fx.client("rolling");
        for (ServiceServer i : instances) {
            client.register("calc", i.pullAddress(), i.pubAddress(), Fixtures.PASSPHRASE);
        }
        return client;
    }

    private static Request asking(String version) {
        return Request.of("/calc", "request").withHeader(RouteVersion.HEADER, version);
    }

    private static String answeredBy(Reply reply) {
        return reply.body().json().get("instance").asText();
    }

    @Test
    void call_twoInstancesServing12And20_eachGetsTheRequestsMeantForIt() {
        ServiceServer old = instance("old", "1.2");
        ServiceServer upgraded = instance("new", "2.0");
        ServiceClient client = rolling(old, upgraded);

        List<String> for12 = new ArrayList<>();
        List<String> for20 = new ArrayList<>();
        List<String> for10 = new ArrayList<>();
        for (int i = 0; i < CALLS; i++) {
            for20.add(answeredBy(client.call("calc", asking("2.0"))));
            for12.add(answeredBy(client.call("calc", asking("1.2"))));
            for10.add(answeredBy(client.call("calc", asking("1.0"))));
        }

        assertEquals(List.of("new"), List.copyOf(new TreeSet<>(for20)), "every 2.0 request on the 2.0 instance");
        assertEquals(List.of("old"), List.copyOf(new TreeSet<>(for12)), "every 1.2 request on the 1.2 instance");
        assertEquals(List.of("old"), List.copyOf(new TreeSet<>(for10)), "1.0 is served by 1.2 (same major, newer minor)");
        assertEquals(CALLS, old.stats().received() - CALLS, "the 1.2 instance received the 1.x calls only");
        assertEquals(CALLS, upgraded.stats().received(), "the 2.0 instance received the 2.0 calls only");
    }

    @Test
    void call_versionNoInstanceServes_fails406Fast() {
        ServiceServer old = instance("old", "1.2");
        ServiceServer upgraded = instance("new", "2.0");
        ServiceClient client = rolling(old, upgraded);
        client.call("calc", asking("1.2")); // both instances' routes are read once they are in the rotation
        client.call("calc", asking("2.0"));

        for (String version : List.of("1.3", "3.0", "2.1")) {
            long start = System.nanoTime();
            NotFoundException e = assertThrows(NotFoundException.class, () -> client.call("calc", asking(version)));
            assertEquals(Status.NO_COMPATIBLE_VERSION, e.status(), e::getMessage);
            assertTrue(e.getMessage().contains("serves version " + version), e.getMessage());
            assertTrue(System.nanoTime() - start < Fixtures.DEADLINE.toNanos() / 2, "not at the deadline");
        }
    }

    @Test
    void call_instanceRestartedWithNewVersion_itsRoutesAreReadAgainAndItGets20Requests() {
        ServiceServer a = instance("a", "1.2");
        ServiceServer b = instance("b", "1.2");
        ServiceClient client = rolling(a, b);
        for (int i = 0; i < 4; i++) {
            client.call("calc", asking("1.2")); // routes of both runs read
        }
        String pull = b.pullAddress();
        String pub = b.pubAddress();

        b.close(); // the rolling upgrade: b comes back serving 2.0 on the same addresses
        fx.server("b", pull, pub, builder -> builder.route("^/calc$", "request", "2.0",
                call -> Reply.json(Map.of("version", "2.0", "instance", "b"))));
        await().atMost(Fixtures.WAIT).pollInterval(Duration.ofMillis(50)).ignoreExceptionsInstanceOf(ServiceException.class)
                .until(() -> answeredBy(client.call("calc", asking("2.0"), Duration.ofSeconds(2))).equals("b"));

        List<String> for20 = new ArrayList<>();
        List<String> for12 = new ArrayList<>();
        for (int i = 0; i < CALLS; i++) {
            for20.add(answeredBy(client.call("calc", asking("2.0"))));
            for12.add(answeredBy(client.call("calc", asking("1.2"))));
        }
        assertEquals(List.of("b"), List.copyOf(new TreeSet<>(for20)));
        assertEquals(List.of("a"), List.copyOf(new TreeSet<>(for12)));
    }

    @Test
    void call_noVersionAsked_anyInstanceServesAndPathVersionsWorkAsBefore() {
        ServiceServer a = fx.server("a", b -> b.route("^/v1/calc$", "request", call -> Reply.json(Map.of("path", "v1")))
                .route("^/v2/calc$", "request", call -> Reply.json(Map.of("path", "v2"))));
        ServiceClient client = fx.clientFor(a);

        assertEquals("v1", client.call("a", Request.of("/v1/calc", "request")).body().json().get("path").asText());
        assertEquals("v2", client.call("a", Request.of("/v2/calc", "request")).body().json().get("path").asText());
        assertEquals(2, client.stats().sent(), "no routes read for a service never asked for a version");
    }
}
