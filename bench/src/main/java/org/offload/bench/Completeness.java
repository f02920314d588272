package org.offload.bench;

import java.io.PrintStream;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.offload.client.ServiceClient;
import org.offload.service.ServiceException;

/**
 * The "every request ends" rows: {@code callAsync} with a window of requests in flight against a service with
 * every library default, counting each outcome. A reply or a typed {@link ServiceException} ends a request;
 * anything else (an untyped exception, or no outcome at all by the deadline plus a margin) is missing.
 */
final class Completeness {
    private static final long MARGIN_MS = 10_000;

    private Completeness() {}

    static void run(ServiceClient client, String service, BenchOptions o, Results results, PrintStream progress)
            throws InterruptedException {
        for (int window : o.windows()) {
            long start = System.nanoTime();
            int total = o.requestsFor(window);
            Semaphore slots = new Semaphore(window);
            LongAdder replies = new LongAdder();
            LongAdder untyped = new LongAdder();
            Map<String, LongAdder> typed = new ConcurrentHashMap<>();
            for (int i = 0; i < total; i++) {
                slots.acquire();
                client.callAsync(service, Payload.JSON.offloadRequest()).whenComplete((reply, error) -> {
                    Throwable cause = error instanceof CompletionException ce ? ce.getCause() : error;
                    if (cause == null) {
                        replies.increment();
                    } else if (cause instanceof ServiceException se) {
                        typed.computeIfAbsent(se.getClass().getSimpleName() + " " + se.status(), k -> new LongAdder())
                                .increment();
                    } else {
                        untyped.increment();
                    }
                    slots.release();
                });
            }
            slots.tryAcquire(window, ServiceClient.DEFAULT_DEADLINE.toMillis() + MARGIN_MS, TimeUnit.MILLISECONDS);
            long failures = typed.values().stream().mapToLong(LongAdder::sum).sum();
            long missing = total - replies.sum() - failures;
            String id = "complete.w" + window;
            results.add(id + ".sent", total);
            results.add(id + ".replies", replies.sum());
            results.add(id + ".requests", replies.sum());
            results.add(id + ".typed", failures);
            results.add(id + ".missing", missing);
            Map<String, Long> byType = new TreeMap<>();
            typed.forEach((k, v) -> byType.put(k, v.sum()));
            results.note(id + ".missing", String.format("%,d sent: %,d replies, %,d typed failures%s%s", total,
                    replies.sum(), failures, byType.isEmpty() ? "" : " " + byType,
                    untyped.sum() == 0 ? "" : String.format(", %,d untyped", untyped.sum())));
            progress.printf("bench: %-40s %,d sent, %d missing (%.1f s)%n", window + " in flight", total, missing,
                    (System.nanoTime() - start) / 1e9);
        }
    }
}
