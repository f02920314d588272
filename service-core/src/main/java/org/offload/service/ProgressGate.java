package org.offload.service;

import java.util.Set;
import java.util.function.Consumer;

/**
 * The progress reports of one call that asked for them ({@code offload-notify: progress}). A handler's
 * {@link Call#progress} only stores the latest report here (never touching a socket: its thread may be
 * interrupted by a cancel); the service's I/O thread publishes it, at most one per {@code intervalNanos}
 * per call, so a handler reporting in a tight loop sends a few messages, each the latest. The final reply
 * first publishes a report still waiting, then closes the gate: reports never follow the final reply.
 */
final class ProgressGate {
    private final Consumer<Progress> publish;
    private final Set<ProgressGate> due;
    private Progress latest;
    private boolean queued;
    private boolean sentAny;
    private long lastSentNanos;
    private boolean closed;

    /** {@code due}: the server's set of gates with a report waiting, which the I/O thread flushes. */
    ProgressGate(Consumer<Progress> publish, Set<ProgressGate> due) {
        this.publish = publish;
        this.due = due;
    }

    /** Handler thread: keeps {@code p} as the latest report. */
    synchronized void offer(Progress p) {
        if (closed) {
            return;
        }
        latest = p;
        if (!queued) {
            queued = true;
            due.add(this);
        }
    }

    /** I/O thread: publishes the waiting report if the interval since the last one has passed. */
    synchronized void flushIfDue(long now, long intervalNanos) {
        if (latest != null && !closed && sentAny && now - lastSentNanos < intervalNanos) {
            return; // stays queued
        }
        if (latest != null && !closed) {
            publish.accept(latest);
            sentAny = true;
            lastSentNanos = now;
        }
        latest = null;
        queued = false;
        due.remove(this);
    }

    /** Before the final reply (never on an interruptible thread): sends what waits, then accepts nothing more. */
    synchronized void close() {
        if (closed) {
            return;
        }
        if (latest != null) {
            publish.accept(latest);
        }
        latest = null;
        closed = true;
        if (queued) {
            queued = false;
            due.remove(this);
        }
    }
}
