package org.calvaria.evaluate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.calvaria.io.VolumeIO;
import org.calvaria.testing.SharedData;
import org.calvaria.volume.MaskVolume;
import org.junit.jupiter.api.Test;

/** Metrics and the mirror baseline on real SkullFix case 000 (an oblique 512 x 512 x 237 grid). */
class SkullFixEvaluationTest {

    @Test
    void trueImplantAgainstItselfAndMirrorBaselineOnCase000() {
        MaskVolume defective =
                MaskVolume.requireBinary(VolumeIO.read(SharedData.skullfix("defective_skull", "000")), "d");
        MaskVolume truth = MaskVolume.requireBinary(VolumeIO.read(SharedData.skullfix("implant", "000")), "t");
        assertEquals(281_767, truth.cardinality());
        assertFalse(truth.geometry().isAxisAligned(1e-6), "case 000 is oblique");
        assertTrue(DistanceTransform.isOrthogonal(truth.geometry()));

        Metrics.ImplantMetrics self = Metrics.compute(truth, truth, defective, 10);
        System.out.println("SkullFix 000, truth vs truth: " + self.toMap());
        assertEquals(1.0, self.dice());
        assertEquals(1.0, self.boundaryDice());
        assertEquals(0.0, self.hd95Mm());
        assertEquals(0.0, self.errorRatePct());
        assertEquals(0, self.skullOverlapVoxels());
        assertEquals(281_767 * truth.geometry().voxelVolumeMm3() / 1000, self.volumeMl(), 1e-9);

        MirrorBaseline.Result mirror = new MirrorBaseline().design(defective);
        Metrics.ImplantMetrics m = Metrics.compute(mirror.implant(), truth, defective, 10);
        System.out.println("SkullFix 000, mirror baseline (" + mirror.plane() + "): " + m.toMap());
        // Measured 0.371: the defect crosses the midline (38 % of it on the far side), so mirroring fills only part.
        assertTrue(m.dice() > 0.25 && m.dice() < 0.5, "mirror Dice " + m.dice());
        assertEquals(0, m.skullOverlapVoxels());
        // On this real oblique grid, the exact distance transform and the exact point search agree.
        Metrics.SurfaceDistances byEdt = Metrics.surfaceDistances(mirror.implant(), truth, false);
        Metrics.SurfaceDistances byPoints = Metrics.surfaceDistances(mirror.implant(), truth, true);
        assertEquals(byPoints.hd95(), byEdt.hd95(), 1e-3);
        assertEquals(byPoints.assd(), byEdt.assd(), 1e-4);
        assertEquals(m.boundaryDice(), Metrics.boundaryDice(mirror.implant(), truth, defective, 10, true), 1e-12);
    }
}
