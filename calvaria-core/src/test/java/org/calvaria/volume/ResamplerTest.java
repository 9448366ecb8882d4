package org.calvaria.volume;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Random;
import org.calvaria.io.VolumeIO;
import org.calvaria.testing.SharedData;
import org.junit.jupiter.api.Test;

class ResamplerTest {
    static final Geometry SHEARED = GeometryTest.SHEARED;

    static ShortVolume randomShorts(Geometry g, long seed) {
        Random r = new Random(seed);
        ShortVolume v = new ShortVolume(g);
        for (int i = 0; i < v.voxelCount(); i++) v.set(i, r.nextInt(4000) - 1024);
        return v;
    }

    static MaskVolume randomMask(Geometry g, long seed) {
        Random r = new Random(seed);
        MaskVolume m = new MaskVolume(g);
        for (int i = 0; i < m.voxelCount(); i++) m.set(i, r.nextBoolean());
        return m;
    }

    static void assertSameValues(Volume a, Volume b) {
        assertEquals(a.voxelCount(), b.voxelCount());
        for (int i = 0; i < a.voxelCount(); i++) assertEquals(a.get(i), b.get(i), 0, "voxel " + i);
    }

    @Test
    void nearestOntoTheSameGridIsIdentity() {
        ShortVolume v = randomShorts(SHEARED, 1);
        Volume same = Resampler.resample(v, SHEARED, Resampler.Interpolation.NEAREST, -1024);
        assertInstanceOf(ShortVolume.class, same);
        assertSameValues(v, same);
        // Mask on a grid whose slices are whole words: the parallel path.
        Geometry wordSlices = Geometry.axisAligned(16, 8, 5, 0.7);
        MaskVolume m = randomMask(wordSlices, 2);
        MaskVolume back = (MaskVolume) Resampler.nearest(m, wordSlices, 0);
        assertTrue(back.sameVoxels(m));
        MaskVolume m2 = randomMask(SHEARED, 3);
        assertTrue(((MaskVolume) Resampler.nearest(m2, SHEARED, 0)).sameVoxels(m2));
    }

    @Test
    void cropAndPadKeepPhysicalPositionsExactly() {
        ShortVolume v = randomShorts(SHEARED, 4);
        Volume c = Resampler.crop(v, 3, 2, 1, 9, 7, 6);
        for (int k = 0; k < 6; k++)
            for (int j = 0; j < 7; j++)
                for (int i = 0; i < 9; i++) {
                    assertArrayEquals(
                            SHEARED.indexToPhysical(i + 3, j + 2, k + 1),
                            c.geometry().indexToPhysical(i, j, k),
                            1e-12);
                    assertEquals(v.get(i + 3, j + 2, k + 1), c.get(i, j, k));
                }
        Volume padded = Resampler.pad(v, 2, 3);
        assertEquals(17 + 5, padded.nx());
        assertArrayEquals(SHEARED.origin(), padded.geometry().indexToPhysical(2, 2, 2), 1e-12);
        assertEquals(0, padded.get(0, 0, 0));
        Volume back = Resampler.crop(padded, 2, 2, 2, 17, 13, 11);
        assertTrue(back.geometry().sameGrid(SHEARED, 1e-12));
        assertSameValues(v, back);
        // Nearest resampling onto the cropped grid agrees with the crop: both go through physical space.
        assertSameValues(c, Resampler.nearest(v, c.geometry(), 0));
    }

    @Test
    void flipKeepsPositionsAndTwiceIsIdentity() {
        ShortVolume v = randomShorts(SHEARED, 5);
        for (int axis = 0; axis < 3; axis++) {
            Volume f = Resampler.flip(v, axis);
            assertEquals(v.get(0, 0, 0), f.get(axis == 0 ? 16 : 0, axis == 1 ? 12 : 0, axis == 2 ? 10 : 0));
            // The same physical point holds the same value.
            assertSameValues(v, Resampler.nearest(f, SHEARED, 0));
            Volume twice = Resampler.flip(f, axis);
            assertTrue(twice.geometry().sameGrid(SHEARED, 1e-9));
            assertSameValues(v, twice);
        }
        MaskVolume m = randomMask(SHEARED, 6);
        assertTrue(((MaskVolume) Resampler.flip(Resampler.flip(m, 1), 1)).sameVoxels(m));
    }

