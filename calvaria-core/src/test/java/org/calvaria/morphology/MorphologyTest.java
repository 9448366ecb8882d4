package org.calvaria.morphology;

import static org.junit.jupiter.api.Assertions.*;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.calvaria.volume.Geometry;
import org.calvaria.volume.MaskVolume;
import org.junit.jupiter.api.Test;

class MorphologyTest {
    /** Anisotropic and sheared (gantry tilt), odd row length. */
    static final Geometry SHEARED = new Geometry(
            45, 33, 21, new double[] {-10, 4, 2}, new double[] {0.45, 0, 0, 0, 0.45, 0.11, 0, -0.02, 0.62});

    static final Geometry ISO = Geometry.axisAligned(30, 30, 30, 1);

    static Set<List<Integer>> offsetsOf(StructuringElement se) {
        Set<List<Integer>> s = new HashSet<>();
        for (int r = 0; r < se.rowCount(); r++) {
            for (int dx = se.dxFrom(r); dx <= se.dxTo(r); dx++) s.add(List.of(dx, se.dy(r), se.dz(r)));
        }
        return s;
    }

    static Set<List<Integer>> offsetsOf(List<int[]> list) {
        Set<List<Integer>> s = new HashSet<>();
        for (int[] o : list) s.add(List.of(o[0], o[1], o[2]));
        return s;
    }

    @Test
    void ballSizesOnSimpleGrids() {
        assertEquals(1, StructuringElement.ball(ISO, 0).size());
        assertEquals(1, StructuringElement.ball(ISO, 0.99).size());
        assertEquals(7, StructuringElement.ball(ISO, 1).size());
        assertEquals(19, StructuringElement.ball(ISO, Math.sqrt(2)).size());
        assertEquals(27, StructuringElement.ball(ISO, Math.sqrt(3)).size());
        // 0.5 x 0.5 x 1 mm, radius 1: i^2 + j^2 <= 4 in the plane (13) plus one voxel above and below.
        Geometry aniso = Geometry.axisAligned(10, 10, 10, 0.5, 0.5, 1, new double[3]);
        assertEquals(15, StructuringElement.ball(aniso, 1).size());
        assertThrows(IllegalArgumentException.class, () -> StructuringElement.ball(ISO, -1));
        assertThrows(IllegalArgumentException.class, () -> StructuringElement.ball(ISO, Double.NaN));
    }

    @Test
    void ballOnShearedGridHoldsExactlyTheOffsetsWithinTheRadius() {
        for (double r : new double[] {0.3, 0.7, 1.0, 1.37, 2.0, 2.9}) {
            StructuringElement se = StructuringElement.ball(SHEARED, r);
            Set<List<Integer>> expected = offsetsOf(BruteForce.ballOffsets(SHEARED, r));
            assertEquals(expected, offsetsOf(se), "radius " + r);
            assertEquals(expected.size(), se.size());
            assertEquals(offsetsOf(se), offsetsOf(se.reflected()), "a ball is symmetric");
        }
    }

    @Test
    void dilateAndErodeMatchBruteForceOnShearedGrid() {
        for (long seed = 1; seed <= 3; seed++) {
            MaskVolume m = BruteForce.blobs(SHEARED, 10, 6, seed);
            m.metadata().put("note", "kept");
            for (double r : new double[] {0.5, 1.1, 1.9}) {
                List<int[]> ball = BruteForce.ballOffsets(SHEARED, r);
                MaskVolume d = Morphology.dilate(m, r);
                assertTrue(d.sameVoxels(BruteForce.dilate(m, ball)), "dilate seed " + seed + " r " + r);
                assertEquals("kept", d.metadata().get("note"));
                MaskVolume e = Morphology.erode(m, r);
                assertTrue(e.sameVoxels(BruteForce.erode(m, ball)), "erode seed " + seed + " r " + r);
                assertTrue(d.cardinality() > m.cardinality() && e.cardinality() < m.cardinality());
            }
        }
    }

    @Test
    void closingIsExtensiveAndOpeningAntiExtensiveEvenAtTheBorder() {
        MaskVolume m = BruteForce.blobs(SHEARED, 12, 8, 5);
        MaskVolume closed = Morphology.close(m, 1.5), opened = Morphology.open(m, 1.5);
        assertEquals(0, m.copy().andNot(closed).cardinality());
        assertEquals(0, opened.copy().andNot(m).cardinality());
        assertTrue(closed.cardinality() > m.cardinality() && opened.cardinality() < m.cardinality());
        // Idempotent, as morphological closing and opening are.
        assertTrue(Morphology.close(closed, 1.5).sameVoxels(closed));
        assertTrue(Morphology.open(opened, 1.5).sameVoxels(opened));
    }

