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

    @Test
    void with_onePreemptedRunOfAMicrosecondRoute_countsAsTheFloorNotAsTheStall() {
        Admission.Cost c = new Admission.Cost(10_000, 1_000).with(3_000_000_000L); // 10 us route, one 3 s stall

        // counted as 1 ms (2 x 12 us is less): 10 us + 0.2 x 990 us; 1 us + 0.25 x (990 - 1) us
        assertEquals(new Admission.Cost(208_000, 248_250), c);
        assertEquals(704_500, c.run(), "planned at 0.7 ms, where the 3 s at full weight planned 2.1 s");
    }

    @Test
    void with_onePreemptedRunOfASlowRoute_countsAsTwiceThePlan() {
        Admission.Cost c = new Admission.Cost(100_000_000, 10_000_000).with(3_000_000_000L); // plan 120 ms

        assertEquals(new Admission.Cost(128_000_000, 42_500_000), c); // counted as 240 ms
    }

    @Test
    void with_aRealSlowDown_isPlannedForAfterNineRuns() {
        Admission.Cost c = new Admission.Cost(10_000, 1_000); // 10 us, then every run takes 100 ms
        int runs = 0;
        while (c.run() < 100_000_000) {
            c = c.with(100_000_000);
            runs++;
        }
        assertEquals(9, runs, "the plan about doubles with each slower run");
        for (int i = 0; i < 30; i++) {
            c = c.with(100_000_000);
        }
        assertEquals(100_000_000, c.mean(), 100_000, "the mean settles on the new duration");
    }
}
