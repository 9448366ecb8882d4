package org.calvaria.morphology;

import org.calvaria.volume.MaskVolume;

/**
 * Connected components of binary masks with 6 (faces), 18 (faces and edges) or 26 (faces, edges and corners)
 * connectivity. Runs of voxels along x are joined with union-find, so time and memory grow with the number of runs,
 * not voxels: a 512x512x240 skull is labelled in well under a second.
 *
 * <p>Connectivity is in index space (the grid's neighbours), whatever the spacing. Results are new masks with the
 * input's metadata and voxel type; inputs are never changed.
 */
public final class ConnectedComponents {
    private ConnectedComponents() {}

    /** The connectivity used where none is given: 26, the usual choice for bone (thin diagonal bridges count). */
    public static final int DEFAULT_CONNECTIVITY = 26;

    private static final int[][] SIX = {{-1, 0, 0}, {0, -1, 0}};
    private static final int[][] EIGHTEEN = {{-1, 0, 1}, {0, -1, 1}, {-1, -1, 0}, {1, -1, 0}};
    private static final int[][] TWENTY_SIX = {{-1, 0, 1}, {0, -1, 1}, {-1, -1, 1}, {1, -1, 1}};

    static int[][] neighbourRows(int connectivity) {
        switch (connectivity) {
            case 6:
                return SIX;
            case 18:
                return EIGHTEEN;
            case 26:
                return TWENTY_SIX;
            default:
                throw new IllegalArgumentException("connectivity must be 6, 18 or 26, got " + connectivity);
        }
    }

    /** Labels the set voxels of {@code mask}. */
    public static Labeling label(MaskVolume mask, int connectivity) {
        int[][] nb = neighbourRows(connectivity);
        return Labeling.of(mask.geometry(), Runs.of(mask), nb);
    }

    /** Number of components. */
    public static int count(MaskVolume mask, int connectivity) {
        return label(mask, connectivity).count();
    }

    /** The biggest component (the first in scan order on a tie); an empty mask stays empty. */
    public static MaskVolume largest(MaskVolume mask, int connectivity) {
        Labeling l = label(mask, connectivity);
        int best = l.largestLabel();
        return like(mask, l.mask(label -> label == best));
    }

    public static MaskVolume largest(MaskVolume mask) {
        return largest(mask, DEFAULT_CONNECTIVITY);
    }

    /** Drops every component with fewer than {@code minVoxels} voxels. */
    public static MaskVolume removeSmallerThan(MaskVolume mask, long minVoxels, int connectivity) {
        Labeling l = label(mask, connectivity);
        return like(mask, l.mask(label -> l.size(label) >= minVoxels));
    }

    public static MaskVolume removeSmallerThan(MaskVolume mask, long minVoxels) {
        return removeSmallerThan(mask, minVoxels, DEFAULT_CONNECTIVITY);
    }

    /** Keeps the components that share at least one voxel with {@code seeds} (a mask on the same grid). */
    public static MaskVolume keepComponentsTouching(MaskVolume mask, MaskVolume seeds, int connectivity) {
        if (seeds.nx() != mask.nx() || seeds.ny() != mask.ny() || seeds.nz() != mask.nz()) {
            throw new IllegalArgumentException(
                    "seed mask grid " + seeds.geometry() + " differs from " + mask.geometry());
        }
        Labeling l = label(mask, connectivity);
        boolean[] kept = new boolean[l.count() + 1];
        long[] sw = seeds.words();
        Runs runs = l.runs;
        int nx = mask.nx();
        for (int r = 0; r < runs.rows(); r++) {
            int base = r * nx;
            for (int i = runs.rowStart[r]; i < runs.rowStart[r + 1]; i++) {
                int lab = l.runLabel[i];
                if (kept[lab]) continue;
                int a = base + runs.start[i], b = base + runs.end[i];
                if (Bits.nextSetBit(sw, a, b) < b) kept[lab] = true;
            }
        }
        return like(mask, l.maskOfLabels(kept));
    }

    public static MaskVolume keepComponentsTouching(MaskVolume mask, MaskVolume seeds) {
        return keepComponentsTouching(mask, seeds, DEFAULT_CONNECTIVITY);
    }

    /** {@code result} with the metadata and voxel type of {@code source}. */
    static MaskVolume like(MaskVolume source, MaskVolume result) {
        result.inheritMetadata(source);
        result.setSourceType(source.sourceType());
        return result;
    }
}
