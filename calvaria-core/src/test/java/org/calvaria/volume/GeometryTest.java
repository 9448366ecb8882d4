package org.calvaria.volume;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Random;
import org.junit.jupiter.api.Test;

class GeometryTest {
    /** Gantry-tilted CT: the z axis leans in y, spacing differs per axis, and x points right-to-left. */
    static final Geometry SHEARED = new Geometry(
            17, 13, 11, new double[] {-60.5, 42.25, -7}, new double[] {-0.45, 0, 0, 0, 0.44, 0.21, 0, 0, 0.625});

    @Test
    void indexToPhysicalIsOriginPlusMatrixTimesIndex() {
        double[] p = SHEARED.indexToPhysical(2, 3, 4);
        assertArrayEquals(new double[] {-60.5 - 0.9, 42.25 + 3 * 0.44 + 4 * 0.21, -7 + 4 * 0.625}, p, 1e-12);
    }

    @Test
    void indexPhysicalRoundTripOnShearedGrid() {
        Random r = new Random(3);
        for (int t = 0; t < 1000; t++) {
            double i = r.nextDouble() * 40 - 10, j = r.nextDouble() * 40 - 10, k = r.nextDouble() * 40 - 10;
            double[] p = SHEARED.indexToPhysical(i, j, k);
            double[] back = SHEARED.physicalToIndex(p[0], p[1], p[2]);
            assertArrayEquals(new double[] {i, j, k}, back, 1e-9);
        }
    }

    @Test
    void spacingAndVoxelVolumeOfShearedGrid() {
        double[] s = SHEARED.spacing();
        assertEquals(0.45, s[0], 1e-12);
        assertEquals(0.44, s[1], 1e-12);
        assertEquals(Math.hypot(0.21, 0.625), s[2], 1e-12);
        // |det|: the shear does not change the volume of a voxel (0.45 * 0.44 * 0.625), the sign flip neither.
        assertEquals(0.45 * 0.44 * 0.625, SHEARED.voxelVolumeMm3(), 1e-12);
        assertTrue(Geometry.det(SHEARED.matrix()) < 0);
        assertNotEquals(s[0] * s[1] * s[2], SHEARED.voxelVolumeMm3(), 1e-6);
        assertFalse(SHEARED.isAxisAligned(1e-6));
        assertTrue(Geometry.axisAligned(2, 2, 2, 0.5, 1, 2, new double[3]).isAxisAligned(1e-6));
        assertEquals(
                1.0, Geometry.axisAligned(2, 2, 2, 0.5, 1, 2, new double[3]).voxelVolumeMm3(), 1e-12);
    }

    @Test
    void flippedKeepsEveryPhysicalPosition() {
        for (int axis = 0; axis < 3; axis++) {
            Geometry f = SHEARED.flipped(axis);
            assertEquals(SHEARED.voxelVolumeMm3(), f.voxelVolumeMm3(), 1e-12);
            int[] n = SHEARED.sizes();
            for (int k = 0; k < n[2]; k++)
                for (int j = 0; j < n[1]; j++)
                    for (int i = 0; i < n[0]; i++) {
                        int[] q = {i, j, k};
                        q[axis] = n[axis] - 1 - q[axis];
                        assertArrayEquals(SHEARED.indexToPhysical(i, j, k), f.indexToPhysical(q[0], q[1], q[2]), 1e-9);
                    }
            assertTrue(f.flipped(axis).sameGrid(SHEARED, 1e-9), "flipping twice restores the grid");
        }
    }

    @Test
    void rotatedAboutMovesEveryVoxelCentreRigidly() {
        double[] centre = {3, -4, 5};
        double[] rot = Geometry.rotation(new double[] {1, 2, 3}, 0.7);
        Geometry g = SHEARED.rotatedAbout(centre, rot);
        assertArrayEquals(SHEARED.spacing(), g.spacing(), 1e-12);
        assertEquals(SHEARED.voxelVolumeMm3(), g.voxelVolumeMm3(), 1e-12);
        for (int k = 0; k < 11; k += 5)
            for (int j = 0; j < 13; j += 4)
                for (int i = 0; i < 17; i += 3) {
                    double[] p = SHEARED.indexToPhysical(i, j, k);
                    double[] d = {p[0] - centre[0], p[1] - centre[1], p[2] - centre[2]};
                    double[] expected = new double[3];
                    for (int r = 0; r < 3; r++) {
                        expected[r] = centre[r] + rot[3 * r] * d[0] + rot[3 * r + 1] * d[1] + rot[3 * r + 2] * d[2];
                    }
                    assertArrayEquals(expected, g.indexToPhysical(i, j, k), 1e-9);
                }
        // 90 degrees about z (right-hand rule) takes +x to +y.
        double[] quarter = Geometry.rotation(new double[] {0, 0, 1}, Math.PI / 2);
        Geometry unit = Geometry.axisAligned(3, 3, 3, 1);
        assertArrayEquals(
                new double[] {0, 2, 0},
                unit.rotatedAbout(new double[3], quarter).indexToPhysical(2, 0, 0),
                1e-12);
    }

    @Test
    void subGridAndSameGrid() {
        Geometry sub = SHEARED.subGrid(2, 3, 4, 5, 5, 5);
        assertArrayEquals(SHEARED.indexToPhysical(3, 4, 5), sub.indexToPhysical(1, 1, 1), 1e-12);
        assertTrue(SHEARED.sameGrid(new Geometry(17, 13, 11, SHEARED.origin(), SHEARED.matrix()), 1e-12));
        assertFalse(SHEARED.sameGrid(SHEARED.translated(0.01, 0, 0), 1e-3));
        assertThrows(
                IllegalArgumentException.class,
                () -> new Geometry(2, 2, 2, new double[3], new double[] {1, 0, 0, 0, 1, 0, 1, 0, 0}));
        assertThrows(IllegalArgumentException.class, () -> Geometry.axisAligned(0, 2, 2, 1));
    }

    @Test
    void indexMapOfAgreesWithGoingThroughPhysicalSpace() {
        Geometry target = SupersampledAverageTest.obliqueTarget();
        double[][] map = SHEARED.indexMapOf(target);
        int[][] voxels = {{0, 0, 0}, {20, 0, 0}, {3, 16, 8}, {11, 7, 2}};
        for (int[] v : voxels) {
            double[] p = target.indexToPhysical(v[0], v[1], v[2]);
            double[] expected = SHEARED.physicalToIndex(p[0], p[1], p[2]);
            for (int a = 0; a < 3; a++) {
                double got = map[0][a] + map[1][a] * v[0] + map[2][a] * v[1] + map[3][a] * v[2];
                assertEquals(expected[a], got, 1e-9, "axis " + a + " of voxel " + java.util.Arrays.toString(v));
            }
        }
    }
}
