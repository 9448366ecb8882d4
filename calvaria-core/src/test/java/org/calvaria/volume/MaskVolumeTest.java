package org.calvaria.volume;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Random;
import org.junit.jupiter.api.Test;

class MaskVolumeTest {
    /** Every set voxel's centre, compared one by one: the bounds as the plain loop over all voxels finds them. */
    private static double[] boundsOfEveryVoxel(MaskVolume m) {
        Geometry g = m.geometry();
        double[] mat = g.matrix(), o = g.origin();
        double[] b = {
            Double.POSITIVE_INFINITY,
            Double.POSITIVE_INFINITY,
            Double.POSITIVE_INFINITY,
            Double.NEGATIVE_INFINITY,
            Double.NEGATIVE_INFINITY,
            Double.NEGATIVE_INFINITY
        };
        for (int z = 0; z < g.nz(); z++) {
            for (int y = 0; y < g.ny(); y++) {
                for (int x = 0; x < g.nx(); x++) {
                    if (!m.isSet(x, y, z)) continue;
                    for (int a = 0; a < 3; a++) {
                        double p = o[a] + mat[3 * a] * x + mat[3 * a + 1] * y + mat[3 * a + 2] * z;
                        if (p < b[a]) b[a] = p;
                        if (p > b[a + 3]) b[a + 3] = p;
                    }
                }
            }
        }
        return b[0] == Double.POSITIVE_INFINITY ? null : b;
    }

    @Test
    void physicalBoundsAreThoseOfEveryVoxel() {
        Random r = new Random(11);
        Geometry[] grids = {
            Geometry.axisAligned(70, 33, 9, 0.45, 0.45, 0.7, new double[] {-100.3, 20.1, 7}),
            new Geometry(65, 31, 8, new double[] {-12.5, 30.25, 7}, new double[] {
                -0.45, 0, 0.2, 0.1, 0.44, 0.099, 0, -0.07, 0.625
            }),
            new Geometry(64, 20, 5, new double[] {3, -4, 5}, new double[] {0, 0.5, 0, -0.5, 0, 0, 0, 0, -1})
        };
        for (Geometry g : grids) {
            for (int trial = 0; trial < 20; trial++) {
                MaskVolume m = new MaskVolume(g);
                int n = trial == 0 ? 0 : 1 + r.nextInt(trial * 40);
                for (int i = 0; i < n; i++) m.set(r.nextInt(g.voxelCount()), true);
                assertArrayEquals(boundsOfEveryVoxel(m), m.physicalBoundsOfSet(), g + " trial " + trial);
            }
            MaskVolume full = new MaskVolume(g).invert();
            assertArrayEquals(boundsOfEveryVoxel(full), full.physicalBoundsOfSet());
        }
    }
}
