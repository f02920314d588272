package org.offload.client;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.offload.client.Fixtures.failureOf;
import static org.offload.client.Fixtures.json;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.offload.service.Reply;
import org.offload.service.Request;
import org.offload.service.ServiceServer;
import org.offload.service.Status;
import org.offload.service.UnauthorizedException;

/** Acceptance 3: a wrong passphrase is refused fast, counted, runs nothing, and does not disturb others. */
class AuthenticationTest {
    private static final Duration DEADLINE = Duration.ofSeconds(5);
    /** "Quickly": well under the deadline, with room for a loaded 2-core machine. */
    private static final Duration QUICKLY = Duration.ofMillis(2_500);

    @RegisterExtension
    final Fixtures fx = new Fixtures();
    private final AtomicInteger handled = new AtomicInteger();

    private ServiceServer countingServer() {
        return fx.server("guarded", b -> b.route("^/count$", "request", call -> {
            handled.incrementAndGet();
            return Reply.json(Map.of("echo", call.json()));
        }));
    }

    private ServiceClient wrongClient(ServiceServer server) {
        ServiceClient wrong = fx.client(ServiceClient.builder().name("intruder").deadline(DEADLINE));
        wrong.register("guarded", server.pullAddress(), server.pubAddress(), "not-the-" + Fixtures.PASSPHRASE);
        return wrong;
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void call_wrongPassphraseAfterWarmup_throwsUnauthorizedWellBeforeDeadline() {
        ServiceServer server = countingServer();
        ServiceClient good = fx.clientFor(server);
        ServiceClient wrong = wrongClient(server);
        // let the intruder's SUB connection become live first: this test is about the 401 path itself
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                .until(() -> wrong.callAsync("guarded", Request.of("/count", "request"), Duration.ofMillis(500))
                        .handle((r, e) -> e != null && e.getCause() instanceof UnauthorizedException
                                || e instanceof UnauthorizedException).get());
        long unauthorizedBefore = server.stats().unauthorized();

        long start = System.nanoTime();
        UnauthorizedException e = assertThrows(UnauthorizedException.class,
                () -> wrong.call("guarded", Request.json("/count", "request", Map.of("n", 1))));
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertEquals(Status.UNAUTHORIZED, e.status());
        assertTrue(took.compareTo(QUICKLY) < 0, "took " + took.toMillis() + " ms of a " + DEADLINE.toMillis()
                + " ms deadline");
        assertTrue(server.stats().unauthorized() > unauthorizedBefore, "stats: " + server.stats());
        assertEquals(0, handled.get(), "no handler may run for an unauthenticated request");
        assertEquals(7, json(good.call("guarded", Request.json("/count", "request", Map.of("n", 7))))
                .at("/echo/n").asInt());
        assertEquals(1, handled.get());
    }

    /**
     * The guarantee without warm-up: the intruder's very first request, sent right after register. The
     * service answers 401 only to clients whose subscription it has already seen, so this can race the
     * subscription; it must still fail typed and fast (not wait for the deadline).
     */
    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void call_wrongPassphraseFirstRequest_throwsUnauthorizedWellBeforeDeadline() {
        ServiceServer server = countingServer();
        ServiceClient good = fx.clientFor(server);
        assertEquals(1, json(good.call("guarded", Request.json("/count", "request", Map.of("n", 1))))
                .at("/echo/n").asInt());

        for (int attempt = 0; attempt < 5; attempt++) {
            ServiceClient wrong = wrongClient(server);
            long start = System.nanoTime();
            var future = wrong.callAsync("guarded", Request.json("/count", "request", Map.of("n", 2)), DEADLINE);
            UnauthorizedException e = failureOf(future, UnauthorizedException.class, DEADLINE.plusSeconds(2));
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertEquals(Status.UNAUTHORIZED, e.status());
            assertTrue(took.compareTo(QUICKLY) < 0, "attempt " + attempt + ": took " + took.toMillis() + " ms");
            wrong.close();
        }
        assertEquals(1, handled.get(), "no handler may run for an unauthenticated request");
        assertTrue(server.stats().unauthorized() >= 5, "stats: " + server.stats());
        assertEquals(3, json(good.call("guarded", Request.json("/count", "request", Map.of("n", 3))))
                .at("/echo/n").asInt());
    }
}