    @Test
    void fullMaskDoesNotErodeFromTheBorderAndGapIsClosed() {
        MaskVolume full = new MaskVolume(ISO).invert();
        assertTrue(Morphology.erode(full, 3).sameVoxels(full));
        MaskVolume twoSlabs = new MaskVolume(ISO);
        for (int z = 0; z < 30; z++)
            for (int y = 0; y < 30; y++)
                for (int x = 0; x < 30; x++) {
                    if (x < 14 || x > 15) twoSlabs.set(x, y, z, true); // a 2 mm gap
                }
        assertTrue(Morphology.close(twoSlabs, 1.5).sameVoxels(full));
        assertTrue(Morphology.close(twoSlabs, 0.9).sameVoxels(twoSlabs));
    }

    @Test
    void medianMatchesMajorityVoteAndRemovesSpurs() {
        for (long seed = 1; seed <= 2; seed++) {
            MaskVolume m = BruteForce.blobs(SHEARED, 10, 6, seed);
            MaskVolume noisy = m.copy().xor(BruteForce.random(SHEARED, 0.05, seed + 100));
            for (double r : new double[] {0.5, 1.2}) {
                MaskVolume expected = BruteForce.median(noisy, BruteForce.ballOffsets(SHEARED, r));
                assertTrue(MedianFilter.binaryMedian(noisy, r).sameVoxels(expected), "seed " + seed + " r " + r);
            }
            long before = noisy.copy().xor(m).cardinality();
            long after = MedianFilter.binaryMedian(noisy, 1.2).xor(m).cardinality();
            assertTrue(after < before / 2, "median removes most salt-and-pepper noise: " + before + " -> " + after);
        }
    }

    @Test
    void boundingBoxAndMarginInMillimetres() {
        MaskVolume m = new MaskVolume(Geometry.axisAligned(50, 40, 30, 0.5, 0.5, 2, new double[3]));
        assertTrue(BoundingBox.of(m).isEmpty());
        m.set(10, 12, 5, true);
        m.set(20, 13, 7, true);
        BoundingBox b = BoundingBox.of(m).orElseThrow();
        assertEquals(new BoundingBox(10, 12, 5, 20, 13, 7), b);
        // 3 mm: 6 voxels in x and y, 1 in z; clipped at the grid.
        assertEquals(new BoundingBox(4, 6, 4, 26, 19, 8), b.grownMm(m.geometry(), 3));
        assertEquals(new BoundingBox(0, 0, 0, 49, 39, 29), b.grownMm(m.geometry(), 100));
    }

    @Test
    void boundingBoxUnionGrowthInVoxelsSubGridAndBounds() {
        Geometry g = Geometry.axisAligned(50, 40, 30, 0.5, 0.5, 2, new double[] {10, 20, 30});
        BoundingBox a = new BoundingBox(10, 12, 5, 20, 13, 7), b = new BoundingBox(2, 15, 6, 8, 30, 6);
        assertEquals(new BoundingBox(2, 12, 5, 20, 30, 7), a.union(b));
        assertEquals(a.union(b), b.union(a));
        assertEquals(
                new BoundingBox(0, 9, 3, 32, 16, 9),
                a.grownVoxels(new int[] {12, 3, 1}, g).union(a).grownVoxels(new int[] {0, 0, 1}, g));
        assertEquals(new BoundingBox(0, 0, 0, 49, 39, 29), a.grownVoxels(new int[] {99, 99, 99}, g));
        assertEquals(new BoundingBox(0, 0, 0, 49, 39, 29), BoundingBox.of(g));
        Geometry sub = a.subGrid(g);
        assertEquals(11, sub.nx());
        assertEquals(2, sub.ny());
        assertEquals(3, sub.nz());
        assertArrayEquals(g.indexToPhysical(10, 12, 5), sub.origin(), 1e-12);
        assertArrayEquals(new double[] {15, 26, 40, 20, 26.5, 44}, a.physicalBounds(g), 1e-12);
        MaskVolume m = new MaskVolume(g);
        m.set(11, 12, 6, true);
        MaskVolume crop = a.crop(m);
        assertEquals(1, crop.cardinality());
        assertTrue(crop.isSet(1, 0, 1));
    }
}
