package org.offload.client;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The callbacks of the replies the receiver thread took in one pass (a batch frame, or the messages its SUB
 * held), run in arrival order on one virtual thread instead of a virtual thread each: starting one per reply
 * was 1.1-2.5 µs of CPU a reply. A callback that blocks does not hold up the rest of its pass for long: while
 * a run is unfinished the receiver comes back about every {@link #HOLD_NANOS} (after the pass it is in), and
 * a run whose current callback started longer ago than that gets another virtual thread, which goes on with
 * the callbacks not yet taken (each is taken once). When the receiver stops, what no thread has taken yet
 * gets a virtual thread each ({@link #release}). Callbacks of one run share a thread, so each starts with the
 * interrupt status cleared. Only with the client's own virtual-thread executor: an executor the user chose
 * gets one task per callback, as before. Receiver thread only, except {@link Run} (its virtual threads).
 */
final class CallbackRuns {
    /** How long a blocking callback can hold up the callbacks of its pass before they move on without it. */
    static final long HOLD_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final Executor executor;
    private final Thread owner;
    /** False with an executor the user chose: then nothing is collected and each callback is its own task. */
    private final boolean enabled;
    private final List<Runnable> collected = new ArrayList<>();
    private final ArrayDeque<Run> unfinished = new ArrayDeque<>();
    private boolean collecting;
    /** Written by the receiver thread only; read by tests. */
    private volatile long helpers;

    CallbackRuns(Executor executor, Thread owner, boolean enabled) {
        this.executor = executor;
        this.owner = owner;
        this.enabled = enabled;
    }

    /** Any thread: true when {@code callback} was taken into the receiver's current pass (else run it as usual). */
    boolean offer(Runnable callback) {
        if (Thread.currentThread() != owner || !collecting) {
            return false;
        }
        collected.add(callback);
        return true;
    }

    /** Receiver thread: the callbacks of the replies it handles from now on wait for {@link #end}. */
    void begin() {
        collecting = enabled;
    }

    /** Receiver thread: starts what the pass collected: one callback as it would alone, several as one run. */
    void end() {
        collecting = false;
        int n = collected.size();
        if (n == 0) {
            return;
        }
        if (n == 1) {
            start(collected.get(0));
        } else {
            Run run = new Run(collected.toArray(new Runnable[0]));
            unfinished.add(run);
            start(run);
        }
        collected.clear();
    }

    /**
     * Receiver thread: gives another virtual thread to each run held up longer than {@link #HOLD_NANOS} by the
     * callback it is in, forgets finished runs; true while some run has callbacks not yet taken (the receiver
     * then comes back within {@link #HOLD_NANOS} to look again).
     */
    boolean check(long now) {
        for (Iterator<Run> it = unfinished.iterator(); it.hasNext(); ) {
            Run run = it.next();
            if (run.allTaken()) {
                it.remove();
                continue;
            }
            long started = run.started;
            // not started at all: the scheduler has not got to it, and another thread would queue behind it
            if (started != 0 && started != run.helpedAt && now - started > HOLD_NANOS) {
                run.helpedAt = started;
                helpers++;
                start(run);
            }
        }
        return !unfinished.isEmpty();
    }

    /** How many times a held-up run got another virtual thread. */
    long helpers() {
        return helpers;
    }

    /**
     * Receiver thread, as it stops: no one will look at the unfinished runs again, so each callback not yet
     * taken gets a virtual thread of its own (none waits behind a callback that may never return).
     */
    void release() {
        for (Run run : unfinished) {
            run.spread();
        }
        unfinished.clear();
    }

    private void start(Runnable task) {
        try {
            executor.execute(task);
        } catch (RejectedExecutionException e) {
            task.run(); // the executor is shut down (client closing): deliver here rather than lose them
        }
    }

    /** One pass's callbacks, taken in order by one virtual thread, or more when one of them blocks. */
    private static final class Run implements Runnable {
        private final Runnable[] callbacks;
        private final AtomicInteger next = new AtomicInteger();
        /** When the callback last taken started (nanoTime; 0 before the first). */
        volatile long started;
        /** Receiver thread: the {@link #started} it last gave another thread for. */
        long helpedAt;

        Run(Runnable[] callbacks) {
            this.callbacks = callbacks;
        }

        boolean allTaken() {
            return next.get() >= callbacks.length;
        }

        @Override
        public void run() {
            int i;
            while ((i = next.getAndIncrement()) < callbacks.length) {
                long now = System.nanoTime();
                started = now == 0 ? 1 : now;
                Runnable callback = callbacks[i];
                callbacks[i] = null; // a finished reply is not kept alive by a run still held up elsewhere
                Thread.interrupted(); // an interrupt a callback before it left set is not this one's
                callback.run(); // guarded by the dispatcher: never throws
            }
        }

        /** Every callback not yet taken, on a virtual thread of its own. */
        void spread() {
            int i;
            while ((i = next.getAndIncrement()) < callbacks.length) {
                Runnable callback = callbacks[i];
                callbacks[i] = null;
                Thread.ofVirtual().start(callback);
            }
        }
    }
}
