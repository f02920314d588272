package org.offload.service;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * When a worker's finished reply may wait for the replies right behind it, so they leave in one batch frame
 * (PROTOCOL.md section 2.2) instead of one ZeroMQ send, one I/O-thread wake-up and one client receive each.
 * A reply lingers only while the worker queue's next job is one whose route is known to be quick, and never
 * longer than {@link #MAX_LINGER_NANOS} after the first reply began to linger; the worker that finds the queue
 * empty, or takes a job that is not quick, publishes what lingers before it waits or runs it. So a reply never
 * waits for an idle pool or behind a route not known to be quick; should a quick route's run turn out slow,
 * the service's housekeeping pass ({@link ReplyPublisher#housekeep}) publishes what lingers within 50 ms.
 */
final class ReplyLinger {
    /**
     * The longest mean run ({@link Admission}'s moving estimate) of the route of a next job a reply may wait
     * for. The mean, not the planned run: one preempted run inflates the deviation for many runs after it.
     */
    static final long MAX_NEXT_RUN_NANOS = TimeUnit.MICROSECONDS.toNanos(50);
    /** How long after the first lingering reply the others stop lingering and all leave. */
    static final long MAX_LINGER_NANOS = TimeUnit.MICROSECONDS.toNanos(200);

    private final BlockingQueue<Runnable> queue;
    private final Admission admission;

    ReplyLinger(BlockingQueue<Runnable> queue, Admission admission) {
        this.queue = queue;
        this.admission = admission;
    }

    /** True when the job the queue holds next is quick: a reply finished now may wait for its reply. */
    boolean nextIsQuick() {
        return isQuick(queue.peek());
    }

    /** True for a job whose route ran before and takes at most {@link #MAX_NEXT_RUN_NANOS} on average. */
    boolean isQuick(Runnable next) {
        return next instanceof Job job && isQuick(job.handler());
    }

    /** True for a route that ran before and whose runs take at most {@link #MAX_NEXT_RUN_NANOS} on average. */
    boolean isQuick(Handler route) {
        Admission.Cost cost = admission.estimate(route);
        return cost != Admission.Cost.UNKNOWN && cost.mean() <= MAX_NEXT_RUN_NANOS;
    }

    /** True when nothing waits in the worker queue: what lingers must leave now. */
    boolean queueEmpty() {
        return queue.isEmpty();
    }
}
