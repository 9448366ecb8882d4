package org.calvaria.normalise;

import org.calvaria.CalvariaException;
import org.calvaria.volume.FloatVolume;
import org.calvaria.volume.Geometry;
import org.calvaria.volume.MaskVolume;
import org.calvaria.volume.Volume;
import org.calvaria.volume.VoxelType;

/**
 * The fixed grid on which the network sees the upper cranium (Wu et al. 2022: 112 x 112 x 40 voxels).
 *
 * <p><b>Placement rule</b> (all in physical LPS millimetres, so a 0.4 mm and a 1 mm scan of the same head land on the
 * same grid):
 * <ol>
 *   <li>The grid is axis-aligned in LPS (x = left, y = posterior, z = superior), whatever the scan's orientation or
 *       shear, with isotropic spacing {@code s = heightMm / nz}; the default {@code heightMm = 70} gives
 *       {@code s = 1.75 mm}, so the grid spans 196 x 196 x 70 mm.</li>
 *   <li>Vertical: the <em>vertex</em> is the top of the cranial dome. It is the higher of (a) the highest bone voxel
 *       centre (top of the bone's bounding box along +z) and (b) the top of a paraboloid fitted to the dome's outer
 *       surface (highest bone per 2 mm column over the central 90% of the outline, columns more than 2.5 mm below
 *       the fit dropped as holes, refitted; then refitted the same way on the cap within 25 mm of that apex).
 *       (b) makes the rule robust to defects that remove the real vertex: for synthetic skulls with 10-45% defects
 *       (symmetrical ellipsoid, cylinder, craniotomy; 8 seeds each) the grid moved by -2.8..+4 mm (mean within
 *       +-3.4 mm) against up to -18 mm with (a) alone; on complete skulls (b) adds 0-0.6 mm (SkullFix) or 0-1.2 mm
 *       (synthetic). When the fit fails (too few intact
 *       columns, or not a dome) (a) alone is used. The top face of the grid lies {@value #TOP_MARGIN_VOXELS} voxels
 *       above the vertex, so a band of {@code heightMm - 2 s} below it is covered and a 2-voxel upward shift
 *       (augmentation) keeps the vertex on the grid.</li>
 *   <li>In-plane: the grid is centred on the centre of the bone's x/y bounding box, taken over bone inside the covered
 *       height band only (the face and skull base below do not move it). The in-plane coverage is fixed in mm
 *       ({@code nx * s}); bone outside it is reported by {@link #coveredFraction}.</li>
 * </ol>
 *
 * <p><b>Resampling</b> ({@link GridResampling}): onto the grid by supersampled trilinear interpolation: each grid voxel
 * averages {@code k^3} trilinear samples spread evenly over its cube ({@code k = ceil(s / finest source spacing)},
 * 1..4), which is a partial-volume fraction for masks; masks are then thresholded at 0.5. Back from the grid
 * ({@link GridResampling#toScan}), probabilities are interpolated trilinearly at the original scan's voxel centres and
 * thresholded.
 *
 * <p>The code is split along these seams: {@link VertexPlacement} (the rule above), {@link DomeFit} (the paraboloid),
 * {@link GridResampling} (there and back) and {@link GridCoverage} (what the grid covers).
 */
public final class NetworkGrid {
    /** Voxels of empty space kept above the vertex (covers the 2-voxel vertical-shift augmentation). */
    public static final int TOP_MARGIN_VOXELS = 2;
    /** Grid spacing when only the sizes are given, mm: the paper's 1.75 mm (its 40 slices span 70 mm). */
    public static final double DEFAULT_SPACING_MM = 1.75;

    private final int nx, ny, nz;
    private final double heightMm;

    public NetworkGrid(int nx, int ny, int nz, double heightMm) {
        if (nx < 4 || ny < 4 || nz < TOP_MARGIN_VOXELS + 2 || (long) nx * ny * nz > 64L * 1024 * 1024) {
            throw new CalvariaException("network grid " + nx + "x" + ny + "x" + nz
                    + " is not usable; give each size at least 4 and at most 64 M voxels in all");
        }
        if (!(heightMm > 0) || heightMm > 500) {
            throw new CalvariaException("grid height " + heightMm + " mm is not usable; give 10-500 mm (e.g. 70)");
        }
        this.nx = nx;
        this.ny = ny;
        this.nz = nz;
        this.heightMm = heightMm;
    }

    /** The paper's grid: 112 x 112 x 40 voxels over the upper 70 mm (1.75 mm voxels). */
    public static NetworkGrid wu2022() {
        return new NetworkGrid(112, 112, 40, defaultHeightMm(40));
    }

