package org.calvaria.volume;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The quick floor used by the hot loops is {@code (int) Math.floor(v)} for every double. */
class FloorToIntTest {
    private static void same(double v) {
        assertEquals((int) Math.floor(v), Resampler.floorToInt(v), "floor of " + v);
    }

    @Test
    void agreesWithMathFloorEverywhere() {
        double[] special = {
            0.0,
            -0.0,
            0.5,
            -0.5,
            1,
            -1,
            1 - 1e-16,
            -1 + 1e-16,
            -1 - 1e-15,
            2.5,
            -2.5,
            Math.ulp(0.0),
            -Math.ulp(0.0),
            Integer.MAX_VALUE,
            Integer.MAX_VALUE + 0.5,
            Integer.MIN_VALUE,
            Integer.MIN_VALUE - 0.5,
            1e300,
            -1e300,
            Double.NaN,
            Double.POSITIVE_INFINITY,
            Double.NEGATIVE_INFINITY,
            Double.MAX_VALUE,
            -Double.MAX_VALUE
        };
        for (double v : special) same(v);
        Random r = new Random(4);
        for (int i = 0; i < 1_000_000; i++) {
            same((r.nextDouble() - 0.5) * Math.pow(10, r.nextInt(12)));
            int k = r.nextInt(2001) - 1000;
            same(k);
            same(Math.nextUp((double) k));
            same(Math.nextDown((double) k));
        }
    }
}
