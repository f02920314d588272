package org.offload.service;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.offload.service.RawPeer.Received;

/** Versioned routes over the service's sockets (PROTOCOL.md section 7 step 11, section 18; issue 12 item 8). */
@Timeout(value = 30, unit = SECONDS)
class VersionedRoutesTest {
    @RegisterExtension
    final Fixtures fx = new Fixtures();

    private static Handler answers(String what) {
        return call -> Reply.json(Map.of("served", what));
    }

    /** Routes of ^/calc$ request: unversioned first, then 1.2, 1.3, 2.0 (registered out of order). */
    private ServiceServer calc() {
        return fx.start(Fixtures.builder("calc")
                .route("^/calc$", "request", answers("plain"))
                .route("^/calc$", "request", "1.3", answers("1.3"))
                .route("^/calc$", "request", "1.2", answers("1.2"))
                .route("^/calc$", "request", "2.0", answers("2.0"))
                .route("^/v1/calc$", "request", answers("path v1"))
                .route("^/v2/calc$", "request", answers("path v2")));
    }

    private static Received ask(RawPeer peer, String path, String version) {
        return peer.call(path, "request", version == null ? Map.of() : Map.of(RouteVersion.HEADER, version), Body.empty());
    }

    private static String served(Received r) {
        assertEquals(Status.OK, r.status(), r::toString);
        return r.body().json().get("served").asText();
    }

    @Test
    void dispatch_askedVersion_newestCompatibleRouteServesIt() {
        RawPeer peer = fx.peer(calc());

        assertEquals("1.3", served(ask(peer, "/calc", "1.0")), "same major, newest minor");
        assertEquals("1.3", served(ask(peer, "/calc", "1.2")));
        assertEquals("1.3", served(ask(peer, "/calc", "1.3")));
        assertEquals("2.0", served(ask(peer, "/calc", "2.0")));
    }

    @Test
    void dispatch_noVersionAsked_firstRegisteredRouteServesItAsBefore() {
        RawPeer peer = fx.peer(calc());

        assertEquals("plain", served(ask(peer, "/calc", null)));
        assertEquals("path v1", served(ask(peer, "/v1/calc", null)), "path versions are plain routes");
        assertEquals("path v2", served(ask(peer, "/v2/calc", null)));
    }

    @Test
    void dispatch_noCompatibleVersion_answers406NamingTheServedVersions() {
        ServiceServer server = calc();
        RawPeer peer = fx.peer(server);

        Received minorTooHigh = ask(peer, "/calc", "1.4");
        assertEquals(Status.NO_COMPATIBLE_VERSION, minorTooHigh.status());
        assertEquals("no route for request /calc serves version 1.4 (versions served: 1.2, 1.3, 2.0)",
                minorTooHigh.message());
        assertEquals(Status.NO_COMPATIBLE_VERSION, ask(peer, "/calc", "3.0").status(), "another major");
        Received unversionedOnly = ask(peer, "/v1/calc", "1.0");
        assertEquals(Status.NO_COMPATIBLE_VERSION, unversionedOnly.status(), "an unversioned route never serves a version");
        assertEquals("no route for request /v1/calc serves version 1.0 (versions served: none)", unversionedOnly.message());
        assertEquals(3, server.stats().notFound());
        assertTrue(ServiceException.forStatus(406, "x") instanceof NotFoundException);
    }

    @Test
    void dispatch_malformedVersionHeader_answers400() {
        ServiceServer server = calc();
        RawPeer peer = fx.peer(server);

        for (String bad : List.of("1", "1.2.3", "01.2", "v1.2", "", "1.-1")) {
            Received r = ask(peer, "/calc", bad);
            assertEquals(Status.BAD_REQUEST, r.status(), () -> "'" + bad + "': " + r);
            assertTrue(r.message().startsWith("header offload-version: version must be MAJOR.MINOR"), r.message());
        }
        assertEquals(6, server.stats().malformed());
        assertEquals(Status.NOT_FOUND, ask(peer, "/nowhere", "1.0").status(), "no path match: still 404");
    }

    @Test
    void introspection_versionedRoutes_listsTheVersionsOfEachMethod() {
        RawPeer peer = fx.peer(calc());

        JsonNode routes = peer.call("/_offload/routes", "request").body().json().get("routes");

        JsonNode calc = routes.get(1);
        assertEquals("^/calc$", calc.get("path").asText());
        assertEquals("{\"request\":[\"1.2\",\"1.3\",\"2.0\"]}", calc.get("versions").toString());
        assertEquals("{}", routes.get(0).get("versions").toString(), "the echo route has no version");
        assertEquals("{}", routes.get(2).get("versions").toString());
    }

    @Test
    void builder_badVersion_isRefusedWithItsReason() {
        ServiceServer.Builder b = Fixtures.builder("bad");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> b.route("^/x$", "request", "1.x", answers("x")));
        assertEquals("version must be MAJOR.MINOR (digits, e.g. 1.3) but was '1.x'", e.getMessage());
    }

    @Test
    void definition_methodLineWithVersion_makesVersionedRoutes() {
        ServiceDefinition d = ServiceDefinition.parse(List.of(
                "SERVICE versioned tcp://127.0.0.1:* tcp://127.0.0.1:*",
                "PASSPHRASE env:X",
                "ROUTE ^/calc$",
                "REQUEST " + TestHandlers.Echo.class.getName() + " 1.2",
                "REQUEST " + TestHandlers.Echo.class.getName() + " 2.0",
                "RENDER " + TestHandlers.Echo.class.getName()));

        assertEquals(List.of(Optional.of(new RouteVersion(1, 2)), Optional.of(new RouteVersion(2, 0)), Optional.empty()),
                d.routes().stream().map(ServiceDefinition.Route::version).toList());
        DefinitionException twice = assertThrows(DefinitionException.class, () -> ServiceDefinition.parse(List.of(
                "SERVICE versioned tcp://127.0.0.1:* tcp://127.0.0.1:*", "PASSPHRASE env:X", "ROUTE ^/calc$",
                "REQUEST " + TestHandlers.Echo.class.getName() + " 1.2",
                "REQUEST " + TestHandlers.Echo.class.getName() + " 1.2")));
        assertTrue(twice.getMessage().endsWith("ROUTE ^/calc$ already has METHOD request version 1.2 (line 4)"),
                twice.getMessage());
    }
}
