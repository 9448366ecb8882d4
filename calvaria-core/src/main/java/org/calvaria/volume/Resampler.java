package org.calvaria.volume;

import java.util.stream.IntStream;

/**
 * Resampling between arbitrary grids, through physical space. For each target voxel centre the source index is an
 * affine function of the target index, so the inner loop is additions only. Parallel over target slices.
 */
public final class Resampler {
    public enum Interpolation {
        NEAREST,
        LINEAR
    }

    private Resampler() {}

    /**
     * Resamples {@code src} onto {@code target}. Nearest keeps the storage type (a mask stays a mask); linear returns
     * floats. Points outside the source get {@code outside}.
     */
    public static Volume resample(Volume src, Geometry target, Interpolation interpolation, double outside) {
        if (interpolation == Interpolation.NEAREST) return nearest(src, target, outside);
        return linear(src, target, outside);
    }

    /** Affine map target index -> source index: row-major 3x4 [A | b]. */
    static double[] indexMap(Geometry src, Geometry target) {
        double[] o = target.origin();
        double[] s0 = new double[3];
        src.physicalToIndex(o[0], o[1], o[2], s0);
        double[] map = new double[12];
        for (int c = 0; c < 3; c++) {
            double[] a = target.axisVector(c);
            double[] p = new double[3];
            src.physicalToIndex(o[0] + a[0], o[1] + a[1], o[2] + a[2], p);
            for (int r = 0; r < 3; r++) map[4 * r + c] = p[r] - s0[r];
        }
        for (int r = 0; r < 3; r++) map[4 * r + 3] = s0[r];
        return map;
    }

    public static Volume nearest(Volume src, Geometry target, double outside) {
        Volume out = src.emptyLike(target);
        out.inheritMetadata(src);
        double[] a = indexMap(src.geometry(), target);
        Geometry sg = src.geometry();
        int tnx = target.nx(), tny = target.ny();
        boolean fillOutside = outside != 0;
        IntStream slices = IntStream.range(0, target.nz());
        // Bits of a mask are set word by word: slices may run in parallel only when no word spans two slices.
        if (!(out instanceof MaskVolume) || (tnx * tny) % 64 == 0) slices = slices.parallel();
        slices.forEach(z -> {
            for (int y = 0; y < tny; y++) {
                double bx = a[1] * y + a[2] * z + a[3];
                double by = a[5] * y + a[6] * z + a[7];
                double bz = a[9] * y + a[10] * z + a[11];
                int row = target.index(0, y, z);
                for (int x = 0; x < tnx; x++) {
                    int sx = (int) Math.floor(bx + a[0] * x + 0.5);
                    int sy = (int) Math.floor(by + a[4] * x + 0.5);
                    int sz = (int) Math.floor(bz + a[8] * x + 0.5);
                    if (sg.contains(sx, sy, sz)) {
                        double v = src.get(sg.index(sx, sy, sz));
                        if (v != 0) out.set(row + x, v);
                    } else if (fillOutside) {
                        out.set(row + x, outside);
                    }
                }
            }
        });
        return out;
    }

    /** Trilinear interpolation of any volume onto {@code target}, as floats. */
    public static FloatVolume linear(Volume src, Geometry target, double outside) {
        FloatVolume out = new FloatVolume(target);
        out.inheritMetadata(src);
        float[] d = out.data();
        double[] a = indexMap(src.geometry(), target);
        Geometry sg = src.geometry();
        int snx = sg.nx(), sny = sg.ny(), snz = sg.nz();
        int tnx = target.nx(), tny = target.ny();
        IntStream.range(0, target.nz()).parallel().forEach(z -> {
            for (int y = 0; y < tny; y++) {
                double bx = a[1] * y + a[2] * z + a[3];
                double by = a[5] * y + a[6] * z + a[7];
                double bz = a[9] * y + a[10] * z + a[11];
                int row = target.index(0, y, z);
                for (int x = 0; x < tnx; x++) {
                    double fx = bx + a[0] * x, fy = by + a[4] * x, fz = bz + a[8] * x;
                    d[row + x] = (float) sample(src, snx, sny, snz, fx, fy, fz, outside);
                }
            }
        });
        return out;
    }

