package org.calvaria.evaluate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class NelderMeadTest {
    @Test
    void findsTheMinimumOfAShiftedQuadraticBowl() {
        // f = (x - 1)^2 + 4 (y + 2)^2 + 0.5 (z - 3)^2: minimum 0 at (1, -2, 3)
        double[] p = NelderMead.minimize(
                v -> sq(v[0] - 1) + 4 * sq(v[1] + 2) + 0.5 * sq(v[2] - 3),
                new double[] {0, 0, 0},
                new double[] {0.5, 0.5, 0.5},
                2000);
        assertArrayEquals(new double[] {1, -2, 3}, p, 1e-3);
    }

    @Test
    void followsRosenbrocksCurvedValley() {
        // f = (1 - x)^2 + 100 (y - x^2)^2: minimum 0 at (1, 1), reached along a narrow curved valley
        double[] p = NelderMead.minimize(
                v -> sq(1 - v[0]) + 100 * sq(v[1] - v[0] * v[0]),
                new double[] {-1.2, 1},
                new double[] {0.1, 0.1},
                5000);
        assertArrayEquals(new double[] {1, 1}, p, 1e-2);
    }

    @Test
    void staysWithinTheEvaluationBudgetAndIsDeterministic() {
        AtomicInteger calls = new AtomicInteger();
        double[] a = NelderMead.minimize(
                v -> {
                    calls.incrementAndGet();
                    return Math.abs(v[0]) + sq(v[1]);
                },
                new double[] {3, 3},
                new double[] {1, 1},
                40);
        // The last iteration starts below the budget and may spend up to d + 2 more (reflect, contract, shrink).
        assertTrue(calls.get() <= 40 + 2 + 1, "evaluations " + calls.get());
        double[] b = NelderMead.minimize(v -> Math.abs(v[0]) + sq(v[1]), new double[] {3, 3}, new double[] {1, 1}, 40);
        assertArrayEquals(a, b, 0.0);
    }

    @Test
    void aStartAtTheMinimumStaysThere() {
        double[] p = NelderMead.minimize(v -> sq(v[0] - 2), new double[] {2}, new double[] {1}, 200);
        assertEquals(2, p[0], 1e-4);
    }

    private static double sq(double x) {
        return x * x;
    }
}
