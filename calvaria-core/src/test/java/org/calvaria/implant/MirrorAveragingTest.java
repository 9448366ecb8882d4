package org.calvaria.implant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.calvaria.normalise.NetworkGrid;
import org.calvaria.volume.Geometry;
import org.junit.jupiter.api.Test;

class MirrorAveragingTest {
    private static final NetworkGrid GRID = new NetworkGrid(6, 4, 4, 10);
    private static final int V = 6 * 4 * 4;

    @Test
    void mirrorReversesEachRowAndTwiceIsTheIdentity() {
        float[] a = new float[V];
        for (int i = 0; i < V; i++) a[i] = i;
        float[] m = new float[V];
        MirrorAveraging.mirror(a, 0, m, 0, 6, V);
        // voxel (x, y, z) of the mirror holds voxel (5 - x, y, z) of the original
        for (int z = 0; z < 4; z++)
            for (int y = 0; y < 4; y++)
                for (int x = 0; x < 6; x++) assertEquals(a[(5 - x) + 6 * (y + 4 * z)], m[x + 6 * (y + 4 * z)]);
        float[] back = new float[V];
        MirrorAveraging.mirror(m, 0, back, 0, 6, V);
        assertArrayEquals(a, back);
        assertThrows(IllegalArgumentException.class, () -> MirrorAveraging.mirror(a, 0, m, 0, 5, V));
    }

    @Test
    void eachGridIsAveragedWithItsMirroredCompletionMappedBack() {
        float[] input = new float[2 * V];
        Random r = new Random(3);
        for (int i = 0; i < input.length; i++) input[i] = r.nextInt(2);
        List<Geometry> grids = List.of(geometry(), geometry());
        List<Geometry> batchGrids = new ArrayList<>();
        // A completion that is not mirror-symmetric: it weighs each voxel by its x, so the two passes differ and
        // the average at x is the input there times (w(x) + w(5 - x)) / 2, with the second grid offset by 1.
        ImplantDesigner.GridCompletion weighByX = (in, gs) -> {
            batchGrids.addAll(gs);
            float[] out = new float[in.length];
            for (int i = 0; i < in.length; i++) out[i] = in[i] * weight(i % 6) + (i / V) % 2;
            return out;
        };
        float[] mean = MirrorAveraging.complete(weighByX, input, grids, GRID);
        // one batch: both grids, then both mirrored, each described by its grid with the first axis reversed
        assertEquals(4, batchGrids.size());
        for (int g = 0; g < 2; g++) {
            assertEquals(grids.get(g), batchGrids.get(g));
            Geometry m = batchGrids.get(2 + g);
            assertArrayEquals(grids.get(g).indexToPhysical(5, 1, 2), m.indexToPhysical(0, 1, 2), 1e-12);
        }
        for (int g = 0; g < 2; g++) {
            for (int i = 0; i < V; i++) {
                int x = i % 6;
                float expected = input[g * V + i] * (weight(x) + weight(5 - x)) / 2 + g % 2;
                assertEquals(expected, mean[g * V + i], 1e-6, "grid " + g + " voxel " + i);
            }
        }
    }

    @Test
    void aMirrorSymmetricCompletionIsUnchanged() {
        float[] input = new float[V];
        for (int i = 0; i < V; i++) input[i] = (i * 7) % 3 == 0 ? 1 : 0;
        ImplantDesigner.GridCompletion squash = (in, gs) -> {
            float[] out = new float[in.length];
            for (int i = 0; i < in.length; i++) out[i] = 0.2f + 0.6f * in[i];
            return out;
        };
        assertArrayEquals(
                squash.complete(input, List.of(geometry())),
                MirrorAveraging.complete(squash, input, List.of(geometry()), GRID),
                1e-7f);
    }

    @Test
    void inputOfTheWrongSizeIsRefused() {
        assertThrows(
                IllegalArgumentException.class,
                () -> MirrorAveraging.complete((in, gs) -> in, new float[V + 1], List.of(geometry()), GRID));
    }

    private static float weight(int x) {
        return 0.1f * (x + 1);
    }

    private static Geometry geometry() {
        return Geometry.axisAligned(6, 4, 4, 1, 1, 1, new double[3]);
    }
}
