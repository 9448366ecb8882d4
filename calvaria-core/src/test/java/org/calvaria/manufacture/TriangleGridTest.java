package org.calvaria.manufacture;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.calvaria.mesh.MarchingCubes;
import org.calvaria.mesh.MeshSmoothing;
import org.calvaria.mesh.TriangleMesh;
import org.junit.jupiter.api.Test;

class TriangleGridTest {

    /** The separable brute-force transform the two raster passes replaced. */
    static byte[] separableChebyshev(boolean[] occupied, int nx, int ny, int nz, int cap) {
        int cells = nx * ny * nz;
        int[] d = new int[cells];
        for (int c = 0; c < cells; c++) d[c] = occupied[c] ? 0 : cap;
        int[][] dims = {{nx, 1}, {ny, nx}, {nz, nx * ny}};
        int[] line = new int[Math.max(nx, Math.max(ny, nz))];
        int[] out = new int[line.length];
        for (int[] dim : dims) {
            int len = dim[0], stride = dim[1];
            for (int l = 0; l < cells / len; l++) {
                int base = (l % stride) + (l / stride) * stride * len;
                for (int k = 0; k < len; k++) line[k] = d[base + k * stride];
                for (int k = 0; k < len; k++) {
                    int best = line[k];
                    for (int r = 1; r < best && (k - r >= 0 || k + r < len); r++) {
                        if (k - r >= 0) best = Math.min(best, Math.max(r, line[k - r]));
                        if (k + r < len) best = Math.min(best, Math.max(r, line[k + r]));
                    }
                    out[k] = best;
                }
                for (int k = 0; k < len; k++) d[base + k * stride] = out[k];
            }
        }
        byte[] b = new byte[cells];
        for (int c = 0; c < cells; c++) b[c] = (byte) Math.min(d[c], cap);
        return b;
    }

    @Test
    void emptyRingsAreTheSeparableTransform() {
        TriangleMesh cap = MeshSmoothing.taubin(
                MarchingCubes.extract(Caps.Cap.sphere(30, 5, 60).mask(0.8, 0.8, 1.1)), 5);
        // fine cells, so that the capped (16) and the exact values both occur
        for (double cell : new double[] {0.5, 1.3, 4}) {
            TriangleGrid grid = new TriangleGrid(cap, cell);
            int[] n = grid.cellCounts();
            byte[] rings = grid.emptyRings();
            boolean[] occupied = new boolean[rings.length];
            int capped = 0;
            for (int c = 0; c < rings.length; c++) {
                occupied[c] = rings[c] == 0;
                if (rings[c] == 16) capped++;
            }
            assertArrayEquals(separableChebyshev(occupied, n[0], n[1], n[2], 16), rings, "cell " + cell);
            if (cell == 0.5) assertTrue(capped > 0, "no capped cell");
        }
    }
}
