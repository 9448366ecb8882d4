package org.calvaria.manufacture;

import static org.junit.jupiter.api.Assertions.*;

import java.util.concurrent.ForkJoinPool;
import org.calvaria.CalvariaException;
import org.calvaria.io.VolumeIO;
import org.calvaria.mesh.Voxelizer;
import org.calvaria.testing.SharedData;
import org.calvaria.volume.Geometry;
import org.calvaria.volume.MaskVolume;
import org.junit.jupiter.api.Test;

class ManufactureTest {
    static final double S = 0.5;

    /** A skull: sphere shell (outer radius 70, 6 mm bone) with a round hole of {@code holeDeg} around +z. */
    static MaskVolume skull(double holeDeg) {
        return shell(70, 6, holeDeg, 180);
    }

    /** Voxels with radius in (r - t, r] and polar angle in [fromDeg, toDeg), on a 0.5 mm grid. */
    static MaskVolume shell(double r, double t, double fromDeg, double toDeg) {
        return shell(r, t, fromDeg, toDeg, S);
    }

    /** The same on a grid of {@code S}-mm voxels. */
    static MaskVolume shell(double r, double t, double fromDeg, double toDeg, double S) {
        int n = (int) Math.ceil(2 * (70 + 3) / S);
        Geometry g = Geometry.axisAligned(
                n, n, n, S, S, S, new double[] {-(n - 1) * S / 2, -(n - 1) * S / 2, -(n - 1) * S / 2});
        MaskVolume m = new MaskVolume(g);
        double[] p = new double[3];
        for (int k = 0; k < n; k++)
            for (int j = 0; j < n; j++)
                for (int i = 0; i < n; i++) {
                    g.indexToPhysical(i, j, k, p);
                    double rr = Math.sqrt(p[0] * p[0] + p[1] * p[1] + p[2] * p[2]);
                    double polar = Caps.Cap.polarDeg(p[0], p[1], p[2]);
                    if (rr <= r && rr > r - t && polar >= fromDeg && polar < toDeg) m.set(i, j, k, true);
                }
        return m;
    }

    static double maxRadius(MaskVolume m) {
        double[] p = new double[3];
        double[] best = {0};
        Geometry g = m.geometry();
        m.forEachSet(i -> {
            g.indexToPhysical(i % g.nx(), (i / g.nx()) % g.ny(), i / (g.nx() * g.ny()), p);
            best[0] = Math.max(best[0], Math.sqrt(p[0] * p[0] + p[1] * p[1] + p[2] * p[2]));
        });
        return best[0];
    }

    @Test
    void thinCapIsThickenedInwardToTheMinimum() {
        MaskVolume skull = skull(30);
        MaskVolume implant = shell(70, 1.2, 0, 30);
        Manufacture.Result r =
                Manufacture.process(implant, skull, new Manufacture.Options(0, 2.0, null, null, null, 20), 10);
        // The outer surface does not move: nothing is added farther out than the original implant.
        MaskVolume added = r.implant().copy().andNot(implant);
        assertTrue(added.cardinality() > implant.cardinality() / 2, "little was added: " + added.cardinality());
        assertTrue(maxRadius(added) <= 70 - 1.2 + 1e-9, "added voxels lie outward: " + maxRadius(added));
        assertEquals(0, r.implant().intersectionCount(skull));
        Thickness.Stats t = r.thickness();
        assertEquals(2.0, t.medianMm(), S / 2, t.line());
        assertTrue(t.p5Mm() >= 2.0 - S / 2, t.line());
        assertTrue(r.warnings().isEmpty(), r.warnings().toString());
    }

    @Test
    void uniformShellFollowsTheOuterSurface() {
        MaskVolume skull = skull(30);
        MaskVolume implant = shell(70, 6, 0, 30);
        Manufacture.Result r =
                Manufacture.process(implant, skull, new Manufacture.Options(0, 0, 4.0, null, null, 20), 10);
        assertTrue(maxRadius(r.implant()) <= maxRadius(implant) + 1e-9);
        assertEquals(0, r.implant().copy().andNot(implant).cardinality(), "a thinner shell only removes voxels");
        Thickness.Stats t = r.thickness();
        assertEquals(4.0, t.medianMm(), S / 2, t.line());
        assertTrue(t.p5Mm() >= 4.0 - S, t.line());
    }

    @Test
    void clearanceLeavesAGapAtTheRimAndKeepsThePlate() {
        MaskVolume skull = skull(30);
        MaskVolume implant = shell(70, 6, 0, 30);
        Manufacture.Result r =
                Manufacture.process(implant, skull, new Manufacture.Options(0.5, 0, null, null, null, 20), 10);
        assertTrue(
                r.gaps().minOverall() >= 0.4,
                r.gaps().line() + ", smallest anywhere " + r.gaps().minOverall());
        assertEquals(0, r.implant().copy().andNot(implant).cardinality(), "clearance only removes");
        // Away from the rim (polar angle < 25 degrees) nothing changed.
        MaskVolume centre = shell(70, 6, 0, 25);
        assertEquals(centre.cardinality(), r.implant().intersectionCount(centre));
    }

