package org.calvaria.volume;

import java.util.stream.IntStream;

/**
 * Any volume averaged onto a target grid (any orientation): each target voxel is the mean of {@code k^3} trilinear
 * samples spread evenly over it, {@code k} chosen from the ratio of the target's coarsest spacing to the source's
 * finest (at most {@code maxSupersampling}).
 *
 * <p>It is the hottest loop of {@code design} (hundreds of millions of samples per grid on a 0.4 mm scan), so masks
 * get two shortcuts that leave every result bit-identical to the plain loop: their bits are read directly, and a
 * target voxel whose source footprint holds no set voxel (air, the brain's space) is left 0 without sampling,
 * found from a summed table of set voxels per {@value #BLOCK}^3 block.
 */
public final class SupersampledAverage {
    private static final int BLOCK = 4;

    private SupersampledAverage() {}

    /** The mean of {@code k^3} samples of {@code v} in every voxel of {@code target}; off the source counts as 0. */
    public static FloatVolume onto(Volume v, Geometry target, int maxSupersampling) {
        return onto(v, target, maxSupersampling, Double.NaN);
    }

    /**
     * The voxels of {@code target} whose {@link #onto mean} (as a float) is at least {@code threshold}: the same mask
     * as thresholding that mean, found with fewer samples. Samples lie in [0, 1], so a voxel's sampling stops as soon
     * as the part summed so far, or that part plus one for every sample left, settles the comparison with a margin of
     * {@value #SETTLED} (far wider than the float rounding of the mean, about 3e-8); closer calls are summed in full.
     */
    public static MaskVolume atLeast(MaskVolume v, Geometry target, int maxSupersampling, double threshold) {
        if (!(threshold > 0 && threshold <= 1)) throw new IllegalArgumentException("threshold in (0, 1]: " + threshold);
        FloatVolume decided = onto(v, target, maxSupersampling, threshold);
        return MaskVolume.threshold(decided, 0.5);
    }

    /** Margin by which a partial sum must settle a threshold comparison; see {@link #atLeast}. */
    static final double SETTLED = 1e-6;

