package org.offload.bench;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import org.HdrHistogram.Histogram;

/**
 * Sync round trips back to back, each timed into an HdrHistogram: from the calling thread, or from many
 * virtual threads at once, until the round's length has passed and its minimum of calls (all threads
 * together) has ended. Figures: p50, p99, p99.9 in µs, rate (calls a second), requests (calls timed), cut,
 * cpu (process CPU µs per call), errors.
 */
final class Latency implements Scenario {
    /** One blocking round trip. */
    interface Op {
        void call() throws Exception;
    }

    private static final long MAX_NANOS = TimeUnit.SECONDS.toNanos(60);

    private final String id;
    private final Op op;
    private final int virtualThreads;
    private final LongSupplier outsideCpu;

    /** Calls from the thread that runs the round. */
    static Latency oneThread(String id, Op op) {
        return new Latency(id, op, 0, CpuClock.NONE);
    }

    /** Calls from the thread that runs the round, counting the CPU of processes outside this JVM ({@link CpuClock}). */
    static Latency oneThread(String id, Op op, LongSupplier outsideCpu) {
        return new Latency(id, op, 0, outsideCpu);
    }

    /** Calls from {@code threads} virtual threads at once. */
    static Latency virtualThreads(String id, int threads, Op op) {
        return new Latency(id, op, threads, CpuClock.NONE);
    }

    private Latency(String id, Op op, int virtualThreads, LongSupplier outsideCpu) {
        this.id = id;
        this.op = op;
        this.virtualThreads = virtualThreads;
        this.outsideCpu = outsideCpu;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public Map<String, Double> round(Round round) throws Exception {
        long start = System.nanoTime();
        AtomicLong errors = new AtomicLong();
        LongAdder samples = new LongAdder();
        Histogram all = new Histogram(MAX_NANOS, 3);
        CpuClock cpu = new CpuClock(outsideCpu);
        if (virtualThreads == 0) {
            loop(round, start, all, samples, errors);
        } else {
            List<Histogram> parts = new ArrayList<>();
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < virtualThreads; i++) {
                Histogram h = new Histogram(MAX_NANOS, 3);
                parts.add(h);
                threads.add(Thread.ofVirtual().name(id + "-" + i).start(() -> loop(round, start, h, samples, errors)));
            }
            for (Thread t : threads) {
                t.join();
            }
            parts.forEach(all::add);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        Map<String, Double> figures = new HashMap<>(Map.of("p50", micros(all, 50), "p99", micros(all, 99),
                "p999", micros(all, 99.9), "rate", all.getTotalCount() / seconds, "errors", (double) errors.get()));
        round.addTo(figures, all.getTotalCount(), all.getTotalCount() + errors.get());
        cpu.addTo(figures, id, all.getTotalCount());
        return figures;
    }

    /**
     * Calls back to back until {@code round} is over, counting in {@code samples} and {@code errors} what all
     * the round's threads ended (the counts are read only once the round's length has passed).
     */
    private void loop(Round round, long start, Histogram h, LongAdder samples, AtomicLong errors) {
        long now = System.nanoTime();
        while (!round.lengthPassed(now - start) || !round.over(now - start, samples.sum() + errors.get())) {
            try {
                op.call();
                long done = System.nanoTime();
                h.recordValue(Math.min(done - now, MAX_NANOS));
                samples.increment();
                now = done;
            } catch (Exception e) {
                errors.incrementAndGet();
                now = System.nanoTime();
            }
        }
    }

    private static double micros(Histogram h, double percentile) {
        return h.getValueAtPercentile(percentile) / 1_000.0;
    }
}
