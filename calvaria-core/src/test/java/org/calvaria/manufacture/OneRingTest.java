package org.calvaria.manufacture;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.Random;
import org.calvaria.mesh.TriangleMesh;
import org.junit.jupiter.api.Test;

/** One one-ring shared by the gaps and the thickness map gives bit for bit what each made on its own before. */
class OneRingTest {
    @Test
    void normalsContinuedFromRound2AreThoseOf8RoundsFromTheStart() {
        TriangleMesh m = SharedGridTest.crumpled(SharedGridTest.plate(), 3, 0.5f);
        OneRing ring = new OneRing(m);
        assertArrayEquals(m.vertexNormals(), ring.normalsAfter(0));
        float[] two = ring.normalsAfter(2);
        float[] twoCopy = two.clone();
        float[] eight = ring.normalsAfter(8);
        assertArrayEquals(oldNormals(m, 2), two);
        assertArrayEquals(oldNormals(m, 8), eight);
        assertArrayEquals(twoCopy, two, "later rounds must not overwrite an earlier result");
    }

    @Test
    void fieldSmoothingAndThicknessAreThoseOfTheOldCode() {
        TriangleMesh m = SharedGridTest.plate();
        double[] field = new double[m.vertexCount()];
        Random r = new Random(5);
        for (int i = 0; i < field.length; i++) field[i] = r.nextInt(10) == 0 ? Double.NaN : r.nextDouble() * 4;
        OneRing ring = new OneRing(m);
        assertArrayEquals(oldField(m, field, 4), ring.smoothField(field, 4));
        // the thickness map on a ring whose normals the gaps already took to round 2
        TriangleGrid grid = Thickness.gridFor(m);
        OneRing used = new OneRing(m);
        used.normalsAfter(RimGaps.FACING_NORMAL_SMOOTHING);
        double[] now = Thickness.perVertex(grid, used);
        double[] old = oldThickness(grid);
        for (int i = 0; i < old.length; i++) {
            assertEquals(Double.doubleToLongBits(old[i]), Double.doubleToLongBits(now[i]), "vertex " + i);
        }
    }

    /** Thickness.perVertex as it was: its own normals and ring. */
    static double[] oldThickness(TriangleGrid grid) {
        TriangleMesh mesh = grid.mesh();
        float[] v = mesh.vertices();
        float[] normals = oldNormals(mesh, Thickness.NORMAL_SMOOTHING);
        double[] out = new double[mesh.vertexCount()];
        boolean[] used = new boolean[mesh.vertexCount()];
        for (int i : mesh.triangles()) used[i] = true;
        for (int i = 0; i < out.length; i++) {
            double nx = normals[3 * i], ny = normals[3 * i + 1], nz = normals[3 * i + 2];
            if (!used[i] || nx * nx + ny * ny + nz * nz < 0.5) {
                out[i] = Double.NaN;
                continue;
            }
            double h = grid.rayHit(v[3 * i], v[3 * i + 1], v[3 * i + 2], -nx, -ny, -nz, 1e-4, Thickness.MAX_RAY_MM, i);
            out[i] = Double.isFinite(h) ? h : Double.NaN;
        }
        return oldField(mesh, out, Thickness.FIELD_SMOOTHING);
    }

    private static int[][] oldNeighbours(TriangleMesh mesh) {
        int nv = mesh.vertexCount();
        int[] t = mesh.triangles();
        int[] start = new int[nv + 1];
        for (int i : t) start[i + 1] += 2;
        for (int i = 0; i < nv; i++) start[i + 1] += start[i];
        int[] fill = Arrays.copyOf(start, nv);
        int[] nb = new int[start[nv]];
        for (int i = 0; i < t.length; i += 3) {
            for (int k = 0; k < 3; k++) {
                int a = t[i + k];
                nb[fill[a]++] = t[i + (k + 1) % 3];
                nb[fill[a]++] = t[i + (k + 2) % 3];
            }
        }
        return new int[][] {start, nb};
    }

    static float[] oldNormals(TriangleMesh mesh, int rounds) {
        float[] cur = mesh.vertexNormals();
        int[][] adj = oldNeighbours(mesh);
        int[] start = adj[0], nb = adj[1];
        for (int r = 0; r < rounds; r++) {
            float[] src = cur, dst = new float[src.length];
            for (int v = 0; v < mesh.vertexCount(); v++) {
                double x = src[3 * v], y = src[3 * v + 1], z = src[3 * v + 2];
                for (int k = start[v]; k < start[v + 1]; k++) {
                    int w = nb[k];
                    x += src[3 * w];
                    y += src[3 * w + 1];
                    z += src[3 * w + 2];
                }
                double len = Math.sqrt(x * x + y * y + z * z);
                if (len > 0) {
                    dst[3 * v] = (float) (x / len);
                    dst[3 * v + 1] = (float) (y / len);
                    dst[3 * v + 2] = (float) (z / len);
                }
            }
            cur = dst;
        }
        return cur;
    }

    static double[] oldField(TriangleMesh mesh, double[] field, int rounds) {
        int[][] adj = oldNeighbours(mesh);
        int[] start = adj[0], nb = adj[1];
        double[] cur = field;
        for (int r = 0; r < rounds; r++) {
            double[] src = cur, dst = new double[src.length];
            for (int v = 0; v < src.length; v++) {
                if (!Double.isFinite(src[v])) {
                    dst[v] = src[v];
                    continue;
                }
                double sum = src[v];
                int n = 1;
                for (int k = start[v]; k < start[v + 1]; k++) {
                    double x = src[nb[k]];
                    if (Double.isFinite(x)) {
                        sum += x;
                        n++;
                    }
                }
                dst[v] = sum / n;
            }
            cur = dst;
        }
        return cur;
    }
}
