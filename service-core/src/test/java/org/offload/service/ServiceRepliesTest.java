package org.offload.service;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.offload.service.RawPeer.Received;
import org.offload.service.internal.Wire;

/** What a service answers over real sockets: routing outcomes, handler outcomes, backpressure, cancel, 102. */
@Timeout(value = 60, unit = SECONDS)
class ServiceRepliesTest {
    @RegisterExtension
    final Fixtures fx = new Fixtures();

    @Test
    void request_echoRoute_repliesWithBodyPathMethodAndRequestId() {
        ServiceServer server = fx.echoServer("echo");
        RawPeer peer = fx.peer(server);

        long id = peer.send(Fixtures.ECHO, "request", Map.of(), Body.json(Map.of("text", "hi ✓", "n", 7)));
        Received r = peer.reply();

        assertEquals(id, r.requestId());
        assertEquals(Status.OK, r.status());
        assertEquals("OK", r.message());
        assertEquals(Fixtures.ECHO, r.envelope().path());
        assertEquals(Reply.DEFAULT_METHOD, r.envelope().method());
        assertEquals(Body.JSON, r.body().contentType());
        assertEquals("hi ✓", r.body().json().get("echo").get("text").asText());
        assertEquals(7, r.body().json().get("echo").get("n").asInt());
        assertTrue(r.envelope().timestampMs() > 0);
    }

