package org.calvaria.morphology;

import static org.junit.jupiter.api.Assertions.*;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.calvaria.volume.Geometry;
import org.calvaria.volume.MaskVolume;
import org.junit.jupiter.api.Test;

class HoleFillingTest {
    static final Geometry G = Geometry.axisAligned(41, 29, 23, 1);

    /** Brute force: background flood-filled from the border (offsets given), the rest becomes foreground. */
    static MaskVolume expectedFill3d(MaskVolume m) {
        Geometry g = m.geometry();
        int[] lab = BruteForce.label(m, false, BruteForce.offsets(6));
        Set<Integer> border = new HashSet<>();
        for (int z = 0; z < g.nz(); z++)
            for (int y = 0; y < g.ny(); y++)
                for (int x = 0; x < g.nx(); x++) {
                    boolean edge = x == 0 || y == 0 || z == 0 || x == g.nx() - 1 || y == g.ny() - 1 || z == g.nz() - 1;
                    if (edge && lab[g.index(x, y, z)] > 0) border.add(lab[g.index(x, y, z)]);
                }
        MaskVolume out = m.copy();
        for (int i = 0; i < lab.length; i++) if (lab[i] > 0 && !border.contains(lab[i])) out.set(i, true);
        return out;
    }

    /** Brute force per slice across {@code axis}, 4-connected in the slice, holes of at most maxVoxels. */
    static MaskVolume expectedFillSlices(MaskVolume m, int axis, long maxVoxels) {
        Geometry g = m.geometry();
        int[][] four = {{1, 0, 0}, {-1, 0, 0}, {0, 1, 0}, {0, -1, 0}, {0, 0, 1}, {0, 0, -1}};
        List<int[]> inPlane = new java.util.ArrayList<>();
        for (int[] o : four) if (o[axis] == 0) inPlane.add(o);
        int[] lab = BruteForce.label(m, false, inPlane);
        long[] size = new long[lab.length + 1];
        for (int l : lab) size[l]++;
        Set<Integer> border = new HashSet<>();
        int[] n = g.sizes();
        for (int z = 0; z < g.nz(); z++)
            for (int y = 0; y < g.ny(); y++)
                for (int x = 0; x < g.nx(); x++) {
                    int[] p = {x, y, z};
                    boolean edge = false;
                    for (int a = 0; a < 3; a++) if (a != axis && (p[a] == 0 || p[a] == n[a] - 1)) edge = true;
                    if (edge && lab[g.index(x, y, z)] > 0) border.add(lab[g.index(x, y, z)]);
                }
        MaskVolume out = m.copy();
        for (int i = 0; i < lab.length; i++) {
            if (lab[i] > 0 && !border.contains(lab[i]) && size[lab[i]] <= maxVoxels) out.set(i, true);
        }
        return out;
    }

    @Test
    void threeDimensionalFillMatchesFloodFill() {
        for (long seed = 1; seed <= 4; seed++) {
            MaskVolume m = BruteForce.random(G, 0.55 + 0.05 * seed, seed);
            MaskVolume filled = HoleFilling.fillInternalHoles(m);
            assertTrue(filled.sameVoxels(expectedFill3d(m)), "seed " + seed);
            assertTrue(filled.cardinality() > m.cardinality(), "fixture must have holes");
        }
    }

    @Test
    void sliceFillMatchesFloodFillOnEveryAxisWithAndWithoutAreaLimit() {
        Geometry g = new Geometry(41, 29, 23, new double[] {3, -2, 1}, new double[] {0.5, 0, 0, 0, 0.5, 0.1, 0, 0, 2
        }); // sheared: y-z pixel area is not sy*sz
        for (int axis = 0; axis < 3; axis++) {
            MaskVolume m = BruteForce.random(g, 0.6, 10 + axis);
            m.metadata().put("note", "kept");
            MaskVolume all = HoleFilling.fillHolesPerSlice(m, axis, Double.POSITIVE_INFINITY);
            assertTrue(all.sameVoxels(expectedFillSlices(m, axis, Long.MAX_VALUE)), "axis " + axis);
            assertEquals("kept", all.metadata().get("note"));
            assertTrue(all.geometry().equals(g));
            double area = HoleFilling.inPlaneArea(g, axis);
            MaskVolume small = HoleFilling.fillHolesPerSlice(m, axis, 2.5 * area);
            assertTrue(small.sameVoxels(expectedFillSlices(m, axis, 2)), "axis " + axis + " limited");
            assertTrue(small.cardinality() < all.cardinality(), "the limit must matter in this fixture");
        }
        // |z axis x x axis| = |(0, 0.1, 2) x (0.5, 0, 0)| = |(0, 1, -0.05)|: the shear tilts the x-z faces.
        assertEquals(Math.hypot(1, 0.05), HoleFilling.inPlaneArea(g, 1), 1e-12);
        assertEquals(1.0, HoleFilling.inPlaneArea(g, 0), 1e-12);
        assertEquals(0.5 * 0.5, HoleFilling.inPlaneArea(g, 2), 1e-12);
    }

    /** A hollow ball is filled in 3-D; cut a window in it and 3-D filling fills nothing, slice filling still does. */
    @Test
    void openShellIsFilledOnlySliceBySlice() {
        Geometry g = Geometry.axisAligned(40, 40, 40, 1);
        MaskVolume closed = new MaskVolume(g);
        for (int z = 0; z < 40; z++)
            for (int y = 0; y < 40; y++)
                for (int x = 0; x < 40; x++) {
                    double r = Math.sqrt((x - 19.5) * (x - 19.5) + (y - 19.5) * (y - 19.5) + (z - 19.5) * (z - 19.5));
                    if (r >= 14 && r <= 17) closed.set(x, y, z, true);
                }
        long inside = HoleFilling.fillInternalHoles(closed).cardinality() - closed.cardinality();
        assertTrue(inside > 4 * 14 * 14 * 14, "cavity of the closed shell is filled: " + inside);

        MaskVolume open = closed.copy();
        for (int z = 30; z < 40; z++)
            for (int y = 14; y < 26; y++)
                for (int x = 14; x < 26; x++) {
                    open.set(x, y, z, false); // a window at the top, like the foramen magnum of a skull
                }
        assertTrue(HoleFilling.fillInternalHoles(open).sameVoxels(open), "an open shell has no 3-D holes");
        MaskVolume slices = HoleFilling.fillHolesPerSlice(open);
        assertTrue(slices.cardinality() - open.cardinality() > inside / 2, "slices below the window are rings");
        MaskVolume limited = HoleFilling.fillHolesPerSlice(open, 2, 10);
        assertTrue(limited.sameVoxels(open), "no ring interior is 10 mm^2 or smaller");
    }

    @Test
    void maxHoleSizeKeepsBigCavities() {
        MaskVolume m = new MaskVolume(Geometry.axisAligned(20, 20, 20, 1));
        for (int i = 0; i < m.voxelCount(); i++) m.set(i, true);
        for (int z = 3; z < 9; z++) for (int y = 3; y < 9; y++) for (int x = 3; x < 9; x++) m.set(x, y, z, false);
        m.set(15, 15, 15, false);
        MaskVolume f = HoleFilling.fillInternalHoles(m, 10);
        assertTrue(f.isSet(15, 15, 15), "the 1-voxel hole is filled");
        assertFalse(f.isSet(5, 5, 5), "the 216-voxel cavity stays");
        assertEquals(m.cardinality() + 1, f.cardinality());
        assertEquals(m.cardinality() + 217, HoleFilling.fillInternalHoles(m).cardinality());
    }
}
