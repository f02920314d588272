package org.offload.micrometer;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.micrometer.core.instrument.LongTaskTimer;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.offload.client.ServiceClient;
import org.offload.service.BusyException;
import org.offload.service.DeadlineExceededException;
import org.offload.service.NotFoundException;
import org.offload.service.Reply;
import org.offload.service.Request;
import org.offload.service.ServiceServer;

/** Call timers on both sides after 200, 404, 429 and 408 outcomes, over real sockets. */
class CallTimersTest {
    private static final String SERVICE = "timed";
    private static final String CLIENT_TIMER = DefaultOffloadClientObservationConvention.NAME;
    private static final String SERVER_TIMER = DefaultOffloadServerObservationConvention.NAME;
    /** Deadline of the call left waiting in the queue: long enough that a stalled sender still sends it. */
    private static final Duration QUEUED_DEADLINE = Duration.ofSeconds(2);
    /** Past the queued call's deadline on the service's clock, rounding included. */
    private static final long MARGIN_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    @RegisterExtension
    final Fixtures fx = new Fixtures();

    @Test
    @Timeout(60)
    void timers_afterOkNotFoundBusyAndDeadlineOutcomes_countEachByRouteAndStatusOnBothSides() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger entered = new AtomicInteger();
        OffloadServerObserver observer = OffloadObservations.server(fx.observations);
        // one worker and a queue of one: a held call, a queued call, then a full queue (429)
        ServiceServer server = fx.server(SERVICE, observer, b -> b.workers(1).queueCapacity(1)
                .route("^/hold$", "request", fx.blocking(release, entered)));
        ServiceClient client = fx.clientFor(server);

        client.call(SERVICE, Request.json("/echo", "request", Map.of("n", 1)));
        client.call(SERVICE, Request.json("/echo", "request", Map.of("n", 2)));
        assertThrows(NotFoundException.class, () -> client.call(SERVICE, Request.of("/missing", "request")));

        CompletableFuture<Reply> held = client.callAsync(SERVICE, Request.of("/hold", "request"));
        await().atMost(Fixtures.WAIT).until(() -> entered.get() == 1);
        // sent in this order on one PUSH socket: the first waits in the queue, the second finds it full
        CompletableFuture<Reply> queued = client.callAsync(SERVICE, Request.of("/hold", "request"), QUEUED_DEADLINE);
        CompletableFuture<Reply> refused = client.callAsync(SERVICE, Request.of("/hold", "request"));
        assertInstanceOf(BusyException.class, failure(refused));
        await().atMost(Fixtures.WAIT).until(() -> observer.queued() == 1);
        long seenQueued = System.nanoTime(); // after the service took its deadline: receipt + what was left of 2 s
        assertInstanceOf(DeadlineExceededException.class, failure(queued));
        // the service's deadline for it may end a little after the client's: free the worker only once it has
        await().atMost(Fixtures.WAIT).until(() -> System.nanoTime() - seenQueued > QUEUED_DEADLINE.toNanos() + MARGIN_NANOS);
        release.countDown();
        held.get(Fixtures.WAIT.toSeconds(), TimeUnit.SECONDS);

        // the client ends its observation before the caller sees the outcome: no waiting needed there
        assertEquals(2, clientCount("/echo", 200));
        assertEquals(1, clientCount("/missing", 404));
        assertEquals(1, clientCount("/hold", 200));
        assertEquals(1, clientCount("/hold", 429));
        assertEquals(1, clientCount("/hold", 408));
        assertEquals(6, totalCount(CLIENT_TIMER));

        // the service ends the queued call's observation when a worker finds its deadline passed (no reply)
        await().atMost(Fixtures.WAIT).until(() -> totalCount(SERVER_TIMER) == 6);
        assertEquals(2, serverCount("^/echo$", 200));
        assertEquals(1, serverCount(OffloadTags.NONE, 404));
        assertEquals(1, serverCount("^/hold$", 200));
        assertEquals(1, serverCount("^/hold$", 429));
        assertEquals(1, serverCount("^/hold$", 408));
        assertEquals(0, observer.queued());
        await().atMost(Fixtures.WAIT).until(() -> activeTasks(SERVER_TIMER) == 0);
        assertEquals(0, activeTasks(CLIENT_TIMER));
    }

    @Test
    @Timeout(30)
    void timers_successfulCall_tagsFollowRpcConventions() {
        ServiceServer server = fx.server(SERVICE, OffloadObservations.server(fx.observations), b -> b);
        ServiceClient client = fx.clientFor(server);

        client.call(SERVICE, Request.json("/echo", "request", Map.of("n", 1)));

        Timer clientTimer = fx.meters.get(CLIENT_TIMER).timer();
        assertEquals(Tags.of("rpc.system", "offload", "rpc.service", SERVICE, "rpc.method", "request",
                "offload.path", "/echo", "rpc.offload.status_code", "200", "error", "none"),
                Tags.of(clientTimer.getId().getTags()));
        await().atMost(Fixtures.WAIT).until(() -> totalCount(SERVER_TIMER) == 1);
        Timer serverTimer = fx.meters.get(SERVER_TIMER).timer();
        assertEquals(Tags.of("rpc.system", "offload", "rpc.service", SERVICE, "rpc.method", "request",
                "offload.route", "^/echo$", "rpc.offload.status_code", "200", "error", "none"),
                Tags.of(serverTimer.getId().getTags()));
        assertEquals(1, clientTimer.count());
    }

    private long clientCount(String path, int status) {
        return count(CLIENT_TIMER, Tag.of(OffloadTags.PATH, path), status);
    }

    private long serverCount(String route, int status) {
        return count(SERVER_TIMER, Tag.of(OffloadTags.ROUTE, route), status);
    }

    private long count(String name, Tag where, int status) {
        Timer t = fx.meters.find(name).tags(Tags.of(where).and(OffloadTags.SERVICE, SERVICE)
                .and(OffloadTags.SYSTEM, "offload").and(OffloadTags.METHOD, "request")
                .and(OffloadTags.STATUS_CODE, Integer.toString(status))).timer();
        return t == null ? 0 : t.count();
    }

    private long totalCount(String name) {
        return fx.meters.find(name).timers().stream().mapToLong(Timer::count).sum();
    }

    private int activeTasks(String name) {
        return fx.meters.find(name + ".active").longTaskTimers().stream().mapToInt(LongTaskTimer::activeTasks).sum();
    }

    private static Throwable failure(CompletableFuture<Reply> future) throws Exception {
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> future.get(Fixtures.WAIT.toSeconds(), TimeUnit.SECONDS));
        return e.getCause();
    }
}