    /** With a NaN threshold: the means; otherwise 1 where the mean reaches the threshold and 0 elsewhere. */
    private static FloatVolume onto(Volume v, Geometry target, int maxSupersampling, double threshold) {
        boolean deciding = !Double.isNaN(threshold);
        Geometry src = v.geometry();
        double[] ss = src.spacing();
        double finest = Math.min(ss[0], Math.min(ss[1], ss[2]));
        double[] ts = target.spacing();
        double coarsest = Math.max(ts[0], Math.max(ts[1], ts[2]));
        int k = (int) Math.max(1, Math.min(maxSupersampling, Math.ceil(coarsest / finest - 1e-6)));
        // Affine map grid index -> source index: column c = source-index step of one grid step along axis c.
        double[][] map = src.indexMapOf(target);
        double[] base = map[0];
        double[][] col = {map[1], map[2], map[3]};
        double[] sub = new double[k];
        for (int i = 0; i < k; i++) sub[i] = (i + 0.5) / k - 0.5;
        int snx = src.nx(), sny = src.ny(), snz = src.nz();
        FloatVolume out = new FloatVolume(target);
        float[] d = out.data();
        double norm = 1.0 / (k * k * k);
        Sampler sampler = samplerFor(v);
        BlockCounts blocks = v instanceof MaskVolume m ? new BlockCounts(m) : null;
        // masks are sampled without the sampler's calls, which stay slow while the loop runs cold
        long[] maskBits = v instanceof MaskVolume m ? m.words() : null;
        // Half-extent, in source voxels along each source axis, of the sample points around a voxel's centre.
        double[] reach = new double[3];
        for (int a = 0; a < 3; a++) {
            for (int c = 0; c < 3; c++) reach[a] += Math.abs(col[c][a]) * Math.abs(sub[0]);
        }
        IntStream.range(0, target.nz()).parallel().forEach(z -> {
            int[] box = new int[6];
            for (int y = 0; y < target.ny(); y++) {
                for (int x = 0; x < target.nx(); x++) {
                    if (blocks != null) {
                        for (int a = 0; a < 3; a++) {
                            double centre = base[a] + col[0][a] * x + col[1][a] * y + col[2][a] * z;
                            // Margin of 1e-6 voxel covers rounding between this bound and the samples' own sums.
                            box[a] = Resampler.floorToInt(centre - reach[a] - 1e-6);
                            box[a + 3] = Resampler.floorToInt(centre + reach[a] + 1e-6) + 1;
                        }
                        if (!blocks.anySet(box)) continue;
                    }
                    double sum = 0;
                    int left = k * k * k;
                    int settled = 0; // +1: reaches the threshold whatever the rest adds, -1: cannot reach it
                    samples:
                    for (double dz : sub) {
                        double gz = z + dz;
                        for (double dy : sub) {
                            double gy = y + dy;
                            for (double dx : sub) {
                                double gx = x + dx;
                                double fx = base[0] + col[0][0] * gx + col[1][0] * gy + col[2][0] * gz;
                                double fy = base[1] + col[0][1] * gx + col[1][1] * gy + col[2][1] * gz;
                                double fz = base[2] + col[0][2] * gx + col[1][2] * gy + col[2][2] * gz;
                                sum += maskBits != null
                                        ? maskSample(maskBits, snx, sny, snz, fx, fy, fz)
                                        : sampler.sample(snx, sny, snz, fx, fy, fz);
                                left--;
                                if (deciding) {
                                    if (sum * norm > threshold + SETTLED) {
                                        settled = 1;
                                        break samples;
                                    }
                                    if ((sum + left) * norm < threshold - SETTLED) {
                                        settled = -1;
                                        break samples;
                                    }
                                }
                            }
                        }
                    }
                    float mean = (float) (sum * norm);
                    d[target.index(x, y, z)] =
                            !deciding ? mean : settled > 0 || (settled == 0 && mean >= threshold) ? 1f : 0f;
                }
            }
        });
        return out;
    }

    /** Trilinear sample at a continuous source index, 0 off the grid; same arithmetic as {@link Resampler#sample}. */
    interface Sampler {
        double sample(int snx, int sny, int snz, double fx, double fy, double fz);
    }

    static Sampler samplerFor(Volume v) {
        if (v instanceof MaskVolume m) {
            long[] bits = m.words();
            return (snx, sny, snz, fx, fy, fz) -> trilinear(
                    fx,
                    fy,
                    fz,
                    snx,
                    sny,
                    snz,
                    (x, y, z) -> (x < 0 || y < 0 || z < 0 || x >= snx || y >= sny || z >= snz)
                            ? 0
                            : (bits[(x + snx * (y + sny * z)) >>> 6] & (1L << (x + snx * (y + sny * z)))) != 0 ? 1 : 0);
        }
        if (v instanceof FloatVolume f) {
            float[] data = f.data();
            return (snx, sny, snz, fx, fy, fz) -> trilinear(
                    fx,
                    fy,
                    fz,
                    snx,
                    sny,
                    snz,
                    (x, y, z) -> (x < 0 || y < 0 || z < 0 || x >= snx || y >= sny || z >= snz)
                            ? 0
                            : data[x + snx * (y + sny * z)]);
        }
        return (snx, sny, snz, fx, fy, fz) -> Resampler.sample(v, snx, sny, snz, fx, fy, fz, 0);
    }

