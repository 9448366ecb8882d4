package org.calvaria.manufacture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import java.util.stream.IntStream;
import org.calvaria.mesh.MarchingCubes;
import org.calvaria.mesh.MeshSmoothing;
import org.calvaria.mesh.TriangleMesh;
import org.junit.jupiter.api.Test;

/**
 * The thickness map's finer triangle index, and the crossing search that shares it, give bit for bit what the
 * separate indexes they replaced gave.
 */
class SharedGridTest {
    static TriangleMesh plate() {
        return MeshSmoothing.taubin(
                MarchingCubes.extract(Caps.Cap.sphere(40, 4, 45).mask(0.6, 0.6, 0.8)), 10);
    }

    /** The cap with vertices pushed about at random, so that it folds through itself in places. */
    static TriangleMesh crumpled(TriangleMesh m, long seed, float amount) {
        float[] v = m.vertices().clone();
        Random r = new Random(seed);
        for (int i = 0; i < v.length; i++) if (r.nextInt(40) == 0) v[i] += (float) (r.nextGaussian() * amount);
        return new TriangleMesh(v, m.triangles());
    }

    @Test
    void thicknessOnTheFinerGridIsThatOnTheOldOne() {
        for (TriangleMesh m : new TriangleMesh[] {plate(), crumpled(plate(), 3, 1.5f)}) {
            double[] old = Thickness.perVertex(new TriangleGrid(m, Thickness.cellFor(m)));
            double[] now = Thickness.perVertex(m);
            assertEquals(old.length, now.length);
            for (int i = 0; i < old.length; i++) {
                assertEquals(Double.doubleToLongBits(old[i]), Double.doubleToLongBits(now[i]), "vertex " + i);
            }
        }
    }

    @Test
    void crossingsOnTheSharedGridAreThoseTheOwnGridFound() {
        TriangleMesh p = plate();
        int folded = 0;
        for (TriangleMesh m : new TriangleMesh[] {p, crumpled(p, 5, 1), crumpled(p, 7, 3), crumpled(p, 11, 0.3f)}) {
            long expected = oldCount(m);
            if (expected > 0) folded++;
            assertEquals(expected, SelfIntersections.count(m));
            for (double cell : new double[] {0.3, 0.9, 2.5}) {
                assertEquals(expected, SelfIntersections.count(new TriangleGrid(m, cell)), "cell " + cell);
            }
        }
        assertTrue(folded >= 2, "the crumpled plates should cross themselves");
    }

    /** SelfIntersections.count as it was, with its own grid of cells two mean edges wide. */
    static long oldCount(TriangleMesh mesh) {
        int t = mesh.triangleCount();
        if (t < 2) return 0;
        float[] v = mesh.vertices();
        int[] tri = mesh.triangles();
        double[] b = mesh.boundingBox();
        double cell = Math.max(Thickness.cellFor(mesh), 1e-3);
        double ex = b[3] - b[0], ey = b[4] - b[1], ez = b[5] - b[2];
        while ((ex / cell + 2) * (ey / cell + 2) * (ez / cell + 2) > 4e6) cell *= 1.5;
        final double c = cell;
        int nx = (int) Math.floor(ex / c) + 2, ny = (int) Math.floor(ey / c) + 2, nz = (int) Math.floor(ez / c) + 2;
        int cells = nx * ny * nz;
        int[] lo = new int[3 * t], hi = new int[3 * t];
        float[] box = new float[6 * t];
        for (int i = 0; i < t; i++) {
            for (int a = 0; a < 3; a++) {
                float mn = Float.POSITIVE_INFINITY, mx = Float.NEGATIVE_INFINITY;
                for (int k = 0; k < 3; k++) {
                    float x = v[3 * tri[3 * i + k] + a];
                    mn = Math.min(mn, x);
                    mx = Math.max(mx, x);
                }
                box[6 * i + a] = mn;
                box[6 * i + 3 + a] = mx;
                int n = a == 0 ? nx : a == 1 ? ny : nz;
                lo[3 * i + a] = clamp((int) Math.floor((mn - b[a] + 1e-3) / c), n);
                hi[3 * i + a] = clamp((int) Math.floor((mx - b[a] + 1e-3) / c), n);
            }
        }
        int[] start = new int[cells + 1];
        for (int i = 0; i < t; i++) {
            for (int z = lo[3 * i + 2]; z <= hi[3 * i + 2]; z++)
                for (int y = lo[3 * i + 1]; y <= hi[3 * i + 1]; y++)
                    for (int x = lo[3 * i]; x <= hi[3 * i]; x++) start[x + nx * (y + ny * z) + 1]++;
        }
        for (int i = 0; i < cells; i++) start[i + 1] += start[i];
        int[] items = new int[start[cells]];
        int[] fill = Arrays.copyOf(start, cells);
        for (int i = 0; i < t; i++) {
            for (int z = lo[3 * i + 2]; z <= hi[3 * i + 2]; z++)
                for (int y = lo[3 * i + 1]; y <= hi[3 * i + 1]; y++)
                    for (int x = lo[3 * i]; x <= hi[3 * i]; x++) items[fill[x + nx * (y + ny * z)]++] = i;
        }
        return IntStream.range(0, cells)
                .mapToLong(ci -> {
                    int from = start[ci], to = start[ci + 1];
                    int cx = ci % nx, cy = (ci / nx) % ny, cz = ci / (nx * ny);
                    long found = 0;
                    for (int p = from; p < to; p++) {
                        int i = items[p];
                        for (int q = p + 1; q < to; q++) {
                            int j = items[q];
                            if (Math.max(lo[3 * i], lo[3 * j]) != cx
                                    || Math.max(lo[3 * i + 1], lo[3 * j + 1]) != cy
                                    || Math.max(lo[3 * i + 2], lo[3 * j + 2]) != cz) continue;
                            if (box[6 * i] > box[6 * j + 3]
                                    || box[6 * j] > box[6 * i + 3]
                                    || box[6 * i + 1] > box[6 * j + 4]
                                    || box[6 * j + 1] > box[6 * i + 4]
                                    || box[6 * i + 2] > box[6 * j + 5]
                                    || box[6 * j + 2] > box[6 * i + 5]) continue;
                            if (oldCross(v, tri, i, j)) found++;
                        }
                    }
                    return found;
                })
                .sum();
    }

    private static int clamp(int i, int n) {
        return i < 0 ? 0 : i >= n ? n - 1 : i;
    }

    /** The old pair test: vertex sharing found with arrays, then SelfIntersections' edge-through-triangle tests. */
    static boolean oldCross(float[] v, int[] tri, int i, int j) {
        int[] a = {tri[3 * i], tri[3 * i + 1], tri[3 * i + 2]};
        int[] b = {tri[3 * j], tri[3 * j + 1], tri[3 * j + 2]};
        int shared = 0;
        for (int x = 0; x < 3; x++) for (int y = 0; y < 3; y++) if (a[x] == b[y]) shared++;
        if (shared >= 2) return false;
        return SelfIntersections.cross(v, tri, i, j);
    }
}