    @Test
    void rotateQuarterTurnAboutZIsAPermutation() {
        int n = 9, c = 4; // odd sizes: the centre is a voxel centre
        Geometry g = Geometry.axisAligned(n, n, 5, 1.5, 1.5, 2, new double[] {10, 20, 30});
        double[] centre = g.indexToPhysical(c, c, 2);
        double[] quarter = Geometry.rotation(new double[] {0, 0, 1}, Math.PI / 2);

        // An asymmetric L: a long arm along +x and a short one along +y, at slice 1.
        MaskVolume l = new MaskVolume(g);
        for (int i = 0; i <= 3; i++) l.set(c + i, c, 1, true);
        l.set(c, c + 1, 1, true);
        MaskVolume rl = (MaskVolume) Resampler.rotate(l, centre, quarter, Resampler.Interpolation.NEAREST);
        // +x goes to +y and +y goes to -x.
        MaskVolume expected = new MaskVolume(g);
        for (int i = 0; i <= 3; i++) expected.set(c, c + i, 1, true);
        expected.set(c - 1, c, 1, true);
        assertTrue(rl.sameVoxels(expected));

        // Every voxel: out(i, j, k) = in(c + (j - c), c - (i - c), k).
        ShortVolume v = randomShorts(g, 7);
        Volume r = Resampler.rotate(v, centre, quarter, Resampler.Interpolation.NEAREST);
        assertTrue(r.geometry().sameGrid(g, 0));
        for (int k = 0; k < 5; k++)
            for (int j = 0; j < n; j++)
                for (int i = 0; i < n; i++) {
                    assertEquals(v.get(c + (j - c), c - (i - c), k), r.get(i, j, k), "voxel " + i + "," + j + "," + k);
                }
    }

    @Test
    void linearResamplingOfALinearRampIsExact() {
        FloatVolume ramp = new FloatVolume(SHEARED);
        double[] p = new double[3];
        for (int k = 0; k < 11; k++)
            for (int j = 0; j < 13; j++)
                for (int i = 0; i < 17; i++) {
                    SHEARED.indexToPhysical(i, j, k, p);
                    ramp.set(i, j, k, 5 + 0.3 * p[0] - 0.7 * p[1] + 1.1 * p[2]);
                }
        // An oblique target grid inside the source's voxel centres.
        double[] mid = SHEARED.center();
        Geometry target = Geometry.axisAligned(
                        6, 5, 4, 0.37, 0.41, 0.5, new double[] {mid[0] - 1, mid[1] - 1, mid[2] - 1})
                .rotatedAbout(mid, Geometry.rotation(new double[] {1, 1, 0}, 0.3));
        FloatVolume out = Resampler.linear(ramp, target, Float.NaN);
        for (int k = 0; k < 4; k++)
            for (int j = 0; j < 5; j++)
                for (int i = 0; i < 6; i++) {
                    target.indexToPhysical(i, j, k, p);
                    double[] s = SHEARED.physicalToIndex(p[0], p[1], p[2]);
                    assertTrue(s[0] > 0 && s[1] > 0 && s[2] > 0 && s[0] < 16 && s[1] < 12 && s[2] < 10, "inside");
                    assertEquals(5 + 0.3 * p[0] - 0.7 * p[1] + 1.1 * p[2], out.get(i, j, k), 1e-4);
                }
    }

