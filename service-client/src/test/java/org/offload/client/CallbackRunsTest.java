package org.offload.client;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.offload.service.Reply;
import org.offload.service.Request;
import org.offload.service.ServiceServer;

/**
 * The callbacks of one receiver pass share a virtual thread ({@link CallbackRuns}), and one that blocks does
 * not hold up the others: they move on to another virtual thread.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CallbackRunsTest {
    private static final int CALLS = 40;

    @RegisterExtension
    final Fixtures fx = new Fixtures();

    @Test
    void end_severalCallbacks_runInArrivalOrderOnOneThread() throws Exception {
        try (ExecutorService vts = Executors.newVirtualThreadPerTaskExecutor()) {
            CallbackRuns runs = new CallbackRuns(vts, Thread.currentThread(), true);
            List<Integer> order = new CopyOnWriteArrayList<>();
            List<Thread> threads = new CopyOnWriteArrayList<>();
            CountDownLatch done = new CountDownLatch(5);
            runs.begin();
            for (int i = 0; i < 5; i++) {
                int n = i;
                assertTrue(runs.offer(() -> {
                    order.add(n);
                    threads.add(Thread.currentThread());
                    done.countDown();
                }));
            }
            runs.end();

            assertTrue(done.await(Fixtures.WAIT.toMillis(), TimeUnit.MILLISECONDS));
            assertEquals(List.of(0, 1, 2, 3, 4), order);
            assertEquals(1, threads.stream().distinct().count(), "one virtual thread for the pass");
            assertTrue(threads.get(0).isVirtual());
            await().atMost(Fixtures.WAIT).until(() -> !runs.check(System.nanoTime()));
            assertEquals(0, runs.helpers());
        }
    }

    @Test
    void offer_otherThreadOutsideAPassOrUserExecutor_refusedSoTheCallbackRunsAlone() throws Exception {
        try (ExecutorService vts = Executors.newVirtualThreadPerTaskExecutor()) {
            CallbackRuns runs = new CallbackRuns(vts, Thread.currentThread(), true);
            assertFalse(runs.offer(() -> { }), "outside a pass");
            runs.begin();
            CompletableFuture<Boolean> fromElsewhere = new CompletableFuture<>();
            Thread.ofVirtual().start(() -> fromElsewhere.complete(runs.offer(() -> { })));
            assertFalse(fromElsewhere.get(Fixtures.WAIT.toMillis(), TimeUnit.MILLISECONDS), "another thread");
            runs.end();
            assertFalse(runs.check(System.nanoTime()), "nothing was collected");

            CallbackRuns userExecutor = new CallbackRuns(vts, Thread.currentThread(), false);
            userExecutor.begin();
            assertFalse(userExecutor.offer(() -> { }), "with an executor the user chose, one task per callback");
            userExecutor.end();
        }
    }

    @Test
    void check_callbackBlocks_theRestMovesToAnotherThread() throws Exception {
        try (ExecutorService vts = Executors.newVirtualThreadPerTaskExecutor()) {
            CallbackRuns runs = new CallbackRuns(vts, Thread.currentThread(), true);
            CountDownLatch others = new CountDownLatch(3);
            CountDownLatch released = new CountDownLatch(1);
            AtomicBoolean blockerSawOthers = new AtomicBoolean();
            runs.begin();
            runs.offer(() -> {
                try {
                    blockerSawOthers.set(Fixtures.awaitOpen(others));
                } finally {
                    released.countDown();
                }
            });
            for (int i = 0; i < 3; i++) {
                runs.offer(others::countDown);
            }
            runs.end();

            // the receiver's loop: look again until the held-up run's callbacks are all taken
            await().atMost(Fixtures.WAIT).pollInterval(java.time.Duration.ofMillis(1))
                    .until(() -> !runs.check(System.nanoTime()));
            assertTrue(released.await(Fixtures.WAIT.toMillis(), TimeUnit.MILLISECONDS));
            assertTrue(blockerSawOthers.get(), "the callbacks behind the blocking one ran while it waited");
            assertTrue(runs.helpers() >= 1, "helpers: " + runs.helpers());
        }
    }

    @Test
    void release_heldUpRunAsTheReceiverStops_eachCallbackLeftGetsAThread() throws Exception {
        try (ExecutorService vts = Executors.newVirtualThreadPerTaskExecutor()) {
            CallbackRuns runs = new CallbackRuns(vts, Thread.currentThread(), true);
            CountDownLatch blocking = new CountDownLatch(1);
            CountDownLatch others = new CountDownLatch(3);
            AtomicBoolean blockerSawOthers = new AtomicBoolean();
            runs.begin();
            runs.offer(() -> {
                blocking.countDown();
                blockerSawOthers.set(Fixtures.awaitOpen(others));
            });
            for (int i = 0; i < 3; i++) {
                runs.offer(others::countDown);
            }
            runs.end();
            assertTrue(blocking.await(Fixtures.WAIT.toMillis(), TimeUnit.MILLISECONDS));

            runs.release(); // no check() ever again: the receiver has stopped

            assertTrue(others.await(Fixtures.WAIT.toMillis(), TimeUnit.MILLISECONDS),
                    "the callbacks behind the blocking one ran after the receiver stopped");
            await().atMost(Fixtures.WAIT).untilTrue(blockerSawOthers);
        }
    }

    @Test
    void run_callbackLeavesItsThreadInterrupted_theNextStartsUninterrupted() throws Exception {
        try (ExecutorService vts = Executors.newVirtualThreadPerTaskExecutor()) {
            CallbackRuns runs = new CallbackRuns(vts, Thread.currentThread(), true);
            CompletableFuture<Boolean> nextInterrupted = new CompletableFuture<>();
            List<Thread> threads = new CopyOnWriteArrayList<>();
            runs.begin();
            runs.offer(() -> {
                threads.add(Thread.currentThread());
                Thread.currentThread().interrupt(); // as "catch (InterruptedException e) { interrupt(); }" does
            });
            runs.offer(() -> {
                threads.add(Thread.currentThread());
                nextInterrupted.complete(Thread.currentThread().isInterrupted());
            });
            runs.end();

            assertFalse(nextInterrupted.get(Fixtures.WAIT.toMillis(), TimeUnit.MILLISECONDS));
            assertEquals(1, threads.stream().distinct().count(), "both ran on the run's one thread");
        }
    }

    @Test
    void callAsync_oneCallbackBlocksUntilTheOthersComplete_theyAllComplete() throws Exception {
        ServiceServer server = fx.echoServer("runs");
        ServiceClient client = fx.clientFor(server);
        assertTrue(client.awaitReady("runs", Fixtures.WAIT));
        // the receiver is held until every reply was published, so it takes them in one or a few passes
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch hold = new CountDownLatch(1);
        client.onReceiverThread(() -> {
            held.countDown();
            Fixtures.awaitOpen(hold);
        });
        // held before the first call: no reply can complete its future before its callback is attached
        assertTrue(held.await(Fixtures.WAIT.toMillis(), TimeUnit.MILLISECONDS));
        long repliedBefore = server.stats().replied();

        CountDownLatch completed = new CountDownLatch(CALLS - 1);
        AtomicBoolean blocking = new AtomicBoolean();
        AtomicInteger blockerSaw = new AtomicInteger(-1);
        List<CompletableFuture<Reply>> futures = new ArrayList<>();
        for (int i = 0; i < CALLS; i++) {
            CompletableFuture<Reply> f = client.callAsync("runs", Request.of("/echo", "request"));
            futures.add(f.whenComplete((reply, error) -> {
                if (blocking.compareAndSet(false, true)) { // the first callback to run blocks for the others
                    boolean all = Fixtures.awaitOpen(completed);
                    blockerSaw.set(all ? CALLS - 1 : (int) (CALLS - 1 - completed.getCount()));
                } else {
                    completed.countDown();
                }
            }));
        }
        await().atMost(Fixtures.WAIT).until(() -> server.stats().replied() - repliedBefore >= CALLS);
        hold.countDown();

        for (CompletableFuture<Reply> f : futures) {
            assertEquals(200, f.get(Fixtures.WAIT.toMillis(), TimeUnit.MILLISECONDS).status());
        }
        assertEquals(CALLS - 1, blockerSaw.get(),
                "every other callback completed while the first one blocked (none held up behind it)");
        assertTrue(client.callbackHandOvers() >= 1, "the replies shared a run, and it was handed over: "
                + client.callbackHandOvers());
    }
}
