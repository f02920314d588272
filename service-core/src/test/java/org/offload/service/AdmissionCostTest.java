package org.offload.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The per-route estimate of PROTOCOL.md section 7, step 12: EWMAs of the duration and of its deviation. */
class AdmissionCostTest {
    @Test
    void with_firstDuration_setsTheMeanWithHalfOfItAsDeviation() {
        Admission.Cost c = Admission.Cost.UNKNOWN.with(100);

        assertEquals(new Admission.Cost(100, 50), c);
        assertEquals(200, c.run(), "mean + 2 deviations");
    }

    @Test
    void with_laterDurations_movesTheMeanByAFifthAndTheDeviationByAQuarter() {
        Admission.Cost c = new Admission.Cost(100, 50).with(200); // error 100

        assertEquals(new Admission.Cost(120, 63), c); // 100 + 0.2 * 100; 50 + 0.25 * (100 - 50), rounded
        assertEquals(new Admission.Cost(116, 52), c.with(100)); // error -20: 120 - 4; 63 + 0.25 * (20 - 63), rounded
    }

    @Test
    void with_steadyDurations_deviationDecaysToAFewNanoseconds() {
        Admission.Cost c = Admission.Cost.UNKNOWN.with(1_000);
        for (int i = 0; i < 40; i++) {
            c = c.with(1_000);
        }

        assertEquals(1_000, c.mean());
        assertTrue(c.deviation() <= 2, "deviation " + c.deviation() + " ns"); // half-up rounding stops at 2 ns
    }
}