    /** A real gantry-tilted skull to a 1 mm axis-aligned grid and back: the shape survives (Dice 0.948 measured). */
    @Test
    void shearedSkullFixToOneMillimetreAndBackKeepsDice() {
        MaskVolume skull = MaskVolume.requireBinary(VolumeIO.read(SharedData.skullfix("complete_skull", "000")), "000");
        assertFalse(skull.geometry().isAxisAligned(1e-6), "case 000 has a gantry tilt");
        double[] b = skull.geometry().physicalBounds();
        Geometry mm = Geometry.axisAligned(
                (int) Math.ceil(b[3] - b[0]) + 1,
                (int) Math.ceil(b[4] - b[1]) + 1,
                (int) Math.ceil(b[5] - b[2]) + 1,
                1,
                1,
                1,
                new double[] {b[0], b[1], b[2]});
        MaskVolume coarse = Resampler.linearMask(skull, mm);
        double volumeRatio = coarse.cardinality()
                * mm.voxelVolumeMm3()
                / (skull.cardinality() * skull.geometry().voxelVolumeMm3());
        assertEquals(1.0, volumeRatio, 0.05, "bone volume is kept at 1 mm");
        // Back by nearest, as a result computed on the 1 mm grid is returned to the patient's grid.
        MaskVolume back = (MaskVolume) Resampler.nearest(coarse, skull.geometry(), 0);
        double dice = 2.0 * back.intersectionCount(skull) / (back.cardinality() + skull.cardinality());
        assertTrue(dice >= 0.9, "Dice " + dice);
    }

    @Test
    void linearAtLeastMarksExactlyTheVoxelsLinearPutsAtOrAboveTheThreshold() {
        // A smooth blob of probabilities on a coarse oblique grid, read back onto a finer axis-aligned box that
        // reaches past it on every side (outside counts as 0).
        Geometry coarse = SupersampledAverageTest.obliqueTarget();
        FloatVolume p = new FloatVolume(coarse);
        java.util.Random r = new java.util.Random(11);
        for (int z = 0; z < coarse.nz(); z++) {
            for (int y = 0; y < coarse.ny(); y++) {
                for (int x = 0; x < coarse.nx(); x++) {
                    double d2 = Math.pow(x - 10, 2) / 40 + Math.pow(y - 8, 2) / 30 + Math.pow(z - 4, 2) / 8;
                    p.set(coarse.index(x, y, z), Math.exp(-d2) + 0.02 * r.nextDouble());
                }
            }
        }
        Geometry fine = Geometry.axisAligned(90, 80, 50, 0.6, 0.6, 0.7, new double[] {-30, -10, -12});
        FloatVolume linear = Resampler.linear(p, fine, 0);
        for (float t : new float[] {0.05f, 0.5f, 0.93f}) {
            MaskVolume fast = Resampler.linearAtLeast(p, fine, t);
            int set = 0;
            for (int i = 0; i < fine.voxelCount(); i++) {
                assertEquals((float) linear.get(i) >= t, fast.isSet(i), "voxel " + i + " at t=" + t);
                if (fast.isSet(i)) set++;
            }
            assertTrue(set > 0 && set < fine.voxelCount() / 2, set + " voxels at t=" + t);
        }
        assertThrows(IllegalArgumentException.class, () -> Resampler.linearAtLeast(p, fine, 0f));
        // linear with an 'outside' value: every voxel is the sample at its source position, off the source included
        FloatVolume withOutside = Resampler.linear(p, fine, -7);
        double[] a = Resampler.indexMap(coarse, fine);
        int off = 0;
        for (int z = 0; z < fine.nz(); z++) {
            for (int y = 0; y < fine.ny(); y++) {
                for (int x = 0; x < fine.nx(); x++) {
                    double fx = a[1] * y + a[2] * z + a[3] + a[0] * x;
                    double fy = a[5] * y + a[6] * z + a[7] + a[4] * x;
                    double fz = a[9] * y + a[10] * z + a[11] + a[8] * x;
                    float expected = (float) Resampler.sample(p, coarse.nx(), coarse.ny(), coarse.nz(), fx, fy, fz, -7);
                    assertEquals(expected, withOutside.get(fine.index(x, y, z)), 0, x + "," + y + "," + z);
                    if (expected == -7) off++;
                }
            }
        }
        assertTrue(off > fine.voxelCount() / 2, off + " voxels off the source");
    }
}
