package org.offload.service;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.offload.service.internal.Wire;

/**
 * Deadline-aware admission. It keeps, per route, a moving estimate of how long a worker is busy with one
 * request (from taking it to its handler's return, recorded before the reply is published): an EWMA of the durations and of their deviation,
 * as TCP estimates round trips. With the estimated work queued and running it estimates when a request
 * arriving now would start, so that a request which would wait and could not finish before its deadline is
 * answered 429 at once instead of being queued, only to be skipped or, worse, computed for a caller who has
 * given up. A worker checks again, with the estimate as it is then, when it takes a request admitted to wait.
 * A request a worker can start at once is always admitted (the caller chose its deadline), and so is one
 * without a deadline (up to the queue's bound).
 *
 * <p>Thread-safe: the receiver thread admits, workers take and finish, any thread may dequeue. The counts
 * and sums of the queued and running jobs change together under this object's lock, so an estimate is
 * always made from one consistent state: the running jobs' planned end times are absolute (since
 * {@link #origin}), and a sum read apart from its count would hold a whole uptime as work left.
 */
final class Admission {
    /** Weight of the newest duration in a route's mean: recent enough, not too jumpy. */
    static final double MEAN_WEIGHT = 0.2;
    /** Weight of the newest deviation from the mean in a route's mean deviation (TCP's beta). */
    static final double DEVIATION_WEIGHT = 0.25;
    /**
     * A request's own run is counted as its route's mean plus this many mean deviations (a high percentile
     * of its durations, as TCP's retransmission timeout); the wait for the work ahead of it uses the means.
     */
    static final int DEVIATIONS = 2;
    /**
     * A measured duration counts as at most this many times the route's planned run ({@link Cost#run}):
     * one run stretched by a preemption, a GC pause or a stalled machine moves the estimate no more than a
     * run of twice the plan, where at full weight one 3 s stall of a microsecond handler planned the next
     * runs at ~2 s and refused requests with seconds left. A real slow-down is still learned: the plan
     * about doubles with each slower run (a 10 µs route whose runs take 100 ms is planned at over 100 ms
     * after 9 of them).
     */
    static final int OUTLIER_RUNS = 2;
    /** The least a duration is counted as, whatever the plan ({@value} ns): a plan of 0 still learns. */
    static final long OUTLIER_FLOOR_NANOS = 1_000_000;

    /** A route's estimate: mean duration and mean deviation, in nanoseconds. */
    record Cost(long mean, long deviation) {
        static final Cost UNKNOWN = new Cost(0, 0);

        /**
         * With one more measured duration, counted as at most {@value #OUTLIER_RUNS} planned runs (or
         * {@link #OUTLIER_FLOOR_NANOS} if that is more); the first one sets the mean, with half of it as deviation.
         */
        Cost with(long took) {
            if (this == UNKNOWN) {
                return new Cost(took, took / 2);
            }
            long counted = Math.min(took, Math.max(OUTLIER_FLOOR_NANOS, OUTLIER_RUNS * run()));
            long error = counted - mean;
            return new Cost(mean + Math.round(MEAN_WEIGHT * error),
                    deviation + Math.round(DEVIATION_WEIGHT * (Math.abs(error) - deviation)));
        }

        /** What one request's run is planned to take: the mean plus {@value #DEVIATIONS} deviations. */
        long run() {
            return mean + DEVIATIONS * deviation;
        }
    }

    /** What a worker does with the request it takes. */
    enum Start {
        /** Run the handler. */
        RUN,
        /** The deadline passed: nobody waits, skip without a reply. */
        EXPIRED,
        /** It could not finish in the time left: answer 429 without running it. */
        LATE
    }

    private final String name;
    private final int workers;
    private final long marginNanos;
    /** Time origin of the planned end times, kept in microseconds so that their sum never overflows. */
    private final long origin = System.nanoTime();
    private final Map<Handler, Cost> estimates = new ConcurrentHashMap<>();
    /** Jobs handed to the pool and not yet taken or dequeued (guarded by {@code this}, as are the three below). */
    private int queued;
    private int running;
    /** Sum of the mean durations of the queued jobs, in nanoseconds. */
    private long queuedWork;
    /** Sum of the planned end times of the running jobs, in microseconds since {@link #origin}. */
    private long runningEnds;

    Admission(String name, int workers, long marginNanos) {
        this.name = name;
        this.workers = workers;
        this.marginNanos = marginNanos;
    }

    /** The route's estimated busy time per request; {@link Cost#UNKNOWN} until one request of it has run. */
    Cost estimate(Handler route) {
        return estimates.getOrDefault(route, Cost.UNKNOWN);
    }