    @Test
    void clearanceLargerThanHalfTheHoleIsRefused() {
        MaskVolume skull = skull(4); // a hole about 10 mm across
        MaskVolume implant = shell(70, 6, 0, 4);
        CalvariaException e = assertThrows(CalvariaException.class, () -> Clearance.apply(implant, skull, 3.0, 0));
        assertTrue(e.getMessage().contains("larger than half the hole"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void impossibleThicknessIsRefused() {
        Manufacture.Options o = new Manufacture.Options(0.5, 5, 3.0, null, null, 20);
        CalvariaException e = assertThrows(CalvariaException.class, o::validate);
        assertTrue(e.getMessage().contains("cannot meet"), e.getMessage());
        assertThrows(CalvariaException.class, () -> new Manufacture.Options(0.5, 2, 40.0, null, null, 20).validate());
        assertThrows(CalvariaException.class, () -> new Manufacture.Options(-1, 2, null, null, null, 20).validate());
    }

    @Test
    void fitCheckIsWatertightAndHoldsTheWholeRim() {
        MaskVolume skull = skull(30);
        MaskVolume implant = shell(70, 6, 0, 30);
        var fit = Manufacture.fitCheck(skull, implant, 20);
        assertTrue(fit.isWatertight());
        MaskVolume back = Voxelizer.voxelize(fit, skull.geometry());
        // The rim: bone within 2 mm of the implant. All of it is in the model; bone 20+ mm away is not.
        MaskVolume rim = org.calvaria.morphology.Morphology.dilate(implant, 2.0).and(skull);
        assertTrue(rim.cardinality() > 0);
        assertEquals(rim.cardinality(), back.intersectionCount(rim), "rim voxels missing from the fit-check model");
        assertEquals(0, back.copy().andNot(skull).cardinality(), "the fit-check model is bone only");
        MaskVolume far = shell(70, 6, 60, 180);
        assertEquals(0, back.intersectionCount(far));
    }

    @Test
    void fitCheckOnACoarseScanStillHoldsTheRim() {
        // 3 mm voxels: a 2 mm rim dilation alone would touch no bone and leave an empty model (seen in the web app).
        MaskVolume skull = shell(70, 9, 30, 180, 3.0);
        MaskVolume implant = shell(70, 9, 0, 30, 3.0);
        var fit = Manufacture.fitCheck(skull, implant, 20);
        assertTrue(fit.triangleCount() > 0 && fit.isWatertight(), fit.triangleCount() + " triangles");
        MaskVolume back = Voxelizer.voxelize(fit, skull.geometry());
        MaskVolume touching = org.calvaria.morphology.Morphology.dilate(implant, 3.0 * Math.sqrt(3) * 1.01)
                .and(skull);
        assertTrue(
                back.intersectionCount(touching) > 0.9 * touching.cardinality(),
                back.intersectionCount(touching) + " of " + touching.cardinality() + " rim voxels");
    }

    @Test
    void skullFixClearanceOnTheTrueImplant() {
        MaskVolume implant = MaskVolume.requireBinary(VolumeIO.read(SharedData.skullfix("implant", "069")), "implant");
        MaskVolume skull =
                MaskVolume.requireBinary(VolumeIO.read(SharedData.skullfix("defective_skull", "069")), "skull");
        Manufacture.Result r = Manufacture.process(implant, skull, Manufacture.Options.defaults(), 10);
        System.out.println("SkullFix 069, true implant, defaults: " + r.gaps().line() + "; smallest anywhere "
                + r.gaps().minOverall() + "; " + r.thickness().line());
        assertTrue(r.gaps().minOverall() >= 0.4, r.gaps().line());
        assertTrue(r.mesh().isWatertight());
        // The clearance implant lies inside the original: as voxels exactly, as the final (smoothed) STL voxelized
        // back onto the scan's grid to within 1 % of its voxels.
        assertEquals(0, r.implant().copy().andNot(implant).cardinality());
        MaskVolume back = Voxelizer.voxelize(r.mesh(), implant.geometry());
        long outside = back.copy().andNot(implant).cardinality();
        assertTrue(outside <= 0.01 * back.cardinality(), outside + " of " + back.cardinality() + " voxels outside");
        assertEquals(0, back.intersectionCount(skull), "the STL enters the bone");
        assertTrue(r.thickness().minMm() > 0);
    }

    /**
     * A batch (Spark) limits each task's threads by running it in a pool of its own; every parallel part of
     * manufacturing must then stay in that pool and leave the JVM's common pool idle.
     */
    @Test
    void workInsideAPoolStaysInThatPool() throws Exception {
        MaskVolume skull = skull(30);
        MaskVolume implant = shell(70, 3, 0, 30);
        ForkJoinPool common = ForkJoinPool.commonPool();
        long stolenBefore = common.getStealCount();
        ForkJoinPool pool = new ForkJoinPool(2);
        try {
            Manufacture.Result r = pool.submit(() -> Manufacture.process(
                            implant, skull, new Manufacture.Options(0, 2.0, null, null, null, 20), 10))
                    .get();
            assertTrue(r.mesh().isWatertight());
        } finally {
            pool.shutdown();
        }
        assertEquals(stolenBefore, common.getStealCount(), "tasks ran in the common pool");
    }
}
