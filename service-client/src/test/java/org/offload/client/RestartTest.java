package org.offload.client;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.offload.client.Fixtures.json;

import java.time.Duration;
import java.util.List;
import java.util.Map;
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
import org.offload.service.ServiceServer;
import org.offload.service.ServiceUnavailableException;

/** Acceptance 4: a stopped service fails calls typed within their deadline; a restart on the same ports heals. */
class RestartTest {
    /** Deadline of the calls made while the service is down. */
    private static final Duration SHORT = Duration.ofMillis(500);
    /**
     * How late after its deadline a call to a stopped service may end: generous for a loaded machine, yet
     * far below {@link #CLOSE_TIMEOUT}, so a call that ends in time was ended by the client's deadline and
     * not by call()'s fallback wait (deadline plus close timeout) for a sender that missed it.
     */
    private static final Duration SLACK = Duration.ofSeconds(5);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);
    /** Deadline of the calls to a pair with one stopped instance: a call lost to it would end with it. */
    private static final Duration FAILOVER_DEADLINE = Duration.ofSeconds(5);
    /** How long a restarted service may take until the client's calls reach it again. */
    private static final Duration HEAL = Duration.ofSeconds(30);

    @RegisterExtension
    final Fixtures fx = new Fixtures();

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void call_serviceStoppedThenRestartedOnSameAddresses_failsTypedInTimeThenSucceedsWithSameClient()
            throws Exception {
        ServiceServer first = fx.echoServer("phoenix");
        String pull = first.pullAddress();
        String pub = first.pubAddress();
        ServiceClient client = fx.client(ServiceClient.builder().name("phoenix-client").deadline(Fixtures.DEADLINE)
                .closeTimeout(CLOSE_TIMEOUT));
        client.register("phoenix", pull, pub, Fixtures.PASSPHRASE);
        assertEquals("before", echo(client, "before", Fixtures.DEADLINE));

        first.close();

        // several calls while it is down: each ends typed, by its deadline (+ slack), never hangs
        for (int i = 0; i < 3; i++) {
            long start = System.nanoTime();
            ServiceException e = syncFailure(client, "down-" + i);
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertTrue(e instanceof ServiceUnavailableException || e instanceof DeadlineExceededException,
                    "unexpected failure type: " + e);
            assertTrue(took.compareTo(SHORT.plus(SLACK)) <= 0, "call " + i + " took " + took.toMillis() + " ms");
        }
        long start = System.nanoTime();
        CompletableFuture<Reply> async = client.callAsync("phoenix",
                Request.json("/echo", "request", Map.of("v", "down-async")), SHORT);
        ServiceException asyncFailure = assertFailsTyped(async, SHORT.plus(SLACK).plusSeconds(1));
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertTrue(asyncFailure instanceof ServiceUnavailableException
                || asyncFailure instanceof DeadlineExceededException, "unexpected failure type: " + asyncFailure);
        assertTrue(took.compareTo(SHORT.plus(SLACK)) <= 0, "async call took " + took.toMillis() + " ms");

        ServiceServer second = fx.server("phoenix", pull, pub, b -> b);
        assertEquals(pull, second.pullAddress());
        assertEquals(pub, second.pubAddress());

        await().atMost(HEAL).pollInterval(Duration.ofMillis(100))
                .ignoreExceptionsInstanceOf(ServiceException.class)
                .until(() -> "retry".equals(echo(client, "retry", SHORT)));
        // healed for good: a burst of calls all succeed with their own answers
        for (int i = 0; i < 20; i++) {
            assertEquals("after-" + i, echo(client, "after-" + i, Fixtures.DEADLINE));
        }
        assertTrue(second.stats().received() >= 21, "stats: " + second.stats());
        assertEquals(List.of(pull), client.service("phoenix").orElseThrow().instances());
    }

    /**
     * A stopped instance must not look writable (JeroMQ's setImmediate is the inverse of libzmq's
     * ZMQ_IMMEDIATE: the client needs {@code setImmediate(false)}), so every call goes to the live one.
     */
    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void call_oneOfTwoInstancesStopped_everyCallIsServedByTheLiveInstance() {
        ServiceServer live = fx.echoServer("live");
        ServiceServer doomed = fx.echoServer("doomed");
        ServiceClient client = fx.client("failover");
        client.register("pair", live.pullAddress(), live.pubAddress(), Fixtures.PASSPHRASE);
        client.register("pair", doomed.pullAddress(), doomed.pubAddress(), Fixtures.PASSPHRASE);
        await().atMost(HEAL).until(() -> {
            pairEcho(client, "warm", Fixtures.DEADLINE);
            return live.stats().received() > 0 && doomed.stats().received() > 0;
        });

        doomed.close();

        List<String> failures = new java.util.ArrayList<>();
        for (int i = 0; i < 6; i++) {
            try {
                assertEquals("after-" + i, pairEcho(client, "after-" + i, FAILOVER_DEADLINE));
            } catch (ServiceException e) {
                failures.add(e.getClass().getSimpleName() + ": " + e.getMessage());
            }
        }
        assertEquals(List.of(), failures, "calls lost to the stopped instance");
    }

    /**
     * Calls made while the only instance is down must not wait in a dead pipe and run after it comes back,
     * when their callers have already been told they failed.
     */
    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void call_failedWhileServiceWasDown_isNotExecutedAfterRestart() {
        ServiceServer first = fx.echoServer("phoenix");
        String pull = first.pullAddress();
        String pub = first.pubAddress();
        ServiceClient client = fx.clientFor(first);
        assertEquals("before", echo(client, "before", Fixtures.DEADLINE));
        first.close();
        for (int i = 0; i < 3; i++) {
            Request r = Request.json("/record", "request", Map.of("v", "down-" + i));
            assertThrows(ServiceException.class, () -> client.call("phoenix", r, SHORT));
        }

        List<String> executed = new java.util.concurrent.CopyOnWriteArrayList<>();
        fx.server("phoenix", pull, pub, b -> b.route("^/record$", "request", call -> {
            executed.add(call.json().at("/v").asText());
            return Reply.json(Map.of("v", call.json().at("/v").asText()));
        }));
        await().atMost(HEAL).pollInterval(Duration.ofMillis(100))
                .ignoreExceptionsInstanceOf(ServiceException.class)
                .until(() -> "probe".equals(json(client.call("phoenix",
                        Request.json("/record", "request", Map.of("v", "probe")), SHORT)).at("/v").asText()));

        assertEquals(List.of(), executed.stream().filter(v -> v.startsWith("down-")).toList(),
                "work of calls that already failed was run after the restart");
    }

    private static String pairEcho(ServiceClient client, String value, Duration deadline) {
        return json(client.call("pair", Request.json("/echo", "request", Map.of("v", value)), deadline))
                .at("/echo/v").asText();
    }

    private static String echo(ServiceClient client, String value, Duration deadline) {
        return json(client.call("phoenix", Request.json("/echo", "request", Map.of("v", value)), deadline))
                .at("/echo/v").asText();
    }

    private static ServiceException syncFailure(ServiceClient client, String value) {
        try {
            Reply r = client.call("phoenix", Request.json("/echo", "request", Map.of("v", value)), SHORT);
            return fail("a stopped service answered: " + r);
        } catch (ServiceException e) {
            return e;
        }
    }

    private static ServiceException assertFailsTyped(CompletableFuture<Reply> f, Duration within) throws Exception {
        try {
            Reply r = f.get(within.toMillis(), TimeUnit.MILLISECONDS);
            return fail("a stopped service answered: " + r);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof ServiceException se) {
                return se;
            }
            return fail("untyped failure: " + e.getCause());
        }
    }
}
