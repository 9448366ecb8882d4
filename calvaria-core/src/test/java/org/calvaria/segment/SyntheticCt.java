package org.calvaria.segment;

import org.calvaria.synth.SyntheticSkull;
import org.calvaria.volume.Geometry;
import org.calvaria.volume.MaskVolume;
import org.calvaria.volume.ShortVolume;

/**
 * A CT in HU made from {@link SyntheticSkull}: bone 1000, soft tissue 40 (scalp and brain), air -1000, and a
 * separate CT table: a 300 HU slab behind the head (posterior, +y), 8 mm clear of the scalp.
 */
public final class SyntheticCt {
    public static final double TABLE_FROM_Y = 112, TABLE_TO_Y = 118;

    public final ShortVolume ct;
    public final MaskVolume bone;
    public final MaskVolume table;

    public SyntheticCt(long seed, double spacing) {
        SyntheticSkull skull = new SyntheticSkull(seed);
        int nx = (int) Math.ceil(190 / spacing),
                ny = (int) Math.ceil(250 / spacing),
                nz = (int) Math.ceil(150 / spacing);
        Geometry g = Geometry.axisAligned(nx, ny, nz, spacing, spacing, spacing, new double[] {-95, -125, -50});
        ct = new ShortVolume(g);
        bone = new MaskVolume(g);
        table = new MaskVolume(g);
        double[] p = new double[3];
        for (int z = 0; z < nz; z++)
            for (int y = 0; y < ny; y++)
                for (int x = 0; x < nx; x++) {
                    g.indexToPhysical(x, y, z, p);
                    int i = g.index(x, y, z);
                    double head = Math.pow(p[0] / 82, 2) + Math.pow(p[1] / 104, 2) + Math.pow(p[2] / 90, 2);
                    short hu;
                    if (skull.isBone(p[0], p[1], p[2])) {
                        hu = 1000;
                        bone.set(i, true);
                    } else if (head <= 1 && p[2] > -45) {
                        hu = 40;
                    } else if (p[1] >= TABLE_FROM_Y && p[1] <= TABLE_TO_Y) {
                        hu = 300;
                        table.set(i, true);
                    } else {
                        hu = -1000;
                    }
                    ct.data()[i] = hu;
                }
    }
}
