package org.calvaria.evaluate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.calvaria.morphology.Morphology;
import org.calvaria.volume.Geometry;
import org.calvaria.volume.MaskVolume;
import org.junit.jupiter.api.Test;

class DistanceTransformTest {

    static MaskVolume randomMask(Geometry g, double density, long seed) {
        Random r = new Random(seed);
        MaskVolume m = new MaskVolume(g);
        for (int i = 0; i < g.voxelCount(); i++) if (r.nextDouble() < density) m.set(i, true);
        return m;
    }

    /** Brute force: physical distance from every voxel centre to every feature voxel centre. */
    static double bruteDistance(MaskVolume f, int x, int y, int z) {
        Geometry g = f.geometry();
        double[] p = g.indexToPhysical(x, y, z);
        double best = Double.POSITIVE_INFINITY;
        double[] q = new double[3];
        for (int k = 0; k < g.nz(); k++)
            for (int j = 0; j < g.ny(); j++)
                for (int i = 0; i < g.nx(); i++) {
                    if (!f.isSet(i, j, k)) continue;
                    g.indexToPhysical(i, j, k, q);
                    best = Math.min(
                            best,
                            Math.sqrt((p[0] - q[0]) * (p[0] - q[0])
                                    + (p[1] - q[1]) * (p[1] - q[1])
                                    + (p[2] - q[2]) * (p[2] - q[2])));
                }
        return best;
    }

    static void assertMatchesBruteForce(MaskVolume f) {
        float[] d2 = DistanceTransform.squaredDistanceMm2(f);
        Geometry g = f.geometry();
        for (int z = 0; z < g.nz(); z++)
            for (int y = 0; y < g.ny(); y++)
                for (int x = 0; x < g.nx(); x++) {
                    double expected = bruteDistance(f, x, y, z);
                    double got = Math.sqrt(d2[g.index(x, y, z)]);
                    assertEquals(expected, got, 1e-4 * Math.max(1, expected), "voxel " + x + "," + y + "," + z);
                }
    }

    @Test
    void equalsBruteForceOnAnisotropicRandomMasks() {
        Geometry g = Geometry.axisAligned(11, 9, 7, 0.7, 1.3, 2.1, new double[] {3, -2, 5});
        for (long seed = 1; seed <= 4; seed++) {
            assertMatchesBruteForce(randomMask(g, seed == 1 ? 0.005 : 0.05 * seed, seed));
        }
    }

    @Test
    void equalsBruteForceOnObliqueOrthogonalGrid() {
        // SkullFix-like: the y and z axes are rotated about x (orthogonal, not axis-aligned), anisotropic.
        double a = Math.toRadians(9);
        double sy = 0.45, sz = 0.63;
        double[] m = {0.45, 0, 0, 0, sy * Math.cos(a), sz * Math.sin(a), 0, -sy * Math.sin(a), sz * Math.cos(a)};
        Geometry g = new Geometry(10, 9, 8, new double[] {-1, 2, 3}, m);
        assertFalse(g.isAxisAligned(1e-6));
        assertTrue(DistanceTransform.isOrthogonal(g));
        assertMatchesBruteForce(randomMask(g, 0.03, 7));
    }

    @Test
    void noFeaturesGivesInfinityAndOneFeatureGivesEuclideanDistance() {
        Geometry g = Geometry.axisAligned(6, 5, 4, 0.5, 1.0, 2.0, new double[3]);
        MaskVolume empty = new MaskVolume(g);
        for (float v : DistanceTransform.squaredDistanceMm2(empty)) assertEquals(Float.POSITIVE_INFINITY, v);
        MaskVolume one = new MaskVolume(g);
        one.set(1, 2, 3, true);
        float[] d = DistanceTransform.distanceMm(one).data();
        // (5, 0, 0): dx = 4 * 0.5, dy = 2 * 1.0, dz = 3 * 2.0
        assertEquals(Math.sqrt(4 + 4 + 36), d[g.index(5, 0, 0)], 1e-5);
        assertEquals(0, d[g.index(1, 2, 3)]);
    }

    @Test
    void refusesShearedGrids() {
        Geometry sheared = new Geometry(5, 5, 5, new double[3], new double[] {1, 0, 0.4, 0, 1, 0, 0, 0, 1});
        assertFalse(DistanceTransform.isOrthogonal(sheared));
        assertThrows(
                IllegalArgumentException.class, () -> DistanceTransform.squaredDistanceMm2(new MaskVolume(sheared)));
    }

