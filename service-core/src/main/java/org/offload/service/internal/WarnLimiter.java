package org.offload.service.internal;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** Allows one WARN line per interval, so a hostile peer cannot flood the log. Not public API. */
public final class WarnLimiter {
    private static final long INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);
    private final AtomicLong next = new AtomicLong(System.nanoTime());

    public boolean tryAcquire() {
        long now = System.nanoTime();
        long at = next.get();
        return now - at >= 0 && next.compareAndSet(at, now + INTERVAL_NANOS);
    }
}
