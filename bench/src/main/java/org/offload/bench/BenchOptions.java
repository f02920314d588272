package org.offload.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * How long and how hard one run measures. {@link #full} is {@code ./run bench} (a few minutes);
 * {@link #quick} is the smoke run (seconds), which only proves every row can be produced.
 *
 * @param warmup         unmeasured round each scenario runs before its group's measured rounds
 * @param round          length of one measured round
 * @param rounds         measured rounds per scenario (medians and spreads are over these)
 * @param window         requests in flight for the pipelined rows
 * @param sendWindow     nowait requests in flight for the send rows (replies counted at the handler)
 * @param virtualThreads threads calling {@code call} at once in the "many virtual threads" rows
 * @param windows        in-flight windows of the "every request ends" rows
 * @param pendingCalls   outstanding {@code callAsync} calls for the client-heap row
 * @param overload       how long the service is overloaded for the service-memory rows
 * @param sampleEvery    how often the overloaded service's memory is sampled
 * @param cpuRounds      SHA-256 rounds per request of the CPU-bound handler (about 2 ms on one core here)
 */
record BenchOptions(boolean quick, Path outDir, Duration warmup, Duration round, int rounds, int window,
                    int sendWindow, int virtualThreads, List<Integer> windows, int pendingCalls,
                    Duration overload, Duration sampleEvery, int cpuRounds) {

    static BenchOptions full(Path outDir) {
        return new BenchOptions(false, outDir, Duration.ofMillis(1000), Duration.ofMillis(800), 5, 256, 4096, 64,
                List.of(16, 256, 1_000, 10_000), 100_000, Duration.ofSeconds(8), Duration.ofSeconds(1), 20_000);
    }

    static BenchOptions quick(Path outDir) {
        return new BenchOptions(true, outDir, Duration.ofMillis(100), Duration.ofMillis(100), 1, 256, 4096, 16,
                List.of(16, 256, 1_000, 10_000), 5_000, Duration.ofMillis(1000), Duration.ofMillis(250), 2_000);
    }

    /** {@code [--quick] [--out DIR]}. */
    static BenchOptions parse(String... args) {
        boolean quick = false;
        Path out = Path.of("bench", "results");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> quick = true;
                case "--out" -> {
                    if (i + 1 == args.length) {
                        throw new IllegalArgumentException("--out needs a directory");
                    }
                    out = Path.of(args[++i]);
                }
                default -> throw new IllegalArgumentException("unknown option '" + args[i] + "' (usage: [--quick] [--out DIR])");
            }
        }
        return quick ? quick(out) : full(out);
    }

    /** Windows of the "every request ends" rows: each sends this many requests in all. */
    int requestsFor(int window) {
        return quick ? Math.max(2 * window, 200) : Math.max(4 * window, 5_000);
    }

    /** Length of one scale-out round: long enough for a few hundred CPU-bound requests. */
    Duration scaleRound() {
        return quick ? Duration.ofMillis(300) : Duration.ofMillis(1500);
    }
}
