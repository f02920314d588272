package org.offload.micrometer;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.observation.Observation;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.offload.client.ServiceClient;
import org.offload.service.Reply;
import org.offload.service.Request;
import org.offload.service.ServiceServer;

/** One trace spans web handler → client → worker → handler, carried by W3C headers over real sockets. */
class TracePropagationTest {
    private static final String SERVICE = "traced";

    @RegisterExtension
    final Fixtures fx = new Fixtures();

    /** What a handler saw: its trace and span ids (empty without a span) and the propagated headers. */
    private record Seen(String traceId, String spanId, String traceparent) {
    }

    private ServiceServer tracedServer(Tracer tracer, AtomicReference<Seen> seen) {
        return fx.server(SERVICE, OffloadObservations.server(fx.observations), b -> b
                .route("^/trace$", "request", call -> {
                    Span span = tracer.currentSpan();
                    seen.set(new Seen(span == null ? "" : span.context().traceId(),
                            span == null ? "" : span.context().spanId(), call.headers().getOrDefault("traceparent", "")));
                    return Reply.json(Map.of("ok", true));
                }));
    }

    @Test
    @Timeout(30)
    @SuppressWarnings("try") // the scope is opened for what it makes current, not used in the body
    void traceId_callInsideAWebHandlersObservation_handlerOnTheWorkerSeesTheSameTrace() {
        Tracer tracer = fx.tracing();
        AtomicReference<Seen> seen = new AtomicReference<>();
        ServiceClient client = fx.clientFor(tracedServer(tracer, seen));

        // the web handler: what Spring MVC's or Javalin's server observation would be
        Observation web = Observation.start("http.server.requests", fx.observations);
        String webTrace;
        String webSpan;
        try (Observation.Scope scope = web.openScope()) {
            webTrace = tracer.currentSpan().context().traceId();
            webSpan = tracer.currentSpan().context().spanId();
            client.call(SERVICE, Request.of("/trace", "request"));
        } finally {
            web.stop();
        }

        Seen handler = seen.get();
        assertEquals(32, webTrace.length());
        assertEquals(webTrace, handler.traceId());
        assertNotEquals(webSpan, handler.spanId(), "the handler runs in the service's own span");
        // 00-<trace id>-<client span id>-<flags>: the client's span is the parent, a child of the web handler's
        assertTrue(handler.traceparent().matches("00-" + webTrace + "-[0-9a-f]{16}-[0-9a-f]{2}"), handler.traceparent());
        assertNotEquals(webSpan, handler.traceparent().substring(36, 52));
    }

    @Test
    @Timeout(30)
    void traceparent_callWithNoTraceContext_startsANewTraceThatTheHandlerJoins() {
        Tracer tracer = fx.tracing();
        AtomicReference<Seen> seen = new AtomicReference<>();
        ServiceClient client = fx.clientFor(tracedServer(tracer, seen));
        assertNull(tracer.currentSpan());

        client.call(SERVICE, Request.of("/trace", "request"));

        Seen handler = seen.get();
        assertEquals(32, handler.traceId().length());
        assertTrue(handler.traceparent().startsWith("00-" + handler.traceId() + "-"), handler.traceparent());
        assertNull(tracer.currentSpan(), "the caller's thread is left as it was");
    }

    @Test
    @Timeout(30)
    @SuppressWarnings("try") // the scope is opened for what it makes current, not used in the body
    void traceScope_asyncCallFromAWebHandler_callbackRunsInTheCallsTrace() throws Exception {
        Tracer tracer = fx.tracing();
        AtomicReference<Seen> seen = new AtomicReference<>();
        ServiceClient client = fx.clientFor(tracedServer(tracer, seen));
        AtomicReference<String> callbackTrace = new AtomicReference<>();
        CompletableFuture<Reply> reply = new CompletableFuture<>();
        client.onResponse("^/trace$", (request, r) -> {
            Span span = tracer.currentSpan();
            callbackTrace.set(span == null ? "" : span.context().traceId());
            reply.complete(r);
        });

        Observation web = Observation.start("http.server.requests", fx.observations);
        String webTrace;
        try (Observation.Scope scope = web.openScope()) {
            webTrace = tracer.currentSpan().context().traceId();
            client.send(SERVICE, Request.of("/trace", "request"));
        } finally {
            web.stop();
        }

        assertNotNull(reply.get(Fixtures.WAIT.toSeconds(), TimeUnit.SECONDS));
        await().atMost(Fixtures.WAIT).until(() -> callbackTrace.get() != null);
        assertEquals(webTrace, callbackTrace.get());
        assertEquals(webTrace, seen.get().traceId());
    }
}