    /**
     * Where the trilinear interpolation of {@code src} onto {@code target} is at least {@code t}: voxel for voxel the
     * same as {@code linear(src, target, 0).get(i) >= t} (compared as floats), without the float volume. A voxel whose
     * eight source neighbours all lie below {@code t} cannot reach it (the interpolation is a convex combination), so
     * only voxels in "hot" source cells are sampled; on a design's map back that is a small share of the box.
     */
    public static MaskVolume linearAtLeast(FloatVolume src, Geometry target, float t) {
        if (!(t > 0)) throw new IllegalArgumentException("threshold must be positive, got " + t);
        Geometry sg = src.geometry();
        int snx = sg.nx(), sny = sg.ny(), snz = sg.nz();
        // Cells indexed by their low corner, -1..n per axis (offset by one): hot if any in-grid corner is >= t.
        int cx = snx + 2, cy = sny + 2, cz = snz + 2;
        boolean[] hot = new boolean[cx * cy * cz];
        float[] v = src.data();
        // the box of the voxels >= t: the cells they make hot lie within it, widened by one below
        int[] hotLo = {Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE}, hotHi = {-1, -1, -1};
        for (int z = 0; z < snz; z++) {
            for (int y = 0; y < sny; y++) {
                for (int x = 0; x < snx; x++) {
                    if (!(v[sg.index(x, y, z)] >= t)) continue;
                    hotLo[0] = Math.min(hotLo[0], x);
                    hotLo[1] = Math.min(hotLo[1], y);
                    hotLo[2] = Math.min(hotLo[2], z);
                    hotHi[0] = Math.max(hotHi[0], x);
                    hotHi[1] = Math.max(hotHi[1], y);
                    hotHi[2] = Math.max(hotHi[2], z);
                    for (int dz = 0; dz < 2; dz++) {
                        for (int dy = 0; dy < 2; dy++) {
                            int row = x + cx * (y + dy + cy * (z + dz));
                            hot[row] = true;
                            hot[row + 1] = true;
                        }
                    }
                }
            }
        }
        MaskVolume out = new MaskVolume(target);
        if (hotHi[0] < 0) return out;
        double[] a = indexMap(sg, target);
        int tnx = target.nx(), tny = target.ny();
        // Each slice lists its voxels at or above t; the bits are set afterwards, so no two threads share a word.
        int[][] perSlice = new int[target.nz()][];
        IntStream.range(0, target.nz()).parallel().forEach(z -> {
            int[] found = new int[64];
            int n = 0;
            for (int y = 0; y < tny; y++) {
                double bx = a[1] * y + a[2] * z + a[3];
                double by = a[5] * y + a[6] * z + a[7];
                double bz = a[9] * y + a[10] * z + a[11];
                int row = target.index(0, y, z);
                // Only the part of the row that can fall in a hot cell is visited (a sample point whose cell's low
                // corner is x0 lies in [x0, x0 + 1)): the bounds, widened by a voxel over rounding, leave out voxels
                // the checks below would reject anyway.
                double[] span = {0, tnx - 1};
                if (!within(span, bx, a[0], hotLo[0] - 1, hotHi[0] + 1)
                        || !within(span, by, a[4], hotLo[1] - 1, hotHi[1] + 1)
                        || !within(span, bz, a[8], hotLo[2] - 1, hotHi[2] + 1)) {
                    continue;
                }
                int xTo = (int) Math.ceil(span[1]);
                for (int x = (int) Math.floor(span[0]); x <= xTo; x++) {
                    double fx = bx + a[0] * x, fy = by + a[4] * x, fz = bz + a[8] * x;
                    if (fx < -1 || fy < -1 || fz < -1 || fx > snx || fy > sny || fz > snz) continue;
                    int x0 = floorToInt(fx), y0 = floorToInt(fy), z0 = floorToInt(fz);
                    if (!hot[(x0 + 1) + cx * ((y0 + 1) + cy * (z0 + 1))]) continue;
                    if ((float) sampleFloats(v, snx, sny, snz, fx, fy, fz) >= t) {
                        if (n == found.length) found = java.util.Arrays.copyOf(found, 2 * n);
                        found[n++] = row + x;
                    }
                }
            }
            perSlice[z] = java.util.Arrays.copyOf(found, n);
        });
        for (int[] slice : perSlice) {
            for (int i : slice) out.set(i, true);
        }
        return out;
    }

    /**
     * Narrows {@code span}, a range of target x, to where {@code base + step * x} may lie in [lo, hi] (one voxel of
     * margin); false when no x of the span can.
     */
    private static boolean within(double[] span, double base, double step, int lo, int hi) {
        if (step == 0) return !(base < lo - 1 || base > hi + 1);
        double t1 = (lo - base) / step, t2 = (hi - base) / step;
        span[0] = Math.max(span[0], Math.min(t1, t2) - 1);
        span[1] = Math.min(span[1], Math.max(t1, t2) + 1);
        return span[0] <= span[1];
    }

