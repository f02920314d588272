package org.offload.client;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.offload.service.ObservedCall;
import org.offload.service.Reply;
import org.offload.service.Request;
import org.offload.service.ServerObserver;
import org.offload.service.ServiceServer;
import org.offload.service.internal.Mdc;
import org.slf4j.MDC;

/** The request id and service name in the SLF4J MDC during handlers and client callbacks; the observer hooks. */
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

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void observers_okAndNotFoundCalls_eachStartsAndEndsOnceWithRouteAndStatus() throws Exception {
        List<String> serverEvents = new CopyOnWriteArrayList<>();
        List<String> clientEvents = new CopyOnWriteArrayList<>();
        ServerObserver serverObserver = (service, route, request) -> recorder(serverEvents,
                service + " " + route + " " + request.path());
        ClientObserver clientObserver = (service, request, headers) -> {
            headers.put("x-observed", "yes");
            return recorder(clientEvents, service + " " + request.path());
        };
        AtomicReference<String> header = new AtomicReference<>();
        ServiceServer server = fx.server("observed", b -> b.observer(serverObserver)
                .route("^/seen$", "request", call -> {
                    header.set(call.headers().get("x-observed"));
                    return Reply.json(Map.of("ok", true));
                }));
        ServiceClient client = fx.client(ServiceClient.builder().name("observing").deadline(Fixtures.DEADLINE)
                .observer(clientObserver));
        client.register("observed", server.pullAddress(), server.pubAddress(), Fixtures.PASSPHRASE);

        client.call("observed", Request.of("/seen", "request"));
        Fixtures.failureOf(client.callAsync("observed", Request.of("/nowhere", "request")),
                org.offload.service.NotFoundException.class, Fixtures.WAIT);

        assertEquals("yes", header.get());
        assertEquals(List.of("observed /seen end 200", "observed /nowhere end 404"), clientEvents);
        await().atMost(Fixtures.WAIT).until(() -> serverEvents.size() == 2);
        assertEquals(List.of("observed ^/seen$ /seen end 200", "observed  /nowhere end 404"), serverEvents);
    }

    private static ObservedCall recorder(List<String> events, String what) {
        return new ObservedCall() {
            @Override
            public Scope openScope() {
                return Scope.NONE;
            }

            @Override
            public void end(int status, Duration elapsed) {
                events.add(what + " end " + status);
            }
        };
    }

    @Test
    void observer_null_isRejectedByBothBuilders() {
        org.junit.jupiter.api.Assertions.assertThrows(NullPointerException.class,
                () -> ServiceClient.builder().observer(null));
        org.junit.jupiter.api.Assertions.assertThrows(NullPointerException.class,
                () -> ServiceServer.builder().observer(null));
    }
}
