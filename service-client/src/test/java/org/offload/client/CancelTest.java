package org.offload.client;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.offload.service.CancelledException;
import org.offload.service.Reply;
import org.offload.service.Request;
import org.offload.service.ServiceServer;
import org.offload.service.Status;

/** The client's cancellable call (the task layer's base): interim "started", then cancel reaches the worker. */
class CancelTest {

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void start_cancelAfterStarted_handlerStopsAndCallFailsCancelled() throws Exception {
        AtomicInteger ticks = new AtomicInteger();
        try (Fixtures f = new Fixtures()) {
            ServiceServer server = f.server("spinner", b -> b.route("^/spin$", "request", call -> {
                while (!call.isCancelled()) {   // an observable side effect until cancelled
                    ticks.incrementAndGet();
                    Thread.onSpinWait();
                }
                return Reply.json(Map.of("finished", true));
            }));
            ServiceClient client = f.clientFor(server);
            List<Reply> interim = new CopyOnWriteArrayList<>();

            ServiceClient.CallHandle handle = client.start("spinner", Request.of("/spin", "request"),
                    Duration.ofSeconds(60), interim::add);
            await().atMost(Fixtures.WAIT).until(() -> !interim.isEmpty() && ticks.get() > 0);
            handle.cancel().run();

            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> handle.future().get(Fixtures.WAIT.toMillis(), TimeUnit.MILLISECONDS));
            CancelledException cancelled = assertInstanceOf(CancelledException.class, e.getCause());
            assertEquals(Status.CANCELLED, cancelled.status());
            assertEquals(Status.STARTED, interim.get(0).status());
            int stoppedAt = ticks.get();
            await().during(200, TimeUnit.MILLISECONDS).atMost(Fixtures.WAIT).until(() -> ticks.get() == stoppedAt);
            assertEquals(1, server.stats().cancelled());
        }
    }
}
