package org.offload.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The brubeck-style base class and {@link Call#of}, exercised without sockets. */
class ServiceHandlerTest {
    /** The example from the class's Javadoc. */
    static final class SlowEcho extends ServiceHandler {
        @Override
        protected Reply request() {
            setStatus(200, "Took a while, but I am back.");
            addToPayload("RETURN_DATA", argument("RETURN_DATA", "NO DATA"));
            return render();
        }
    }

    /** Answers a second METHOD, sets headers and a reply METHOD. */
    static final class TwoMethods extends ServiceHandler {
        @Override
        protected Reply dispatch(String method) throws Exception {
            if ("create".equals(method)) {
                setStatus(201, "made " + message().path());
                setHeader("location", "/things/1");
                setReplyMethod("created");
                addToPayload("id", 1);
                return render();
            }
            return super.dispatch(method);
        }
    }

    /** Remembers payload across calls if (wrongly) reused. */
    static final class Counter extends ServiceHandler {
        private int calls;

        @Override
        protected Reply request() {
            calls++;
            addToPayload("calls", calls);
            addToPayload("requestId", call().requestId());
            return render();
        }
    }

    private static Reply handle(Handler h, Request r) throws Exception {
        return h.handle(Call.of(r));
    }

    @Test
    void request_withArgument_rendersStatusMessageAndPayload() throws Exception {
        Reply reply = handle(ServiceHandler.of(SlowEcho::new),
                Request.json("/service/slow", "request", Map.of("RETURN_DATA", "hi ✓")));

        assertEquals(200, reply.status());
        assertEquals("Took a while, but I am back.", reply.message());
        assertEquals(Reply.DEFAULT_METHOD, reply.method());
        assertEquals(Body.JSON, reply.body().contentType());
        assertEquals(Map.of("RETURN_DATA", "hi ✓"), reply.body().json(Map.class));
    }

    @Test
    void argument_absentNullOrEmptyBody_returnsFallback() throws Exception {
        Map<String, Object> withNull = new HashMap<>();
        withNull.put("RETURN_DATA", null);
        Handler h = ServiceHandler.of(SlowEcho::new);

        assertEquals("NO DATA", handle(h, Request.json("/s", "request", Map.of("other", 1))).body().json()
                .get("RETURN_DATA").asText());
        assertEquals("NO DATA", handle(h, Request.json("/s", "request", withNull)).body().json()
                .get("RETURN_DATA").asText());
        assertEquals("NO DATA", handle(h, Request.of("/s", "request")).body().json().get("RETURN_DATA").asText());
        assertEquals("42", handle(h, Request.json("/s", "request", Map.of("RETURN_DATA", 42))).body().json()
                .get("RETURN_DATA").asText(), "non-text values are read as text");
    }

    @Test
    void argument_bodyNotJson_throwsBadRequest() {
        Request r = new Request("/s", "request", Map.of(), Body.wrap("{oops".getBytes(), Body.JSON));

        BadRequestException x = assertThrows(BadRequestException.class, () -> handle(ServiceHandler.of(SlowEcho::new), r));

        assertEquals(400, x.status());
        assertTrue(x.getMessage().startsWith("body is not valid JSON"), x.getMessage());
    }

    @Test
    void dispatch_otherMethod_throws405NamingClassMethodAndPath() {
        NotFoundException x = assertThrows(NotFoundException.class,
                () -> handle(ServiceHandler.of(SlowEcho::new), Request.of("/service/slow", "delete")));

        assertEquals(Status.METHOD_NOT_ALLOWED, x.status());
        assertEquals("SlowEcho does not answer METHOD delete on /service/slow", x.getMessage());
    }

    @Test
    void request_notOverridden_throws405() {
        NotFoundException x = assertThrows(NotFoundException.class,
                () -> handle(ServiceHandler.of(TwoMethods::new), Request.of("/things", "request")));

        assertEquals(Status.METHOD_NOT_ALLOWED, x.status());
        assertEquals("TwoMethods does not answer METHOD request on /things", x.getMessage());
    }

    @Test
    void dispatch_overriddenMethod_rendersHeadersAndReplyMethod() throws Exception {
        Reply reply = handle(ServiceHandler.of(TwoMethods::new), Request.of("/things", "create"));

        assertEquals(201, reply.status());
        assertEquals("made /things", reply.message());
        assertEquals("created", reply.method());
        assertEquals(Map.of("location", "/things/1"), reply.headers());
        assertEquals(1, reply.body().json().get("id").asInt());
    }

    @Test
    void of_everyCall_getsAFreshInstance() throws Exception {
        AtomicInteger made = new AtomicInteger();
        Handler h = ServiceHandler.of(() -> {
            made.incrementAndGet();
            return new Counter();
        });

        Reply first = handle(h, Request.of("/c", "request"));
        Reply second = handle(h, Request.of("/c", "request"));

        assertEquals(2, made.get());
        assertEquals(1, first.body().json().get("calls").asInt());
        assertEquals(1, second.body().json().get("calls").asInt(), "no state leaks between calls");
        assertEquals(1, second.body().json().get("requestId").asLong(), "Call.of uses request id 1");
    }

    @Test
    void of_factoryReturnsNullOrIsNull_failsClearly() {
        IllegalStateException x = assertThrows(IllegalStateException.class,
                () -> handle(ServiceHandler.of(() -> null), Request.of("/c", "request")));
        NullPointerException n = assertThrows(NullPointerException.class, () -> ServiceHandler.of(null));

        assertEquals("handler factory returned null", x.getMessage());
        assertEquals("factory", n.getMessage());
    }

    @Test
    void setStatus_outOfRange_throwsIllegalArgument() {
        Handler h = ServiceHandler.of(() -> new ServiceHandler() {
            @Override
            protected Reply request() {
                setStatus(99, "too low");
                return render();
            }
        });

        IllegalArgumentException x = assertThrows(IllegalArgumentException.class,
                () -> handle(h, Request.of("/c", "request")));

        assertEquals("status must be in 100..999 but was 99", x.getMessage());
    }

    @Test
    void render_unsetStatus_defaultsTo200OkWithEmptyObject() throws Exception {
        Reply reply = handle(ServiceHandler.of(() -> new ServiceHandler() {
            @Override
            protected Reply request() {
                return render();
            }
        }), Request.of("/c", "request"));

        assertEquals(200, reply.status());
        assertEquals("OK", reply.message());
        assertEquals("{}", reply.body().text());
    }

    @Test
    void callOf_request_hasNoDeadlineAndIsNotCancelled() {
        Request r = Request.json("/p", "request", Map.of("a", 1)).withHeader("h", "v");

        Call call = Call.of(r);

        assertSame(r, call.request());
        assertEquals("/p", call.path());
        assertEquals("request", call.method());
        assertEquals(Map.of("h", "v"), call.headers());
        assertEquals(1, call.json().get("a").asInt());
        assertEquals(1, call.requestId());
        assertEquals(32, call.clientId().length(), "hex of a 16-byte id");
        assertFalse(call.hasDeadline());
        assertEquals(ChronoUnit.FOREVER.getDuration(), call.timeLeft());
        assertFalse(call.isCancelled());
        call.throwIfCancelled();
    }

    @Test
    void throwIfCancelled_afterCancel_throws499() {
        Call call = Call.of(Request.of("/p", "request"));

        call.cancel();

        assertTrue(call.isCancelled());
        CancelledException x = assertThrows(CancelledException.class, call::throwIfCancelled);
        assertEquals(Status.CANCELLED, x.status());
        assertEquals("request /p (id 1) was cancelled", x.getMessage());
    }
}