    /** Parses "112x112x40" (height {@value #DEFAULT_SPACING_MM} mm per z voxel, i.e. {@code nz * 1.75} mm). */
    public static NetworkGrid parse(String sizes) {
        int[] n = parseSizes(sizes);
        if (n == null) {
            throw new CalvariaException("grid '" + sizes + "' is not NXxNYxNZ; give for example 112x112x40");
        }
        return new NetworkGrid(n[0], n[1], n[2], defaultHeightMm(n[2]));
    }

    /**
     * The sizes {nx, ny, nz} written as "NXxNYxNZ" (for example "112x112x40"; case and spaces around the numbers
     * ignored), or null when the text is not of that form. The one parser of grid sizes; callers word the error.
     */
    public static int[] parseSizes(String sizes) {
        String[] parts = sizes.trim().toLowerCase(java.util.Locale.ROOT).split("x");
        if (parts.length != 3) return null;
        try {
            return new int[] {
                Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[1].trim()), Integer.parseInt(parts[2].trim())
            };
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** The grid height for {@code nz} slices at the default spacing: {@code nz * 1.75} mm. */
    public static double defaultHeightMm(int nz) {
        return nz * DEFAULT_SPACING_MM;
    }

    public int nx() {
        return nx;
    }

    public int ny() {
        return ny;
    }

    public int nz() {
        return nz;
    }

    public double heightMm() {
        return heightMm;
    }

    /** Grid spacing in mm (isotropic). */
    public double spacingMm() {
        return heightMm / nz;
    }

    public int voxelCount() {
        return nx * ny * nz;
    }

    /** Locates the skull and places the grid on it (see the class comment for the rule). */
    public GridPlacement place(MaskVolume skull) {
        return VertexPlacement.place(this, skull);
    }

    /** The skull on the network grid: supersampled trilinear partial-volume fraction thresholded at 0.5. */
    public MaskVolume toGrid(MaskVolume skull, GridPlacement p) {
        FloatVolume f = toGrid((Volume) skull, p);
        MaskVolume mask = MaskVolume.threshold(f, 0.5);
        mask.setSourceType(VoxelType.UINT8);
        return mask;
    }

    /**
     * Any volume (probabilities, masks as fractions) averaged onto the network grid: each grid voxel is the mean of
     * {@code k^3} trilinear samples over its cube. Points outside the source count as 0.
     */
    public FloatVolume toGrid(Volume v, GridPlacement p) {
        return GridResampling.average(v, requireGrid(p));
    }

    /** Fraction (0..1) of the mask's voxels whose centres lie inside the region the grid covers; 1 for an empty mask. */
    public double coveredFraction(MaskVolume mask, GridPlacement p) {
        return GridCoverage.coveredFraction(mask, p.grid());
    }

    /**
     * A grid mask as network input: 0/1 floats in the layout [z][y][x] (x fastest), which is the mask's own linear
     * index order.
     */
    public float[] toNetworkInput(MaskVolume gridMask) {
        requireGridSizes(gridMask);
        float[] out = new float[gridMask.voxelCount()];
        gridMask.forEachSet(i -> out[i] = 1f);
        return out;
    }

    /** Writes a grid mask as 0/1 floats into {@code out} at {@code offset} (batch building without copies). */
    public void toNetworkInput(MaskVolume gridMask, float[] out, int offset) {
        requireGridSizes(gridMask);
        java.util.Arrays.fill(out, offset, offset + gridMask.voxelCount(), 0f);
        gridMask.forEachSet(i -> out[offset + i] = 1f);
    }

    /** Network output ([z][y][x], x fastest) wrapped as a probability volume on the placement's grid (no copy). */
    public FloatVolume wrap(float[] networkOutput, GridPlacement p) {
        Geometry g = requireGrid(p);
        if (networkOutput.length != g.voxelCount()) {
            throw new IllegalArgumentException(
                    "network output has " + networkOutput.length + " values, grid " + g.voxelCount());
        }
        return new FloatVolume(g, networkOutput, VoxelType.FLOAT32);
    }

    private Geometry requireGrid(GridPlacement p) {
        Geometry g = p.grid();
        if (g.nx() != nx || g.ny() != ny || g.nz() != nz) {
            throw new IllegalArgumentException(
                    "placement grid " + g + " does not match network grid " + nx + "x" + ny + "x" + nz);
        }
        return g;
    }

    private void requireGridSizes(Volume v) {
        if (v.nx() != nx || v.ny() != ny || v.nz() != nz) {
            throw new IllegalArgumentException("volume " + v.nx() + "x" + v.ny() + "x" + v.nz()
                    + " is not on the network grid " + nx + "x" + ny + "x" + nz);
        }
    }

    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT, "%dx%dx%d @ %.3f mm", nx, ny, nz, spacingMm());
    }
}
