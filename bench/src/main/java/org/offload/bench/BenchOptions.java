package org.offload.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

/**
 * How long and how hard one run measures. {@link #full} is {@code ./run bench} (a few minutes);
 * {@link #quick} is the smoke run (seconds), which only proves every row can be produced. Every round, the
 * warm-up too, also runs until a minimum of requests has ended ({@link #minRequests()}, see {@link Round}).
 *
 * @param warmup         length of the unmeasured round each scenario runs before its group's measured rounds
 * @param round          length of one measured round
 * @param rounds         measured rounds per scenario (medians and spreads are over these)
 * @param window         requests in flight for the pipelined rows
 * @param sendWindow     nowait requests in flight for the send rows (replies counted at the handler) and
 *                       casts in flight for the cast rows (counted by the service's handler)
 * @param virtualThreads threads calling {@code call} at once in the "many virtual threads" rows
 * @param windows        in-flight windows of the "every request ends" rows
 * @param pendingCalls   outstanding {@code callAsync} calls for the client-heap row
 * @param overload       how long the service is overloaded for the service-memory rows
 * @param sampleEvery    how often the overloaded service's memory is sampled
 * @param cpuRounds      SHA-256 rounds per request of the light CPU-bound handler (about 1.2 ms on one core
 *                       here; the heavy one does ten times more)
 * @param only           runs only the scenarios whose id this finds (e.g. {@code offload.async.bytes}, for
 *                       profiling one of them); besides the scenarios of {@link Rounds} groups there are
 *                       {@code complete}, {@code memory.client} and {@code memory.service}
 */
record BenchOptions(boolean quick, Path outDir, Duration warmup, Duration round, int rounds, int window,
                    int sendWindow, int virtualThreads, List<Integer> windows, int pendingCalls,
                    Duration overload, Duration sampleEvery, int cpuRounds, Pattern only) {

    static BenchOptions full(Path outDir) {
        return new BenchOptions(false, outDir, Duration.ofMillis(1000), Duration.ofMillis(800), 5, 256, 4096, 64,
                List.of(16, 256, 1_000, 10_000), 100_000, Duration.ofSeconds(20), Duration.ofSeconds(2), 20_000, ALL);
    }

    static BenchOptions quick(Path outDir) {
        // a smaller send window: a quick round's end waits for the window to drain (CURVE 16 KiB: 1-2 ms each)
        return new BenchOptions(true, outDir, Duration.ofMillis(100), Duration.ofMillis(100), 1, 256, 512, 16,
                List.of(16, 256, 1_000, 10_000), 5_000, Duration.ofMillis(1000), Duration.ofMillis(250), 2_000, ALL);
    }

    /**
     * The least requests a round of the quick run counts: its rounds are far too short for a busy machine
     * to complete anything in their length alone, so the count decides how long they run there.
     */
    static final int QUICK_MIN_REQUESTS = 200;
    /**
     * The least requests a round of the full run counts: below what the slowest scenario completes in its
     * length (heavy scale-out with 1 worker: 72 a second at worst in the last full run, about 115 in its
     * 1.6 s round), so the full run's measured rounds last their length.
     */
    static final int FULL_MIN_REQUESTS = 50;

    static final String USAGE = "[--quick] [--out DIR] [--only REGEX] [--rounds N] [--round-ms MS] [--warmup-ms MS]";
    private static final Pattern ALL = Pattern.compile("");

    /** {@value #USAGE}: a full or quick run, optionally narrowed or lengthened (for profiling). */
    static BenchOptions parse(String... args) {
        BenchOptions o = full(Path.of("bench", "results"));
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--quick")) {
                o = quick(o.outDir);
                continue;
            }
            if (i + 1 == args.length || !List.of("--out", "--only", "--rounds", "--round-ms", "--warmup-ms").contains(a)) {
                throw new IllegalArgumentException("unexpected '" + a + "' (usage: " + USAGE + ")");
            }
            String v = args[++i];
            o = switch (a) {
                case "--out" -> o.with(Path.of(v), o.warmup, o.round, o.rounds, o.only);
                case "--only" -> o.with(o.outDir, o.warmup, o.round, o.rounds, Pattern.compile(v));
                case "--rounds" -> o.with(o.outDir, o.warmup, o.round, positive(a, v), o.only);
                case "--round-ms" -> o.with(o.outDir, o.warmup, Duration.ofMillis(positive(a, v)), o.rounds, o.only);
                default -> o.with(o.outDir, Duration.ofMillis(positive(a, v)), o.round, o.rounds, o.only);
            };
        }
        return o;
    }

    private BenchOptions with(Path outDir, Duration warmup, Duration round, int rounds, Pattern only) {
        return new BenchOptions(quick, outDir, warmup, round, rounds, window, sendWindow, virtualThreads, windows,
                pendingCalls, overload, sampleEvery, cpuRounds, only);
    }

    private static int positive(String option, String value) {
        int n = Integer.parseInt(value);
        if (n <= 0) {
            throw new IllegalArgumentException(option + " must be > 0 but was " + n);
        }
        return n;
    }

    /** True when the scenario or part called {@code id} is to run. */
    boolean runs(String id) {
        return only.matcher(id).find();
    }

    /** Windows of the "every request ends" rows: each sends this many requests in all. */
    int requestsFor(int window) {
        return quick ? Math.max(2 * window, 200) : Math.max(4 * window, 5_000);
    }

    /** The least requests every round counts. */
    int minRequests() {
        return quick ? QUICK_MIN_REQUESTS : FULL_MIN_REQUESTS;
    }

    /** One unmeasured round before a group's measured rounds. */
    Round warmupRound() {
        return Round.of(warmup, minRequests());
    }

    /** One measured round. */
    Round measuredRound() {
        return Round.of(round, minRequests());
    }

    /** One round of the heavy scale-out rows: in a full run, long enough for a hundred or more requests. */
    Round scaleRound() {
        return Round.of(quick ? Duration.ofMillis(300) : round.multipliedBy(2), minRequests());
    }

    /** The round that overloads the service of the service-memory rows. */
    Round overloadRound() {
        return Round.of(overload, minRequests());
    }
}
