package org.offload.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.offload.service.Encryption;
import org.offload.service.Request;
import org.offload.service.ObservedCall;
import org.offload.service.internal.CurveKeys;
import org.offload.service.internal.Proof;

/** The sender's deadline heap: earliest deadline first, then submit order; ended calls skipped and swept. */
class DeadlineQueueTest {
    private static final ServiceEntry SERVICE = new ServiceEntry("svc", new Proof("p"),
            new ClientSecurity(Encryption.NONE, CurveKeys.derive("p")));
    private long seq;

    private Pending call(long timeoutMs) {
        return new Pending(SERVICE, Request.of("/x", "request"), CallMode.ASYNC, timeoutMs, ++seq,
                new CompletableFuture<>(), null, ObservedCall.NONE);
    }

    @Test
    void peek_mixedDeadlines_earliestFirstThenSubmitOrder() {
        DeadlineQueue q = new DeadlineQueue();
        Random random = new Random(7);
        List<Pending> calls = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            Pending p = call(1_000 + random.nextInt(5) * 1_000L); // many equal timeouts: order by seq among them
            calls.add(p);
            q.add(p, calls.size());
        }

        Pending previous = null;
        for (int i = 0; i < calls.size(); i++) {
            Pending p = q.peek();
            if (previous != null) {
                long d = p.deadlineNanos - previous.deadlineNanos;
                assertTrue(d > 0 || (d == 0 && p.seq > previous.seq), "heap order at " + i);
            }
            q.poll();
            previous = p;
        }
        assertNull(q.peek(), "every call was taken");
    }

    @Test
    void peek_endedCallsAtTheHead_areSkipped() {
        DeadlineQueue q = new DeadlineQueue();
        Pending first = call(100);
        Pending second = call(200);
        Pending third = call(300);
        for (Pending p : List.of(third, first, second)) {
            q.add(p, 3);
        }

        first.tryFinish();
        second.tryFinish();

        assertSame(third, q.peek());
        assertEquals(List.of(third), q.live());
    }

    @Test
    void add_manyEndedCalls_heapStaysWithinTwiceTheLiveOnesPlusSlack() {
        DeadlineQueue q = new DeadlineQueue();
        List<Pending> live = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            Pending p = call(60_000);
            q.add(p, live.size() + 1);
            live.add(p);
            if (live.size() > 10) { // ten in flight; the rest ended by their replies (never polled here)
                live.remove(0).tryFinish();
            }
            assertTrue(q.size() <= 2 * (live.size() + 1) + DeadlineQueue.SLACK, "size " + q.size() + " at " + i);
        }
        assertEquals(new HashSet<>(live), new HashSet<>(q.live()), "exactly the live calls are left");
    }
}
