package org.calvaria.evaluate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.calvaria.synth.SyntheticSkull;
import org.calvaria.volume.Geometry;
import org.calvaria.volume.MaskVolume;
import org.junit.jupiter.api.Test;

class MirrorBaselineTest {
    static final SyntheticSkull SKULL = new SyntheticSkull(3);

    /** An exactly left-right symmetric skull (the synthetic one united with its mirror image), yawed and shifted. */
    static MaskVolume symmetricSkull(Geometry g, double yawDeg, double shiftX) {
        double c = Math.cos(Math.toRadians(yawDeg)), s = Math.sin(Math.toRadians(yawDeg));
        MaskVolume m = new MaskVolume(g);
        double[] p = new double[3];
        for (int z = 0; z < g.nz(); z++)
            for (int y = 0; y < g.ny(); y++)
                for (int x = 0; x < g.nx(); x++) {
                    g.indexToPhysical(x, y, z, p);
                    // Undo the pose: shift back, rotate by -yaw about the vertical axis.
                    double px = p[0] - shiftX, py = p[1];
                    double qx = c * px + s * py, qy = -s * px + c * py;
                    if (SKULL.isBone(qx, qy, p[2]) || SKULL.isBone(-qx, qy, p[2])) m.set(x, y, z, true);
                }
        return m;
    }

    static MaskVolume ball(Geometry g, double[] centre, double radius) {
        return MetricsTest.ball(g, centre[0], centre[1], centre[2], radius);
    }

    static final Geometry GRID = Geometry.axisAligned(140, 170, 82, 1.2, 1.2, 1.6, new double[] {-84, -102, -36});

    @Test
    void recoversAOneSidedDefectAndFailsWhenTheDefectCrossesTheMidline() {
        MaskVolume skull = symmetricSkull(GRID, 0, 0);
        // A defect on the left side of the vault, far from the midline.
        double[] side = {45, -10, 48};
        MaskVolume truthSide = skull.copy().and(ball(GRID, side, 20));
        MaskVolume defectiveSide = skull.copy().andNot(truthSide);
        MirrorBaseline.Result r = new MirrorBaseline().design(defectiveSide);
        double diceSide = Metrics.dice(r.implant(), truthSide);
        System.out.printf("mirror, one-sided defect: Dice %.4f, plane %s%n", diceSide, r.plane());
        assertTrue(diceSide > 0.9, "one-sided defect Dice " + diceSide);
        assertEquals(0, r.implant().intersectionCount(defectiveSide));

        // The same size of defect on top of the head, centred on the midline.
        double[] top = {0, -10, 72};
        MaskVolume truthTop = skull.copy().and(ball(GRID, top, 20));
        MaskVolume defectiveTop = skull.copy().andNot(truthTop);
        double diceTop = Metrics.dice(new MirrorBaseline().predict(defectiveTop), truthTop);
        System.out.printf("mirror, midline defect: Dice %.4f%n", diceTop);
        assertTrue(diceTop < 0.5, "midline defect Dice " + diceTop);
        assertTrue(diceSide - diceTop > 0.4);

        // Told where the defect is, mirroring still cannot fill it: its mirror image is missing too.
        FloorBaselines.TruthInformedPredictor boxed = new MirrorBaseline().withDefectBox(10);
        double diceTopBoxed = Metrics.dice(boxed.predict(defectiveTop, truthTop), truthTop);
        double diceSideBoxed = Metrics.dice(boxed.predict(defectiveSide, truthSide), truthSide);
        System.out.printf(
                "mirror inside the defect box: one-sided Dice %.4f, midline Dice %.4f%n", diceSideBoxed, diceTopBoxed);
        assertTrue(diceSideBoxed > 0.9 && diceTopBoxed < 0.5);
        assertThrows(org.calvaria.CalvariaException.class, () -> boxed.predict(defectiveTop));
    }