    /** {@link #trilinear} of a mask's bits, written out. */
    private static double maskSample(long[] bits, int snx, int sny, int snz, double fx, double fy, double fz) {
        if (fx < -1 || fy < -1 || fz < -1 || fx > snx || fy > sny || fz > snz) return 0;
        int x0 = Resampler.floorToInt(fx), y0 = Resampler.floorToInt(fy), z0 = Resampler.floorToInt(fz);
        double tx = fx - x0, ty = fy - y0, tz = fz - z0;
        double c000, c100, c010, c110, c001, c101, c011, c111;
        if (x0 >= 0 && y0 >= 0 && z0 >= 0 && x0 < snx - 1 && y0 < sny - 1 && z0 < snz - 1) {
            // all eight corners on the grid: each x pair is read at once
            int i = x0 + snx * (y0 + sny * z0), plane = snx * sny;
            int p00 = pair(bits, i), p10 = pair(bits, i + snx), p01 = pair(bits, i + plane);
            int p11 = pair(bits, i + snx + plane);
            // all air or all bone: the interpolation below gives exactly 0 or 1
            if ((p00 | p10 | p01 | p11) == 0) return 0;
            if ((p00 & p10 & p01 & p11) == 3) return 1;
            c000 = p00 & 1;
            c100 = p00 >> 1;
            c010 = p10 & 1;
            c110 = p10 >> 1;
            c001 = p01 & 1;
            c101 = p01 >> 1;
            c011 = p11 & 1;
            c111 = p11 >> 1;
        } else {
            c000 = bit(bits, snx, sny, snz, x0, y0, z0);
            c100 = bit(bits, snx, sny, snz, x0 + 1, y0, z0);
            c010 = bit(bits, snx, sny, snz, x0, y0 + 1, z0);
            c110 = bit(bits, snx, sny, snz, x0 + 1, y0 + 1, z0);
            c001 = bit(bits, snx, sny, snz, x0, y0, z0 + 1);
            c101 = bit(bits, snx, sny, snz, x0 + 1, y0, z0 + 1);
            c011 = bit(bits, snx, sny, snz, x0, y0 + 1, z0 + 1);
            c111 = bit(bits, snx, sny, snz, x0 + 1, y0 + 1, z0 + 1);
        }
        double c00 = c000 + (c100 - c000) * tx, c10 = c010 + (c110 - c010) * tx;
        double c01 = c001 + (c101 - c001) * tx, c11 = c011 + (c111 - c011) * tx;
        double c0 = c00 + (c10 - c00) * ty, c1 = c01 + (c11 - c01) * ty;
        return c0 + (c1 - c0) * tz;
    }

    /** Voxels {@code i} (bit 0) and {@code i + 1} (bit 1) of a mask; {@code i + 1} must be a voxel. */
    private static int pair(long[] bits, int i) {
        int shift = i & 63;
        long w = bits[i >>> 6] >>> shift;
        if (shift == 63) w |= bits[(i >>> 6) + 1] << 1;
        return (int) (w & 3);
    }

    private static int bit(long[] bits, int snx, int sny, int snz, int x, int y, int z) {
        if (x < 0 || y < 0 || z < 0 || x >= snx || y >= sny || z >= snz) return 0;
        int i = x + snx * (y + sny * z);
        return (bits[i >>> 6] & (1L << i)) != 0 ? 1 : 0;
    }

    private interface Voxels {
        double at(int x, int y, int z);
    }

    private static double trilinear(double fx, double fy, double fz, int snx, int sny, int snz, Voxels v) {
        if (fx < -1 || fy < -1 || fz < -1 || fx > snx || fy > sny || fz > snz) return 0;
        int x0 = Resampler.floorToInt(fx), y0 = Resampler.floorToInt(fy), z0 = Resampler.floorToInt(fz);
        double tx = fx - x0, ty = fy - y0, tz = fz - z0;
        double c000 = v.at(x0, y0, z0), c100 = v.at(x0 + 1, y0, z0);
        double c010 = v.at(x0, y0 + 1, z0), c110 = v.at(x0 + 1, y0 + 1, z0);
        double c001 = v.at(x0, y0, z0 + 1), c101 = v.at(x0 + 1, y0, z0 + 1);
        double c011 = v.at(x0, y0 + 1, z0 + 1), c111 = v.at(x0 + 1, y0 + 1, z0 + 1);
        double c00 = c000 + (c100 - c000) * tx, c10 = c010 + (c110 - c010) * tx;
        double c01 = c001 + (c101 - c001) * tx, c11 = c011 + (c111 - c011) * tx;
        double c0 = c00 + (c10 - c00) * ty, c1 = c01 + (c11 - c01) * ty;
        return c0 + (c1 - c0) * tz;
    }

