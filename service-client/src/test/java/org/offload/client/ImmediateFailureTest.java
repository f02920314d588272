package org.offload.client;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.offload.service.BusyException;
import org.offload.service.Request;
import org.offload.service.ServiceException;
import org.offload.service.ServiceServer;
import org.offload.service.ServiceUnavailableException;

/**
 * Failures known before anything is sent (no such service, client closed: 503; pending-call limit: 429)
 * are thrown by {@code call} and {@code send} and returned by {@code callAsync} as an already failed future,
 * never thrown (README guarantee 1, PROTOCOL.md section 14). Only invalid arguments throw from all three.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ImmediateFailureTest {
    private static final Request ECHO = Request.json("/echo", "request", Map.of("n", 1));

    @RegisterExtension
    final Fixtures fx = new Fixtures();

    /** The failure of a future that must already be complete: it was refused before anything was sent. */
    private static <T extends ServiceException> T alreadyFailed(CompletableFuture<?> future, Class<T> type) {
        assertTrue(future.isCompletedExceptionally(), "callAsync returned a future that is not already failed");
        return Fixtures.failureOf(future, type, Fixtures.WAIT);
    }

    /** call and send throw {@code type}; callAsync returns it in a failed future. */
    private static <T extends ServiceException> void assertRefusedAtOnce(ServiceClient client, String service,
                                                                         Class<T> type, int status) {
        assertEquals(status, assertThrows(type, () -> client.call(service, ECHO)).status(), "call");
        assertEquals(status, assertThrows(type, () -> client.send(service, ECHO)).status(), "send");
        CompletableFuture<?> future = client.callAsync(service, ECHO); // must not throw
        assertEquals(status, alreadyFailed(future, type).status(), "callAsync");
        assertEquals(status, alreadyFailed(client.callAsync(service, ECHO, Fixtures.DEADLINE), type).status(),
                "callAsync with a deadline");
    }

    @Test
    void refusedAtOnce_unknownService_callAndSendThrow503CallAsyncReturnsAFailedFuture() {
        ServiceClient client = fx.clientFor(fx.echoServer("known"));

        assertRefusedAtOnce(client, "unknown", ServiceUnavailableException.class, 503);
    }

    @Test
    void refusedAtOnce_clientClosed_callAndSendThrow503CallAsyncReturnsAFailedFuture() {
        ServiceServer server = fx.echoServer("known");
        ServiceClient client = fx.clientFor(server);
        client.close();

        assertRefusedAtOnce(client, server.name(), ServiceUnavailableException.class, 503);
    }

    @Test
    void refusedAtOnce_pendingCallLimit_callAndSendThrow429CallAsyncReturnsAFailedFuture() throws Exception {
        Fixtures.Gate gate = fx.gate();
        ServiceServer server = fx.server("gated", b -> b.workers(1).route("^/hold$", "request", gate.handler()));
        ServiceClient client = fx.client(ServiceClient.builder().name("one-pending").maxPendingCalls(1)
                .deadline(Fixtures.DEADLINE));
        client.register("gated", server.pullAddress(), server.pubAddress(), Fixtures.PASSPHRASE);
        CompletableFuture<?> held = client.callAsync("gated", Request.of("/hold", "request"));
        await().atMost(Fixtures.WAIT).until(() -> gate.entered() == 1);

        assertRefusedAtOnce(client, "gated", BusyException.class, 429);
        gate.open();
        held.get(Fixtures.WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Test
    void invalidDeadline_everyStyle_throwsIllegalArgument() {
        ServiceClient client = fx.clientFor(fx.echoServer("known"));
        Function<Duration, Runnable> async = d -> () -> client.callAsync("known", ECHO, d);

        assertThrows(IllegalArgumentException.class, () -> client.call("known", ECHO, Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> async.apply(Duration.ofMillis(-1)).run());
        assertThrows(IllegalArgumentException.class, () -> async.apply(ServiceClient.MAX_DEADLINE.plusMillis(1)).run());
    }
}
