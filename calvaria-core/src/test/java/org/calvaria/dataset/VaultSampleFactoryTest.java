package org.calvaria.dataset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.calvaria.defects.DefectType;
import org.calvaria.normalise.NetworkGrid;
import org.calvaria.synth.SyntheticSkull;
import org.calvaria.testing.Cuts;
import org.calvaria.volume.MaskVolume;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

public class VaultSampleFactoryTest {
    private static final NetworkGrid GRID = NetworkGrid.wu2022();
    private static VaultSkull skull;
    private static VaultSkull withRealHole;

    @BeforeAll
    static void skulls() {
        MaskVolume complete = new SyntheticSkull(21).rasterize(1.0, 1.0);
        skull = VaultSkull.map("s21", "synthetic", complete, null);
        MaskVolume defective = Cuts.withoutBall(complete, Cuts.unit(-1, 0.2, 0.2), 35);
        withRealHole = VaultSkull.map("s21d", "synthetic", complete, defective);
    }

    private static SampleOptions options() {
        return SampleOptions.defaults(3)
                .withTypes(DefectType.all())
                .withFractions(0.05, 0.55)
                .withThreads(1, 0);
    }

    @Test
    void samplesAreReproducibleDefectiveInsideCompleteAndNeverEmpty() {
        VaultSampleFactory f = new VaultSampleFactory(GRID, options());
        for (long seed = 1; seed <= 6; seed++) {
            Sample a = f.make(skull, seed), b = f.make(skull, seed);
            assertTrue(a.complete().sameVoxels(b.complete()) && a.defective().sameVoxels(b.defective()));
            assertEquals(a.defective().cardinality(), a.defective().intersectionCount(a.complete()));
            long implant = a.complete().cardinality() - a.defective().cardinality();
            assertTrue(implant > 100, "implant voxels " + implant + " for " + a.description());
            assertTrue(
                    a.complete().cardinality() > 10_000,
                    "bone on the grid " + a.complete().cardinality());
        }
    }

    @Test
    void drawnAxesCoverTheVaultNotOnlyTheTop() {
        java.util.SplittableRandom r = new java.util.SplittableRandom(5);
        int low = 0, left = 0, right = 0, front = 0, back = 0;
        for (int i = 0; i < 2000; i++) {
            double[] u = VaultSampleFactory.randomVaultDirection(r);
            double polar = Math.toDegrees(Math.acos(u[2]));
            assertTrue(polar <= VaultSampleFactory.MAX_POLAR_DEG + 1e-9);
            if (polar > 60) low++;
            if (u[0] > 0.7) left++;
            if (u[0] < -0.7) right++;
            if (u[1] < -0.7) front++;
            if (u[1] > 0.7) back++;
        }
        // uniform over the cap up to 100 degrees: (cos 60 - cos 100) / (1 - cos 100) = 57 % lies below 60 degrees
        assertTrue(low > 1050 && low < 1250, "low " + low);
        assertTrue(
                left > 200 && right > 200 && front > 200 && back > 200, left + " " + right + " " + front + " " + back);
    }

    @Test
    void realDefectSamplesAreCentredOnTheRealHole() {
        assertNotNull(withRealHole.realHole(), "the cut is found as a hole");
        assertTrue(withRealHole.realHole().normal()[0] < -0.8, "hole on the right side");
        VaultSampleFactory f =
                new VaultSampleFactory(GRID, options().withRealDefectShare(1).withAugment(false));
        Sample s = f.make(withRealHole, 9);
        assertTrue(s.isRealDefect());
        MaskVolume implant = s.complete().copy().andNot(s.defective());
        // the missing bone lies around the middle of the grid, at its top
        double[] c = new double[3];
        long[] n = {0};
        implant.forEachSet(i -> {
            c[0] += i % 112;
            c[1] += (i / 112) % 112;
            c[2] += i / (112 * 112);
            n[0]++;
        });
        assertTrue(n[0] > 1000, "implant voxels " + n[0]);
        assertEquals(55.5, c[0] / n[0], 6);
        assertEquals(55.5, c[1] / n[0], 6);
        assertTrue(c[2] / n[0] > 25, "mean height on the grid " + c[2] / n[0]);
    }
}
