package org.calvaria.volume;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Random;
import org.junit.jupiter.api.Test;

class SupersampledAverageTest {
    /** The plain loop the fast path must reproduce bit for bit: k^3 generic trilinear samples per target voxel. */
    static float[] reference(Volume v, Geometry target, int maxK) {
        Geometry src = v.geometry();
        double[] ss = src.spacing();
        double finest = Math.min(ss[0], Math.min(ss[1], ss[2]));
        double[] ts = target.spacing();
        double coarsest = Math.max(ts[0], Math.max(ts[1], ts[2]));
        int k = (int) Math.max(1, Math.min(maxK, Math.ceil(coarsest / finest - 1e-6)));
        double[] o = target.origin();
        double[] base = src.physicalToIndex(o[0], o[1], o[2]);
        double[][] col = new double[3][];
        for (int c = 0; c < 3; c++) {
            double[] a = target.axisVector(c);
            double[] q = src.physicalToIndex(o[0] + a[0], o[1] + a[1], o[2] + a[2]);
            col[c] = new double[] {q[0] - base[0], q[1] - base[1], q[2] - base[2]};
        }
        double[] sub = new double[k];
        for (int i = 0; i < k; i++) sub[i] = (i + 0.5) / k - 0.5;
        float[] d = new float[target.nx() * target.ny() * target.nz()];
        double norm = 1.0 / (k * k * k);
        for (int z = 0; z < target.nz(); z++) {
            for (int y = 0; y < target.ny(); y++) {
                for (int x = 0; x < target.nx(); x++) {
                    double sum = 0;
                    for (double dz : sub) {
                        for (double dy : sub) {
                            for (double dx : sub) {
                                double gx = x + dx, gy = y + dy, gz = z + dz;
                                double fx = base[0] + col[0][0] * gx + col[1][0] * gy + col[2][0] * gz;
                                double fy = base[1] + col[0][1] * gx + col[1][1] * gy + col[2][1] * gz;
                                double fz = base[2] + col[0][2] * gx + col[1][2] * gy + col[2][2] * gz;
                                sum += Resampler.sample(v, src.nx(), src.ny(), src.nz(), fx, fy, fz, 0);
                            }
                        }
                    }
                    d[target.index(x, y, z)] = (float) (sum * norm);
                }
            }
        }
        return d;
    }