    @Test
    void nearestPointsEqualsBruteForceOnShearedGrid() {
        Geometry sheared =
                new Geometry(9, 8, 7, new double[] {1, 2, 3}, new double[] {0.5, 0.1, 0.35, 0, 0.6, -0.2, 0, 0, 0.9});
        MaskVolume f = randomMask(sheared, 0.04, 11);
        NearestPoints tree = new NearestPoints(MaskOps.physicalPoints(f));
        assertEquals(f.cardinality(), tree.size());
        for (int z = 0; z < 7; z++)
            for (int y = 0; y < 8; y++)
                for (int x = 0; x < 9; x++) {
                    double[] p = sheared.indexToPhysical(x, y, z);
                    assertEquals(bruteDistance(f, x, y, z), tree.nearestDistance(p[0], p[1], p[2]), 1e-12);
                }
        // Points off the grid and a large random cloud with duplicates.
        Random r = new Random(5);
        double[] cloud = new double[3 * 3000];
        for (int i = 0; i < cloud.length; i++) cloud[i] = Math.floor(r.nextDouble() * 20) * 0.5;
        NearestPoints big = new NearestPoints(cloud);
        for (int t = 0; t < 200; t++) {
            double x = r.nextDouble() * 14 - 2, y = r.nextDouble() * 14 - 2, z = r.nextDouble() * 14 - 2;
            double best = Double.POSITIVE_INFINITY;
            for (int i = 0; i < cloud.length; i += 3) {
                double dx = cloud[i] - x, dy = cloud[i + 1] - y, dz = cloud[i + 2] - z;
                best = Math.min(best, dx * dx + dy * dy + dz * dz);
            }
            assertEquals(Math.sqrt(best), big.nearestDistance(x, y, z), 1e-12);
        }
        assertEquals(Double.POSITIVE_INFINITY, new NearestPoints(new double[0]).nearestDistance(0, 0, 0));
    }

    @Test
    void morphologyMatchesBallDefinition() {
        Geometry g = Geometry.axisAligned(14, 12, 10, 0.5, 0.7, 1.1, new double[3]);
        MaskVolume m = randomMask(g, 0.02, 3);
        double r = 1.6;
        MaskVolume dil = Morphology.dilate(m, r);
        for (int z = 0; z < 10; z++)
            for (int y = 0; y < 12; y++)
                for (int x = 0; x < 14; x++) {
                    assertEquals(
                            bruteDistance(m, x, y, z) <= r, dil.isSet(x, y, z), "dilation at " + x + "," + y + "," + z);
                }
        MaskVolume dense = randomMask(g, 0.9, 4);
        MaskVolume ero = Morphology.erode(dense, r);
        MaskVolume background = dense.copy().invert();
        for (int z = 0; z < 10; z++)
            for (int y = 0; y < 12; y++)
                for (int x = 0; x < 14; x++) {
                    boolean expected = dense.isSet(x, y, z) && bruteDistance(background, x, y, z) > r;
                    assertEquals(expected, ero.isSet(x, y, z), "erosion at " + x + "," + y + "," + z);
                }
    }

    /** The y and z passes one line at a time, as before they took neighbouring lines together. */
    static float[] lineByLine(MaskVolume features, double[] spacing) {
        Geometry g = features.geometry();
        int nx = g.nx(), ny = g.ny(), nz = g.nz();
        float[] d = new float[g.voxelCount()];
        int[] sizes = {nx, ny, nz};
        int[] strides = {1, nx, nx * ny};
        for (int axis = 0; axis < 3; axis++) {
            int n = sizes[axis], stride = strides[axis];
            double[] f = new double[n], out = new double[n], z = new double[n + 1];
            int[] v = new int[n];
            for (int start = 0; start < d.length; start++) {
                if ((start / stride) % n != 0) continue; // not the first voxel of a line along this axis
                for (int k = 0; k < n; k++) {
                    int i = start + stride * k;
                    f[k] = axis == 0 ? (features.isSet(i) ? 0 : Double.POSITIVE_INFINITY) : d[i];
                }
                DistanceTransform.envelope(f, n, spacing[axis], out, v, z);
                for (int k = 0; k < n; k++) d[start + stride * k] = (float) out[k];
            }
        }
        return d;
    }

    @Test
    void blockedPassesGiveTheLineByLineValues() {
        // sizes that leave partial blocks of lines; sparse and dense features, and none
        int[][] sizes = {{37, 21, 19}, {16, 33, 5}, {70, 3, 40}};
        double[] spacing = {0.457, 0.457, 0.637};
        long seed = 1;
        for (int[] n : sizes) {
            for (double density : new double[] {0, 0.002, 0.05, 0.6}) {
                Geometry g = new Geometry(n[0], n[1], n[2], new double[3], new double[] {
                    spacing[0], 0, 0, 0, spacing[1], 0, 0, 0, spacing[2]
                });
                MaskVolume m = randomMask(g, density, seed++);
                float[] fast = DistanceTransform.squaredDistanceMm2(m, spacing);
                float[] slow = lineByLine(m, spacing);
                for (int i = 0; i < fast.length; i++) {
                    assertEquals(Float.floatToIntBits(slow[i]), Float.floatToIntBits(fast[i]), "voxel " + i);
                }
            }
        }
    }
}
