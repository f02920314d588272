package org.offload.micrometer;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import java.lang.reflect.RecordComponent;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.offload.client.ClientStats;
import org.offload.client.ServiceClient;
import org.offload.service.NotFoundException;
import org.offload.service.Reply;
import org.offload.service.Request;
import org.offload.service.ServerStats;
import org.offload.service.ServiceServer;

/** The MeterBinders: a meter for every ServerStats and ClientStats field, reading the live values. */
class StatsMetersTest {
    private static final String SERVICE = "counted";

    @RegisterExtension
    final Fixtures fx = new Fixtures();

    @Test
    @Timeout(30)
    void serverMetrics_afterCallsAndA404_everyStatsFieldHasAMeterWithItsValue() {
        OffloadServerObserver observer = OffloadObservations.server(fx.observations);
        ServiceServer server = fx.server(SERVICE, observer, b -> b);
        ServiceClient client = fx.clientFor(server);
        new OffloadServerMetrics(server, observer).bindTo(fx.meters);

        client.call(SERVICE, Request.json("/echo", "request", Map.of("n", 1)));
        client.call(SERVICE, Request.json("/echo", "request", Map.of("n", 2)));
        assertThrows(NotFoundException.class, () -> client.call(SERVICE, Request.of("/missing", "request")));
        await().atMost(Fixtures.WAIT).until(() -> server.stats().replied() == 3 && server.stats().inFlight() == 0);

        ServerStats stats = server.stats();
        Tags tags = Tags.of("rpc.system", "offload", "rpc.service", SERVICE);
        assertEveryComponentMetered(stats, OffloadServerMetrics.PREFIX, tags);
        assertEquals(3.0, value(OffloadServerMetrics.PREFIX + "received", tags));
        assertEquals(1.0, value(OffloadServerMetrics.PREFIX + "not_found", tags));
        assertEquals(0.0, value(OffloadServerMetrics.PREFIX + "queued", tags));
    }

    @Test
    @Timeout(30)
    void clientMetrics_afterCalls_everyStatsFieldHasAMeterWithItsValue() {
        ServiceServer server = fx.server(SERVICE, OffloadObservations.server(fx.observations), b -> b);
        ServiceClient client = fx.clientFor(server);
        new OffloadClientMetrics(client).bindTo(fx.meters);

        client.call(SERVICE, Request.json("/echo", "request", Map.of("n", 1)));
        assertThrows(NotFoundException.class, () -> client.call(SERVICE, Request.of("/missing", "request")));

        Tags tags = Tags.of("rpc.system", "offload", "offload.client", client.name());
        assertEveryComponentMetered(client.stats(), OffloadClientMetrics.PREFIX, tags);
        assertEquals(2.0, value(OffloadClientMetrics.PREFIX + "replies", tags));
        assertEquals(0.0, value(OffloadClientMetrics.PREFIX + "pending", tags));
    }

    @Test
    @Timeout(30)
    void queuedGauge_callWaitingForTheOnlyWorker_readsOneUntilItRuns() {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger entered = new AtomicInteger();
        OffloadServerObserver observer = OffloadObservations.server(fx.observations);
        ServiceServer server = fx.server(SERVICE, observer, b -> b.workers(1)
                .route("^/hold$", "request", fx.blocking(release, entered)));
        ServiceClient client = fx.clientFor(server);
        new OffloadServerMetrics(server, observer).bindTo(fx.meters);
        Tags tags = Tags.of("rpc.system", "offload", "rpc.service", SERVICE);

        CompletableFuture<Reply> first = client.callAsync(SERVICE, Request.of("/hold", "request"));
        await().atMost(Fixtures.WAIT).until(() -> entered.get() == 1);
        CompletableFuture<Reply> second = client.callAsync(SERVICE, Request.of("/hold", "request"));
        await().atMost(Fixtures.WAIT).until(() -> value(OffloadServerMetrics.PREFIX + "queued", tags) == 1.0);
        assertEquals(2.0, value(OffloadServerMetrics.PREFIX + "in_flight", tags));

        release.countDown();
        first.join();
        second.join();
        await().atMost(Fixtures.WAIT).until(() -> value(OffloadServerMetrics.PREFIX + "queued", tags) == 0.0);
        assertEquals(2, entered.get());
    }

    private void assertEveryComponentMetered(Record stats, String prefix, Tags tags) {
        for (RecordComponent c : stats.getClass().getRecordComponents()) {
            String name = prefix + StatsMeters.snake(c.getName());
            Meter meter = fx.meters.find(name).tags(tags).meter();
            assertNotNull(meter, "no meter " + name + " for " + stats.getClass().getSimpleName() + "." + c.getName());
            double expected;
            try {
                expected = ((Number) c.getAccessor().invoke(stats)).doubleValue();
            } catch (ReflectiveOperationException e) {
                throw new AssertionError(e);
            }
            assertEquals(expected, meter.measure().iterator().next().getValue(), name);
        }
    }

    private double value(String name, Tags tags) {
        Meter meter = fx.meters.find(name).tags(tags).meter();
        assertNotNull(meter, "no meter " + name);
        return meter.measure().iterator().next().getValue();
    }
}
