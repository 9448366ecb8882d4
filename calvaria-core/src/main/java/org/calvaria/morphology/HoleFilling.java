package org.calvaria.morphology;

import org.calvaria.volume.Geometry;
import org.calvaria.volume.MaskVolume;

/**
 * Fills holes: background regions that cannot reach the edge of the grid (3-D) or of their slice (2-D).
 *
 * <p>A skull is an open shell: its cavity reaches the grid edge through the foramen magnum, the orbits and the cut
 * at the bottom of the scan, so {@link #fillInternalHoles 3-D filling} only fills cavities that bone encloses on all
 * sides (marrow pockets of the diploe, closed air cells) and never the brain. {@link #fillHolesPerSlice 2-D filling}
 * of axial slices also closes pores that open to the inside or outside in 3-D, but every axial slice through the
 * vault is a closed ring of bone, so without an area limit it fills the whole cranial cavity; give it a limit when
 * the result must stay a shell.
 */
public final class HoleFilling {
    private HoleFilling() {}

    /** Every 3-D hole: background 6-connected components that do not touch the grid border become foreground. */
    public static MaskVolume fillInternalHoles(MaskVolume mask) {
        return fillInternalHoles(mask, Long.MAX_VALUE);
    }

    /** 3-D holes of at most {@code maxHoleVoxels} voxels (bigger enclosed cavities are left as they are). */
    public static MaskVolume fillInternalHoles(MaskVolume mask, long maxHoleVoxels) {
        Geometry g = mask.geometry();
        int nx = g.nx(), ny = g.ny(), nz = g.nz();
        Runs bg = Runs.ofBackground(mask);
        Labeling l = Labeling.of(g, bg, ConnectedComponents.neighbourRows(6));
        boolean[] fill = new boolean[l.count() + 1];
        java.util.Arrays.fill(fill, true);
        fill[0] = false;
        for (int z = 0; z < nz; z++) {
            for (int y = 0; y < ny; y++) {
                int r = y + ny * z;
                boolean borderRow = y == 0 || z == 0 || y == ny - 1 || z == nz - 1;
                for (int i = bg.rowStart[r]; i < bg.rowStart[r + 1]; i++) {
                    if (borderRow || bg.start[i] == 0 || bg.end[i] == nx) fill[l.runLabel[i]] = false;
                }
            }
        }
        long[] sizes = l.sizes();
        for (int lab = 1; lab < fill.length; lab++) if (sizes[lab] > maxHoleVoxels) fill[lab] = false;
        return orRuns(mask, l, fill);
    }

    /** 2-D holes of every axial slice (index axis 2), 4-connected background, any size. */
    public static MaskVolume fillHolesPerSlice(MaskVolume mask) {
        return fillHolesPerSlice(mask, 2, Double.POSITIVE_INFINITY);
    }

    /**
     * 2-D holes in every slice across index axis {@code axis} (2: axial slices of a CT), with background 4-connected
     * within the slice; holes larger than {@code maxHoleAreaMm2} (in-plane area) stay open.
     */
    public static MaskVolume fillHolesPerSlice(MaskVolume mask, int axis, double maxHoleAreaMm2) {
        if (axis < 0 || axis > 2) throw new IllegalArgumentException("axis must be 0, 1 or 2, got " + axis);
        if (!(maxHoleAreaMm2 >= 0)) throw new IllegalArgumentException("maximum hole area must be >= 0");
        Geometry g = mask.geometry();
        double pixelArea = inPlaneArea(g, axis);
        if (axis == 0) {
            // Runs lie along x, across sagittal slices: label a transposed copy whose slices run along its z.
            MaskVolume t = transposeXZ(mask);
            MaskVolume filled = fillSlicesAlongZOrY(t, 2, maxHoleAreaMm2 / pixelArea);
            MaskVolume back = transposeXZ(filled).withGeometry(g);
            return ConnectedComponents.like(mask, back);
        }
        return fillSlicesAlongZOrY(mask, axis, maxHoleAreaMm2 / pixelArea);
    }

    private static MaskVolume fillSlicesAlongZOrY(MaskVolume mask, int axis, double maxVoxels) {
        Geometry g = mask.geometry();
        int nx = g.nx(), ny = g.ny(), nz = g.nz();
        Runs bg = Runs.ofBackground(mask);
        int[][] inPlane = axis == 2 ? new int[][] {{-1, 0, 0}} : new int[][] {{0, -1, 0}};
        Labeling l = Labeling.of(g, bg, inPlane);
        boolean[] fill = new boolean[l.count() + 1];
        java.util.Arrays.fill(fill, true);
        fill[0] = false;
        for (int z = 0; z < nz; z++) {
            for (int y = 0; y < ny; y++) {
                int r = y + ny * z;
                boolean borderRow = axis == 2 ? (y == 0 || y == ny - 1) : (z == 0 || z == nz - 1);
                for (int i = bg.rowStart[r]; i < bg.rowStart[r + 1]; i++) {
                    if (borderRow || bg.start[i] == 0 || bg.end[i] == nx) fill[l.runLabel[i]] = false;
                }
            }
        }
        long[] sizes = l.sizes();
        for (int lab = 1; lab < fill.length; lab++) if (sizes[lab] > maxVoxels) fill[lab] = false;
        return orRuns(mask, l, fill);
    }

    /** A copy of {@code mask} with the background runs of the chosen labels set. */
    private static MaskVolume orRuns(MaskVolume mask, Labeling l, boolean[] fill) {
        MaskVolume out = mask.copy();
        long[] w = out.words();
        Runs bg = l.runs;
        int nx = mask.nx();
        for (int r = 0; r < bg.rows(); r++) {
            int base = r * nx;
            for (int i = bg.rowStart[r]; i < bg.rowStart[r + 1]; i++) {
                if (fill[l.runLabel[i]]) Bits.setRange(w, base + bg.start[i], base + bg.end[i]);
            }
        }
        return out;
    }

    /** Area in mm^2 of one voxel face perpendicular to index axis {@code axis} (right for sheared grids). */
    static double inPlaneArea(Geometry g, int axis) {
        double[] a = g.axisVector((axis + 1) % 3), b = g.axisVector((axis + 2) % 3);
        double cx = a[1] * b[2] - a[2] * b[1], cy = a[2] * b[0] - a[0] * b[2], cz = a[0] * b[1] - a[1] * b[0];
        return Math.sqrt(cx * cx + cy * cy + cz * cz);
    }

    /** Voxel (x, y, z) moved to (z, y, x), on a placeholder grid (only the sizes matter here). */
    private static MaskVolume transposeXZ(MaskVolume m) {
        int nx = m.nx(), ny = m.ny(), nz = m.nz();
        MaskVolume t = new MaskVolume(Geometry.axisAligned(nz, ny, nx, 1));
        long[] w = t.words();
        int plane = nx * ny;
        m.forEachSet(i -> {
            int z = i / plane, rest = i - z * plane, y = rest / nx, x = rest - y * nx;
            int j = z + nz * (y + ny * x);
            w[j >>> 6] |= 1L << j;
        });
        return t;
    }
}
