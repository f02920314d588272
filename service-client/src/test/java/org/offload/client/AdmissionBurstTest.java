package org.offload.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.offload.service.BusyException;
import org.offload.service.Reply;
import org.offload.service.Request;
import org.offload.service.ServiceServer;

/**
 * Deadline-aware admission seen from callers: a burst of more work than fits in its deadline on one worker.
 * No handler runs for a caller that failed; every caller that was not served got a 429 (not a 408 at its
 * deadline). The counts of each depend on the machine's speed; their relations do not.
 */
class AdmissionBurstTest {
    /** Each call costs at least this on the single worker. */
    private static final Duration WORK = Duration.ofMillis(100);
    /** Wide enough for a loaded machine's scheduling delays between a reply and its caller. */
    private static final Duration MARGIN = Duration.ofMillis(500);
    private static final Duration DEADLINE = Duration.ofSeconds(3);
    /** 6 s of work: at most 3 s / 100 ms = 30 can run before the deadline, so at least 30 are refused. */
    private static final int BURST = 60;

    @RegisterExtension
    final Fixtures fx = new Fixtures();

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void burst_withAKnownServiceTime_refusedOnArrival429AndNoHandlerRunsForAFailedCaller() throws Exception {
        Fixtures.Paced paced = new Fixtures.Paced(WORK);
        ServiceClient client = pacedClient(paced);
        client.call("paced", work(0)); // the service learns what a call costs

        Outcomes o = burst(client);

        o.assertConsistentWith(paced);
        assertTrue(o.refused.stream().anyMatch(m -> m.contains("a worker would start it in ~")),
                () -> "some refused on arrival: " + o.refused);
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void burst_beforeTheServiceKnowsItsCost_refusedWhenTaken429AndNoHandlerRunsForAFailedCaller() throws Exception {
        Fixtures.Paced paced = new Fixtures.Paced(WORK);
        ServiceClient client = pacedClient(paced);

        Outcomes o = burst(client); // admitted (no estimate yet); the worker refuses what can no longer finish

        o.assertConsistentWith(paced);
        assertTrue(o.refused.stream().anyMatch(m -> m.contains("a worker took it with ")),
                () -> "some refused when taken: " + o.refused);
    }

    private ServiceClient pacedClient(Fixtures.Paced paced) {
        ServiceServer server = fx.server("paced", b -> b.workers(1).deadlineMargin(MARGIN)
                .route("^/work$", "request", paced));
        return fx.clientFor(server);
    }

    private static Request work(int n) {
        return Request.json("/work", "request", Map.of("n", n));
    }

    /** Sends {@link #BURST} calls at once, each with {@link #DEADLINE}, and collects how each ended. */
    private static Outcomes burst(ServiceClient client) throws InterruptedException {
        List<CompletableFuture<Reply>> calls = new ArrayList<>();
        for (int n = 1; n <= BURST; n++) {
            calls.add(client.callAsync("paced", work(n), DEADLINE));
        }
        Outcomes o = new Outcomes();
        for (int n = 1; n <= BURST; n++) {
            try {
                Reply reply = calls.get(n - 1).get(DEADLINE.toMillis() + Fixtures.WAIT.toMillis(), TimeUnit.MILLISECONDS);
                assertEquals(n, reply.body().json().get("n").asInt());
                o.served.add(n);
            } catch (ExecutionException e) {
                int call = n;
                BusyException busy = assertInstanceOf(BusyException.class, e.getCause(),
                        () -> "call " + call + " ended with " + e.getCause() + ", not served nor refused with 429");
                assertTrue(busy.getMessage().contains("paced cannot finish /work before its deadline"), busy.getMessage());
                o.refused.add(busy.getMessage());
            } catch (TimeoutException e) {
                throw new AssertionError("call " + n + " did not end by its deadline", e);
            }
        }
        return o;
    }

    private static final class Outcomes {
        final Set<Integer> served = new HashSet<>();
        final List<String> refused = new ArrayList<>();

        void assertConsistentWith(Fixtures.Paced paced) {
            Set<Integer> ran = new HashSet<>(paced.ran);
            ran.remove(0); // the warm-up call, if any
            assertEquals(served, ran, "handlers ran exactly for the callers that got their reply in time");
            assertEquals(BURST, served.size() + refused.size(), "every call was served or refused (none 408)");
            long fit = DEADLINE.toMillis() / WORK.toMillis();
            assertTrue(served.size() <= fit, "at most " + fit + " calls of " + WORK.toMillis() + " ms fit, but "
                    + served.size() + " were served");
            assertTrue(served.size() >= 1, "the worker served callers: " + served.size());
        }
    }
}
