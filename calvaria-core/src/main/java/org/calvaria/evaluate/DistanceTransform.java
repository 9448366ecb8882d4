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
        // Pass along y, then along z: a task takes LINES neighbouring lines at once, so that each row of voxels it
        // reads or writes is one cache line, not LINES lines far apart.
        int yBlocks = (nx + LINES - 1) / LINES;
        IntStream.range(0, yBlocks * nz).parallel().forEach(task -> {
            int x0 = (task % yBlocks) * LINES, zz = task / yBlocks;
            passAcross(d, x0 + nx * ny * zz, Math.min(LINES, nx - x0), ny, nx, sy);
        });
        int slice = nx * ny;
        IntStream.range(0, (slice + LINES - 1) / LINES).parallel().forEach(task -> {
            int first = task * LINES;
            passAcross(d, first, Math.min(LINES, slice - first), nz, slice, sz);
        });
        return d;
    }

    /**
     * {@link #squaredDistanceMm2(MaskVolume, double[])} where it is under {@code limit2}, +infinity elsewhere: for
     * callers that only ask "nearer than the limit or not". After each pass a value at or above the limit is dropped
     * (later passes only add non-negative terms, so it could never come back under the limit), which leaves most
     * lines of the later passes without sites and lets them be skipped. The surviving values go through the same
     * arithmetic as the full transform.
     */
    public static float[] squaredDistanceBelowMm2(MaskVolume features, double[] spacing, double limit2) {
        Geometry g = features.geometry();
        int nx = g.nx(), ny = g.ny(), nz = g.nz();
        float[] d = new float[g.voxelCount()];
        java.util.Arrays.fill(d, Float.POSITIVE_INFINITY);
        double sx = spacing[0], sy = spacing[1], sz = spacing[2];
        long[] words = features.words();
        // Voxels farther than this many steps from every site along a line are beyond the limit in that pass.
        int reachX = reach(limit2, sx), reachY = reach(limit2, sy), reachZ = reach(limit2, sz);
        IntStream.range(0, nz).parallel().forEach(zz -> {
            double[] f = new double[nx];
            double[] out = new double[nx];
            int[] v = new int[nx];
            double[] z = new double[nx + 1];
            for (int y = 0; y < ny; y++) {
                int base = nx * (y + ny * zz);
                if (!anySet(words, base, nx)) continue;
                int first = -1, last = -1;
                for (int x = 0; x < nx; x++) {
                    boolean on = features.isSet(base + x);
                    f[x] = on ? 0 : Double.POSITIVE_INFINITY;
                    if (on) {
                        if (first < 0) first = x;
                        last = x;
                    }
                }
                int from = Math.max(0, first - reachX), to = Math.min(nx - 1, last + reachX);
                envelope(f, first, last, from, to, sx, out, v, z);
                for (int x = from; x <= to; x++) {
                    float o = (float) out[x];
                    if (o < limit2) d[base + x] = o;
                }
            }
        });
        int yBlocks = (nx + LINES - 1) / LINES;
        IntStream.range(0, yBlocks * nz).parallel().forEach(task -> {
            int x0 = (task % yBlocks) * LINES, zz = task / yBlocks;
            passAcrossBelow(d, x0 + nx * ny * zz, Math.min(LINES, nx - x0), ny, nx, sy, limit2, reachY);
        });
        int slice = nx * ny;
        IntStream.range(0, (slice + LINES - 1) / LINES).parallel().forEach(task -> {
            int first = task * LINES;
            passAcrossBelow(d, first, Math.min(LINES, slice - first), nz, slice, sz, limit2, reachZ);
        });
        return d;
    }

    /** True when any of {@code length} bits of {@code words} from bit {@code from} is set. */
    private static boolean anySet(long[] words, int from, int length) {
        int end = from + length;
        int w0 = from >>> 6, w1 = (end - 1) >>> 6;
        for (int w = w0; w <= w1; w++) {
            long bits = words[w];
            if (w == w0) bits &= -1L << (from & 63);
            if (w == w1 && (end & 63) != 0) bits &= (1L << (end & 63)) - 1;
            if (bits != 0) return true;
        }
        return false;
    }

    /**
     * {@link #passAcross} for {@link #squaredDistanceBelowMm2}: lines without a finite value are left as they are
     * (all +infinity), and results at or above {@code limit2} become +infinity.
     */
    private static void passAcrossBelow(
            float[] d, int first, int count, int n, int stride, double s, double limit2, int reach) {
        boolean[] finite = new boolean[count];
        int[] lo = new int[count], hi = new int[count];
        boolean any = false;
        for (int k = 0; k < n; k++) {
            int at = first + stride * k;
            for (int j = 0; j < count; j++) {
                if (d[at + j] != Float.POSITIVE_INFINITY) {
                    if (!finite[j]) lo[j] = k;
                    hi[j] = k;
                    finite[j] = true;
                    any = true;
                }
            }
        }
        if (!any) return;
        double[][] f = new double[count][];
        for (int j = 0; j < count; j++) if (finite[j]) f[j] = new double[n];
        for (int k = 0; k < n; k++) {
            int at = first + stride * k;
            for (int j = 0; j < count; j++) if (finite[j]) f[j][k] = d[at + j];
        }
        double[] out = new double[n];
        int[] v = new int[n];
        double[] z = new double[n + 1];
        for (int j = 0; j < count; j++) {
            if (!finite[j]) continue;
            int from = Math.max(0, lo[j] - reach), to = Math.min(n - 1, hi[j] + reach);
            envelope(f[j], lo[j], hi[j], from, to, s, out, v, z);
            for (int k = from; k <= to; k++) f[j][k] = out[k];
            lo[j] = from;
            hi[j] = to;
        }
        for (int k = 0; k < n; k++) {
            int at = first + stride * k;
            for (int j = 0; j < count; j++) {
                if (!finite[j] || k < lo[j] || k > hi[j]) continue;
                float o = (float) f[j][k];
                d[at + j] = o < limit2 ? o : Float.POSITIVE_INFINITY;
            }
        }
    }

    /**
     * Steps beyond which a one-dimensional distance is surely at or above {@code sqrt(limit2)}: one step more than the
     * limit spans, so rounding in {@code q s - p s} cannot bring it back under.
     */
    private static int reach(double limit2, double s) {
        return (int) Math.ceil(Math.sqrt(limit2) / s) + 1;
    }

    /**
     * {@link #envelope(double[], int, double, double[], int[], double[])} for a line whose finite sites all lie in
     * {@code [first, last]}, writing {@code out} only for {@code q} in {@code [from, to]}. The same parabolas are built
     * in the same order and each {@code q} picks the same one, so those values are the same as the full line's.
     */
    static void envelope(
            double[] f, int first, int last, int from, int to, double s, double[] out, int[] v, double[] z) {
        int k = -1;
        for (int q = first; q <= last; q++) {
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
        int j = 0;
        for (int q = from; q <= to; q++) {
            double pq = q * s;
            while (z[j + 1] < pq) j++;
            double dv = pq - v[j] * s;
            out[q] = dv * dv + f[v[j]];
        }
    }

    /** Lines of voxels one task of the y and z passes takes (16 floats: a cache line). */
    private static final int LINES = 16;

    /**
     * The one-dimensional pass over {@code count} neighbouring lines of {@code n} voxels each, starting at
     * {@code first} and {@code first + 1} ..., voxel k of a line {@code stride} after voxel k - 1.
     */
    private static void passAcross(float[] d, int first, int count, int n, int stride, double s) {
        double[][] f = new double[count][n];
        double[] out = new double[n];
        int[] v = new int[n];
        double[] z = new double[n + 1];
        for (int k = 0; k < n; k++) {
            int at = first + stride * k;
            for (int j = 0; j < count; j++) f[j][k] = d[at + j];
        }
        for (int j = 0; j < count; j++) {
            envelope(f[j], n, s, out, v, z);
            for (int k = 0; k < n; k++) f[j][k] = out[k];
        }
        for (int k = 0; k < n; k++) {
            int at = first + stride * k;
            for (int j = 0; j < count; j++) d[at + j] = (float) f[j][k];
        }
    }

    /**
     * One-dimensional squared distance: {@code out[q] = min_p (s (q - p))^2 + f[p]} over sites with finite f.
     * Works in millimetre coordinates so anisotropic spacing is exact.
     */
    static void envelope(double[] f, int n, double s, double[] out, int[] v, double[] z) {
        boolean anySite = false;
        for (int q = 0; q < n && !anySite; q++) anySite = f[q] != Double.POSITIVE_INFINITY;
        if (!anySite) {
            for (int q = 0; q < n; q++) out[q] = Double.POSITIVE_INFINITY;
            return;
        }
        // the whole line is the bounded case with every site and every output in range
        envelope(f, 0, n - 1, 0, n - 1, s, out, v, z);
    }
}
