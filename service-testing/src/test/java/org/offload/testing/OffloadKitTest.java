package org.offload.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.offload.client.ServiceClient;
import org.offload.service.Reply;
import org.offload.service.Request;
import org.offload.service.ServiceDefinition;
import org.offload.service.ServiceException;
import org.offload.service.ServiceUnavailableException;

/** The kit starts services from handlers or a definition, on tcp or inproc, with a client that is ready. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OffloadKitTest {
    @RegisterExtension
    final OffloadKit kit = new OffloadKit();

    private static Request echo(int n) {
        return Request.json("/echo", "request", Map.of("n", n));
    }

    @Test
    void service_fromHandlers_onLoopbackAndReady() {
        TestService echo = kit.service("echo").route("^/echo$", "request", new KitHandlers.Echo()).start();

        assertTrue(echo.pullAddress().startsWith("tcp://127.0.0.1:"), echo.pullAddress());
        assertNotEquals(echo.pullAddress(), echo.pubAddress());
        assertTrue(echo.client().awaitReady("echo", Duration.ofMillis(1)), "ready once start() returned");
        Reply reply = echo.call(echo(7));
        assertEquals(7, reply.body().json().get("echo").get("n").asInt());
        assertEquals(0, echo.server().stats().unauthorized());
    }

    @Test
    void service_fromDefinition_itsRoutesOnTheKitsPortsAndPassphrase() {
        TestService svc = kit.service(ServiceDefinition.resource("kit-echo.service")).start();

        assertEquals("kit-echo", svc.name());
        assertTrue(svc.pullAddress().startsWith("tcp://127.0.0.1:"), svc.pullAddress());
        assertFalse(svc.pullAddress().endsWith(":1"), "the file's addresses are not used");
        assertEquals(3, svc.call(echo(3)).body().json().get("echo").get("n").asInt());

        svc.faults().on("^/echo$").next(1).answer(500);
        assertEquals(500, assertThrows(ServiceException.class, () -> svc.call(echo(4))).status());
        assertEquals(5, svc.call(echo(5)).body().json().get("echo").get("n").asInt());
    }

    @Test
    void service_inproc_boundInThisJvmAndFaultsWork() {
        TestService svc = kit.service("in-jvm").inproc().route("^/echo$", "request", new KitHandlers.Echo()).start();

        assertTrue(svc.pullAddress().startsWith("inproc://offload-kit-"), svc.pullAddress());
        assertEquals(1, svc.call(echo(1)).body().json().get("echo").get("n").asInt());
        svc.faults().onAny().next(1).answer(503);
        assertThrows(ServiceUnavailableException.class, () -> svc.call(echo(2)));
    }

    @Test
    void service_twoInOneKit_sharedClientEachServiceItsOwnFaults() {
        TestService a = kit.service("a").route("^/echo$", "request", new KitHandlers.Echo()).start();
        TestService b = kit.service("b").inproc().route("^/echo$", "request", new KitHandlers.Echo()).start();
        a.faults().onAny().answer(503);

        assertEquals(kit.client(), a.client());
        assertEquals(a.client(), b.client());
        assertThrows(ServiceUnavailableException.class, () -> a.call(echo(1)));
        assertEquals(200, b.call(echo(1)).status());
    }

    @Test
    void registerAs_twoServicesOneName_twoInstancesOfOneService() {
        TestService a = kit.service("a").registerAs("pool").route("^/who$", "request", call -> Reply.json(Map.of("who", "a")))
                .start();
        TestService b = kit.service("b").registerAs("pool").route("^/who$", "request", call -> Reply.json(Map.of("who", "b")))
                .start();

        assertEquals("pool", a.name());
        assertEquals(a.ref(), b.ref());
        assertEquals(java.util.List.of(a.pullAddress(), b.pullAddress()), a.ref().instances());
        // start() waits for the service to have an instance in the rotation, not for each instance
        java.util.Set<String> seen = java.util.concurrent.ConcurrentHashMap.newKeySet();
        org.awaitility.Awaitility.await().atMost(OffloadKit.DEFAULT_READY_TIMEOUT).until(() -> {
            seen.add(a.call(Request.of("/who", "request")).body().json().get("who").asText());
            return seen.size() == 2;
        });
        b.faults().onAny().answer(500, "b is broken");
        assertEquals(500, org.awaitility.Awaitility.await().atMost(OffloadKit.DEFAULT_READY_TIMEOUT).until(
                () -> callStatus(a), status -> status == 500), "b's fault reaches calls through the shared name");
    }

    private static int callStatus(TestService svc) {
        try {
            return svc.call(Request.of("/who", "request")).status();
        } catch (ServiceException e) {
            return e.status();
        }
    }

    @Test
    void faults_setBeforeStart_actOnTheFirstCall() {
        TestService.Builder builder = kit.service("early").route("^/echo$", "request", new KitHandlers.Echo());
        builder.faults().onAny().next(1).answer(502);
        TestService svc = builder.start();

        assertEquals(502, assertThrows(ServiceException.class, () -> svc.call(echo(1))).status());
        assertEquals(200, svc.call(echo(2)).status());
    }

    @Test
    void newClient_ownClient_reachesTheServiceWithTheKitsPassphrase() {
        TestService svc = kit.service("shared").route("^/echo$", "request", new KitHandlers.Echo()).start();
        ServiceClient mine = kit.newClient("mine");
        mine.register("shared", svc.pullAddress(), svc.pubAddress(), kit.passphrase());

        assertTrue(mine.awaitReady("shared", OffloadKit.DEFAULT_READY_TIMEOUT));
        assertEquals(200, mine.call("shared", echo(1)).status());
    }

    @Test
    void builder_options_appliedAndChecked() {
        try (OffloadKit own = OffloadKit.builder().deadline(Duration.ofSeconds(9))
                .client(b -> b.maxPendingCalls(10)).build()) {
            TestService svc = own.service("opts").workers(3).configure(b -> b.exposeErrorDetails(true))
                    .route("^/boom$", "request", call -> { throw new IllegalStateException("boom"); }).start();
            ServiceException e = assertThrows(ServiceException.class, () -> svc.call(Request.of("/boom", "request")));
            assertEquals(500, e.status());
            assertTrue(e.getMessage().contains("IllegalStateException: boom"), e.getMessage());
        }
        assertEquals("readyTimeout must be > 0 but was 0 ms", assertThrows(IllegalArgumentException.class,
                () -> OffloadKit.builder().readyTimeout(Duration.ZERO)).getMessage());
        TestService.Builder started = kit.service("once").route("^/echo$", "request", new KitHandlers.Echo());
        started.start();
        assertThrows(IllegalStateException.class, started::start);
    }

    @Test
    void close_twice_idempotentAndKitUsableAgain() {
        TestService first = kit.service("again").route("^/echo$", "request", new KitHandlers.Echo()).start();
        kit.close();
        kit.close();
        assertFalse(first.server().isRunning());

        TestService second = kit.service("again").route("^/echo$", "request", new KitHandlers.Echo()).start();
        assertEquals(200, second.call(echo(1)).status());
        assertNotEquals(first.client(), second.client());
    }
}
