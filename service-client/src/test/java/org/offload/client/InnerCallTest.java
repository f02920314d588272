package org.offload.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.offload.service.DeadlineExceededException;
import org.offload.service.Reply;
import org.offload.service.Request;
import org.offload.service.ServiceException;
import org.offload.service.ServiceServer;

/** A handler calls another service (issue 12, item 5): the outer deadline bounds the inner call; trace headers pass. */
class InnerCallTest {
    private static final Duration OUTER_DEADLINE = Duration.ofMillis(1_500);
    private static final Duration INNER_ASKED = Duration.ofSeconds(30);

    @RegisterExtension
    final Fixtures fx = new Fixtures();

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void callService_innerSlowerThanOuterDeadline_failsWithTheOuterDeadlineAndCarriesTheTrace() {
        Fixtures.Gate slow = fx.gate();
        AtomicReference<String> innerTrace = new AtomicReference<>();
        ServiceServer inner = fx.server("inner", b -> b
                .route("^/trace$", "request", call -> {
                    innerTrace.set(call.headers().get("traceparent"));
                    return Reply.json(Map.of());
                })
                .route("^/slow$", "request", slow.handler()));
        ServiceClient downstream = fx.clientFor(inner);
        AtomicReference<Throwable> innerFailure = new AtomicReference<>();
        AtomicLong innerTookMs = new AtomicLong();
        ServiceServer outer = fx.server("outer", b -> b.caller(downstream).route("^/outer$", "request", call -> {
            call.callService("inner", Request.of("/trace", "request"));
            long start = System.nanoTime();
            try {
                call.callService("inner", Request.of("/slow", "request"), INNER_ASKED);
            } catch (ServiceException e) {
                innerFailure.set(e);
                innerTookMs.set(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
                throw e;
            }
            return Reply.json(Map.of());
        }));
        ServiceClient client = fx.clientFor(outer);
        String trace = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

        Fixtures.failureOf(client.callAsync(outer.name(), Request.of("/outer", "request").withHeader("traceparent",
                trace), OUTER_DEADLINE), DeadlineExceededException.class, Fixtures.DEADLINE);

        Awaitility.await().atMost(Fixtures.DEADLINE).until(() -> innerFailure.get() != null);
        assertInstanceOf(DeadlineExceededException.class, innerFailure.get());
        assertTrue(innerTookMs.get() < OUTER_DEADLINE.toMillis(), "the inner call ended within the outer deadline,"
                + " not its own 30 s: " + innerTookMs.get() + " ms");
        assertEquals(trace, innerTrace.get(), "the trace context crossed to the inner service");
    }
}
