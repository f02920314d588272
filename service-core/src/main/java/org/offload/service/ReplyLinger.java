package org.offload.service;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
    private static final Logger log = LoggerFactory.getLogger(ServiceServer.class);
    /**
     * The longest mean run ({@link Admission}'s moving estimate) of the route of a next job a reply may wait
     * for. The mean, not the planned run: one preempted run inflates the deviation for many runs after it.
     */
    static final long MAX_NEXT_RUN_NANOS = TimeUnit.MICROSECONDS.toNanos(50);
    /** How long after the first lingering reply the others stop lingering and all leave. */
    static final long MAX_LINGER_NANOS = TimeUnit.MICROSECONDS.toNanos(200);

    private final String name;
    private final BlockingQueue<Runnable> queue;
    private final Admission admission;
    private final ReplyPublisher publisher;

    ReplyLinger(String name, BlockingQueue<Runnable> queue, Admission admission, ReplyPublisher publisher) {
        this.name = name;
        this.queue = queue;
        this.admission = admission;
        this.publisher = publisher;
    }

    /** A worker is about to run {@code next}: nothing lingers behind a handler that may take long. */
    void beforeRun(Runnable next) {
        try {
            if (publisher.hasOutbox() && !isQuick(next)) {
                publisher.flushLingering();
            }
        } catch (RuntimeException e) { // a throw here would make the pool skip the job: it must run and answer
            log.error("{} - could not publish lingering replies", name, e);
        }
    }

    /**
     * A worker ran a job: with the queue empty it may go to sleep, so what lingers leaves now; otherwise it
     * leaves once due (quick jobs that publish nothing, such as casts, must not keep it).
     */
    void afterRun() {
        try {
            if (!publisher.hasOutbox()) {
                return;
            }
            if (queue.isEmpty()) {
                publisher.flushLingering();
            } else {
                publisher.flushLingeringIfDue();
            }
        } catch (RuntimeException e) { // a throw here would end the worker
            log.error("{} - could not publish lingering replies", name, e);
        }
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
}
