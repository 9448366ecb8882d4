package org.calvaria.morphology;

import java.util.stream.IntStream;
import org.calvaria.volume.MaskVolume;

/**
 * Binary dilation, erosion, opening and closing with a ball of a radius in millimetres, built in index space from the
 * grid's direction matrix (anisotropic and sheared grids get a true physical ball).
 *
 * <p>Works on runs of voxels along x: each run of the input is widened by the element's dx interval and written into
 * every row the element reaches, so the cost grows with (runs x element rows), not (voxels x element voxels). A 2 mm
 * ball on a 512x512x240 skull at 0.45 x 0.45 x 0.625 mm takes well under a second per operation.
 *
 * <p>At the grid border, dilation drops what falls outside and erosion treats outside voxels as foreground (the
 * border does not eat into a mask that touches it). That keeps closing extensive and opening anti-extensive.
 */
public final class Morphology {
    private Morphology() {}

    public static MaskVolume dilate(MaskVolume mask, double radiusMm) {
        return dilate(mask, StructuringElement.ball(mask.geometry(), radiusMm));
    }

    public static MaskVolume erode(MaskVolume mask, double radiusMm) {
        return erode(mask, StructuringElement.ball(mask.geometry(), radiusMm));
    }

    /** Erosion then dilation: removes parts thinner than the ball. */
    public static MaskVolume open(MaskVolume mask, double radiusMm) {
        StructuringElement se = StructuringElement.ball(mask.geometry(), radiusMm);
        return dilate(erode(mask, se), se);
    }

    /** Dilation then erosion: closes gaps and dents narrower than the ball. */
    public static MaskVolume close(MaskVolume mask, double radiusMm) {
        StructuringElement se = StructuringElement.ball(mask.geometry(), radiusMm);
        return erode(dilate(mask, se), se);
    }

    /** Voxels t with t - d in the mask for some offset d of {@code se}. */
    public static MaskVolume dilate(MaskVolume mask, StructuringElement se) {
        RowBits out = dilateRuns(Runs.of(mask), se);
        return ConnectedComponents.like(mask, out.toMask(mask.geometry()));
    }

    /** Voxels t with t + d in the mask (or off the grid) for every offset d of {@code se}. */
    public static MaskVolume erode(MaskVolume mask, StructuringElement se) {
        RowBits grown = dilateRuns(Runs.ofBackground(mask), se.reflected());
        invert(grown);
        return ConnectedComponents.like(mask, grown.toMask(mask.geometry()));
    }

    static RowBits dilateRuns(Runs runs, StructuringElement se) {
        int nx = runs.nx, ny = runs.ny, nz = runs.nz;
        RowBits out = new RowBits(nx, ny, nz);
        int n = se.rowCount();
        int[] dy = new int[n], dz = new int[n], lo = new int[n], hi = new int[n];
        for (int i = 0; i < n; i++) {
            dy[i] = se.dy(i);
            dz[i] = se.dz(i);
            lo[i] = se.dxFrom(i);
            hi[i] = se.dxTo(i);
        }
        int[] rs = runs.rowStart, st = runs.start, en = runs.end;
        // Each task writes only the rows of its own slice, and rows never share a word in RowBits.
        IntStream.range(0, nz).parallel().forEach(z -> {
            for (int y = 0; y < ny; y++) {
                int r = y + ny * z;
                for (int e = 0; e < n; e++) {
                    int sy = y - dy[e], sz = z - dz[e];
                    if (sy < 0 || sy >= ny || sz < 0 || sz >= nz) continue;
                    int s = sy + ny * sz;
                    for (int i = rs[s]; i < rs[s + 1]; i++) out.setRange(r, st[i] + lo[e], en[i] + hi[e]);
                }
            }
        });
        return out;
    }

    /** Complement within the grid (padding bits past nx stay clear). */
    static void invert(RowBits b) {
        long[] w = b.w;
        for (int i = 0; i < w.length; i++) w[i] = ~w[i];
        int tail = b.nx & 63;
        if (tail != 0) {
            long keep = (1L << tail) - 1;
            for (int r = 0; r < b.rows; r++) w[r * b.wordsPerRow + b.wordsPerRow - 1] &= keep;
        }
    }
}
