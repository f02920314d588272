package org.offload.client;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.offload.client.Fixtures.PASSPHRASE;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.offload.service.Request;
import org.offload.service.ServiceServer;
import org.offload.service.ServiceUnavailableException;

/** {@link ServiceClient#awaitReady}: true exactly when an instance answered its liveness ping. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ReadinessTest {
    /** How long a wait that must fail is given: long enough for many pings to an instance that could answer. */
    private static final Duration NOT_READY_WAIT = Duration.ofMillis(800);

    @RegisterExtension
    final Fixtures fx = new Fixtures();

    @Test
    void awaitReady_instanceAnswers_trueAndCallGoesStraightThrough() {
        ServiceServer server = fx.echoServer("ready");
        ServiceClient client = fx.clientFor(server);

        assertTrue(client.awaitReady("ready", Fixtures.WAIT));
        assertTrue(client.service("ready").orElseThrow().awaitReady(Fixtures.WAIT), "ready stays ready");
        assertEquals(200, client.call("ready", Request.of("/echo", "request")).status());
    }

    @Test
    void awaitReady_instanceSilent_falseUntilItAnswers() {
        ServiceServer server = fx.echoServer("silent");
        Tap tap = fx.tap(server.pullAddress());
        tap.cut(true); // pings are dropped: the instance never enters the rotation
        ServiceClient client = fx.client("waiting");
        client.register("svc", tap.address(), server.pubAddress(), PASSPHRASE);

        assertFalse(client.awaitReady("svc", NOT_READY_WAIT));

        tap.cut(false);
        tap.passAll();
        assertTrue(client.awaitReady("svc", Fixtures.WAIT));
        assertNotNull(client.call("svc", Request.of("/echo", "request")));
    }

    @Test
    void awaitReady_senderThreadBusy_readyServiceTrueEvenWithShortTimeout() throws Exception {
        ServiceServer server = fx.echoServer("busy-sender");
        ServiceClient client = fx.clientFor(server);
        assertTrue(client.awaitReady("busy-sender", Fixtures.WAIT));
        CountDownLatch release = new CountDownLatch(1);
        // the sender thread is held, as a loaded machine holds it, past the 1 ms
        client.onSenderThread(() -> Fixtures.awaitOpen(release));

        CompletableFuture<Boolean> answer = new CompletableFuture<>();
        Thread caller = Thread.ofVirtual().start(() -> answer.complete(client.awaitReady("busy-sender",
                Duration.ofMillis(1))));
        await().atMost(Fixtures.WAIT).until(() -> caller.getState() == Thread.State.TIMED_WAITING
                || answer.isDone());
        release.countDown();

        assertTrue(answer.get(Fixtures.WAIT.toMillis(), TimeUnit.MILLISECONDS),
                "the timeout bounds the wait for an instance, not the hop to a busy sender thread");
    }

    @Test
    void awaitReady_unknownServiceOrClosedClient_unavailable() {
        ServiceClient client = fx.client("nobody");
        ServiceUnavailableException unknown = assertThrows(ServiceUnavailableException.class,
                () -> client.awaitReady("missing", Fixtures.WAIT));
        assertTrue(unknown.getMessage().contains("no service named 'missing'"), unknown.getMessage());
        client.close();
        assertThrows(ServiceUnavailableException.class, () -> client.awaitReady("missing", Fixtures.WAIT));
    }

    @Test
    void awaitReady_zeroTimeout_refused() {
        ServiceClient client = fx.client("zero");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> client.awaitReady("x", Duration.ZERO));
        assertTrue(e.getMessage().startsWith("timeout must be > 0"), e.getMessage());
    }
}
