package org.offload.service;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Stopping a service (issue 9, defect 9): handlers are waited for, and a shorter stop shortens the drain. */
@Timeout(value = 60, unit = SECONDS)
class StopRacesTest {
    /** Longer than any test's timeout: a stop that honours it would fail the test. */
    private static final Duration LONG_DRAIN = Duration.ofMinutes(5);

    @RegisterExtension
    final Fixtures fx = new Fixtures();

    @Test
    void close_handlerStillCleaningUpAfterItsInterrupt_returnsOnlyOnceTheHandlerReturned() throws Exception {
        AtomicBoolean returned = new AtomicBoolean();
        Fixtures.Gate entered = fx.gate();
        ServiceServer server = fx.start(Fixtures.builder("cleanup").drainTimeout(Duration.ZERO)
                .route("^/slow$", "request", call -> {
                    try {
                        return entered.handle(call);
                    } finally {
                        long until = System.nanoTime() + Duration.ofMillis(300).toNanos();
                        while (System.nanoTime() - until < 0) {
                            Thread.onSpinWait(); // cleanup work after the interrupt
                        }
                        returned.set(true);
                    }
                }));
        RawPeer peer = fx.subscribedPeer(server);
        peer.send("/slow", "request");
        entered.awaitStarted();

        server.close();

        assertTrue(returned.get(), "close() returned while the handler was still running");
        assertEquals(Status.SERVICE_UNAVAILABLE, peer.reply().status());
    }

    @Test
    void stop_secondCallWithZeroDrain_shortensTheDrainUnderWay() throws Exception {
        Fixtures.Gate gate = fx.gate();
        ServiceServer server = fx.start(Fixtures.builder("shorter").drainTimeout(LONG_DRAIN)
                .route("^/held$", "request", gate));
        RawPeer peer = fx.subscribedPeer(server);
        peer.send("/held", "request");
        gate.awaitStarted();
        CompletableFuture<Void> longStop = CompletableFuture.runAsync(server::close);
        Fixtures.await().until(() -> !server.isRunning());

        server.stop(Duration.ZERO);

        assertTrue(server.awaitTermination(Duration.ofSeconds(30)), "the drain was not shortened");
        assertEquals(Status.SERVICE_UNAVAILABLE, peer.reply().status());
        longStop.get(30, SECONDS);
        assertTrue(gate.interrupted.get(), "the held handler was interrupted");
    }
}
