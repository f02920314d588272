package org.offload.bench;

import java.io.PrintStream;
import java.util.List;

/**
 * Runs a group of scenarios that are compared with each other: a warm-up round each, then measured rounds
 * interleaved (every scenario once per round, the starting one rotating), so round {@code r} of each scenario
 * ran close in time to round {@code r} of the others and ratios can be taken round by round.
 */
final class Rounds {
    private Rounds() {}

    static void run(String title, List<Scenario> all, BenchOptions o, Round round, Results results,
                    PrintStream progress) throws Exception {
        List<Scenario> group = all.stream().filter(s -> o.runs(s.id())).toList();
        if (group.isEmpty()) {
            return;
        }
        long start = System.nanoTime();
        progress.printf("bench: %-40s warm-up", title);
        for (Scenario s : group) {
            s.round(o.warmupRound());
        }
        for (int r = 0; r < o.rounds(); r++) {
            progress.print(" " + (r + 1));
            for (int i = 0; i < group.size(); i++) {
                Scenario s = group.get((i + r) % group.size());
                results.addAll(s.id(), s.round(round));
            }
        }
        progress.printf(" (%.1f s)%n", (System.nanoTime() - start) / 1e9);
    }
}
