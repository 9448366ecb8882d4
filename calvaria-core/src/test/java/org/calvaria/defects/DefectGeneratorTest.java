package org.calvaria.defects;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.calvaria.CalvariaException;
import org.calvaria.io.VolumeIO;
import org.calvaria.normalise.GridPlacement;
import org.calvaria.normalise.NetworkGrid;
import org.calvaria.synth.SyntheticSkull;
import org.calvaria.testing.SharedData;
import org.calvaria.volume.Geometry;
import org.calvaria.volume.MaskVolume;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class DefectGeneratorTest {
    private static MaskVolume synthetic;
    private static MaskVolume syntheticOnGrid;

    @BeforeAll
    static void fixtures() {
        synthetic = new SyntheticSkull(3).rasterize(1.5, 1.5);
        NetworkGrid g = NetworkGrid.wu2022();
        syntheticOnGrid = g.toGrid(synthetic, g.place(synthetic));
    }

    @Test
    void everyTypeOnSyntheticSkullAtThreeSizes() {
        DefectGenerator gen = new DefectGenerator(1);
        long upper = upperCraniumVoxels(synthetic, NetworkGrid.wu2022().place(synthetic));
        for (DefectType t : DefectType.values()) {
            for (double f : new double[] {0.05, 0.2, 0.45}) {
                Defect d = gen.cut(synthetic, t, f);
                assertValid(synthetic, d, f, upper);
            }
        }
    }

    @Test
    void everyTypeDirectlyOnTheNetworkGrid() {
        DefectGenerator gen = new DefectGenerator(2);
        GridPlacement region = gen.regionFor(syntheticOnGrid);
        // on a network-grid volume the region is the whole volume
        assertEquals(syntheticOnGrid.cardinality(), upperCraniumVoxels(syntheticOnGrid, region));
        for (DefectType t : DefectType.values()) {
            Defect d = gen.cut(syntheticOnGrid, t, 0.25);
            assertValid(syntheticOnGrid, d, 0.25, syntheticOnGrid.cardinality());
            assertTrue(d.implant().geometry().equals(syntheticOnGrid.geometry()));
        }
    }

    @Test
    void everyTypeOnRealSkull() {
        MaskVolume skull =
                MaskVolume.requireBinary(VolumeIO.read(SharedData.skullfix("complete_skull", "000")), "skull");
        DefectGenerator gen = new DefectGenerator(3);
        long upper = upperCraniumVoxels(skull, NetworkGrid.wu2022().place(skull));
        double[] sizes = {0.08, 0.3};
        int i = 0;
        for (DefectType t : DefectType.values()) {
            double f = sizes[i++ % 2];
            Defect d = gen.cut(skull, t, f);
            assertValid(skull, d, f, upper);
            assertTrue(d.implant().geometry().equals(skull.geometry()), "source grid (sheared) kept");
        }
    }

    @Test
    void sameSeedGivesIdenticalMasksAndDifferentSeedsDiffer() {
        for (DefectType t : List.of(DefectType.MIXED_ELLIPSOID, DefectType.CRANIOTOMY, DefectType.IRREGULAR)) {
            Defect a = new DefectGenerator(77).cut(synthetic, t, 0.15);
            Defect b = new DefectGenerator(77).cut(synthetic, t, 0.15);
            Defect c = new DefectGenerator(78).cut(synthetic, t, 0.15);
            assertTrue(a.implant().sameVoxels(b.implant()), t + " implant differs for the same seed");
            assertTrue(a.defective().sameVoxels(b.defective()));
            assertEquals(json(a), json(b));
            assertFalse(a.implant().sameVoxels(c.implant()), t + " identical for different seeds");
        }
    }

    @Test
    void midlineDefectsCrossTheMidSagittalPlaneAndOffMidlineOnesDoNot() {
        DefectGenerator gen = new DefectGenerator(5);
        for (DefectType t : DefectType.wu2022()) {
            Defect mid = gen.cut(syntheticOnGrid, t, 0.1);
            assertEquals(DefectPlacement.MIDLINE, mid.placement());
            double midX = (double) mid.parameters().get("midline_x_mm");
            long[] sides = sides(mid.implant(), midX);
            assertTrue(
                    sides[0] > 0.05 * mid.removedVoxels() && sides[1] > 0.05 * mid.removedVoxels(),
                    t + " sides " + sides[0] + "/" + sides[1]);
            Defect off = gen.cut(syntheticOnGrid, t, 0.05, DefectPlacement.OFF_MIDLINE);
            long[] s2 = sides(off.implant(), midX);
            assertTrue(
                    Math.min(s2[0], s2[1]) < 0.05 * off.removedVoxels(),
                    t + " off-midline sides " + s2[0] + "/" + s2[1]);
        }
    }

    @Test
    void bilateralDefectsAreTwoSeparateSideCutsOfHalfTheSizeEach() {
        DefectGenerator gen = new DefectGenerator(6);
        Defect d = gen.cut(synthetic, DefectType.ELLIPSOID, 0.16, DefectPlacement.BILATERAL);
        assertEquals(DefectPlacement.BILATERAL, d.placement());
        assertEquals(0.16, d.achievedFraction(), 2 * DefectGenerator.TOLERANCE);
        assertEquals(d.removedVoxels(), d.implant().cardinality());
        assertEquals(0, d.implant().intersectionCount(d.defective()));
        @SuppressWarnings("unchecked")
        double midX = (double) ((java.util.Map<String, Object>) d.parameters().get("left")).get("midline_x_mm");
        long[] sides = sides(d.implant(), midX);
        assertTrue(
                sides[0] > 0.3 * d.removedVoxels() && sides[1] > 0.3 * d.removedVoxels(),
                "left/right " + sides[0] + "/" + sides[1]);
        // a bridge of bone separates the two cuts
        assertEquals(2, componentCount(d.implant()), "two separate holes");
    }

    private static int componentCount(MaskVolume m) {
        return org.calvaria.morphology.ConnectedComponents.count(m, 26);
    }

    @Test
    void sameShapeAtTwoResolutionsRemovesTheSameRegion() {
        // Shapes are physical: a defect cut with the same seed lands in the same place at 1.5 mm and 1.0 mm.
        SyntheticSkull head = new SyntheticSkull(9);
        MaskVolume coarse = head.rasterize(1.5, 1.5), fine = head.rasterize(1.0, 1.0);
        Defect a = new DefectGenerator(11).cut(coarse, DefectType.ELLIPSOID, 0.2);
        Defect b = new DefectGenerator(11).cut(fine, DefectType.ELLIPSOID, 0.2);
        double[] ca = (double[]) a.parameters().get("centre_mm"),
                cb = (double[]) b.parameters().get("centre_mm");
        for (int i = 0; i < 3; i++) assertEquals(ca[i], cb[i], 2.0, "centre axis " + i);
        assertEquals(
                (double) a.parameters().get("scale_mm"), (double) b.parameters().get("scale_mm"), 3.0);
    }

    @Test
    void badRequestsFailClearly() {
        DefectGenerator gen = new DefectGenerator(1);
        assertThrows(CalvariaException.class, () -> gen.cut(synthetic, DefectType.SPHERE, 0));
        assertThrows(CalvariaException.class, () -> gen.cut(synthetic, DefectType.SPHERE, 0.95));
        assertThrows(CalvariaException.class, () -> gen.cut(synthetic, DefectType.SPHERE, Double.NaN));
        MaskVolume empty = new MaskVolume(Geometry.axisAligned(30, 30, 30, 2.0));
        assertThrows(CalvariaException.class, () -> gen.cut(empty, DefectType.SPHERE, 0.2));
        assertEquals(DefectType.MIXED_ELLIPTICAL_CYLINDER, DefectType.fromName("mixed-elliptical-cylinder"));
        assertThrows(CalvariaException.class, () -> DefectType.fromName("banana"));
        assertEquals(10, DefectType.parseList("all").size());
        assertEquals(6, DefectType.parseList("wu2022").size());
        assertNotEquals(DefectType.CUBE.defaultPlacement(), DefectType.CYLINDER.defaultPlacement());
    }

    static void assertValid(MaskVolume complete, Defect d, double target, long upper) {
        MaskVolume implant = d.implant(), defective = d.defective();
        assertFalse(implant.isEmpty(), d.type() + ": empty implant");
        assertEquals(0, implant.intersectionCount(defective), d.type() + ": overlap");
        assertTrue(defective.copy().or(implant).sameVoxels(complete), d.type() + ": defective + implant != complete");
        assertEquals(0, implant.copy().andNot(complete).cardinality(), d.type() + ": implant outside the bone");
        assertEquals(implant.cardinality(), d.removedVoxels());
        assertEquals(upper, d.upperCraniumVoxels(), d.type() + ": upper cranium count");
        double achieved = (double) implant.cardinality() / upper;
        assertEquals(achieved, d.achievedFraction(), 1e-12);
        assertEquals(target, achieved, DefectGenerator.TOLERANCE, d.type() + " at " + target);
    }

    /** Bone voxels whose centres lie in the region's covered box, counted independently of the generator. */
    static long upperCraniumVoxels(MaskVolume skull, GridPlacement region) {
        double s = region.spacingMm();
        double[] b = region.grid().physicalBounds();
        Geometry g = skull.geometry();
        long[] n = {0};
        double[] q = new double[3];
        skull.forEachSet(i -> {
            int x = i % g.nx(), r = i / g.nx();
            g.indexToPhysical(x, r % g.ny(), r / g.ny(), q);
            boolean in = true;
            for (int a = 0; a < 3; a++) in &= q[a] >= b[a] - s / 2 && q[a] < b[3 + a] + s / 2;
            if (in) n[0]++;
        });
        return n[0];
    }

    static String json(Defect d) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(d.describe());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new AssertionError(e);
        }
    }

    static long[] sides(MaskVolume m, double midX) {
        Geometry g = m.geometry();
        long[] s = new long[2];
        double[] q = new double[3];
        m.forEachSet(i -> {
            int x = i % g.nx(), r = i / g.nx();
            g.indexToPhysical(x, r % g.ny(), r / g.ny(), q);
            s[q[0] > midX ? 0 : 1]++;
        });
        return s;
    }
}
