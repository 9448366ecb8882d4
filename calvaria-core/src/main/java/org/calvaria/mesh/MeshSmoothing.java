package org.calvaria.mesh;

import java.util.Arrays;
import java.util.stream.IntStream;
import org.calvaria.Progress;

/**
 * Taubin lambda/mu smoothing: each iteration moves every vertex towards the mean of its neighbours by {@code lambda}
 * and then away by {@code mu} (negative, slightly larger in magnitude). The pair acts as a low-pass filter that removes
 * the voxel staircase without the shrinkage of plain Laplacian smoothing. Topology is unchanged.
 */
public final class MeshSmoothing {
    /** Defaults from Taubin (1995): pass-band about 0.1. */
    public static final double DEFAULT_LAMBDA = 0.5, DEFAULT_MU = -0.53;

    private MeshSmoothing() {}

    public static TriangleMesh taubin(TriangleMesh mesh, int iterations) {
        return taubin(mesh, iterations, DEFAULT_LAMBDA, DEFAULT_MU);
    }

    public static TriangleMesh taubin(TriangleMesh mesh, int iterations, double lambda, double mu) {
        if (iterations < 0) throw new IllegalArgumentException("iterations must be >= 0, got " + iterations);
        if (!(lambda > 0 && lambda < 1) || !(mu < -lambda && mu > -1)) {
            throw new IllegalArgumentException("need 0 < lambda < 1 and -1 < mu < -lambda, got " + lambda + ", " + mu);
        }
        if (iterations == 0 || mesh.isEmpty()) return mesh;
        int[][] adjacency = neighbours(mesh);
        int[] start = adjacency[0], nb = adjacency[1];
        float[] a = mesh.vertices().clone();
        float[] b = new float[a.length];
        int n = mesh.vertexCount();
        try (Progress progress = Progress.start("smoothing", iterations)) {
            for (int it = 0; it < iterations; it++) {
                step(a, b, start, nb, n, lambda);
                step(b, a, start, nb, n, mu);
                progress.step();
            }
        }
        return new TriangleMesh(a, mesh.triangles());
    }

    private static void step(float[] from, float[] to, int[] start, int[] nb, int n, double factor) {
        IntStream.range(0, (n + 4095) / 4096).parallel().forEach(block -> {
            int end = Math.min(n, (block + 1) * 4096);
            for (int v = block * 4096; v < end; v++) {
                int s = start[v], e = start[v + 1];
                if (s == e) {
                    to[3 * v] = from[3 * v];
                    to[3 * v + 1] = from[3 * v + 1];
                    to[3 * v + 2] = from[3 * v + 2];
                    continue;
                }
                double sx = 0, sy = 0, sz = 0;
                for (int k = s; k < e; k++) {
                    int w = 3 * nb[k];
                    sx += from[w];
                    sy += from[w + 1];
                    sz += from[w + 2];
                }
                double inv = 1.0 / (e - s);
                double x = from[3 * v], y = from[3 * v + 1], z = from[3 * v + 2];
                to[3 * v] = (float) (x + factor * (sx * inv - x));
                to[3 * v + 1] = (float) (y + factor * (sy * inv - y));
                to[3 * v + 2] = (float) (z + factor * (sz * inv - z));
            }
        });
    }

    /** Unique neighbours of every vertex in compressed rows: {start (n+1), neighbours}. */
    static int[][] neighbours(TriangleMesh mesh) {
        int n = mesh.vertexCount();
        int[] t = mesh.triangles();
        int[] start = new int[n + 1];
        for (int v : t) start[v + 1] += 2;
        for (int v = 0; v < n; v++) start[v + 1] += start[v];
        int[] fill = Arrays.copyOf(start, n);
        int[] nb = new int[start[n]];
        for (int i = 0; i < t.length; i += 3) {
            for (int k = 0; k < 3; k++) {
                int v = t[i + k], p = t[i + (k + 1) % 3], q = t[i + (k + 2) % 3];
                nb[fill[v]++] = p;
                nb[fill[v]++] = q;
            }
        }
        // sort and drop duplicates in place, compacting rows
        int[] newStart = new int[n + 1];
        int w = 0;
        for (int v = 0; v < n; v++) {
            int s = start[v], e = start[v + 1];
            Arrays.sort(nb, s, e);
            newStart[v] = w;
            for (int k = s; k < e; k++) {
                if (k > s && nb[k] == nb[k - 1]) continue;
                nb[w++] = nb[k];
            }
        }
        newStart[n] = w;
        return new int[][] {newStart, Arrays.copyOf(nb, w)};
    }
}
