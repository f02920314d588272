package org.offload.bench;

import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.offload.client.ServiceClient;
import org.offload.service.BusyException;
import org.offload.service.DeadlineExceededException;
import org.offload.service.Reply;
import org.offload.service.Request;

/**
 * Deadline-aware admission under overload. A worker process with library defaults (a handler thread per
 * core, a 1,000-deep queue) and a CPU-bound handler; first its capacity (replies a second with enough calls
 * in flight to keep every handler thread busy), then {@value #FACTOR} times that rate offered open loop, every
 * call with the client's default deadline (5 s), the rate following, every second, 10 times what the
 * handlers did in the last second if that is more (on a shared machine the capacity changes with the load).
 * After a settling time of one deadline, a window is measured: the goodput is the share of the
 * service's capacity in that window (its handler threads × the window) that went to callers still waiting,
 * i.e. the replies that reached their caller in time × the handler's mean time per request. Measured on the
 * worker's own clock in the same window, it holds on a machine whose load changes.
 */
final class Overload {
    static final String ID = "overload";
    /** How far beyond its capacity the service is driven. */
    static final int FACTOR = 10;
    /** SHA-256 rounds per request, in the quick run too: about 25 ms on one core here. */
    private static final int ROUNDS = 400_000;
    /** The least replies the capacity round counts, so that a slow machine does not stretch the quick run. */
    private static final int CAPACITY_MIN_REQUESTS = 20;
    private static final Duration DEADLINE = ServiceClient.DEFAULT_DEADLINE;
    /** How often the offered rate follows the handlers' rate. */
    private static final Duration RERATE = Duration.ofSeconds(1);
    private static final int RUNS = 3;
    private static final int NANOS = 4;
    private static final int WORKERS = 5;

    private final LongAdder sent = new LongAdder();
    private final LongAdder ok = new LongAdder();
    private final LongAdder busy = new LongAdder();
    private final LongAdder late = new LongAdder();
    private final LongAdder other = new LongAdder();
    /** Successful replies that ended inside the measuring window. */
    private final LongAdder useful = new LongAdder();
    private final Map<CompletableFuture<Reply>, Boolean> pending = new ConcurrentHashMap<>();
    /** True while the window is measured. */
    private volatile boolean measuring;
    private long[] atStart;
    private long[] atEnd;
    private long measuredNanos;
    /** Calls a second offered during the window (measured). */
    private double windowRate;

    private Overload() {}

    static void run(BenchOptions o, Results results, PrintStream progress) throws Exception {
        long start = System.nanoTime();
        Duration window = o.quick() ? Duration.ofSeconds(1) : Duration.ofSeconds(20);
        Duration settle = o.quick() ? Duration.ofMillis(500) : DEADLINE;
        int cores = Runtime.getRuntime().availableProcessors();
        try (WorkerProcess worker = WorkerProcess.start(List.of("-Xmx256m"), "overload", 0);
             ServiceClient client = ServiceClient.builder().name("bench-goodput").build()) {
            client.register(ID, worker.pullAddress, worker.pubAddress, OffloadSide.PASSPHRASE);
            Request request = BenchWorker.cpuRequest(ROUNDS);
            for (int i = 0; i < 4 * cores; i++) {
                client.call(ID, request, OffloadSide.SETUP_DEADLINE); // warm-up; the service learns the cost
            }
            Map<String, Double> capacity = new Pipelined("overload.capacity", 4 * cores,
                    OffloadSide.callAsync(client, ID, () -> request, reply -> true)).round(Round.of(window, CAPACITY_MIN_REQUESTS));
            double capacityRate = capacity.get("rate");
            long[] before = worker.stats();
            Overload run = new Overload();
            run.drive(worker, client, request, capacityRate, settle, window, before);
            long[] after = worker.stats();
            run.report(results, capacityRate, before, after);
        }
        progress.printf("bench: %-40s (%.1f s)%n", FACTOR + "x overload, " + DEADLINE.toSeconds() + " s deadlines",
                (System.nanoTime() - start) / 1e9);
    }

