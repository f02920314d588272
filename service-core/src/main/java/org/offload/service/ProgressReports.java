package org.offload.service;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A service's progress reports waiting to be sent: one {@link ProgressGate} per call that asked for them and
 * has a report waiting (so bounded by the calls in flight), flushed by the I/O thread on every pass.
 */
final class ProgressReports {
    private static final Logger log = LoggerFactory.getLogger(ServiceServer.class);
    /** The request header whose comma-separated tokens ask for interim replies. */
    static final String NOTIFY_HEADER = "offload-notify";
    /** Token: a 102 when a worker starts the request. */
    static final String STARTED = "started";
    /** Token: 110s with the handler's progress. */
    static final String PROGRESS = "progress";

    private final String name;
    private final long intervalNanos;
    private final Set<ProgressGate> due = ConcurrentHashMap.newKeySet();

    ProgressReports(String name, Duration interval) {
        this.name = name;
        this.intervalNanos = interval.toNanos();
    }

    /** The comma-separated tokens of an {@code offload-notify} value, trimmed; empty when there is none. */
    static Set<String> tokens(String value) {
        if (value == null || value.isBlank()) {
            return Set.of();
        }
        Set<String> tokens = new HashSet<>();
        for (String t : value.split(",")) {
            tokens.add(t.trim());
        }
        return tokens;
    }

    /** A gate for one call whose reports {@code publish} sends. */
    ProgressGate gate(Consumer<Progress> publish) {
        return new ProgressGate(publish, due);
    }

    /** I/O thread: publishes the reports that are due (at most one per call per interval). */
    void flush() {
        if (due.isEmpty()) {
            return;
        }
        long now = System.nanoTime();
        for (ProgressGate gate : due) {
            try {
                gate.flushIfDue(now, intervalNanos);
            } catch (RuntimeException e) {
                log.warn("{} - could not publish a progress report", name, e);
                due.remove(gate);
            }
        }
    }
}
