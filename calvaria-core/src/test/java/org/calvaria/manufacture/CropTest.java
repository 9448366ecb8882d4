package org.calvaria.manufacture;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.calvaria.volume.Geometry;
import org.calvaria.volume.MaskVolume;
import org.calvaria.volume.Resampler;
import org.junit.jupiter.api.Test;

/** The row-of-bits crop and paste against the voxel-by-voxel ones they replace. */
class CropTest {

    static MaskVolume capOnOddGrid() {
        // an implant-like curved plate on a grid whose rows do not fill whole 64-bit words
        MaskVolume cap = Caps.Cap.sphere(20, 4, 50).mask(0.9, 0.9, 1.3);
        Geometry g = cap.geometry();
        Random r = new Random(3);
        MaskVolume m = cap.copy();
        for (int i = 0; i < g.voxelCount(); i += 1 + r.nextInt(40)) m.set(i, !m.isSet(i));
        return m;
    }

    @Test
    void cutIsTheResamplerCrop() {
        MaskVolume m = capOnOddGrid();
        int[] n = m.geometry().sizes();
        Random r = new Random(5);
        for (int trial = 0; trial < 40; trial++) {
            int x0 = r.nextInt(n[0]), y0 = r.nextInt(n[1]), z0 = r.nextInt(n[2]);
            int sx = 1 + r.nextInt(n[0] - x0), sy = 1 + r.nextInt(n[1] - y0), sz = 1 + r.nextInt(n[2] - z0);
            Crop box = new Crop(x0, y0, z0, sx, sy, sz);
            MaskVolume fast = box.cut(m);
            MaskVolume slow = (MaskVolume) Resampler.crop(m, x0, y0, z0, sx, sy, sz);
            assertEquals(slow.geometry(), fast.geometry());
            assertArrayEquals(slow.words(), fast.words());
            assertEquals(slow.sourceType(), fast.sourceType());
        }
        Crop around = Crop.around(m, 2.5);
        assertArrayEquals(
                ((MaskVolume) Resampler.crop(
                                m, around.x0(), around.y0(), around.z0(), around.sx(), around.sy(), around.sz()))
                        .words(),
                around.cut(m).words());
    }

    @Test
    void pasteReplacesTheBoxVoxelByVoxel() {
        MaskVolume m = capOnOddGrid();
        int[] n = m.geometry().sizes();
        Random r = new Random(7);
        for (int trial = 0; trial < 40; trial++) {
            int x0 = r.nextInt(n[0]), y0 = r.nextInt(n[1]), z0 = r.nextInt(n[2]);
            int sx = 1 + r.nextInt(n[0] - x0), sy = 1 + r.nextInt(n[1] - y0), sz = 1 + r.nextInt(n[2] - z0);
            Crop box = new Crop(x0, y0, z0, sx, sy, sz);
            MaskVolume part = box.cut(m);
            for (int i = 0; i < part.voxelCount(); i++) part.set(i, r.nextInt(3) == 0);
            MaskVolume expected = m.copy();
            for (int z = 0; z < sz; z++)
                for (int y = 0; y < sy; y++)
                    for (int x = 0; x < sx; x++) expected.set(x + x0, y + y0, z + z0, part.isSet(x, y, z));
            assertArrayEquals(expected.words(), box.paste(m, part).words());
        }
    }

    @Test
    void centroidIsTheVoxelByVoxelMean() {
        MaskVolume m = capOnOddGrid();
        Geometry g = m.geometry();
        int nx = g.nx(), ny = g.ny();
        double[] sum = new double[3];
        long[] count = {0};
        m.forEachSet(i -> {
            sum[0] += i % nx;
            sum[1] += (i / nx) % ny;
            sum[2] += i / (nx * ny);
            count[0]++;
        });
        double[] expected = g.indexToPhysical(sum[0] / count[0], sum[1] / count[0], sum[2] / count[0]);
        assertArrayEquals(expected, ShellThickener.centroid(m));
        assertArrayEquals(g.center(), ShellThickener.centroid(new MaskVolume(g)));
    }

    @Test
    void setBitPositionSumAddsThePositions() {
        Random r = new Random(11);
        for (int trial = 0; trial < 1000; trial++) {
            long bits = r.nextLong();
            bits &= r.nextLong(); // about a quarter of the bits set
            long expected = 0;
            for (int b = 0; b < 64; b++) if ((bits >>> b & 1) != 0) expected += b;
            assertEquals(expected, ShellThickener.setBitPositionSum(bits));
        }
    }
}