    /** Summed table of set voxels per block, so that "any voxel set in this index box?" costs eight lookups. */
    static final class BlockCounts {
        private final int bx, by, bz, nx, ny, nz;
        private final int[] sum; // (bx+1)(by+1)(bz+1), inclusive prefix sums with a zero border

        BlockCounts(MaskVolume m) {
            Geometry g = m.geometry();
            nx = g.nx();
            ny = g.ny();
            nz = g.nz();
            bx = (nx + BLOCK - 1) / BLOCK;
            by = (ny + BLOCK - 1) / BLOCK;
            bz = (nz + BLOCK - 1) / BLOCK;
            sum = new int[(bx + 1) * (by + 1) * (bz + 1)];
            long[] words = m.words();
            // row by row, so that a voxel's x, y and z come without dividing its index
            for (int z = 0; z < nz; z++) {
                for (int y = 0; y < ny; y++) {
                    int row = nx * (y + ny * z), end = row + nx;
                    int blockRow = at(1, y / BLOCK + 1, z / BLOCK + 1);
                    for (int w = row >>> 6, lastWord = (end - 1) >>> 6; w <= lastWord; w++) {
                        long bits = words[w];
                        if (w == row >>> 6) bits &= -1L << row;
                        if (w == lastWord && (end & 63) != 0) bits &= (1L << end) - 1;
                        while (bits != 0) {
                            int x = (w << 6) + Long.numberOfTrailingZeros(bits) - row;
                            bits &= bits - 1;
                            sum[blockRow + x / BLOCK]++;
                        }
                    }
                }
            }
            for (int z = 1; z <= bz; z++) {
                for (int y = 1; y <= by; y++) {
                    for (int x = 1; x <= bx; x++) {
                        sum[at(x, y, z)] += sum[at(x - 1, y, z)]
                                + sum[at(x, y - 1, z)]
                                + sum[at(x, y, z - 1)]
                                - sum[at(x - 1, y - 1, z)]
                                - sum[at(x - 1, y, z - 1)]
                                - sum[at(x, y - 1, z - 1)]
                                + sum[at(x - 1, y - 1, z - 1)];
                    }
                }
            }
        }

        private int at(int x, int y, int z) {
            return x + (bx + 1) * (y + (by + 1) * z);
        }

        /** Whether any voxel in the inclusive index box {x0,y0,z0,x1,y1,z1} (clipped to the grid) is set. */
        boolean anySet(int[] box) {
            int x0 = Math.max(0, box[0]), y0 = Math.max(0, box[1]), z0 = Math.max(0, box[2]);
            int x1 = Math.min(nx - 1, box[3]), y1 = Math.min(ny - 1, box[4]), z1 = Math.min(nz - 1, box[5]);
            if (x0 > x1 || y0 > y1 || z0 > z1) return false;
            int ax = x0 / BLOCK, ay = y0 / BLOCK, az = z0 / BLOCK;
            int cx = x1 / BLOCK + 1, cy = y1 / BLOCK + 1, cz = z1 / BLOCK + 1;
            int n = sum[at(cx, cy, cz)]
                    - sum[at(ax, cy, cz)]
                    - sum[at(cx, ay, cz)]
                    - sum[at(cx, cy, az)]
                    + sum[at(ax, ay, cz)]
                    + sum[at(ax, cy, az)]
                    + sum[at(cx, ay, az)]
                    - sum[at(ax, ay, az)];
            return n != 0;
        }
    }
}