    private void report(Results results, double capacityRate, long[] before, long[] after) {
        double seconds = measuredNanos / 1e9;
        double runs = atEnd[RUNS] - atStart[RUNS];
        double factor = runs == 0 ? 0 : windowRate / (runs / seconds);
        double handlerNanos = atEnd[NANOS] - atStart[NANOS];
        double capacityNanos = (double) atEnd[WORKERS] * measuredNanos;
        double goodput = runs == 0 ? 0 : useful.sum() * (handlerNanos / runs) / capacityNanos;
        long computed = (after[0] - before[0]) - (after[1] - before[1]); // replies minus 429s: handlers that ran
        results.add("overload.capacity", capacityRate);
        results.add("overload.offered", windowRate);
        results.add("overload.factor", factor);
        results.add("overload.useful", useful.sum() / seconds);
        results.add("overload.busyShare", handlerNanos / capacityNanos);
        results.add("overload.goodput", goodput);
        results.add("overload.requests", sent.sum());
        results.add("overload.ok", ok.sum());
        results.add("overload.busy", busy.sum());
        results.add("overload.late", late.sum());
        results.add("overload.wasted", Math.max(0, computed - ok.sum()));
        results.note("overload.goodput", String.format("window %.1f s at %,.0f calls/s, %.1f× the %,.1f handler runs a"
                        + " second there: %,d replies in time × %.1f ms per handler run / (%d handler threads × %.1f s);"
                        + " whole run (deadline %d s, capacity first measured %,.1f/s): %,d served in time, %,d refused"
                        + " 429, %,d ended 408, %,d other; the service ran %,d handlers and skipped %,d expired requests",
                seconds, windowRate, factor, runs / seconds, useful.sum(), runs == 0 ? 0 : handlerNanos / runs / 1e6,
                atEnd[WORKERS], seconds, DEADLINE.toSeconds(), capacityRate, ok.sum(), busy.sum(), late.sum(),
                other.sum(), computed, after[2] - before[2]));
    }

    /**
     * Offers {@value #FACTOR} × {@code capacity} calls a second, re-rated every {@link #RERATE} to
     * {@value #FACTOR} times the higher of that and the handler runs a second since the last re-rate (the
     * machine's load may change the capacity), for {@code settle} and then {@code window}, sampling the
     * worker's counters when the window starts and ends; then waits for every call to end.
     * {@code before}: the counters as the settling starts.
     */
    private void drive(WorkerProcess worker, ServiceClient client, Request request, double capacity, Duration settle,
                       Duration window, long[] before) throws Exception {
        long interval = (long) (1e9 / (FACTOR * capacity));
        long begin = System.nanoTime();
        long next = begin;
        long windowStart = begin + settle.toNanos();
        long windowEnd = 0;
        long[] last = before;
        long lastAt = begin;
        long sentAtStart = 0;
        for (long now = begin; atEnd == null; now = System.nanoTime()) {
            if (atStart == null && now - windowStart >= 0) {
                atStart = worker.stats();
                windowStart = System.nanoTime();
                windowEnd = windowStart + window.toNanos();
                sentAtStart = sent.sum();
                measuring = true;
            } else if (atStart != null && now - windowEnd >= 0) {
                measuring = false;
                atEnd = worker.stats();
                measuredNanos = System.nanoTime() - windowStart;
                windowRate = (sent.sum() - sentAtStart) / (measuredNanos / 1e9);
            } else if (now - lastAt >= RERATE.toNanos()) {
                long[] stats = worker.stats();
                double runsPerSecond = (stats[RUNS] - last[RUNS]) / ((now - lastAt) / 1e9);
                interval = (long) (1e9 / (FACTOR * Math.max(capacity, runsPerSecond)));
                last = stats;
                lastAt = now;
            } else if (now - next < 0) {
                LockSupport.parkNanos(Math.min(next - now, TimeUnit.MILLISECONDS.toNanos(1)));
            } else {
                next = Math.max(next + interval, now - RERATE.toNanos()); // no burst to catch up after a stall
                send(client, request);
            }
        }
        long until = System.nanoTime() + DEADLINE.toNanos() + TimeUnit.SECONDS.toNanos(5);
        while (!pending.isEmpty() && System.nanoTime() - until < 0) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
    }

    private void send(ServiceClient client, Request request) {
        sent.increment();
        CompletableFuture<Reply> call = client.callAsync(ID, request, DEADLINE);
        pending.put(call, Boolean.TRUE);
        call.whenComplete((reply, error) -> {
            ended(error);
            pending.remove(call);
        });
    }

    private void ended(Throwable error) {
        Throwable e = error instanceof CompletionException ? error.getCause() : error;
        if (e == null) {
            ok.increment();
            if (measuring) {
                useful.increment();
            }
        } else if (e instanceof BusyException) {
            busy.increment();
        } else if (e instanceof DeadlineExceededException) {
            late.increment();
        } else {
            other.increment();
        }
    }
}