    @Test
    void request_binaryBodyAndUtf8Headers_passThroughUnchanged() {
        byte[] bytes = new byte[512];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) i; // every byte value, spaces and NULs included
        }
        ServiceServer server = fx.start(Fixtures.builder("bytes").route("^/bytes$", "request",
                call -> new Reply(201, "got " + call.body().size() + " " + call.body().contentType(), "stored",
                        call.headers(), call.body())));
        RawPeer peer = fx.peer(server);

        Received r = peer.call("/bytes", "request", Map.of("x-ünï", "välue ✓", "empty", ""), Body.bytes(bytes));

        assertEquals(201, r.status());
        assertEquals("got 512 application/octet-stream", r.message());
        assertEquals("stored", r.envelope().method());
        assertEquals(Map.of("x-ünï", "välue ✓", "empty", ""), r.headers());
        assertEquals(Body.OCTET_STREAM, r.body().contentType());
        assertArrayEquals(bytes, r.body().toByteArray());
    }

    @Test
    void request_unknownPath_replies404AndCounts() {
        ServiceServer server = fx.echoServer("not-found");
        RawPeer peer = fx.peer(server);

        Received r = peer.call("/nowhere", "request");

        assertEquals(Status.NOT_FOUND, r.status());
        assertEquals("no route for request /nowhere", r.message());
        assertEquals("/nowhere", r.envelope().path());
        assertEquals(1, server.stats().notFound());
    }

    @Test
    void request_wrongMethod_replies405ListingAllowedMethods() {
        ServiceServer server = fx.start(Fixtures.builder("methods")
                .route("^/thing$", "put", call -> Reply.json("put"))
                .route("^/thing$", "get", call -> Reply.json("get")));
        RawPeer peer = fx.peer(server);

        Received wrong = peer.call("/thing", "delete");
        Received right = peer.call("/thing", "get");

        assertEquals(Status.METHOD_NOT_ALLOWED, wrong.status());
        assertEquals("METHOD delete is not allowed on /thing (allowed: get, put)", wrong.message());
        assertEquals(Status.OK, right.status());
        assertEquals("\"get\"", right.body().text());
    }

    @Test
    void handler_throwsUnchecked_replies500WithoutDetails() {
        ServiceServer server = fx.start(Fixtures.builder("boom").route("^/boom$", "request", call -> {
            throw new IllegalStateException("secret-detail-42");
        }));
        RawPeer peer = fx.peer(server);

        Received r = peer.call("/boom", "request");

        assertEquals(Status.INTERNAL_ERROR, r.status());
        assertEquals("handler for /boom failed", r.message());
        assertFalse(r.message().contains("secret"), r.message());
        assertFalse(r.message().contains("IllegalStateException"), r.message());
        assertEquals(0, r.body().size(), "no stack trace in the body either");
        assertEquals(1, server.stats().failed());
        assertTrue(server.isRunning());
    }

    @Test
    void handler_throwsUnchecked_withExposeErrorDetails_replies500WithClassAndMessageButNoTrace() {
        ServiceServer server = fx.start(Fixtures.builder("boom-exposed").exposeErrorDetails(true)
                .route("^/boom$", "request", call -> {
                    throw new IllegalStateException("secret-detail-42");
                }));
        RawPeer peer = fx.peer(server);

        Received r = peer.call("/boom", "request");

        assertEquals(Status.INTERNAL_ERROR, r.status());
        assertEquals("handler for /boom failed: java.lang.IllegalStateException: secret-detail-42", r.message());
        assertFalse(r.message().contains("\tat "), r.message());
    }

    @Test
    void handler_throwsBadRequestOrServiceException_repliesItsStatusAndMessage() {
        ServiceServer server = fx.start(Fixtures.builder("typed")
                .route("^/bad$", "request", call -> {
                    throw new BadRequestException("field 'x' is required");
                })
                .route("^/teapot$", "request", call -> {
                    throw new ServiceException(418, "I am a teapot");
                }));
        RawPeer peer = fx.peer(server);

        Received bad = peer.call("/bad", "request");
        Received teapot = peer.call("/teapot", "request");

        assertEquals(Status.BAD_REQUEST, bad.status());
        assertEquals("field 'x' is required", bad.message());
        assertEquals(418, teapot.status());
        assertEquals("I am a teapot", teapot.message());
    }

    @Test
    void handler_returnsNull_replies500() {
        ServiceServer server = fx.start(Fixtures.builder("null").route("^/null$", "request", call -> null));
        RawPeer peer = fx.peer(server);

        Received r = peer.call("/null", "request");

        assertEquals(Status.INTERNAL_ERROR, r.status());
        assertEquals("handler for /null failed", r.message());
    }

    @Test
    void handler_invalidJsonBody_replies400() {
        ServiceServer server = fx.echoServer("bad-json");
        RawPeer peer = fx.peer(server);

        Received r = peer.call(Fixtures.ECHO, "request", Map.of(), Body.wrap("{nope".getBytes(), Body.JSON));

        assertEquals(Status.BAD_REQUEST, r.status());
        assertTrue(r.message().startsWith("body is not valid JSON (5 bytes)"), r.message());
    }

    @Test
    void request_workerQueueFull_replies429Busy() throws Exception {
        Fixtures.Gate gate = fx.gate();
        ServiceServer server = fx.start(Fixtures.builder("busy").workers(1).queueCapacity(1)
                .route("^/gate$", "request", gate));
        RawPeer peer = fx.peer(server);

        long running = peer.send("/gate", "request");
        gate.awaitStarted();
        long queued = peer.send("/gate", "request");
        long rejected = peer.send("/gate", "request");
        Received busy = peer.reply();
        gate.open();
        Received first = peer.reply();
        Received second = peer.reply();

        assertEquals(rejected, busy.requestId());
        assertEquals(Status.TOO_MANY_REQUESTS, busy.status());
        assertEquals("busy is busy - worker queue full (queued=1, workers=1)", busy.message());
        assertTrue(Long.parseLong(busy.headers().get(Wire.RETRY_AFTER_MS)) >= 1, busy.headers().toString());
        assertEquals(running, first.requestId());
        assertEquals(Status.OK, first.status());
        assertEquals(queued, second.requestId());
        assertEquals(Status.OK, second.status());
        assertEquals(2, gate.invocations.get(), "the rejected request never reached the handler");
        assertEquals(1, server.stats().busy());
        assertEquals(0, server.stats().shed(), "refused by the queue's bound, not by admission");
    }

    @Test
    void request_notifyStartedHeader_sendsInterim102ThenTheReply() {
        ServiceServer server = fx.echoServer("notify");
        RawPeer peer = fx.peer(server);

        long id = peer.send(Fixtures.ECHO, "request", Map.of("offload-notify", "started"), Body.json(Map.of("a", 1)));
        Received interim = peer.reply();
        Received last = peer.reply();

        assertEquals(id, interim.requestId());
        assertEquals(Status.STARTED, interim.status());
        assertEquals("started", interim.message());
        assertEquals(id, last.requestId());
        assertEquals(Status.OK, last.status());
        assertEquals(1, last.body().json().get("echo").get("a").asInt());
    }

    @Test
    void request_withoutNotifyHeader_sendsNo102() {
        ServiceServer server = fx.echoServer("no-notify");
        RawPeer peer = fx.peer(server);

        Received first = peer.call(Fixtures.ECHO, "request", Map.of("offload-notify", "other"), Body.empty());

        assertEquals(Status.OK, first.status(), "the first message is the final reply, not a 102");
    }

    @Test
    void cancel_runningRequest_interruptsHandlerAndReplies499() throws Exception {
        Fixtures.Gate gate = fx.gate();
        ServiceServer server = fx.start(Fixtures.builder("cancel").route("^/gate$", "request", gate));
        RawPeer peer = fx.peer(server);

        long id = peer.send("/gate", "request");
        gate.awaitStarted();
        peer.cancel(id, "/gate");
        Received r = peer.reply();

        assertEquals(id, r.requestId());
        assertEquals(Status.CANCELLED, r.status());
        assertEquals("request /gate (id " + id + ") was cancelled", r.message());
        gate.awaitInterrupted(); // orders the reads below after the handler's writes
        assertTrue(gate.sawCancelled.get(), "the call was flagged cancelled");
        assertEquals(1, server.stats().cancelled());
        Fixtures.await().until(() -> server.stats().inFlight() == 0);
    }

    @Test
    void cancel_queuedRequest_replies499AndHandlerNeverRuns() throws Exception {
        Fixtures.Gate gate = fx.gate();
        Fixtures.Counting counting = new Fixtures.Counting();
        ServiceServer server = fx.start(Fixtures.builder("cancel-queued").workers(1)
                .route("^/gate$", "request", gate).route("^/count$", "request", counting));
        RawPeer peer = fx.peer(server);

        long blocker = peer.send("/gate", "request");
        gate.awaitStarted();
        long queued = peer.send("/count", "request");
        peer.cancel(queued, "/count");
        Received cancelled = peer.reply();
        gate.open();
        Received unblocked = peer.reply();
        Received after = peer.call("/count", "request");

        assertEquals(queued, cancelled.requestId());
        assertEquals(Status.CANCELLED, cancelled.status());
        assertEquals("request /count (id " + queued + ") was cancelled before it started", cancelled.message());
        assertEquals(blocker, unblocked.requestId());
        assertEquals(Status.OK, after.status());
        assertEquals(1, counting.invocations.get(), "only the request after the cancel ran");
    }

    @Test
    void cancel_unknownRequest_isIgnored() {
        ServiceServer server = fx.echoServer("cancel-unknown");
        RawPeer peer = fx.peer(server);

        peer.cancel(12_345, Fixtures.ECHO);
        Received next = peer.call(Fixtures.ECHO, "request");

        assertEquals(Status.OK, next.status(), "no reply was sent for the unknown cancel");
        assertEquals(0, server.stats().cancelled());
    }

    @Test
    void stats_afterTraffic_countReceivedRepliedAndNothingInFlight() {
        ServiceServer server = fx.echoServer("stats");
        RawPeer peer = fx.peer(server);

        for (int i = 0; i < 3; i++) {
            assertEquals(Status.OK, peer.call(Fixtures.ECHO, "request").status());
        }
        peer.call("/missing", "request");

        Fixtures.await().untilAsserted(() -> {
            ServerStats s = server.stats();
            assertEquals(4, s.received());
            assertEquals(4, s.replied());
            assertEquals(1, s.notFound());
            assertEquals(0, s.inFlight());
            assertEquals(0, s.parked());
            assertEquals(0, s.unauthorized() + s.malformed() + s.replayed() + s.dropped());
        });
    }
}