    /** True when a worker is free for a request queued now. */
    private boolean workerFree() {
        assert Thread.holdsLock(this);
        return running + queued < workers;
    }

    /** Estimated nanoseconds from {@code now} until a worker would start a request queued now. */
    synchronized long waitNanos(long now) {
        if (workerFree()) {
            return 0;
        }
        long runningLeftMicros = Math.max(0, runningEnds - running * micros(now));
        return (queuedWork + runningLeftMicros * 1_000) / workers;
    }

    /** The {@value Wire#RETRY_AFTER_MS} hint: the estimated wait in whole milliseconds, at least 1. */
    String retryAfterMs(long now) {
        return Long.toString(Math.max(1, ceilMillis(waitNanos(now))));
    }

    /**
     * Null when {@code call}, a request of {@code route} received at {@code now}, may be queued: it has no
     * deadline, or a worker is free, or the estimated wait, its own run and the margin fit in its time left.
     * Otherwise the 429 to answer, with the retry hint.
     */
    Reply refusal(Call call, Handler route, long now) {
        if (!call.hasDeadline()) {
            return null;
        }
        long wait;
        synchronized (this) { // whether a worker is free and the wait, from the same state
            if (workerFree()) {
                return null;
            }
            wait = waitNanos(now);
        }
        Cost cost = estimate(route);
        long left = call.deadlineNanos() - now;
        if (wait + cost.run() + marginNanos <= left) {
            return null;
        }
        return busy(name + " cannot finish " + call.path() + " before its deadline: a worker would start it in ~"
                + ceilMillis(wait) + " ms and it takes ~" + describe(cost) + ", with " + millis(left) + " ms left (margin "
                + millis(marginNanos) + " ms)", now);
    }

    /** The 429 for a request a worker took at {@code now} but could not finish in the time left ({@link Start#LATE}). */
    Reply late(Call call, Handler route, long now) {
        return busy(name + " cannot finish " + call.path() + " before its deadline: a worker took it with "
                + millis(call.deadlineNanos() - now) + " ms left, and it takes ~" + describe(estimate(route))
                + " (margin " + millis(marginNanos) + " ms)", now);
    }

    private static String describe(Cost cost) {
        return ceilMillis(cost.mean()) + " ms (deviation " + ceilMillis(cost.deviation()) + " ms)";
    }

    /** A 429 with {@code message} and the retry hint. */
    Reply busy(String message, long now) {
        return Reply.error(Status.TOO_MANY_REQUESTS, message).withHeader(Wire.RETRY_AFTER_MS, retryAfterMs(now));
    }

    /** {@code job} was handed to the pool (call before the pool may start it). */
    synchronized void queued(Job job, Handler route) {
        job.admittedWork = estimate(route).mean();
        job.admittedFree = workerFree();
        queuedWork += job.admittedWork;
        queued++;
    }

    /** {@code job} left the queue without being taken: cancelled, or refused by the pool. */
    synchronized void dequeued(Job job) {
        queuedWork -= job.admittedWork;
        queued--;
    }

    /**
     * A worker takes {@code job} at {@code now}. The job leaves the queue. One admitted to wait runs only if
     * its route's planned run and the margin still fit in its time left (one admitted with a worker free is
     * run: its caller chose the deadline). If it runs, it counts as running until {@link #finished}, planned
     * to end after the route's mean.
     */
    synchronized Start take(Job job, Handler route, long now) {
        dequeued(job);
        Call call = job.call;
        Cost cost = estimate(route);
        if (call.isExpired(now)) {
            return Start.EXPIRED;
        }
        if (!job.admittedFree && call.hasDeadline() && cost.run() + marginNanos > call.deadlineNanos() - now) {
            return Start.LATE;
        }
        job.startedAt = now;
        job.plannedEnd = micros(now + cost.mean());
        runningEnds += job.plannedEnd;
        running++;
        return Start.RUN;
    }

    /**
     * The worker is done with {@code job} (reply published) at {@code now}. Unless the job was cancelled,
     * its duration updates the route's estimate.
     */
    void finished(Job job, Handler route, long now, boolean sample) {
        synchronized (this) {
            runningEnds -= job.plannedEnd;
            running--;
        }
        if (sample) {
            long took = Math.max(0, now - job.startedAt);
            estimates.compute(route, (r, old) -> (old == null ? Cost.UNKNOWN : old).with(took));
        }
    }

    /** Microseconds from {@link #origin} to {@code nanoTime}. */
    private long micros(long nanoTime) {
        return (nanoTime - origin) / 1_000;
    }

    private static long millis(long nanos) {
        return Math.max(0, TimeUnit.NANOSECONDS.toMillis(nanos));
    }

    private static long ceilMillis(long nanos) {
        return (nanos + 999_999) / 1_000_000;
    }
}
