package org.calvaria.train;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class ValidationMetricsTest {
    @Test
    void diceOfSkullAndImplant() {
        // 8 voxels: defective input keeps 0,1; true implant is 2,3,4; prediction covers 0,1,2,3,5
        float[] defective = {1, 1, 0, 0, 0, 0, 0, 0};
        float[] complete = {1, 1, 1, 1, 1, 0, 0, 0};
        float[] prob = {0.9f, 0.8f, 0.7f, 0.5f, 0.4f, 0.6f, 0.1f, 0.0f};
        ValidationMetrics.Accumulator a = new ValidationMetrics.Accumulator();
        a.add(prob, defective, complete, 0, 8, 0.5);
        a.addLoss(0.3, 1);
        ValidationMetrics m = a.result();
        // skull: predicted {0,1,2,3,5}, truth {0,1,2,3,4}: 2*4/(5+5)
        assertEquals(0.8, m.skullDice(), 1e-12);
        // implant: predicted {2,3,5}, truth {2,3,4}: 2*2/(3+3); error |{4,5}| / 3
        assertEquals(2.0 / 3, m.implantDice(), 1e-12);
        assertEquals(2.0 / 3, m.implantErrorRate(), 1e-12);
        assertEquals(0.3, m.loss(), 1e-12);
    }

    @Test
    void samplesWithoutImplantAreLeftOutOfImplantScores() {
        ValidationMetrics.Accumulator a = new ValidationMetrics.Accumulator();
        float[] same = {1, 0, 1, 0};
        a.add(new float[] {1, 0, 1, 0}, same, same, 0, 4, 0.5);
        ValidationMetrics m = a.result();
        assertEquals(1.0, m.skullDice(), 1e-12);
        assertTrue(Double.isNaN(m.implantDice()));
        assertEquals(1, m.samples());
    }
}