    @Test
    void cleansAsymmetrySliversOnANearlySymmetricSkull() {
        // The plain synthetic skull has smooth left-right asymmetries of about a millimetre: mirroring leaves thin
        // slivers all over the vault, which the opening and component selection must remove.
        MaskVolume skull = SKULL.rasterize(GRID);
        double[] side = {45, -10, 48};
        MaskVolume truth = skull.copy().and(ball(GRID, side, 20));
        MaskVolume defective = skull.copy().andNot(truth);
        MirrorBaseline.Result r = new MirrorBaseline().design(defective);
        double dice = Metrics.dice(r.implant(), truth);
        System.out.printf(
                "mirror, nearly symmetric skull: Dice %.4f, raw candidate %d voxels in %d pieces after"
                        + " opening, implant %d voxels in %d components, truth %d%n",
                dice,
                r.candidateVoxels(),
                r.candidateComponents(),
                r.implant().cardinality(),
                Metrics.componentCount(r.implant()),
                truth.cardinality());
        assertTrue(r.candidateVoxels() > 1.3 * truth.cardinality(), "the raw mirror image should hold slivers");
        assertTrue(dice > 0.85, "Dice " + dice);
        assertEquals(1, Metrics.componentCount(r.implant()));
    }

    @Test
    void estimatesAYawedAndShiftedPlaneDespiteADefect() {
        double yaw = 6, shift = 4.5;
        MaskVolume skull = symmetricSkull(GRID, yaw, shift);
        // Expected plane: normal = yaw-rotated x axis, passing through (shift, 0, 0).
        double[] n = {Math.cos(Math.toRadians(yaw)), Math.sin(Math.toRadians(yaw)), 0};
        double offset = n[0] * shift;
        MaskVolume defect = skull.copy().and(ball(GRID, new double[] {40, 20, 50}, 25));
        SymmetryPlane p = SymmetryPlaneEstimator.estimate(skull.copy().andNot(defect));
        double[] got = p.normal();
        double angle = Math.toDegrees(Math.acos(Math.abs(got[0] * n[0] + got[1] * n[1] + got[2] * n[2])));
        double sign = Math.signum(got[0] * n[0] + got[1] * n[1] + got[2] * n[2]);
        System.out.printf(
                "plane: %s, expected n=(%.4f, %.4f, 0) d=%.3f; angle error %.3f deg%n", p, n[0], n[1], offset, angle);
        assertTrue(angle < 1.0, "normal off by " + angle + " degrees");
        assertEquals(offset, sign * p.offset(), 0.75);
        // Reflection through the estimated plane maps the skull onto itself almost everywhere.
        MaskVolume mirrored = MirrorBaseline.mirror(skull, p);
        assertTrue(Metrics.dice(mirrored, skull) > 0.9, "self-overlap " + Metrics.dice(mirrored, skull));
    }

    @Test
    void mirrorIsAnExactReflectionOnAnObliqueGrid() {
        // Oblique (rotated about x) anisotropic grid like several SkullFix scans; the plane x = 0.
        double a = Math.toRadians(8);
        Geometry g = new Geometry(30, 26, 20, new double[] {-7.25, -6, -5}, new double[] {
            0.5, 0, 0, 0, 0.5 * Math.cos(a), 0.7 * Math.sin(a), 0, -0.5 * Math.sin(a), 0.7 * Math.cos(a)
        });
        MaskVolume m = ball(g, new double[] {3, 1, 2}, 3);
        MaskVolume expected = ball(g, new double[] {-3, 1, 2}, 3);
        MaskVolume mirrored = MirrorBaseline.mirror(m, new SymmetryPlane(new double[] {1, 0, 0}, 0));
        // Voxel centres are symmetric about x = 0 (x from -7.25 to 7.25 mm), so the reflection is exact.
        assertTrue(mirrored.sameVoxels(expected), "dice " + Metrics.dice(mirrored, expected));
        assertEquals(m.cardinality(), mirrored.cardinality());
    }
}
