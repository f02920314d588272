package org.offload.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Rounds counted in requests, with loads that no clock governs: a counter that moves only when read. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PipelinedTest {
    private static final int MIN = 40;

    @Test
    void measure_fewerRequestsThanMinimumInLength_runsOnUntilMinimum() throws Exception {
        AtomicLong reads = new AtomicLong(); // one more request ended at every read
        Map<String, Double> figures = Pipelined.measure("test", Round.of(Duration.ofMillis(1), MIN),
                reads::incrementAndGet, reads::incrementAndGet);

        assertTrue(figures.get("requests") >= MIN, figures.toString());
        assertEquals(0.0, figures.get("cut"));
        assertTrue(figures.get("rate") > 0, figures.toString());
    }

    @Test
    void measure_nothingEndsBeforeCap_cutShortWithNoRequests() throws Exception {
        Round round = new Round(Duration.ofMillis(1), MIN, Duration.ofMillis(20));
        Map<String, Double> figures = Pipelined.measure("test", round, () -> 0, () -> 0);

        assertEquals(0.0, figures.get("requests"));
        assertEquals(1.0, figures.get("cut"));
    }

    @Test
    void round_everySendFails_failuresEndTheRound() throws Exception {
        Pipelined failing = new Pipelined("test", 4, Pipelined.async(outcome -> outcome.done(false)));
        Map<String, Double> figures = failing.round(Round.of(Duration.ofMillis(1), MIN));

        assertEquals(0.0, figures.get("requests"));
        assertEquals(0.0, figures.get("cut"));
        assertTrue(figures.get("errors") >= MIN, figures.toString());
        assertEquals(0.0, figures.get("lost"));
    }

    @Test
    void round_synchronousReplies_countsEveryReplyAndLosesNone() throws Exception {
        LongAdder sent = new LongAdder();
        Pipelined echo = new Pipelined("test", 4, Pipelined.async(outcome -> {
            sent.increment();
            outcome.done(true);
        }));
        Map<String, Double> figures = echo.round(Round.of(Duration.ofMillis(1), MIN));

        assertTrue(figures.get("requests") >= MIN, figures.toString());
        assertTrue(figures.get("requests") <= sent.sum(), figures + " of " + sent.sum() + " sent");
        assertEquals(0.0, figures.get("lost"));
        assertEquals(0.0, figures.get("errors"));
    }
}
