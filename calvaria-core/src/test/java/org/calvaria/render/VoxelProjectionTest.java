package org.calvaria.render;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.calvaria.morphology.BoundingBox;
import org.calvaria.volume.Geometry;
import org.calvaria.volume.MaskVolume;
import org.junit.jupiter.api.Test;

class VoxelProjectionTest {
    @Test
    void nearestAndUnionMatchBruteForceOnEveryAxisAndDirection() {
        Geometry g = Geometry.axisAligned(9, 7, 5, 1.0);
        MaskVolume m = new MaskVolume(g);
        Random r = new Random(11);
        for (int k = 0; k < 40; k++) m.set(r.nextInt(g.voxelCount()), true);
        BoundingBox box = new BoundingBox(1, 2, 0, 7, 6, 3);
        int[] lo = {1, 2, 0}, hi = {7, 6, 3};
        for (int axis = 0; axis < 3; axis++) {
            int ua = axis == 0 ? 1 : 0, va = axis == 2 ? 1 : 2;
            int w = VoxelProjection.width(box, axis), h = VoxelProjection.height(box, axis);
            assertEquals(hi[ua] - lo[ua] + 1, w);
            assertEquals(hi[va] - lo[va] + 1, h);
            for (boolean fromHigh : new boolean[] {true, false}) {
                int[] depth = VoxelProjection.nearest(g, box, axis, fromHigh, m::isSet);
                byte[] any = VoxelProjection.union(g, box, axis, i -> m.isSet(i) ? 1 : 0);
                for (int v = 0; v < h; v++) {
                    for (int u = 0; u < w; u++) {
                        int expected = -1, bits = 0;
                        int n = hi[axis] - lo[axis] + 1;
                        for (int t = 0; t < n; t++) {
                            int[] p = new int[3];
                            p[ua] = lo[ua] + u;
                            p[va] = lo[va] + v;
                            p[axis] = lo[axis] + t;
                            if (!m.isSet(g.index(p[0], p[1], p[2]))) continue;
                            bits = 1;
                            int nearness = fromHigh ? t : n - 1 - t;
                            expected = Math.max(expected, nearness);
                        }
                        assertEquals(expected, depth[u + w * v], "axis " + axis + " fromHigh " + fromHigh);
                        assertEquals(bits, any[u + w * v]);
                    }
                }
            }
        }
    }
}
