package org.offload.client;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.offload.client.Fixtures.DEADLINE;
import static org.offload.client.Fixtures.json;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.offload.service.BadRequestException;
import org.offload.service.NotFoundException;
import org.offload.service.Reply;
import org.offload.service.Request;
import org.offload.service.ServiceException;
import org.offload.service.ServiceServer;
import org.offload.service.Status;

/** Acceptance 1: the three call styles over real sockets, and where nowait replies and errors go. */
class RoundTripTest {
    @RegisterExtension
    final Fixtures fx = new Fixtures();

    /** What a response handler saw. */
    private record Delivery(Request request, Reply reply) {
    }

    /** What an error handler saw. */
    private record Failure(String service, Request request, ServiceException error) {
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void call_echoRoute_returnsTheRequestBodyAsJson() {
        ServiceServer server = fx.echoServer("echo");
        ServiceClient client = fx.clientFor(server);

        Reply reply = client.call("echo", Request.json("/echo", "request", Map.of("word", "hello", "n", 42)));

        assertEquals(Status.OK, reply.status());
        assertEquals(Reply.DEFAULT_METHOD, reply.method());
        assertEquals("hello", json(reply).at("/echo/word").asText());
        assertEquals(42, json(reply).at("/echo/n").asInt());
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void callAsync_echoRoute_completesTheFutureWithTheReply() throws Exception {
        ServiceServer server = fx.echoServer("echo");
        ServiceClient client = fx.clientFor(server);

        CompletableFuture<Reply> future = client.callAsync("echo",
                Request.json("/echo", "request", Map.of("list", List.of(1, 2, 3))), DEADLINE);
        Reply reply = future.get(10, TimeUnit.SECONDS);

        assertEquals(Status.OK, reply.status());
        assertEquals("[1,2,3]", json(reply).at("/echo/list").toString());
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void serviceRef_callAndCallAsync_reachTheSameService() throws Exception {
        ServiceServer server = fx.echoServer("echo");
        ServiceClient client = fx.client("ref-client");
        ServiceRef ref = client.register("echo", server.pullAddress(), server.pubAddress(), Fixtures.PASSPHRASE);

        assertEquals("one", json(ref.call(Request.json("/echo", "request", Map.of("v", "one")))).at("/echo/v").asText());
        assertEquals("two", json(ref.callAsync(Request.json("/echo", "request", Map.of("v", "two")))
                .get(10, TimeUnit.SECONDS)).at("/echo/v").asText());
        assertEquals(List.of(server.pullAddress()), ref.instances());
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void send_repliesWithDifferentPathsAndMethods_reachOnlyTheMatchingResponseHandler() {
        ServiceServer server = fx.server("nowait", b -> b
                .route("^/a$", "request", call -> Reply.json(Map.of("route", "a", "echo", call.json())))
                .route("^/b$", "request", call -> Reply.json(Map.of("route", "b", "echo", call.json()))
                        .withMethod("done")));
        ServiceClient client = fx.clientFor(server);
        List<Delivery> toA = new CopyOnWriteArrayList<>();
        List<Delivery> toB = new CopyOnWriteArrayList<>();
        List<Delivery> wrongMethodForB = new CopyOnWriteArrayList<>();
        List<Failure> errors = new CopyOnWriteArrayList<>();
        // first match wins: a handler for /b with the default METHOD comes first and must not see /b's "done" reply
        client.onResponse("^/b$", Reply.DEFAULT_METHOD, (rq, rp) -> wrongMethodForB.add(new Delivery(rq, rp)));
        client.onResponse("^/b$", "done", (rq, rp) -> toB.add(new Delivery(rq, rp)));
        client.onResponse("^/a$", (rq, rp) -> toA.add(new Delivery(rq, rp)));
        client.onError((service, rq, e) -> errors.add(new Failure(service, rq, e)));

        Request a = Request.json("/a", "request", Map.of("id", "for-a"));
        Request b = Request.json("/b", "request", Map.of("id", "for-b"));
        client.send("nowait", a);
        client.send("nowait", b);

        await().atMost(Duration.ofSeconds(10)).until(() -> toA.size() + toB.size() >= 2);
        assertEquals(1, toA.size(), "deliveries to /a: " + toA);
        assertEquals(1, toB.size(), "deliveries to /b: " + toB);
        assertEquals(a, toA.get(0).request(), "the /a handler gets the request that was sent");
        assertEquals("a", json(toA.get(0).reply()).get("route").asText());
        assertEquals("for-a", json(toA.get(0).reply()).at("/echo/id").asText());
        assertEquals(Reply.DEFAULT_METHOD, toA.get(0).reply().method());
        assertEquals(b, toB.get(0).request(), "the /b handler gets the request that was sent");
        assertEquals("b", json(toB.get(0).reply()).get("route").asText());
        assertEquals("for-b", json(toB.get(0).reply()).at("/echo/id").asText());
        assertEquals("done", toB.get(0).reply().method());
        assertEquals(List.of(), wrongMethodForB);
        assertEquals(List.of(), errors);
        assertEquals(0, client.stats().unhandled());
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void send_replyWithoutMatchingHandler_isCountedUnhandled() {
        ServiceServer server = fx.echoServer("echo");
        ServiceClient client = fx.clientFor(server);
        List<Delivery> other = new CopyOnWriteArrayList<>();
        client.onResponse("^/other$", (rq, rp) -> other.add(new Delivery(rq, rp)));

        client.send("echo", Request.json("/echo", "request", Map.of("x", 1)));

        await().atMost(Duration.ofSeconds(10)).until(() -> client.stats().unhandled() == 1);
        assertEquals(List.of(), other);
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void send_unknownRoute_reachesErrorHandlerWithNotFound() {
        ServiceServer server = fx.echoServer("echo");
        ServiceClient client = fx.clientFor(server);
        List<Delivery> responses = new CopyOnWriteArrayList<>();
        List<Failure> errors = new CopyOnWriteArrayList<>();
        client.onResponse("^/", (rq, rp) -> responses.add(new Delivery(rq, rp)));
        client.onError((service, rq, e) -> errors.add(new Failure(service, rq, e)));

        Request missing = Request.json("/missing", "request", Map.of("x", 1));
        client.send("echo", missing);

        await().atMost(Duration.ofSeconds(10)).until(() -> !errors.isEmpty());
        Failure f = errors.get(0);
        assertEquals("echo", f.service());
        assertEquals(missing, f.request());
        NotFoundException e = assertInstanceOf(NotFoundException.class, f.error());
        assertEquals(Status.NOT_FOUND, e.status());
        assertTrue(e.getMessage().contains("/missing"), e.getMessage());
        assertEquals(List.of(), responses, "an error reply must not reach a response handler");
        assertEquals(1, errors.size());
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void send_handlerThrowsBadRequest_reachesErrorHandlerWithStatusAndMessage() {
        ServiceServer server = fx.server("validating", b -> b.route("^/validate$", "request", call -> {
            throw new BadRequestException("field 'age' must be a number");
        }));
        ServiceClient client = fx.clientFor(server);
        List<Delivery> responses = new CopyOnWriteArrayList<>();
        List<Failure> errors = new CopyOnWriteArrayList<>();
        client.onResponse("^/", (rq, rp) -> responses.add(new Delivery(rq, rp)));
        client.onError((service, rq, e) -> errors.add(new Failure(service, rq, e)));

        Request bad = Request.json("/validate", "request", Map.of("age", "old"));
        client.send("validating", bad);

        await().atMost(Duration.ofSeconds(10)).until(() -> !errors.isEmpty());
        Failure f = errors.get(0);
        assertEquals("validating", f.service());
        assertEquals(bad, f.request());
        BadRequestException e = assertInstanceOf(BadRequestException.class, f.error());
        assertEquals(Status.BAD_REQUEST, e.status());
        assertTrue(e.getMessage().contains("field 'age' must be a number"), e.getMessage());
        assertEquals(List.of(), responses);
    }
}
