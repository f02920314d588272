package org.offload.bench;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.offload.client.ServiceClient;
import org.offload.service.Request;

/** The memory rows: client heap per pending call, and a service's memory under sustained overload. */
final class MemoryBench {
    private static final double MIB = 1024.0 * 1024.0;

    private MemoryBench() {}

    /**
     * Heap used (after full GCs) with N {@code callAsync} calls outstanding, minus the same before them,
     * divided by N. The service is a worker process whose handler never answers, with a queue for all N.
     */
    static void clientHeap(BenchOptions o, Results results, PrintStream progress) throws Exception {
        long start = System.nanoTime();
        int n = o.pendingCalls();
        try (WorkerProcess worker = WorkerProcess.start(List.of("-Xmx2g"), "hold", n + 1_000);
             ServiceClient client = ServiceClient.builder().name("bench-memory").maxPendingCalls(n + 1_000).build()) {
            client.register("hold", worker.pullAddress, worker.pubAddress, OffloadSide.PASSPHRASE);
            Request ping = Request.of(BenchWorker.PING, Payload.METHOD);
            Request hold = Request.of(BenchWorker.HOLD, Payload.METHOD);
            for (int i = 0; i < 2_000; i++) {
                client.call("hold", ping, OffloadSide.SETUP_DEADLINE);
            }
            List<CompletableFuture<?>> futures = new ArrayList<>(n);
            long sentBefore = client.stats().sent();
            long before = usedHeapAfterGc();
            for (int i = 0; i < n; i++) {
                futures.add(client.callAsync("hold", hold, Duration.ofMinutes(10)));
            }
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (client.stats().sent() - sentBefore < n && System.nanoTime() < until) {
                Thread.sleep(10);
            }
            Thread.sleep(500); // let the sockets hand the last requests to the worker
            long after = usedHeapAfterGc();
            long ended = futures.stream().filter(CompletableFuture::isDone).count();
            results.add("memory.client.bytesPerCall", (after - before) / (double) n);
            results.add("memory.client.requests", client.stats().sent() - sentBefore);
            results.note("memory.client.bytesPerCall", String.format("%,d calls outstanding (%,d sent, %d ended early):"
                    + " heap %.1f -> %.1f MiB", n, client.stats().sent() - sentBefore, ended, before / MIB, after / MIB));
        }
        progress.printf("bench: %-40s (%.1f s)%n", "client heap per pending call", (System.nanoTime() - start) / 1e9);
    }

    /**
     * Drives a service (library defaults, CPU-bound handler, its own process) far beyond its capacity and
     * samples its live heap (after a full GC) and RSS: idle, then every {@code sampleEvery} while overloaded.
     */
    static void serviceOverload(BenchOptions o, Results results, PrintStream progress) throws Exception {
        long start = System.nanoTime();
        try (WorkerProcess worker = WorkerProcess.start(List.of("-Xms256m", "-Xmx256m", "-XX:+AlwaysPreTouch"),
                "overload", 0);
             ServiceClient client = ServiceClient.builder().name("bench-overload").build()) {
            client.register("overload", worker.pullAddress, worker.pubAddress, OffloadSide.PASSPHRASE);
            Request request = BenchWorker.cpuRequest(Math.max(1, o.cpuRounds() / 10));
            client.call("overload", request, OffloadSide.SETUP_DEADLINE);
            long[] idle = worker.sample();
            Pipelined load = new Pipelined("overload", 20_000,
                    OffloadSide.callAsync(client, "overload", () -> request, reply -> true));
            FutureTask<Map<String, Double>> running = new FutureTask<>(() -> load.round(o.overloadRound()));
            long loadStart = System.nanoTime();
            Thread.ofPlatform().name("bench-overload").start(running);
            List<long[]> samples = new ArrayList<>();
            while (!running.isDone()) {
                Thread.sleep(o.sampleEvery().toMillis());
                if (!running.isDone()) {
                    samples.add(worker.sample());
                }
            }
            Map<String, Double> load1 = running.get();
            double loadSeconds = (System.nanoTime() - loadStart) / 1e9;
            if (samples.isEmpty()) {
                samples.add(worker.sample());
            }
            record("heap", 0, idle, samples, results);
            record("rss", 1, idle, samples, results);
            results.note("memory.service.heap.last", String.format("%d samples over %.1f s; %,.0f replies/s, %,.0f"
                    + " calls failed (429 busy)", samples.size(), loadSeconds, load1.get("rate"), load1.get("errors")));
            results.add("memory.service.busy", load1.get("errors"));
            results.add("memory.service.requests", load1.get("requests"));
            results.add("memory.service.cut", load1.get("cut"));
        }
        progress.printf("bench: %-40s (%.1f s)%n", "service memory under overload", (System.nanoTime() - start) / 1e9);
    }

    /**
     * Idle, first, last and max samples, and two ratios: last / first, and last / the highest sample of the
     * first half, which is the plateau test (growth while warming up is expected; new highs later are not).
     */
    private static void record(String what, int index, long[] idle, List<long[]> samples, Results results) {
        String id = "memory.service." + what;
        double first = samples.get(0)[index] / MIB;
        double firstHalfMax = samples.subList(0, Math.max(1, samples.size() / 2)).stream().mapToLong(s -> s[index]).max()
                .orElse(0) / MIB;
        double last = samples.get(samples.size() - 1)[index] / MIB;
        double max = samples.stream().mapToLong(s -> s[index]).max().orElse(0) / MIB;
        results.add(id + ".idle", idle[index] / MIB);
        results.add(id + ".first", first);
        results.add(id + ".last", last);
        results.add(id + ".max", max);
        results.add(id + ".growth", last / first);
        results.add(id + ".plateau", last / firstHalfMax);
        results.note(id + ".plateau", "samples (MiB): idle " + String.format(Locale.ROOT, "%.1f", idle[index] / MIB)
                + ", then " + samples.stream().map(s -> String.format(Locale.ROOT, "%.1f", s[index] / MIB))
                        .collect(Collectors.joining(" ")));
    }

    private static long usedHeapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(50);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
