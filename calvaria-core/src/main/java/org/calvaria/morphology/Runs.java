package org.calvaria.morphology;

import java.util.Arrays;
import org.calvaria.volume.Geometry;
import org.calvaria.volume.MaskVolume;

/**
 * A mask as runs of consecutive set voxels along x, row by row (row {@code r = y + ny*z}). A skull has a few runs per
 * row, so this is far smaller than one label per voxel, and neighbourhood work touches runs instead of voxels.
 */
final class Runs {
    final int nx, ny, nz;
    /** Runs of row r are indices rowStart[r] .. rowStart[r+1]-1, sorted by x. */
    final int[] rowStart;
    /** x of the first voxel of each run, and one past its last voxel. */
    final int[] start, end;

    private Runs(int nx, int ny, int nz, int[] rowStart, int[] start, int[] end) {
        this.nx = nx;
        this.ny = ny;
        this.nz = nz;
        this.rowStart = rowStart;
        this.start = start;
        this.end = end;
    }

    int rows() {
        return ny * nz;
    }

    int count() {
        return rowStart[rows()];
    }

    /** Runs of the set voxels. */
    static Runs of(MaskVolume mask) {
        return extract(mask.geometry(), mask.words(), false);
    }

    /** Runs of the voxels that are not set (the background, inside the grid). */
    static Runs ofBackground(MaskVolume mask) {
        return extract(mask.geometry(), mask.words(), true);
    }

    private static Runs extract(Geometry g, long[] w, boolean background) {
        int nx = g.nx(), rows = g.ny() * g.nz();
        int[] rowStart = new int[rows + 1];
        int[] start = new int[1024], end = new int[1024];
        int n = 0;
        for (int r = 0; r < rows; r++) {
            rowStart[r] = n;
            int base = r * nx, stop = base + nx;
            int pos = base;
            while (pos < stop) {
                int a = background ? Bits.nextClearBit(w, pos, stop) : Bits.nextSetBit(w, pos, stop);
                if (a >= stop) break;
                int b = background ? Bits.nextSetBit(w, a, stop) : Bits.nextClearBit(w, a, stop);
                if (n == start.length) {
                    start = Arrays.copyOf(start, n + (n >> 1));
                    end = Arrays.copyOf(end, start.length);
                }
                start[n] = a - base;
                end[n] = b - base;
                n++;
                pos = b;
            }
        }
        rowStart[rows] = n;
        return new Runs(nx, g.ny(), g.nz(), rowStart, Arrays.copyOf(start, n), Arrays.copyOf(end, n));
    }

    /** Index of the run of row r that holds x, or -1. */
    int runAt(int r, int x) {
        int lo = rowStart[r], hi = rowStart[r + 1] - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (end[mid] <= x) lo = mid + 1;
            else if (start[mid] > x) hi = mid - 1;
            else return mid;
        }
        return -1;
    }

    /** Row index of run i (binary search on rowStart). */
    int rowOf(int run) {
        int lo = 0, hi = rows() - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (rowStart[mid] <= run) lo = mid;
            else hi = mid - 1;
        }
        return lo;
    }
}