    /**
     * {@code (int) Math.floor(v)}, the same for every double (FloorToIntTest), without the call, which stays slow under
     * the quick compiler and in code not yet compiled (the loops over a scan's voxels start cold).
     */
    public static int floorToInt(double v) {
        int i = (int) v;
        return v < i && i != Integer.MIN_VALUE ? i - 1 : i;
    }

    /** Trilinear sample at a continuous source index; voxels off the grid count as {@code outside}. */
    public static double sample(
            Volume src, int snx, int sny, int snz, double fx, double fy, double fz, double outside) {
        if (fx < -1 || fy < -1 || fz < -1 || fx > snx || fy > sny || fz > snz) return outside;
        int x0 = floorToInt(fx), y0 = floorToInt(fy), z0 = floorToInt(fz);
        double tx = fx - x0, ty = fy - y0, tz = fz - z0;
        double c000 = at(src, snx, sny, snz, x0, y0, z0, outside);
        double c100 = at(src, snx, sny, snz, x0 + 1, y0, z0, outside);
        double c010 = at(src, snx, sny, snz, x0, y0 + 1, z0, outside);
        double c110 = at(src, snx, sny, snz, x0 + 1, y0 + 1, z0, outside);
        double c001 = at(src, snx, sny, snz, x0, y0, z0 + 1, outside);
        double c101 = at(src, snx, sny, snz, x0 + 1, y0, z0 + 1, outside);
        double c011 = at(src, snx, sny, snz, x0, y0 + 1, z0 + 1, outside);
        double c111 = at(src, snx, sny, snz, x0 + 1, y0 + 1, z0 + 1, outside);
        double c00 = c000 + (c100 - c000) * tx, c10 = c010 + (c110 - c010) * tx;
        double c01 = c001 + (c101 - c001) * tx, c11 = c011 + (c111 - c011) * tx;
        double c0 = c00 + (c10 - c00) * ty, c1 = c01 + (c11 - c01) * ty;
        return c0 + (c1 - c0) * tz;
    }

    /** {@link #sample} of float voxels with 0 outside, reading the array without a call per voxel. */
    private static double sampleFloats(float[] v, int snx, int sny, int snz, double fx, double fy, double fz) {
        if (fx < -1 || fy < -1 || fz < -1 || fx > snx || fy > sny || fz > snz) return 0;
        int x0 = floorToInt(fx), y0 = floorToInt(fy), z0 = floorToInt(fz);
        double tx = fx - x0, ty = fy - y0, tz = fz - z0;
        double c000, c100, c010, c110, c001, c101, c011, c111;
        if (x0 >= 0 && y0 >= 0 && z0 >= 0 && x0 < snx - 1 && y0 < sny - 1 && z0 < snz - 1) {
            // all eight corners on the grid: read without a check each
            int i = x0 + snx * (y0 + sny * z0), plane = snx * sny;
            c000 = v[i];
            c100 = v[i + 1];
            c010 = v[i + snx];
            c110 = v[i + snx + 1];
            c001 = v[i + plane];
            c101 = v[i + plane + 1];
            c011 = v[i + plane + snx];
            c111 = v[i + plane + snx + 1];
        } else {
            c000 = at(v, snx, sny, snz, x0, y0, z0);
            c100 = at(v, snx, sny, snz, x0 + 1, y0, z0);
            c010 = at(v, snx, sny, snz, x0, y0 + 1, z0);
            c110 = at(v, snx, sny, snz, x0 + 1, y0 + 1, z0);
            c001 = at(v, snx, sny, snz, x0, y0, z0 + 1);
            c101 = at(v, snx, sny, snz, x0 + 1, y0, z0 + 1);
            c011 = at(v, snx, sny, snz, x0, y0 + 1, z0 + 1);
            c111 = at(v, snx, sny, snz, x0 + 1, y0 + 1, z0 + 1);
        }
        double c00 = c000 + (c100 - c000) * tx, c10 = c010 + (c110 - c010) * tx;
        double c01 = c001 + (c101 - c001) * tx, c11 = c011 + (c111 - c011) * tx;
        double c0 = c00 + (c10 - c00) * ty, c1 = c01 + (c11 - c01) * ty;
        return c0 + (c1 - c0) * tz;
    }

