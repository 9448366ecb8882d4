package org.calvaria.manufacture;

import java.util.Arrays;
import java.util.stream.IntStream;
import org.calvaria.mesh.TriangleMesh;

/**
 * A mesh's one-ring (the edge neighbours of each vertex) and its vertex normals averaged over it, made once per mesh
 * and shared by the measurements of that mesh: the gaps to bone cast along the normals after 2 rounds, the thickness
 * map along those after 8 and smooths its values over the same ring. Each of them built its own ring and normals
 * before; continuing from round 2 to round 8 gives the very numbers 8 rounds from the start give.
 */
final class OneRing {
    private final TriangleMesh mesh;
    /** CSR: neighbours of v are nb[start[v] .. start[v+1]) (with repeats). */
    private final int[] start, nb;
    /** The normals after {@link #rounds} rounds (null until first asked for). */
    private float[] normals;

    private int rounds;

    OneRing(TriangleMesh mesh) {
        this.mesh = mesh;
        int nv = mesh.vertexCount();
        int[] t = mesh.triangles();
        start = new int[nv + 1];
        for (int i : t) start[i + 1] += 2;
        for (int i = 0; i < nv; i++) start[i + 1] += start[i];
        int[] fill = Arrays.copyOf(start, nv);
        nb = new int[start[nv]];
        for (int i = 0; i < t.length; i += 3) {
            for (int k = 0; k < 3; k++) {
                int a = t[i + k];
                nb[fill[a]++] = t[i + (k + 1) % 3];
                nb[fill[a]++] = t[i + (k + 2) % 3];
            }
        }
    }

    TriangleMesh mesh() {
        return mesh;
    }

    /**
     * Area-weighted vertex normals averaged {@code wanted} times with the normals of edge neighbours (unit length;
     * with 0 rounds the mesh's own normals). Rounds already made are not made again, so {@code wanted} may not be
     * below an earlier call's. The array returned is not changed by later calls.
     */
    float[] normalsAfter(int wanted) {
        if (normals == null) normals = mesh.vertexNormals();
        if (wanted < rounds) throw new IllegalStateException("normals after " + rounds + " rounds already made");
        int nv = mesh.vertexCount();
        while (rounds < wanted) {
            final float[] src = normals, dst = new float[src.length];
            IntStream.range(0, nv).parallel().forEach(v -> {
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
                } else {
                    dst[3 * v] = dst[3 * v + 1] = dst[3 * v + 2] = 0;
                }
            });
            normals = dst;
            rounds++;
        }
        return normals;
    }

    /** {@code field} averaged {@code rounds} times over the one-ring, NaN (and infinite) values left out. */
    double[] smoothField(double[] field, int rounds) {
        double[] cur = field;
        for (int r = 0; r < rounds; r++) {
            final double[] src = cur;
            double[] dst = new double[src.length];
            IntStream.range(0, src.length).parallel().forEach(v -> {
                if (!Double.isFinite(src[v])) {
                    dst[v] = src[v];
                    return;
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
            });
            cur = dst;
        }
        return cur;
    }
}
