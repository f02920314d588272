package org.offload.bench;

import java.time.Duration;
import java.util.Map;

/**
 * How long one round of a scenario measures: until {@code length} has passed <em>and</em> at least
 * {@code minRequests} requests have ended, so that a slow or busy machine makes a round longer instead of
 * making it measure nothing; but never past {@code cap}, where the round ends with what it has and says it
 * was cut short. In a full run the minimum is far below what any scenario completes in its length, so the
 * length alone decides.
 *
 * @param length      the least time a round measures
 * @param minRequests the least number of requests that end (a reply or a failure) in a round
 * @param cap         the most time a round measures, whatever it has counted by then
 */
record Round(Duration length, long minRequests, Duration cap) {
    /** The default {@link #cap}: far beyond any round, even on a machine busy with other work. */
    static final Duration CAP = Duration.ofSeconds(60);

    Round {
        if (length.isNegative() || cap.compareTo(length) < 0 || minRequests < 0) {
            throw new IllegalArgumentException("round of " + length + ", at least " + minRequests
                    + " requests, at most " + cap);
        }
    }

    /** A round of {@code length} and at least {@code minRequests}, at most {@link #CAP}. */
    static Round of(Duration length, long minRequests) {
        return new Round(length, minRequests, CAP.compareTo(length) < 0 ? length : CAP);
    }

    /** True once {@link #length} has passed; before, the round goes on whatever it has counted. */
    boolean lengthPassed(long elapsedNanos) {
        return elapsedNanos >= length.toNanos();
    }

    /** True when a round that has run {@code elapsedNanos} with {@code ended} requests ended is over. */
    boolean over(long elapsedNanos, long ended) {
        return elapsedNanos >= cap.toNanos() || lengthPassed(elapsedNanos) && ended >= minRequests;
    }

    /**
     * Puts the round's counts into its figures: {@code requests} (those the scenario's figures are taken
     * over) and {@code cut} (1 when the cap ended the round before {@code ended} reached the minimum, else 0).
     */
    void addTo(Map<String, Double> figures, long requests, long ended) {
        figures.put("requests", (double) requests);
        figures.put("cut", ended < minRequests ? 1.0 : 0.0);
    }
}
