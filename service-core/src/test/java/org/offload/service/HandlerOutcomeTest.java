package org.offload.service;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.offload.service.RawPeer.Received;
import org.offload.service.internal.Checks;

/**
 * Whatever a handler returns or throws, exactly one final reply goes out and its job ends (the service's
 * in-flight count returns to 0, and the same worker thread serves the next call).
 */
@Timeout(value = 30, unit = SECONDS)
class HandlerOutcomeTest {
    @RegisterExtension
    final Fixtures fx = new Fixtures();

    /** One worker, so a worker thread that died would leave the next call unanswered. */
    private RawPeer serve(Handler handler) {
        ServiceServer server = fx.start(Fixtures.builder("outcome").workers(1).route("^/h$", "request", handler));
        return fx.peer(server);
    }

    private static void assertJobEndedAndWorkerAlive(RawPeer peer) {
        assertEquals(Status.OK, peer.call(Fixtures.ECHO, "request", Map.of(), Body.json(Map.of())).status(),
                "the worker still serves");
    }

    @Test
    void handle_throwsServiceExceptionWithNullMessage_repliesItsStatusWithTheReason() {
        RawPeer peer = serve(call -> {
            throw new BadRequestException(null);
        });

        Received r = peer.call("/h", "request");

        assertEquals(Status.BAD_REQUEST, r.status());
        assertEquals("Bad Request", r.message());
        assertJobEndedAndWorkerAlive(peer);
    }

    @Test
    void handle_throwsServiceExceptionWithMessageOver64KiB_repliesTheMessageCutToFit() {
        String huge = "x".repeat(Checks.MAX_TEXT_BYTES + 10);
        RawPeer peer = serve(call -> {
            throw new BadRequestException(huge);
        });

        Received r = peer.call("/h", "request");

        assertEquals(Status.BAD_REQUEST, r.status());
        assertEquals(Checks.MAX_TEXT_BYTES, r.message().length());
        assertTrue(r.message().endsWith("..."), "marked as cut");
        assertJobEndedAndWorkerAlive(peer);
    }

    @Test
    void handle_throwsRuntimeExceptionWithHugeMessageAndDetailsExposed_replies500CutToFit() {
        String huge = "é".repeat(Checks.MAX_TEXT_BYTES);
        ServiceServer server = fx.start(Fixtures.builder("details").workers(1).exposeErrorDetails(true)
                .route("^/h$", "request", call -> {
                    throw new IllegalStateException(huge);
                }));
        RawPeer peer = fx.peer(server);

        Received r = peer.call("/h", "request");

        assertEquals(Status.INTERNAL_ERROR, r.status());
        assertTrue(r.message().startsWith("handler for /h failed: java.lang.IllegalStateException: é"), r.message());
        assertTrue(Checks.utf8Length(r.message()) <= Checks.MAX_TEXT_BYTES);
        assertJobEndedAndWorkerAlive(peer);
        Fixtures.await().until(() -> server.stats().inFlight() == 0); // the job ends just after its reply went out
    }

    @Test
    void handle_replyHeadersPushEnvelopeOver1MiB_replies500AndEndsTheJob() {
        Map<String, String> headers = new HashMap<>();
        for (int i = 0; i < 20; i++) {
            headers.put("h" + i, "v".repeat(60_000)); // each header fits; together they exceed the envelope
        }
        ServiceServer server = fx.start(Fixtures.builder("big-headers").workers(1)
                .route("^/h$", "request", call -> new Reply(200, "OK", Reply.DEFAULT_METHOD, headers, Body.empty())));
        RawPeer peer = fx.peer(server);

        Received r = peer.call("/h", "request");

        assertEquals(Status.INTERNAL_ERROR, r.status());
        assertTrue(r.message().startsWith("reply to /h could not be encoded: envelope too large"), r.message());
        assertJobEndedAndWorkerAlive(peer);
        Fixtures.await().until(() -> server.stats().inFlight() == 0); // the job ends just after its reply went out
    }

    @Test
    void handle_throwsInterimStatus_replies500InsteadOfANeverEndingInterim() {
        RawPeer peer = serve(call -> {
            throw new ServiceException(Status.STARTED, "still going");
        });

        Received r = peer.call("/h", "request");

        assertEquals(Status.INTERNAL_ERROR, r.status());
        assertEquals("handler for /h failed", r.message());
        assertJobEndedAndWorkerAlive(peer);
    }

    @Test
    void handle_returnsInterimStatus_replies500() {
        RawPeer peer = serve(call -> Reply.error(Status.STARTED, "started"));

        Received r = peer.call("/h", "request");

        assertEquals(Status.INTERNAL_ERROR, r.status());
        assertJobEndedAndWorkerAlive(peer);
    }
}
