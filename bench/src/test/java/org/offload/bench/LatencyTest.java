package org.offload.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Latency rounds last until their minimum of calls has ended, however long the length. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LatencyTest {
    private static final int MIN = 100;
    private static final int THREADS = 4;
    private static final Round ZERO_LENGTH = Round.of(Duration.ZERO, MIN);

    @Test
    void round_oneThread_timesExactlyTheMinimum() throws Exception {
        LongAdder calls = new LongAdder();
        Map<String, Double> figures = Latency.oneThread("test", calls::increment).round(ZERO_LENGTH);

        assertEquals(MIN, calls.sum());
        assertEquals((double) MIN, figures.get("requests"));
        assertEquals(0.0, figures.get("cut"));
        assertEquals(0.0, figures.get("errors"));
    }

    @Test
    void round_virtualThreads_timeTheMinimumTogether() throws Exception {
        LongAdder calls = new LongAdder();
        Map<String, Double> figures = Latency.virtualThreads("test", THREADS, calls::increment).round(ZERO_LENGTH);

        assertTrue(figures.get("requests") >= MIN, figures.toString());
        assertEquals((double) calls.sum(), figures.get("requests"));
        assertEquals(0.0, figures.get("cut"));
    }

    @Test
    void round_everyCallFails_failuresEndTheRound() throws Exception {
        Map<String, Double> figures = Latency.oneThread("test", () -> {
            throw new IllegalStateException("down");
        }).round(ZERO_LENGTH);

        assertEquals(0.0, figures.get("requests"));
        assertEquals((double) MIN, figures.get("errors"));
        assertEquals(0.0, figures.get("cut"));
    }
}
