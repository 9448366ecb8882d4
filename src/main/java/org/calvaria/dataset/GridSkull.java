package org.calvaria.dataset;

import org.calvaria.CalvariaException;
import org.calvaria.defects.Augmentation;
import org.calvaria.normalise.GridPlacement;
import org.calvaria.normalise.NetworkGrid;
import org.calvaria.volume.FloatVolume;
import org.calvaria.volume.Geometry;
import org.calvaria.volume.MaskVolume;
import org.calvaria.volume.ShortVolume;
import org.calvaria.volume.Volume;
import org.calvaria.volume.VoxelType;

/**
 * One skull mapped once onto a <em>working grid</em>: the network grid placed on the complete skull, extended
 * {@value #EXTRA_SLICES} slices downwards so that tilting during augmentation brings real bone in from below instead
 * of empty space. Bone is kept as partial-volume fractions (0..{@value #SCALE} in 16 bits, 1.2 MB per skull) so an
 * augmented mask is as good as one mapped from the full-resolution scan.
 *
 * @param id            skull identifier (file name without extension); splits are made over these
 * @param source        where the complete skull came from
 * @param placement     the network grid placed on the complete skull (its top {@code nz} slices of the working grid)
 * @param complete      bone fractions of the complete skull on the working grid
 * @param realDefective bone fractions of a real defective skull of the same head (e.g. SkullFix), or null
 */
public record GridSkull(String id, String source, GridPlacement placement, ShortVolume complete,
                        ShortVolume realDefective) {
    /** Slices added below the network grid. */
    public static final int EXTRA_SLICES = 8;
    /** Fraction 1.0 is stored as this value. */
    public static final int SCALE = 10000;

    public boolean hasRealDefect() { return realDefective != null; }

    /** The working grid for a network grid placement. */
    public static Geometry workingGrid(GridPlacement p) {
        Geometry g = p.grid();
        return g.subGrid(0, 0, -EXTRA_SLICES, g.nx(), g.ny(), g.nz() + EXTRA_SLICES);
    }

    /** Maps a full-resolution complete skull (and optionally its real defective version) onto its working grid. */
    public static GridSkull map(String id, String source, MaskVolume complete, MaskVolume realDefective,
                                NetworkGrid grid) {
        GridPlacement p = grid.place(complete);
        Geometry work = workingGrid(p);
        ShortVolume c = quantise(NetworkGrid.average(complete, work));
        ShortVolume d = null;
        if (realDefective != null) {
            if (!realDefective.geometry().sameGrid(complete.geometry(), 1e-3)) {
                throw new CalvariaException("defective skull of " + id + " is not on the complete skull's grid;"
                        + " give both from the same scan");
            }
            d = quantise(NetworkGrid.average(realDefective, work));
        }
        return new GridSkull(id, source, p, c, d);
    }

    static ShortVolume quantise(FloatVolume f) {
        ShortVolume s = new ShortVolume(f.geometry());
        s.setSourceType(VoxelType.INT16);
        short[] d = s.data();
        float[] in = f.data();
        for (int i = 0; i < in.length; i++) d[i] = (short) Math.round(Math.max(0, Math.min(1, in[i])) * SCALE);
        return s;
    }

    /** Rotation centre for augmentation: the grid's in-plane centre, half the grid height below the vertex. */
    public double[] augmentationCentre(NetworkGrid grid) {
        double[] c = placement.centre();
        return new double[] {c[0], c[1], placement.vertex()[2] - grid.heightMm() / 2};
    }

    /** The complete skull on the network grid under an augmentation (identity: exactly {@code toGrid}). */
    public MaskVolume completeOnGrid(Augmentation a, NetworkGrid grid) {
        return onGrid(complete, a, grid);
    }

    /** The real defective skull on the network grid under an augmentation. */
    public MaskVolume realDefectiveOnGrid(Augmentation a, NetworkGrid grid) {
        if (realDefective == null) throw new IllegalStateException(id + " has no real defect");
        return onGrid(realDefective, a, grid);
    }

    private MaskVolume onGrid(ShortVolume fractions, Augmentation a, NetworkGrid grid) {
        Volume v = a.isIdentity() ? fractions
                : a.transform(fractions, augmentationCentre(grid), grid.spacingMm());
        Geometry g = placement.grid();
        MaskVolume m = new MaskVolume(g);
        int offset = EXTRA_SLICES * g.nx() * g.ny();
        int n = g.voxelCount();
        double threshold = 0.5 * SCALE;
        for (int i = 0; i < n; i++) if (v.get(offset + i) >= threshold) m.set(i, true);
        m.setSourceType(VoxelType.UINT8);
        return m;
    }
}