    /** A coarse grid, rotated about two axes and shifted half off the source, so that every shortcut is exercised. */
    static Geometry obliqueTarget() {
        double a = Math.toRadians(27), b = Math.toRadians(-14);
        double[] rz = {Math.cos(a), -Math.sin(a), 0, Math.sin(a), Math.cos(a), 0, 0, 0, 1};
        double[] rx = {1, 0, 0, 0, Math.cos(b), -Math.sin(b), 0, Math.sin(b), Math.cos(b)};
        double[] r = new double[9];
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                for (int m = 0; m < 3; m++) r[3 * i + j] += rz[3 * i + m] * rx[3 * m + j];
            }
        }
        double s = 1.75;
        double[] dir = new double[9];
        for (int i = 0; i < 9; i++) dir[i] = r[i] * s;
        return new Geometry(21, 17, 9, new double[] {-6, 4, 2}, dir);
    }

    /** Sparse blobs: mostly empty, like a skull shell in its grid, so that many footprints are skipped. */
    static MaskVolume sparseBlobs(Geometry g, long seed) {
        Random r = new Random(seed);
        MaskVolume m = new MaskVolume(g);
        for (int blob = 0; blob < 6; blob++) {
            int cx = r.nextInt(g.nx()), cy = r.nextInt(g.ny()), cz = r.nextInt(g.nz()), rad = 2 + r.nextInt(5);
            for (int z = 0; z < g.nz(); z++) {
                for (int y = 0; y < g.ny(); y++) {
                    for (int x = 0; x < g.nx(); x++) {
                        int dx = x - cx, dy = y - cy, dz = z - cz;
                        if (dx * dx + dy * dy + dz * dz <= rad * rad && r.nextInt(8) != 0) m.set(x, y, z, true);
                    }
                }
            }
        }
        return m;
    }

    @Test
    void sparseMaskGivesTheSameBitsAsThePlainLoop() {
        Geometry src = Geometry.axisAligned(61, 53, 37, 0.45, 0.45, 0.6, new double[] {-3, -2, -1});
        MaskVolume mask = sparseBlobs(src, 3);
        Geometry target = obliqueTarget();
        float[] fast = SupersampledAverage.onto(mask, target, 4).data();
        float[] plain = reference(mask, target, 4);
        int nonZero = 0, zero = 0;
        for (int i = 0; i < plain.length; i++) {
            assertEquals(Float.floatToRawIntBits(plain[i]), Float.floatToRawIntBits(fast[i]), "voxel " + i);
            if (plain[i] != 0) nonZero++;
            else zero++;
        }
        // Both kinds present: the comparison covered sampled and skipped voxels.
        assertTrue(nonZero > 50 && zero > 50, nonZero + " non-zero, " + zero + " zero");
    }

    @Test
    void thresholdedWithEarlyStopsGivesTheMaskOfThePlainMean() {
        Geometry src = Geometry.axisAligned(61, 53, 37, 0.45, 0.45, 0.6, new double[] {-3, -2, -1});
        Geometry target = obliqueTarget();
        int set = 0, unset = 0, near = 0;
        for (long seed = 1; seed <= 6; seed++) {
            MaskVolume mask = seed % 2 == 0 ? sparseBlobs(src, seed) : ResamplerTest.randomMask(src, seed);
            float[] plain = reference(mask, target, 4);
            for (double t : new double[] {0.5, 0.25, 0.9, 1.0, 1e-3}) {
                MaskVolume fast = SupersampledAverage.atLeast(mask, target, 4, t);
                for (int i = 0; i < plain.length; i++) {
                    assertEquals(plain[i] >= t, fast.isSet(i), "seed " + seed + " threshold " + t + " voxel " + i);
                    if (t != 0.5) continue;
                    if (plain[i] >= t) set++;
                    else unset++;
                    if (Math.abs(plain[i] - t) < 0.02) near++;
                }
            }
        }
        // both outcomes, and close calls, were compared
        assertTrue(set > 100 && unset > 100 && near > 10, set + " set, " + unset + " unset, " + near + " near");
        // a mean exactly at the threshold is decided by the full sum, as the plain threshold would
        MaskVolume half = new MaskVolume(Geometry.axisAligned(4, 4, 4, 1, 1, 1, new double[] {0, 0, 0}));
        for (int z = 0; z < 4; z++) for (int y = 0; y < 4; y++) half.set(0, y, z, true);
        Geometry coarse = Geometry.axisAligned(2, 2, 2, 2, 2, 2, new double[] {0.5, 1.5, 1.5});
        float[] mean = SupersampledAverage.onto(half, coarse, 2).data();
        MaskVolume decided = SupersampledAverage.atLeast(half, coarse, 2, 0.5);
        int onThreshold = 0;
        for (int i = 0; i < mean.length; i++) {
            assertEquals(mean[i] >= 0.5, decided.isSet(i), "mean " + mean[i]);
            if (mean[i] == 0.5f) onThreshold++;
        }
        assertTrue(onThreshold > 0, "no mean fell exactly on the threshold: " + java.util.Arrays.toString(mean));
    }

    @Test
    void denseMaskFloatAndShortVolumesGiveTheSameBits() {
        Geometry src = GeometryTest.SHEARED;
        Geometry target = Geometry.axisAligned(7, 6, 5, 1.3, 1.1, 0.9, new double[] {0.5, -0.4, 0.3});
        Volume[] volumes = {ResamplerTest.randomMask(src, 5), ResamplerTest.randomShorts(src, 6), floats(src, 7)};
        for (Volume v : volumes) {
            for (int k = 1; k <= 4; k++) {
                assertArrayEquals(
                        reference(v, target, k),
                        SupersampledAverage.onto(v, target, k).data(),
                        v.getClass().getSimpleName() + " k<=" + k);
            }
        }
    }

    @Test
    void fullyInsideBoneAveragesToOneAndAirToZero() {
        Geometry src = Geometry.axisAligned(40, 40, 40, 0.5);
        MaskVolume solid = new MaskVolume(src);
        for (int i = 0; i < solid.voxelCount(); i++) solid.set(i, true);
        Geometry inner = Geometry.axisAligned(4, 4, 4, 2.0, 2.0, 2.0, new double[] {5, 5, 5});
        for (float f : SupersampledAverage.onto(solid, inner, 4).data()) assertEquals(1f, f);
        for (float f : SupersampledAverage.onto(new MaskVolume(src), inner, 4).data()) assertEquals(0f, f);
    }

    static FloatVolume floats(Geometry g, long seed) {
        Random r = new Random(seed);
        FloatVolume f = new FloatVolume(g);
        for (int i = 0; i < f.voxelCount(); i++) f.set(i, r.nextFloat());
        return f;
    }
}
