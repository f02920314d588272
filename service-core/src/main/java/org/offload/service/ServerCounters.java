package org.offload.service;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** The counters behind {@link ServerStats}; updated from any thread. */
final class ServerCounters {
    final AtomicLong received = new AtomicLong();
    final AtomicLong replied = new AtomicLong();
    final AtomicLong unauthorized = new AtomicLong();
    final AtomicLong replayed = new AtomicLong();
    final AtomicLong malformed = new AtomicLong();
    final AtomicLong notFound = new AtomicLong();
    final AtomicLong busy = new AtomicLong();
    final AtomicLong failed = new AtomicLong();
    final AtomicLong expired = new AtomicLong();
    final AtomicLong cancelled = new AtomicLong();
    final AtomicLong dropped = new AtomicLong();
    final AtomicLong shed = new AtomicLong();
    final AtomicLong oversized = new AtomicLong();
    final AtomicLong handshakeTimeouts = new AtomicLong();
    final AtomicLong connectionsRefused = new AtomicLong();
    final AtomicLong overBudget = new AtomicLong();
    final AtomicInteger inFlight = new AtomicInteger();
    final AtomicInteger parked = new AtomicInteger();
    final AtomicLong refusedHandshakes = new AtomicLong();

    ServerStats snapshot() {
        return snapshot(0);
    }

    ServerStats snapshot(long queuedBytes) {
        return new ServerStats(received.get(), replied.get(), unauthorized.get(), replayed.get(), malformed.get(),
                notFound.get(), busy.get(), failed.get(), expired.get(), cancelled.get(), dropped.get(),
                inFlight.get(), parked.get(), shed.get(), oversized.get(), handshakeTimeouts.get(),
                connectionsRefused.get(), overBudget.get(), queuedBytes, refusedHandshakes.get());
    }
}
