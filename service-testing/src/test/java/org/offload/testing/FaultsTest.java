package org.offload.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.offload.service.DeadlineExceededException;
import org.offload.service.Reply;
import org.offload.service.Request;
import org.offload.service.ServiceException;
import org.offload.service.ServiceUnavailableException;

/** Each fault does what it says, over the service's real sockets. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FaultsTest {
    private static final Duration DELAY = Duration.ofMillis(200);
    /** A dropped call's deadline: what the test waits for, so short, but far above a loopback round trip. */
    private static final Duration DROP_DEADLINE = Duration.ofMillis(700);

    @RegisterExtension
    final OffloadKit kit = new OffloadKit();

    private final KitHandlers.Counting x = new KitHandlers.Counting();
    private final KitHandlers.Counting y = new KitHandlers.Counting();

    private TestService start() {
        return kit.service("faulty").workers(4).route("^/x$", "request", x).route("^/x$", "get", x)
                .route("^/y$", "request", y).start();
    }

    private static int ran(Reply reply) {
        return reply.body().json().get("ran").asInt();
    }

    @Test
    void answer_nextTwoCalls_theyGetTheStatusThenTheHandlerAnswers() {
        TestService svc = start();
        Fault fault = svc.faults().on("^/x$").next(2).answer(503);

        for (int i = 0; i < 2; i++) {
            ServiceUnavailableException e = assertThrows(ServiceUnavailableException.class,
                    () -> svc.call(Request.of("/x", "request")));
            assertEquals(503, e.status());
            assertTrue(e.getMessage().contains("injected fault"), e.getMessage());
        }
        assertEquals(1, ran(svc.call(Request.of("/y", "request"))), "another route is not affected");
        assertEquals(1, ran(svc.call(Request.of("/x", "request"))), "the third call runs the handler");
        assertEquals(2, fault.applied());
        assertFalse(fault.isActive());
        assertEquals(1, x.ran());
    }

    @Test
    void answer_ownStatusAndMessage_typedExceptionCarriesThem() {
        TestService svc = start();
        svc.faults().onAny().next(1).answer(429, "slow down");

        ServiceException e = assertThrows(ServiceException.class, () -> svc.call(Request.of("/y", "request")));
        assertEquals(429, e.status());
        assertTrue(e.getMessage().contains("slow down"), e.getMessage());
        assertEquals(0, y.ran());
    }

    @Test
    void delay_everyCall_eachReplyComesNoSoonerAndTheHandlerRuns() {
        TestService svc = start();
        Fault fault = svc.faults().on("^/y$").delay(DELAY);

        for (int i = 1; i <= 3; i++) {
            long start = System.nanoTime();
            assertEquals(i, ran(svc.call(Request.of("/y", "request"))));
            assertTrue(System.nanoTime() - start >= DELAY.toNanos(), "call " + i + " was not delayed");
        }
        svc.call(Request.of("/x", "request"));
        assertEquals(3, fault.applied(), "only the calls to /y");
        assertTrue(fault.isActive(), "an every-call fault stays until removed");

        fault.remove();
        assertEquals(4, ran(svc.call(Request.of("/y", "request"))));
        assertEquals(3, fault.applied());
        assertTrue(svc.faults().rules().isEmpty());
    }

    @Test
    void drop_nextCall_noReplyBeforeItsDeadlineAndTheHandlerNeverRuns() {
        TestService svc = start();
        Fault fault = svc.faults().onAny().next(1).drop();

        assertThrows(DeadlineExceededException.class, () -> svc.ref().call(Request.of("/x", "request"), DROP_DEADLINE));
        assertEquals(1, ran(svc.call(Request.of("/x", "request"))), "the next call is served");
        // the served call's job ends just after its reply: then only the dropped one is left in flight
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(15))
                .until(() -> svc.server().stats().inFlight() == 1);
        assertEquals(1, svc.server().stats().inFlight(), "the dropped call is still held, never answered");
        assertEquals(1, fault.applied());
        assertEquals(1, x.ran());
    }

    @Test
    void method_onlyThatMethod_othersPass() {
        TestService svc = start();
        Fault fault = svc.faults().on("^/x$").method("get").answer(500);

        assertEquals(1, ran(svc.call(Request.of("/x", "request"))));
        assertEquals(500, assertThrows(ServiceException.class, () -> svc.call(Request.of("/x", "get"))).status());
        assertEquals(1, fault.applied());
    }

    @Test
    void rules_firstMatchingWithCallsLeft_actsAlone() {
        TestService svc = start();
        Fault first = svc.faults().on("^/x").next(1).answer(502);
        Fault second = svc.faults().onAny().next(1).answer(504);

        assertEquals(502, assertThrows(ServiceException.class, () -> svc.call(Request.of("/x", "request"))).status());
        assertEquals(504, assertThrows(ServiceException.class, () -> svc.call(Request.of("/x", "request"))).status());
        assertEquals(1, ran(svc.call(Request.of("/x", "request"))));
        assertEquals(1, first.applied());
        assertEquals(1, second.applied());

        svc.faults().onAny().answer(500);
        svc.faults().clear();
        assertEquals(2, ran(svc.call(Request.of("/x", "request"))));
    }

    @Test
    void close_droppedCallInFlight_releasedAndEverythingClosedBeforeItsDeadline() throws Exception {
        TestService svc = start();
        svc.faults().onAny().drop();
        CompletableFuture<Reply> held = svc.ref().callAsync(Request.of("/x", "request"), Duration.ofSeconds(40));
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> svc.server().stats().inFlight() == 1);

        long start = System.nanoTime();
        kit.close();
        long closeNanos = System.nanoTime() - start;

        ExecutionException e = assertThrows(ExecutionException.class, () -> held.get(15, TimeUnit.SECONDS));
        assertTrue(e.getCause() instanceof ServiceUnavailableException, e.getCause().toString());
        assertFalse(svc.server().isRunning());
        assertTrue(closeNanos < Duration.ofSeconds(20).toNanos(), "close waited for the drop: " + closeNanos + " ns");
        assertEquals(0, x.ran());
    }

    @Test
    void rules_invalid_refusedWithPreciseMessages() {
        Faults faults = kit.service("unused").faults();
        assertEquals("status must be an error status, 400..599, but was 200",
                assertThrows(IllegalArgumentException.class, () -> faults.onAny().answer(200)).getMessage());
        assertEquals("calls must be > 0 but was 0",
                assertThrows(IllegalArgumentException.class, () -> faults.onAny().next(0)).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> faults.onAny().delay(Duration.ZERO))
                .getMessage().startsWith("delay must be > 0"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> faults.on("(")).getMessage()
                .startsWith("pathRegex '(' is not a valid regex"));
        assertTrue(faults.rules().isEmpty());
    }
}
