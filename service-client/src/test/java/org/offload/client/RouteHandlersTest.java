package org.offload.client;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.offload.service.BadRequestException;
import org.offload.service.NotFoundException;
import org.offload.service.RemoteException;
import org.offload.service.Reply;
import org.offload.service.Request;
import org.offload.service.ServiceServer;

/** Per-route error handlers and callAndHandle over real sockets (issue 12 item 6). */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RouteHandlersTest {
    @RegisterExtension
    final Fixtures fx = new Fixtures();

    /** ^/fail/(bad|broken)... : 400 for bad, 500 for broken (both METHOD request and render). */
    private ServiceServer failing() {
        return fx.server("failing", b -> b
                .route("^/fail/bad", "request", call -> {
                    throw new BadRequestException("bad " + call.path());
                })
                .route("^/fail/broken", "request", call -> {
                    throw new RemoteException(500, "broken " + call.path());
                })
                .route("^/fail/bad", "render", call -> {
                    throw new BadRequestException("bad render " + call.path());
                }));
    }

    @Test
    void onError_routeSpecificHandler_receivesItsErrorsAndGlobalOneTheRest() {
        ServiceClient client = fx.clientFor(failing());
        List<String> route = new CopyOnWriteArrayList<>();
        List<String> later = new CopyOnWriteArrayList<>();
        List<String> global = new CopyOnWriteArrayList<>();
        List<String> global2 = new CopyOnWriteArrayList<>();
        client.onError("^/fail/bad", "request", (service, req, e) -> route.add(req.path() + " " + e.status()))
                .onError("^/fail/", "request", (service, req, e) -> later.add(req.path() + " " + e.status()))
                .onError((service, req, e) -> global.add(req.method() + " " + req.path() + " " + e.status()))
                .onError((service, req, e) -> global2.add(service + " " + req.path()));

        client.send("failing", Request.of("/fail/bad/1", "request"));
        client.send("failing", Request.of("/fail/broken/2", "request"));
        client.send("failing", Request.of("/fail/bad/3", "render"));
        client.send("failing", Request.of("/nowhere", "request"));

        await().atMost(Fixtures.WAIT).until(() -> route.size() + later.size() + global.size() == 4);
        assertEquals(List.of("/fail/bad/1 400"), route, "first matching per-route handler, alone");
        assertEquals(List.of("/fail/broken/2 500"), later, "the second per-route handler takes what the first does not");
        assertEquals(List.of("render /fail/bad/3 400", "request /nowhere 404"), global.stream().sorted().toList(),
                "another METHOD, and no route match: the global handlers");
        await().atMost(Fixtures.WAIT).until(() -> global2.size() == 2);
        assertEquals(List.of("failing /fail/bad/3", "failing /nowhere"), global2.stream().sorted().toList(),
                "every global handler runs");
        assertEquals(0, client.stats().unhandled());
    }

    @Test
    void callAndHandle_matchingResponseFunction_returnsReplyAndWhatItMade() {
        ServiceClient client = fx.clientFor(fx.echoServer("echo"));
        client.mapResponse("^/echo$", Reply.DEFAULT_METHOD, (req, reply) -> reply.body().json().get("echo").get("n").asInt() * 2);

        HandledReply<Integer> handled = client.callAndHandle("echo", Request.json("/echo", "request", Map.of("n", 21)),
                Integer.class);

        assertEquals(200, handled.reply().status());
        assertEquals("{\"echo\":{\"n\":21}}", handled.reply().body().json().toString());
        assertTrue(handled.handled());
        assertEquals(Optional.of(42), handled.result());
    }

    @Test
    void callAndHandle_plainHandlerOrNone_resultEmptyAndHandledSaysWhetherOneRan() {
        ServiceClient client = fx.clientFor(fx.server("two", b -> b.route("^/other$", "request",
                call -> Reply.json(Map.of("other", true)))));
        List<String> seen = new CopyOnWriteArrayList<>();
        client.onResponse("^/echo$", (req, reply) -> seen.add(Thread.currentThread().getName()));

        HandledReply<String> plain = client.callAndHandle("two", Request.json("/echo", "request", Map.of()), String.class);
        HandledReply<String> none = client.callAndHandle("two", Request.json("/other", "request", Map.of()), String.class);

        assertTrue(plain.handled());
        assertEquals(Optional.empty(), plain.result());
        assertEquals(List.of(Thread.currentThread().getName()), seen, "ran once, on the calling thread");
        assertFalse(none.handled());
        assertEquals("{\"other\":true}", none.reply().body().json().toString());
    }

    @Test
    void callAndHandle_wrongResultTypeOrFailure_throws() {
        ServiceClient client = fx.clientFor(fx.echoServer("typed"));
        client.mapResponse("^/echo$", Reply.DEFAULT_METHOD, (req, reply) -> "text");

        ClassCastException wrongType = assertThrows(ClassCastException.class,
                () -> client.callAndHandle("typed", Request.json("/echo", "request", Map.of()), Integer.class));
        assertEquals("the response handler for /echo returned a java.lang.String, not a java.lang.Integer",
                wrongType.getMessage());
        NotFoundException missing = assertThrows(NotFoundException.class,
                () -> client.callAndHandle("typed", Request.of("/missing", "request"), String.class));
        assertEquals(404, missing.status());
    }
}