    private static double at(float[] v, int nx, int ny, int nz, int x, int y, int z) {
        return x < 0 || y < 0 || z < 0 || x >= nx || y >= ny || z >= nz ? 0 : v[x + nx * (y + ny * z)];
    }

    private static double at(Volume v, int nx, int ny, int nz, int x, int y, int z, double outside) {
        if (x < 0 || y < 0 || z < 0 || x >= nx || y >= ny || z >= nz) return outside;
        return v.get(x + nx * (y + ny * z));
    }

    /** Trilinear resampling of a mask followed by a 0.5 threshold: a smoother binary result than nearest. */
    public static MaskVolume linearMask(MaskVolume src, Geometry target) {
        FloatVolume f = linear(src, target, 0);
        MaskVolume m = MaskVolume.threshold(f, 0.5);
        m.setSourceType(src.sourceType());
        return m;
    }

    /** Sub-volume by index box (may reach outside the source: those voxels are zero). Geometry is exact. */
    public static Volume crop(Volume src, int x0, int y0, int z0, int sx, int sy, int sz) {
        Geometry g = src.geometry().subGrid(x0, y0, z0, sx, sy, sz);
        Volume out = src.emptyLike(g);
        out.inheritMetadata(src);
        Geometry sg = src.geometry();
        for (int z = 0; z < sz; z++) {
            int zs = z + z0;
            if (zs < 0 || zs >= sg.nz()) continue;
            for (int y = 0; y < sy; y++) {
                int ys = y + y0;
                if (ys < 0 || ys >= sg.ny()) continue;
                for (int x = 0; x < sx; x++) {
                    int xs = x + x0;
                    if (xs < 0 || xs >= sg.nx()) continue;
                    double v = src.get(sg.index(xs, ys, zs));
                    if (v != 0) out.set(g.index(x, y, z), v);
                }
            }
        }
        return out;
    }

    /** Pads by {@code before} voxels at the low end and {@code after} at the high end of every axis. */
    public static Volume pad(Volume src, int before, int after) {
        return crop(
                src,
                -before,
                -before,
                -before,
                src.nx() + before + after,
                src.ny() + before + after,
                src.nz() + before + after);
    }

    /** Reverses index axis {@code axis}; physical positions of the content are unchanged (geometry flips too). */
    public static Volume flip(Volume src, int axis) {
        Geometry g = src.geometry().flipped(axis);
        Volume out = src.emptyLike(g);
        out.inheritMetadata(src);
        int nx = src.nx(), ny = src.ny(), nz = src.nz();
        for (int z = 0; z < nz; z++) {
            for (int y = 0; y < ny; y++) {
                for (int x = 0; x < nx; x++) {
                    int tx = axis == 0 ? nx - 1 - x : x,
                            ty = axis == 1 ? ny - 1 - y : y,
                            tz = axis == 2 ? nz - 1 - z : z;
                    double v = src.get(x, y, z);
                    if (v != 0) out.set(tx, ty, tz, v);
                }
            }
        }
        return out;
    }

    /**
     * Rotates the content of {@code src} about a physical point by a row-major rotation matrix, sampled back onto the
     * source grid.
     */
    public static Volume rotate(Volume src, double[] centre, double[] rotation, Interpolation interpolation) {
        // Content rotated by R appears when sampling the source at R^-1 p; a grid rotated by R^T does that.
        double[] rt = {
            rotation[0],
            rotation[3],
            rotation[6],
            rotation[1],
            rotation[4],
            rotation[7],
            rotation[2],
            rotation[5],
            rotation[8]
        };
        Geometry sampling = src.geometry().rotatedAbout(centre, rt);
        Volume onRotated = resampleOnto(src, sampling, interpolation);
        // onRotated holds source values at rotated positions; relabel it with the original geometry.
        return relabel(onRotated, src.geometry());
    }

    private static Volume resampleOnto(Volume src, Geometry g, Interpolation interpolation) {
        Volume v = resample(src, g, interpolation, 0);
        if (src instanceof MaskVolume && v instanceof FloatVolume f) {
            return MaskVolume.threshold(f, 0.5);
        }
        return v;
    }

    private static Volume relabel(Volume v, Geometry g) {
        Volume out = v.emptyLike(g);
        out.inheritMetadata(v);
        int n = v.voxelCount();
        for (int i = 0; i < n; i++) {
            double x = v.get(i);
            if (x != 0) out.set(i, x);
        }
        return out;
    }
}
