package org.calvaria.evaluate;

import java.util.stream.IntStream;
import org.calvaria.volume.FloatVolume;
import org.calvaria.volume.Geometry;
import org.calvaria.volume.MaskVolume;

/**
 * Exact Euclidean distance transform in millimetres (Felzenszwalb and Huttenlocher's separable lower envelope of
 * parabolas, one pass per index axis, each pass with that axis's spacing).
 *
 * <p>Separability needs the squared physical length of an index step {@code (di, dj, dk)} to be
 * {@code (si di)^2 + (sj dj)^2 + (sk dk)^2}, which holds exactly when the grid's axes are mutually orthogonal:
 * axis-aligned grids and rotated (oblique) grids alike, anisotropic spacing included. For a sheared grid (gantry tilt
 * kept as non-orthogonal axes) the cross terms do not vanish and this transform would be wrong, so it refuses; use
 * {@link NearestPoints} (exact nearest-point search between physical point sets) there. All SkullFix grids have
 * orthogonal axes (several are oblique, none is sheared).
 */
public final class DistanceTransform {
    /** Relative tolerance on the cosine between axes for a grid to count as orthogonal. */
    public static final double ORTHOGONALITY_TOLERANCE = 1e-6;

    private DistanceTransform() {}

    /** True when the grid's index axes are mutually orthogonal (so the separable transform is exact). */
    public static boolean isOrthogonal(Geometry g) {
        double[] a = g.axisVector(0), b = g.axisVector(1), c = g.axisVector(2);
        return Math.abs(cosine(a, b)) <= ORTHOGONALITY_TOLERANCE
                && Math.abs(cosine(a, c)) <= ORTHOGONALITY_TOLERANCE
                && Math.abs(cosine(b, c)) <= ORTHOGONALITY_TOLERANCE;
    }

    private static double cosine(double[] a, double[] b) {
        double dot = a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
        return dot / Math.sqrt((a[0] * a[0] + a[1] * a[1] + a[2] * a[2]) * (b[0] * b[0] + b[1] * b[1] + b[2] * b[2]));
    }

    /**
     * Distance (mm) from every voxel centre to the nearest set voxel centre of {@code features}; 0 on features,
     * +infinity everywhere when there are none.
     *
     * @throws IllegalArgumentException for a sheared grid
     */
    public static FloatVolume distanceMm(MaskVolume features) {
        float[] d = squaredDistanceMm2(features);
        for (int i = 0; i < d.length; i++) d[i] = (float) Math.sqrt(d[i]);
        return new FloatVolume(features.geometry(), d, org.calvaria.volume.VoxelType.FLOAT32);
    }

    /** Squared distances (mm^2) to the nearest feature voxel, x fastest; +infinity when there are no features. */
    public static float[] squaredDistanceMm2(MaskVolume features) {
        Geometry g = features.geometry();
        if (!isOrthogonal(g)) {
            throw new IllegalArgumentException("the separable distance transform is exact only on grids with"
                    + " orthogonal axes; this grid is sheared (" + g + "): use NearestPoints");
        }
        return squaredDistanceMm2(features, g.spacing());
    }

    /**
     * Squared distances (mm^2) using the given per-axis spacing, ignoring the grid's direction matrix. Exact when the
     * axes are orthogonal; on a sheared grid it is the distance of the unsheared grid (an approximation that callers
     * may choose knowingly, for example for morphological cleaning).
     */
    public static float[] squaredDistanceMm2(MaskVolume features, double[] spacing) {
        Geometry g = features.geometry();
        int nx = g.nx(), ny = g.ny(), nz = g.nz();
        float[] d = new float[g.voxelCount()];
        double sx = spacing[0], sy = spacing[1], sz = spacing[2];
        // Pass along x from the binary mask.
        IntStream.range(0, ny * nz).parallel().forEach(line -> {
            double[] f = new double[nx];
            double[] out = new double[nx];
            int[] v = new int[nx];
            double[] z = new double[nx + 1];
            int base = line * nx;
            for (int x = 0; x < nx; x++) f[x] = features.isSet(base + x) ? 0 : Double.POSITIVE_INFINITY;
            envelope(f, nx, sx, out, v, z);
            for (int x = 0; x < nx; x++) d[base + x] = (float) out[x];
        });
        // Pass along y.
        IntStream.range(0, nx * nz).parallel().forEach(line -> {
            int x = line % nx, zz = line / nx;
            double[] f = new double[ny];
            double[] out = new double[ny];
            int[] v = new int[ny];
            double[] z = new double[ny + 1];
            int base = x + nx * ny * zz;
            for (int y = 0; y < ny; y++) f[y] = d[base + nx * y];
            envelope(f, ny, sy, out, v, z);
            for (int y = 0; y < ny; y++) d[base + nx * y] = (float) out[y];
        });
        // Pass along z.
        int slice = nx * ny;
        IntStream.range(0, slice).parallel().forEach(line -> {
            double[] f = new double[nz];
            double[] out = new double[nz];
            int[] v = new int[nz];
            double[] z = new double[nz + 1];
            for (int k = 0; k < nz; k++) f[k] = d[line + slice * k];
            envelope(f, nz, sz, out, v, z);
            for (int k = 0; k < nz; k++) d[line + slice * k] = (float) out[k];
        });
        return d;
    }

    /**
     * One-dimensional squared distance: {@code out[q] = min_p (s (q - p))^2 + f[p]} over sites with finite f.
     * Works in millimetre coordinates so anisotropic spacing is exact.
     */
    static void envelope(double[] f, int n, double s, double[] out, int[] v, double[] z) {
        int k = -1;
        for (int q = 0; q < n; q++) {
            if (f[q] == Double.POSITIVE_INFINITY) continue;
            double pq = q * s;
            if (k < 0) {
                k = 0;
                v[0] = q;
                z[0] = Double.NEGATIVE_INFINITY;
                z[1] = Double.POSITIVE_INFINITY;
                continue;
            }
            // z[0] is -infinity, so the loop never pops the first parabola.
            double pv = v[k] * s;
            double cut = ((f[q] + pq * pq) - (f[v[k]] + pv * pv)) / (2 * (pq - pv));
            while (cut <= z[k]) {
                k--;
                pv = v[k] * s;
                cut = ((f[q] + pq * pq) - (f[v[k]] + pv * pv)) / (2 * (pq - pv));
            }
            k++;
            v[k] = q;
            z[k] = cut;
            z[k + 1] = Double.POSITIVE_INFINITY;
        }
        if (k < 0) {
            for (int q = 0; q < n; q++) out[q] = Double.POSITIVE_INFINITY;
            return;
        }
        int j = 0;
        for (int q = 0; q < n; q++) {
            double pq = q * s;
            while (z[j + 1] < pq) j++;
            double dv = pq - v[j] * s;
            out[q] = dv * dv + f[v[j]];
        }
    }
}
