package org.offload.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.offload.service.internal.ClientId;
import org.offload.service.internal.Wire;

/**
 * {@link Admission}'s bookkeeping of queued and running work, driven with explicit clock values: no sockets,
 * no sleeps. The wait it estimates for a request arriving now is the work queued and left running, never
 * more, whichever thread reads it while workers take and finish jobs.
 */
class AdmissionStateTest {
    private static final long MS = 1_000_000;
    /** The clock of these tests: an hour after the admission began, so absolute times are large. */
    private static final long LATER = System.nanoTime() + TimeUnit.HOURS.toNanos(1);
    private static final Handler ECHO = call -> Reply.ok(call.body());
    private static final AtomicLong IDS = new AtomicLong();

    @Test
    void waitNanos_workersBusyAnHourAfterStart_isTheWorkQueuedAndLeftNotTheUptime() {
        Admission a = admission(2);
        learn(a, 10 * MS); // the route's mean is 10 ms
        Job first = job(LATER + 5_000 * MS);
        Job second = job(LATER + 5_000 * MS);
        a.queued(first, ECHO);
        a.queued(second, ECHO);
        assertEquals(Admission.Start.RUN, a.take(first, ECHO, LATER));
        assertEquals(Admission.Start.RUN, a.take(second, ECHO, LATER));
        a.queued(job(LATER + 5_000 * MS), ECHO);

        // 4 ms later: 2 x 6 ms left running + 10 ms queued, over 2 workers (to the microsecond)
        assertEquals(11 * MS, a.waitNanos(LATER + 4 * MS));
        // the running jobs overran their mean: only the queued job's work is left
        assertEquals(5 * MS, a.waitNanos(LATER + 50 * MS));
    }

    @Test
    void refusal_workersBusyWithMicrosecondJobs_admitsAndRefusesOnlyWhatCannotFit() {
        Admission a = admission(2);
        learn(a, 10 * MS);
        for (int i = 0; i < 2; i++) {
            Job running = job(LATER + 5_000 * MS);
            a.queued(running, ECHO);
            a.take(running, ECHO, LATER);
        }
        for (int i = 0; i < 14; i++) { // 16 in flight on 2 workers
            a.queued(job(LATER + 5_000 * MS), ECHO);
        }
        // wait (2 x 10 + 14 x 10) / 2 = 80 ms, run 10 ms + 2 x 5 ms deviation, margin 20 ms: 120 ms in all
        assertNull(a.refusal(job(LATER + 120 * MS).call, ECHO, LATER), "fits exactly: admitted");
        Reply refused = a.refusal(job(LATER + 119 * MS).call, ECHO, LATER);
        assertEquals(Status.TOO_MANY_REQUESTS, refused.status());
        assertEquals("t cannot finish /echo before its deadline: a worker would start it in ~80 ms and it takes"
                + " ~10 ms (deviation 5 ms), with 119 ms left (margin 20 ms)", refused.message());
        assertEquals("80", refused.headers().get(Wire.RETRY_AFTER_MS));
    }

    @Test
    void dequeuedAndEveryTakenEnd_leaveNoWorkBehind() {
        Admission a = admission(1);
        learn(a, 10 * MS);
        Job cancelled = job(LATER + 5_000 * MS);
        Job expired = job(LATER - 1);
        Job late = job(LATER + 15 * MS); // 10 ms + 2 x 5 ms + 20 ms margin do not fit in 15 ms
        Job ran = job(LATER + 5_000 * MS);
        Job blocker = job(LATER + 5_000 * MS);
        a.queued(blocker, ECHO); // admitted with the worker free; the others wait behind it
        for (Job j : List.of(cancelled, expired, late, ran)) {
            a.queued(j, ECHO);
        }
        assertEquals(Admission.Start.RUN, a.take(blocker, ECHO, LATER));
        a.finished(blocker, ECHO, LATER + 10 * MS, true);
        a.dequeued(cancelled);
        assertEquals(Admission.Start.EXPIRED, a.take(expired, ECHO, LATER));
        assertEquals(Admission.Start.LATE, a.take(late, ECHO, LATER));
        assertEquals(Admission.Start.RUN, a.take(ran, ECHO, LATER));
        a.finished(ran, ECHO, LATER + 10 * MS, true);

        assertEquals(0, a.waitNanos(LATER), "nothing queued or running: a worker is free");
        Job next = job(LATER + 5_000 * MS);
        a.queued(next, ECHO);
        assertEquals(10 * MS, a.waitNanos(LATER), "one queued job of 10 ms, and nothing else");
    }

