package org.calvaria.morphology;

import org.calvaria.volume.Geometry;
import org.calvaria.volume.MaskVolume;

/**
 * A mask being built with each row starting on a word boundary, so that threads writing different rows never share a
 * word. Converted to a {@link MaskVolume} at the end.
 */
final class RowBits {
    final int nx, rows, wordsPerRow;
    final long[] w;

    RowBits(int nx, int ny, int nz) {
        this.nx = nx;
        this.rows = ny * nz;
        this.wordsPerRow = (nx + 63) >>> 6;
        if ((long) rows * wordsPerRow * 64 > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(
                    "grid " + nx + "x" + ny + "x" + nz + " is too large for row-aligned" + " bit storage (2^31 bits)");
        }
        this.w = new long[rows * wordsPerRow];
    }

    /** Sets x in [from, to) of row r (clipped to the row). */
    void setRange(int r, int from, int to) {
        int a = Math.max(0, from), b = Math.min(nx, to);
        if (a < b) {
            int base = (r * wordsPerRow) << 6;
            Bits.setRange(w, base + a, base + b);
        }
    }

    void set(int r, int x) {
        int bit = ((r * wordsPerRow) << 6) + x;
        w[bit >>> 6] |= 1L << bit;
    }

    /** The mask on {@code g} (whose sizes must match), with every bit copied. */
    MaskVolume toMask(Geometry g) {
        MaskVolume m = new MaskVolume(g);
        long[] out = m.words();
        if (nx % 64 == 0) {
            System.arraycopy(w, 0, out, 0, w.length);
            return m;
        }
        for (int r = 0; r < rows; r++) {
            int base = (r * wordsPerRow) << 6, stop = base + nx, target = r * nx - base;
            int pos = base;
            while (pos < stop) {
                int a = Bits.nextSetBit(w, pos, stop);
                if (a >= stop) break;
                int b = Bits.nextClearBit(w, a, stop);
                Bits.setRange(out, a + target, b + target);
                pos = b;
            }
        }
        return m;
    }
}
