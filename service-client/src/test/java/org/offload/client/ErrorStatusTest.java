package org.offload.client;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.offload.client.Fixtures.DEADLINE;
import static org.offload.client.Fixtures.failureOf;
import static org.offload.client.Fixtures.json;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.offload.service.BadRequestException;
import org.offload.service.Body;
import org.offload.service.BusyException;
import org.offload.service.NotFoundException;
import org.offload.service.RemoteException;
import org.offload.service.Reply;
import org.offload.service.Request;
import org.offload.service.ServiceException;
import org.offload.service.ServiceServer;
import org.offload.service.Status;

/** Acceptance 2: error replies arrive as typed exceptions with their status, via call() and callAsync(). */
class ErrorStatusTest {
    private static final Duration WITHIN = Duration.ofSeconds(10);

    @RegisterExtension
    final Fixtures fx = new Fixtures();
    private ServiceClient client;

    @BeforeEach
    void startService() {
        ServiceServer server = fx.server("errors", b -> b
                .route("^/boom$", "request", call -> {
                    throw new IllegalStateException("secret internal detail");
                })
                .route("^/invalid$", "request", call -> {
                    throw new BadRequestException("field 'n' must be positive");
                })
                .route("^/only-post$", "post", call -> Reply.json(Map.of("ok", true))));
        client = fx.clientFor(server);
    }

    // ---------------------------------------------------------------- 404

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void call_unknownPath_throwsNotFound404() {
        NotFoundException e = assertThrows(NotFoundException.class,
                () -> client.call("errors", Request.of("/nowhere", "request")));
        assertEquals(Status.NOT_FOUND, e.status());
        assertTrue(e.getMessage().contains("/nowhere"), e.getMessage());
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void callAsync_unknownPath_failsWithNotFound404() {
        CompletableFuture<Reply> f = client.callAsync("errors", Request.of("/nowhere", "request"), DEADLINE);
        assertEquals(Status.NOT_FOUND, failureOf(f, NotFoundException.class, WITHIN).status());
    }

    // ---------------------------------------------------------------- 405

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void call_wrongMethod_throwsNotFound405NamingAllowedMethods() {
        NotFoundException e = assertThrows(NotFoundException.class,
                () -> client.call("errors", Request.of("/only-post", "request")));
        assertEquals(Status.METHOD_NOT_ALLOWED, e.status());
        assertTrue(e.getMessage().contains("post"), e.getMessage());
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void callAsync_wrongMethod_failsWithNotFound405() {
        CompletableFuture<Reply> f = client.callAsync("errors", Request.of("/only-post", "delete"), DEADLINE);
        assertEquals(Status.METHOD_NOT_ALLOWED, failureOf(f, NotFoundException.class, WITHIN).status());
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void call_rightMethodOnSamePath_succeeds() {
        assertTrue(json(client.call("errors", Request.of("/only-post", "post"))).get("ok").asBoolean());
    }

    // ---------------------------------------------------------------- 500

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void call_handlerThrows_throwsRemote500WithoutInternalDetails() {
        RemoteException e = assertThrows(RemoteException.class,
                () -> client.call("errors", Request.of("/boom", "request")));
        assertEquals(Status.INTERNAL_ERROR, e.status());
        assertTrue(e.getMessage().contains("/boom"), e.getMessage());
        assertTrue(!e.getMessage().contains("secret internal detail"), "details leaked: " + e.getMessage());
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void callAsync_handlerThrows_failsWithRemote500() {
        CompletableFuture<Reply> f = client.callAsync("errors", Request.of("/boom", "request"), DEADLINE);
        assertEquals(Status.INTERNAL_ERROR, failureOf(f, RemoteException.class, WITHIN).status());
    }

    // ---------------------------------------------------------------- 400

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void call_handlerThrowsBadRequest_throwsBadRequest400WithItsMessage() {
        BadRequestException e = assertThrows(BadRequestException.class,
                () -> client.call("errors", Request.json("/invalid", "request", Map.of("n", -1))));
        assertEquals(Status.BAD_REQUEST, e.status());
        assertTrue(e.getMessage().contains("field 'n' must be positive"), e.getMessage());
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void callAsync_handlerThrowsBadRequest_failsWithBadRequest400() {
        CompletableFuture<Reply> f = client.callAsync("errors", Request.json("/invalid", "request", Map.of("n", -1)),
                DEADLINE);
        BadRequestException e = failureOf(f, BadRequestException.class, WITHIN);
        assertEquals(Status.BAD_REQUEST, e.status());
        assertTrue(e.getMessage().contains("field 'n' must be positive"), e.getMessage());
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void call_bodyIsNotJson_throwsBadRequest400() {
        Request garbage = Request.of("/echo", "request")
                .withBody(Body.wrap("{\"unterminated".getBytes(StandardCharsets.UTF_8), Body.JSON));
        BadRequestException e = assertThrows(BadRequestException.class, () -> client.call("errors", garbage));
        assertEquals(Status.BAD_REQUEST, e.status());
        assertTrue(e.getMessage().contains("not valid JSON"), e.getMessage());
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void callAsync_bodyIsNotJson_failsWithBadRequest400() {
        Request garbage = Request.of("/echo", "request")
                .withBody(Body.wrap("not json at all".getBytes(StandardCharsets.UTF_8), Body.JSON));
        CompletableFuture<Reply> f = client.callAsync("errors", garbage, DEADLINE);
        assertEquals(Status.BAD_REQUEST, failureOf(f, BadRequestException.class, WITHIN).status());
    }

    // ---------------------------------------------------------------- 429

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void callAndCallAsync_workerAndQueueFull_failWithBusy429ThenHeldCallsComplete() throws Exception {
        Fixtures.Gate gate = fx.gate();
        ServiceServer server = fx.server("tiny", b -> b.workers(1).queueCapacity(1)
                .route("^/hold$", "request", gate.handler()));
        ServiceClient tiny = fx.clientFor(server);

        CompletableFuture<Reply> running = tiny.callAsync("tiny", Request.json("/hold", "request", Map.of("n", 1)));
        await().atMost(WITHIN).until(() -> gate.entered() == 1);
        CompletableFuture<Reply> queued = tiny.callAsync("tiny", Request.json("/hold", "request", Map.of("n", 2)));
        await().atMost(WITHIN).until(() -> server.stats().inFlight() == 2);

        BusyException sync = assertThrows(BusyException.class,
                () -> tiny.call("tiny", Request.json("/hold", "request", Map.of("n", 3))));
        assertEquals(Status.TOO_MANY_REQUESTS, sync.status());
        assertTrue(sync.getMessage().contains("busy"), sync.getMessage());
        ServiceException async = failureOf(tiny.callAsync("tiny", Request.json("/hold", "request", Map.of("n", 4))),
                BusyException.class, WITHIN);
        assertEquals(Status.TOO_MANY_REQUESTS, async.status());
        assertEquals(2, server.stats().busy());

        gate.open();
        assertEquals(1, json(running.get(10, TimeUnit.SECONDS)).at("/echo/n").asInt());
        assertEquals(2, json(queued.get(10, TimeUnit.SECONDS)).at("/echo/n").asInt());
        assertEquals(2, gate.entered(), "rejected calls must never reach the handler");
    }
}