    @Test
    void refusal_afterOneStalledRunOfAMicrosecondRoute_admits16InFlightWith5sLeft() {
        Admission a = admission(2);
        learn(a, 10_000); // 10 us
        Job stalled = job(LATER + 5_000 * MS);
        a.queued(stalled, ECHO);
        a.take(stalled, ECHO, LATER - 3_000 * MS);
        a.finished(stalled, ECHO, LATER, true); // preempted: 3 s for a 10 us echo
        List<Job> waiting = new ArrayList<>();
        for (int i = 0; i < 16; i++) { // 16 in flight: 2 run, 14 wait
            Job j = job(LATER + 5_000 * MS);
            a.queued(j, ECHO);
            waiting.add(j);
        }
        for (int i = 0; i < 2; i++) {
            assertEquals(Admission.Start.RUN, a.take(waiting.remove(0), ECHO, LATER));
        }

        assertTrue(a.estimate(ECHO).run() < 5 * MS, () -> "planned run " + a.estimate(ECHO));
        assertNull(a.refusal(job(LATER + 5_000 * MS).call, ECHO, LATER), "5 s left for ~ms of work");
        assertEquals(Admission.Start.RUN, a.take(waiting.get(0), ECHO, LATER + 4_000 * MS), "taken with 1 s left");
    }

    /**
     * Two workers take and finish microsecond jobs as fast as they can while the receiver's thread admits
     * requests with 5 s left. Whatever the interleaving, the wait it sees is at most the work actually queued
     * and running (a few ms), so none is refused. Before the counts and sums changed under one lock, a
     * reader between a take's two updates saw a running job's absolute end time without its count: an
     * hour of "work left", and a 429.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void refusal_whileWorkersTakeAndFinish_neverSeesMoreThanTheWorkInFlight() throws Exception {
        int workers = 2;
        Admission a = admission(workers);
        learn(a, MS);
        for (int i = 0; i < workers; i++) {
            a.queued(job(LATER + 5_000 * MS), ECHO); // never taken: no worker is ever free, so refusal() estimates
        }
        // at most 2 queued + 2 per racing worker of 1 ms mean (+ rounding): far below the 5 s left
        long bound = (workers + 2 * workers) * MS / workers + MS;
        int rounds = 200_000;
        AtomicBoolean done = new AtomicBoolean();
        AtomicReference<String> refused = new AtomicReference<>();
        AtomicLong worst = new AtomicLong();
        CountDownLatch ready = new CountDownLatch(workers + 1);
        List<Thread> racers = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
            racers.add(Thread.ofPlatform().start(() -> {
                ready.countDown();
                for (int i = 0; i < rounds && refused.get() == null; i++) {
                    Job j = job(LATER + 5_000 * MS);
                    a.queued(j, ECHO);
                    a.take(j, ECHO, LATER);
                    a.finished(j, ECHO, LATER + MS, false);
                }
            }));
        }
        Thread reader = Thread.ofPlatform().start(() -> {
            ready.countDown();
            while (!done.get() && refused.get() == null) {
                long wait = a.waitNanos(LATER);
                worst.accumulateAndGet(wait, Math::max);
                Reply r = a.refusal(job(LATER + 5_000 * MS).call, ECHO, LATER);
                if (r != null) {
                    refused.set(r.message());
                }
            }
        });
        ready.await();
        for (Thread t : racers) {
            t.join();
        }
        done.set(true);
        reader.join();

        assertNull(refused.get(), "refused with 5 s left and ~ms of work in flight");
        assertTrue(worst.get() <= bound, "worst wait estimate " + worst.get() + " ns, bound " + bound + " ns");
        assertEquals(MS, a.waitNanos(LATER), "after the race: only the 2 queued jobs");
    }

    private static Admission admission(int workers) {
        return new Admission("t", workers, 20 * MS);
    }

    /** Makes {@code duration} the route's first sample: its mean, with half of it as deviation. */
    private static void learn(Admission a, long duration) {
        Job j = job(Call.deadlineFrom(LATER, 0)); // no deadline
        a.queued(j, ECHO);
        a.take(j, ECHO, LATER - duration);
        a.finished(j, ECHO, LATER, true);
        assertEquals(new Admission.Cost(duration, duration / 2), a.estimate(ECHO));
    }

    private static Job job(long deadlineNanos) {
        Call call = new Call(Request.of("/echo", Request.DEFAULT_METHOD), ClientId.random(), IDS.incrementAndGet(),
                deadlineNanos, Wire.DEFAULT_MAX_REPLY_FRAME_BYTES);
        return new Job(call, ECHO, null, null, false, false, ObservedCall.NONE);
    }
}
