package org.offload.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RoundTest {
    private static final long MS = 1_000_000;
    private static final Round ROUND = new Round(Duration.ofMillis(100), 300, Duration.ofSeconds(60));

    @Test
    void over_lengthPassedWithTooFewRequests_false() {
        assertFalse(ROUND.over(10_000 * MS, 299));
    }

    @Test
    void over_enoughRequestsBeforeLength_false() {
        assertFalse(ROUND.over(99 * MS, 1_000_000));
    }

    @Test
    void over_lengthPassedAndEnoughRequests_true() {
        assertTrue(ROUND.over(100 * MS, 300));
    }

    @Test
    void over_capPassedWithTooFewRequests_true() {
        assertTrue(ROUND.over(60_000 * MS, 0));
    }

    @Test
    void addTo_fewerEndedThanMinimum_recordsRequestsAndCut() {
        Map<String, Double> figures = new HashMap<>();
        ROUND.addTo(figures, 12, 20);
        assertEquals(Map.of("requests", 12.0, "cut", 1.0), figures);
    }

    @Test
    void addTo_minimumEnded_recordsRequestsNotCut() {
        Map<String, Double> figures = new HashMap<>();
        ROUND.addTo(figures, 290, 300);
        assertEquals(Map.of("requests", 290.0, "cut", 0.0), figures);
    }

    @Test
    void of_lengthBeyondDefaultCap_capIsTheLength() {
        Round long1 = Round.of(Duration.ofMinutes(5), 1);
        assertEquals(Duration.ofMinutes(5), long1.cap());
    }

    @Test
    void of_shortLength_capIsTheDefault() {
        assertEquals(Round.CAP, Round.of(Duration.ofMillis(100), 1).cap());
    }

    @Test
    void new_capShorterThanLength_rejected() {
        assertThrows(IllegalArgumentException.class, () -> new Round(Duration.ofSeconds(2), 1, Duration.ofSeconds(1)));
    }
}
