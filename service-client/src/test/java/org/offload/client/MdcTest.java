package org.offload.client;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.offload.service.Reply;
import org.offload.service.Request;
import org.offload.service.ServiceServer;
import org.offload.service.internal.Mdc;
import org.slf4j.MDC;

/** The request id and service name in the SLF4J MDC during handlers and client callbacks. */
class MdcTest {
    @RegisterExtension
    final Fixtures fx = new Fixtures();

    /** The MDC values a handler or callback saw. */
    private record Seen(String service, String requestId, String clientId) {
        static Seen now() {
            return new Seen(MDC.get(Mdc.SERVICE), MDC.get(Mdc.REQUEST_ID), MDC.get(Mdc.CLIENT_ID));
        }
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void mdc_nowaitCallAndItsResponseHandler_bothSeeTheServiceAndTheSameRequestId() throws Exception {
        AtomicReference<Seen> inHandler = new AtomicReference<>();
        ServiceServer server = fx.server("mdc-svc", b -> b.workers(1)
                .route("^/mdc$", "request", call -> {
                    inHandler.set(Seen.now());
                    return Reply.json(Map.of("ok", true));
                }));
        ServiceClient client = fx.clientFor(server);
        CompletableFuture<Seen> inCallback = new CompletableFuture<>();
        client.onResponse("^/mdc$", (request, reply) -> inCallback.complete(Seen.now()));

        client.send("mdc-svc", Request.of("/mdc", "request"));

        Seen callback = inCallback.get(Fixtures.WAIT.toSeconds(), TimeUnit.SECONDS);
        Seen handler = inHandler.get();
        assertEquals("mdc-svc", handler.service());
        assertEquals(client.clientId(), handler.clientId());
        assertTrue(handler.requestId().matches("[1-9][0-9]*"), handler.requestId());
        assertEquals(new Seen("mdc-svc", handler.requestId(), null), callback);
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void mdc_twoSyncCalls_handlersSeeTheirOwnRequestIdsAndTheCallerKeepsItsMdc() {
        List<Seen> seen = new CopyOnWriteArrayList<>();
        ServiceServer server = fx.server("mdc-svc", b -> b.workers(1)
                .route("^/mdc$", "request", call -> {
                    seen.add(Seen.now());
                    return Reply.json(Map.of("ok", true));
                }));
        ServiceClient client = fx.clientFor(server);
        MDC.put(Mdc.SERVICE, "the-callers-own");

        client.call("mdc-svc", Request.of("/mdc", "request"));
        client.call("mdc-svc", Request.of("/mdc", "request"));

        assertEquals(2, seen.size());
        assertTrue(Long.parseLong(seen.get(1).requestId()) > Long.parseLong(seen.get(0).requestId()));
        assertEquals("mdc-svc", seen.get(0).service());
        // the caller's thread keeps what it had: its call completes on the receiver thread, not here
        assertEquals("the-callers-own", MDC.get(Mdc.SERVICE));
        assertNull(MDC.get(Mdc.REQUEST_ID));
        MDC.remove(Mdc.SERVICE);
    }
}
