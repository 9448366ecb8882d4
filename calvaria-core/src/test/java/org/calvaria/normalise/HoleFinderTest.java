package org.calvaria.normalise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.calvaria.io.VolumeIO;
import org.calvaria.synth.SyntheticSkull;
import org.calvaria.testing.Cuts;
import org.calvaria.testing.SharedData;
import org.calvaria.volume.Geometry;
import org.calvaria.volume.MaskVolume;
import org.junit.jupiter.api.Test;

public class HoleFinderTest {
    private static MaskVolume cutBall(MaskVolume skull, double[] u, double radius) {
        return Cuts.withoutBall(skull, u, radius);
    }

    private static double[] unit(double x, double y, double z) {
        return Cuts.unit(x, y, z);
    }

    private static double angleDeg(double[] a, double[] b) {
        return Math.toDegrees(Math.acos(Math.max(-1, Math.min(1, a[0] * b[0] + a[1] * b[1] + a[2] * b[2]))));
    }

    @Test
    void intactSkullHasNoHole() {
        MaskVolume skull = new SyntheticSkull(3).rasterize(1.5, 1.5);
        assertEquals(List.of(), HoleFinder.find(skull));
    }

    @Test
    void findsALateralHoleWithItsDirectionAndSize() {
        MaskVolume skull = new SyntheticSkull(3).rasterize(1.2, 1.2);
        double[] left = unit(1, 0, 0.35);
        MaskVolume defective = cutBall(skull, left, 30);
        List<Hole> holes = HoleFinder.find(defective);
        assertEquals(1, holes.size(), "holes: " + holes);
        Hole h = holes.get(0);
        assertTrue(angleDeg(h.normal(), left) < 8, "normal " + java.util.Arrays.toString(h.normal()));
        // a ball of radius 30 mm centred on the surface opens a disc of radius about 30 mm: area ~ 2800 mm²,
        // circumference ~ 190 mm (the skull's curvature and thickness make the opening somewhat smaller)
        assertTrue(h.areaMm2() > 1500 && h.areaMm2() < 4000, "area " + h.areaMm2());
        assertTrue(h.rimLengthMm() > 120 && h.rimLengthMm() < 260, "rim " + h.rimLengthMm());
        assertFalse(h.openBelow());
        assertTrue(h.region().contains("left"), h.region());
    }

    @Test
    void findsTwoSeparateHoles() {
        MaskVolume skull = new SyntheticSkull(5).rasterize(1.5, 1.5);
        MaskVolume defective = cutBall(cutBall(skull, unit(1, 0, 0.3), 28), unit(-1, 0, 0.3), 22);
        List<Hole> holes = HoleFinder.find(defective);
        assertEquals(2, holes.size(), "holes: " + holes);
        // largest first
        assertTrue(holes.get(0).normal()[0] > 0.7 && holes.get(1).normal()[0] < -0.7);
    }

    @Test
    void smallOpeningsAreNotHoles() {
        MaskVolume skull = new SyntheticSkull(3).rasterize(1.2, 1.2);
        // a burr hole of 7 mm radius (about 150 mm²) is below the 300 mm² limit
        assertEquals(List.of(), HoleFinder.find(cutBall(skull, unit(0.3, -0.5, 1), 7)));
    }

    @Test
    void orientedGridLooksAtTheHoleFromOutside() {
        MaskVolume skull = new SyntheticSkull(3).rasterize(1.5, 1.5);
        double[] back = unit(0, 1, 0.4);
        MaskVolume defective = cutBall(skull, back, 30);
        CranialRays rays = CranialRays.cast(defective);
        Hole h = HoleFinder.find(rays).get(0);
        NetworkGrid grid = NetworkGrid.wu2022();
        double surface = OrientedGrid.surfaceHeight(rays, h.normal(), h);
        Geometry g = OrientedGrid.geometry(grid, rays.centre(), h.normal(), surface, 0, new double[2]);
        // orthonormal axes of 1.75 mm, z along the hole's normal
        double[] z = g.axisVector(2);
        assertEquals(1.75, Math.sqrt(z[0] * z[0] + z[1] * z[1] + z[2] * z[2]), 1e-9);
        assertTrue(angleDeg(new double[] {z[0] / 1.75, z[1] / 1.75, z[2] / 1.75}, h.normal()) < 1e-6);
        // the hole's centre lies on the grid axis, near the top (within the top quarter of the grid)
        double[] q = g.physicalToIndex(h.centreMm()[0], h.centreMm()[1], h.centreMm()[2]);
        assertEquals((grid.nx() - 1) / 2.0, q[0], 0.5);
        assertEquals((grid.ny() - 1) / 2.0, q[1], 0.5);
        assertTrue(q[2] > grid.nz() * 0.75 && q[2] < grid.nz(), "centre at grid z " + q[2]);
        // every rim point is covered by the grid
        assertEquals(1.0, GridCoverage.pointsInside(h.rim(), g), 1e-12);
    }

    @Test
    void vertexAxisGivesTheAxisAlignedFrame() {
        double[][] f = OrientedGrid.frame(new double[] {0, 0, 1}, 0);
        assertEquals(1, f[0][0], 1e-12);
        assertEquals(1, f[1][1], 1e-12);
        assertEquals(1, f[2][2], 1e-12);
        // a tilted axis keeps a right-handed orthonormal frame
        double[][] t = OrientedGrid.frame(unit(0.6, -0.3, 0.5), 0.4);
        double[] cross = {
            t[0][1] * t[1][2] - t[0][2] * t[1][1],
            t[0][2] * t[1][0] - t[0][0] * t[1][2],
            t[0][0] * t[1][1] - t[0][1] * t[1][0]
        };
        for (int k = 0; k < 3; k++) assertEquals(t[2][k], cross[k], 1e-12);
    }

    @Test
    void skullFixDefectIsFoundWhereItsImplantIs() {
        MaskVolume defective =
                MaskVolume.requireBinary(VolumeIO.read(SharedData.skullfix("defective_skull", "005")), "d");
        MaskVolume implant = MaskVolume.requireBinary(VolumeIO.read(SharedData.skullfix("implant", "005")), "i");
        MaskVolume complete = defective.copy().or(implant);
        assertEquals(List.of(), HoleFinder.find(complete), "the complete skull has no hole");
        CranialRays rays = CranialRays.cast(defective);
        List<Hole> holes = HoleFinder.find(rays);
        assertEquals(1, holes.size(), "holes: " + holes);
        // the hole's normal points at the implant's centre of mass, seen from the cranial centre
        double[] c = rays.centre();
        double[] sum = new double[3];
        long[] n = {0};
        Geometry g = implant.geometry();
        implant.forEachSet(i -> {
            int x = i % g.nx(), r = i / g.nx(), y = r % g.ny(), z = r / g.ny();
            double[] p = g.indexToPhysical(x, y, z);
            for (int a = 0; a < 3; a++) sum[a] += p[a];
            n[0]++;
        });
        double[] towards = unit(sum[0] / n[0] - c[0], sum[1] / n[0] - c[1], sum[2] / n[0] - c[2]);
        assertTrue(
                angleDeg(towards, holes.get(0).normal()) < 10,
                "angle " + angleDeg(towards, holes.get(0).normal()));
    }
}
