package org.offload.client;

import java.time.Duration;
import java.util.List;
import java.util.LongSummaryStatistics;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.ToLongFunction;
import java.util.stream.Collectors;
import org.offload.client.CallStream.Outcome;

/**
 * What one fault did to a {@link CallStream}, in the terms of issue 10's promise: which calls failed, when the
 * faulted instance stopped getting calls and failing them (detection, from the fault) and when it answered
 * again (rejoin, from the restore). {@code fault} and {@code restore} are {@link System#nanoTime()} values
 * taken when the fault's and the restore's commands had returned: the fault was in effect by then, and over
 * only after {@code restore}.
 */
record FaultFigures(String label, String faulted, String healthy, long fault, long restore, List<Outcome> calls,
                    int lost) {

    /** Failed calls that ended before the fault (none expected: both instances were serving). */
    List<Outcome> failedBeforeFault() {
        return calls.stream().filter(o -> o.failed() && o.end() < fault).toList();
    }

    /** Failed calls that ended at or after the fault. */
    List<Outcome> failures() {
        return calls.stream().filter(o -> o.failed() && o.end() >= fault).toList();
    }

    /** Calls in flight when the fault began. */
    long inFlightAtFault() {
        return calls.stream().filter(o -> o.start() < fault && o.end() > fault).count();
    }

    /** Failures by exception class. */
    Map<String, Long> failureTypes() {
        return failures().stream().collect(Collectors.groupingBy(Outcome::failure, TreeMap::new, Collectors.counting()));
    }

    /** Failures by caller (each caller has at most one call in flight). */
    Map<Integer, Long> failuresPerCaller() {
        return failures().stream().collect(Collectors.groupingBy(Outcome::caller, TreeMap::new, Collectors.counting()));
    }

    /** Calls started between the fault plus {@code after} and the restore that failed or that {@link #healthy} did not answer. */
    List<Outcome> notServedByHealthyAfter(Duration after) {
        long from = fault + after.toNanos();
        return calls.stream().filter(o -> o.start() >= from && o.start() < restore && !o.worker().equals(healthy))
                .toList();
    }

    /** How many calls started between the fault plus {@code after} and the restore. */
    long startedAfter(Duration after) {
        long from = fault + after.toNanos();
        return calls.stream().filter(o -> o.start() >= from && o.start() < restore).count();
    }

    /** Milliseconds from the fault to the end of the last failed call (the detection, if every one was typed and early). */
    Optional<Long> lastFailureMs() {
        return failures().stream().mapToLong(o -> ms(o.end() - fault)).max().stream().boxed().findFirst();
    }

    /** Milliseconds from the restore until the faulted instance's first answer. */
    Optional<Long> rejoinMs() {
        return calls.stream().filter(o -> o.worker().equals(faulted) && o.end() >= restore)
                .mapToLong(o -> ms(o.end() - restore)).min().stream().boxed().findFirst();
    }

    /** The figures, one line each, for the log and for assertion messages. */
    String report(Duration detectionBound, Duration deadline) {
        List<Outcome> failures = failures();
        StringBuilder r = new StringBuilder();
        line(r, "%d calls, %d during the fault (%d ms), %d in flight at the fault; lost (never ended): %d",
                calls.size(), calls.stream().filter(o -> o.end() >= fault && o.start() < restore).count(),
                ms(restore - fault), inFlightAtFault(), lost);
        line(r, "failed: %d %s, per caller %s%s", failures.size(), failureTypes(), failuresPerCaller(),
                failures.isEmpty() ? "" : String.format("; ended +%s ms after the fault; took %s ms each (deadline %d ms)",
                        range(failures, o -> ms(o.end() - fault)), range(failures, o -> ms(o.end() - o.start())),
                        deadline.toMillis()));
        List<Outcome> late = notServedByHealthyAfter(detectionBound);
        boolean typed = failures.stream().allMatch(o -> o.failure().equals("ServiceUnavailableException"));
        if (late.isEmpty() && typed) {
            line(r, "detection: %s", lastFailureMs().map(ms -> ms + " ms (the last failed call ended then; "
                    + "every call from " + detectionBound.toMillis() + " ms to the restore was answered by " + healthy + ")")
                    .orElse("0 ms (no call failed)"));
        } else {
            line(r, "detection: none - %d of %d calls started from +%d ms to the restore were not answered by %s "
                    + "(started at +%s ms after the fault); failures %s", late.size(), startedAfter(detectionBound),
                    detectionBound.toMillis(), healthy, range(late, o -> ms(o.start() - fault)),
                    typed ? "all ServiceUnavailableException" : "not all ServiceUnavailableException: " + failureTypes());
        }
        line(r, "rejoin: %s", rejoinMs().map(ms -> ms + " ms after the restore (" + faulted + "'s first answer)")
                .orElse("none: " + faulted + " answered no call after the restore"));
        if (!failedBeforeFault().isEmpty()) {
            line(r, "failed before the fault: %d, e.g. %s", failedBeforeFault().size(), failedBeforeFault().get(0));
        }
        return r.toString();
    }

    private void line(StringBuilder r, String format, Object... args) {
        r.append("[cross-host] ").append(label).append(": ").append(String.format(format, args)).append('\n');
    }

    private static String range(List<Outcome> outcomes, ToLongFunction<Outcome> f) {
        LongSummaryStatistics s = outcomes.stream().mapToLong(f).summaryStatistics();
        return s.getCount() == 0 ? "-" : s.getMin() == s.getMax() ? Long.toString(s.getMin()) : s.getMin() + ".." + s.getMax();
    }

    private static long ms(long nanos) {
        return Duration.ofNanos(nanos).toMillis();
    }
}
