package org.calvaria.evaluate;

/**
 * Exact nearest-neighbour distances to a fixed set of physical points (a k-d tree with median splits along the
 * widest extent). Being a search over actual point positions, it is exact for any grid, sheared ones included, which is
 * why surface distances on sheared grids use it instead of the separable distance transform. Immutable after
 * construction; queries are thread-safe.
 */
public final class NearestPoints {
    private static final int LEAF = 8;

    private final double[] xs, ys, zs;
    /** Split axis of the node whose median sits at this position (only meaningful for inner nodes). */
    private final byte[] splitAxis;

    private final int n;

    /** Builds the tree over points given as {x0, y0, z0, x1, y1, z1, ...} (mm). The array is not kept. */
    public NearestPoints(double[] xyz) {
        if (xyz.length % 3 != 0) throw new IllegalArgumentException("point array length must be a multiple of 3");
        n = xyz.length / 3;
        double[][] c = new double[3][n];
        for (int i = 0; i < n; i++) {
            c[0][i] = xyz[3 * i];
            c[1][i] = xyz[3 * i + 1];
            c[2][i] = xyz[3 * i + 2];
        }
        splitAxis = new byte[n];
        build(c, 0, n);
        xs = c[0];
        ys = c[1];
        zs = c[2];
    }

    public int size() {
        return n;
    }

    public boolean isEmpty() {
        return n == 0;
    }

    private void build(double[][] c, int lo, int hi) {
        if (hi - lo <= LEAF) return;
        int axis = widestAxis(c, lo, hi);
        int m = (lo + hi) >>> 1;
        select(c, axis, lo, hi - 1, m);
        splitAxis[m] = (byte) axis;
        build(c, lo, m);
        build(c, m + 1, hi);
    }

    private static int widestAxis(double[][] c, int lo, int hi) {
        int best = 0;
        double bestExtent = -1;
        for (int a = 0; a < 3; a++) {
            double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY;
            double[] v = c[a];
            for (int i = lo; i < hi; i++) {
                if (v[i] < min) min = v[i];
                if (v[i] > max) max = v[i];
            }
            if (max - min > bestExtent) {
                bestExtent = max - min;
                best = a;
            }
        }
        return best;
    }

    /** Quickselect: afterwards c[axis][k] is the k-th smallest in [lo, hi], smaller ones before, larger after. */
    private static void select(double[][] c, int axis, int lo, int hi, int k) {
        double[] v = c[axis];
        while (hi > lo) {
            // Median of three pivot keeps sorted or symmetric inputs (voxel grids) from degrading.
            int mid = (lo + hi) >>> 1;
            if (v[mid] < v[lo]) swap(c, mid, lo);
            if (v[hi] < v[lo]) swap(c, hi, lo);
            if (v[hi] < v[mid]) swap(c, hi, mid);
            double pivot = v[mid];
            int i = lo, j = hi;
            while (i <= j) {
                while (v[i] < pivot) i++;
                while (v[j] > pivot) j--;
                if (i <= j) {
                    swap(c, i, j);
                    i++;
                    j--;
                }
            }
            if (k <= j) hi = j;
            else if (k >= i) lo = i;
            else return;
        }
    }

    private static void swap(double[][] c, int i, int j) {
        for (double[] v : c) {
            double t = v[i];
            v[i] = v[j];
            v[j] = t;
        }
    }

    /** Distance (mm) from (x, y, z) to the nearest point; +infinity when the set is empty. */
    public double nearestDistance(double x, double y, double z) {
        return Math.sqrt(nearestSquared(x, y, z, Double.POSITIVE_INFINITY));
    }

    /**
     * Squared distance to the nearest point, searching only closer than {@code bound} (squared); returns
     * {@code bound} when no point is closer. Used to stop early when only "within r" matters.
     */
    public double nearestSquared(double x, double y, double z, double bound) {
        double[] best = {bound};
        search(0, n, x, y, z, best);
        return best[0];
    }

    private void search(int lo, int hi, double x, double y, double z, double[] best) {
        if (hi - lo <= LEAF) {
            for (int i = lo; i < hi; i++) {
                double dx = xs[i] - x, dy = ys[i] - y, dz = zs[i] - z;
                double d = dx * dx + dy * dy + dz * dz;
                if (d < best[0]) best[0] = d;
            }
            return;
        }
        int m = (lo + hi) >>> 1;
        double dx = xs[m] - x, dy = ys[m] - y, dz = zs[m] - z;
        double d = dx * dx + dy * dy + dz * dz;
        if (d < best[0]) best[0] = d;
        int axis = splitAxis[m];
        double diff = axis == 0 ? x - xs[m] : axis == 1 ? y - ys[m] : z - zs[m];
        if (diff < 0) {
            search(lo, m, x, y, z, best);
            if (diff * diff < best[0]) search(m + 1, hi, x, y, z, best);
        } else {
            search(m + 1, hi, x, y, z, best);
            if (diff * diff < best[0]) search(lo, m, x, y, z, best);
        }
    }
}
