package org.calvaria.normalise;

import org.calvaria.CalvariaException;
import org.calvaria.volume.FloatVolume;
import org.calvaria.volume.Geometry;
import org.calvaria.volume.MaskVolume;
import org.calvaria.volume.Resampler;
import org.calvaria.volume.Volume;
import org.calvaria.volume.VoxelType;

import java.util.stream.IntStream;

/**
 * The fixed grid on which the network sees the upper cranium (Wu et al. 2022: 112 x 112 x 40 voxels).
 *
 * <p><b>Placement rule</b> (all in physical LPS millimetres, so a 0.4 mm and a 1 mm scan of the same head land on the
 * same grid):
 * <ol>
 *   <li>The grid is axis-aligned in LPS (x = left, y = posterior, z = superior), whatever the scan's orientation or
 *       shear, with isotropic spacing {@code s = heightMm / nz}; the default {@code heightMm = 70} gives
 *       {@code s = 1.75 mm}, so the grid spans 196 x 196 x 70 mm.</li>
 *   <li>Vertical: the <em>vertex</em> is the top of the bone's bounding box along +z (the highest bone voxel centre).
 *       The top face of the grid lies {@value #TOP_MARGIN_VOXELS} voxels above it, so the upper cranium band of
 *       {@code heightMm - 2 s} below the vertex is covered and a 2-voxel upward shift (augmentation) keeps the vertex
 *       on the grid. This is the robust rule for defective skulls: when a defect removes the real vertex, the top of
 *       the remaining bone is used, which lowers the grid by at most the defect's depth below the true vertex (the
 *       vertical-shift augmentation trains the network for exactly this).</li>
 *   <li>In-plane: the grid is centred on the centre of the bone's x/y bounding box, taken over bone inside the covered
 *       height band only (the face and skull base below do not move it). The in-plane coverage is fixed in mm
 *       ({@code nx * s}); bone outside it is reported by {@link #coveredFraction}.</li>
 * </ol>
 *
 * <p><b>Resampling</b>: onto the grid by supersampled trilinear interpolation: each grid voxel averages {@code k^3}
 * trilinear samples spread evenly over its cube ({@code k = ceil(s / finest source spacing)}, 1..4), which is a
 * partial-volume fraction for masks; masks are then thresholded at 0.5. Back from the grid, probabilities are
 * interpolated trilinearly at the original scan's voxel centres (the caller thresholds).
 */
public final class NetworkGrid {
    /** Voxels of empty space kept above the vertex (covers the 2-voxel vertical-shift augmentation). */
    public static final int TOP_MARGIN_VOXELS = 2;
    /** Largest number of sub-samples per axis when mapping onto the grid. */
    private static final int MAX_SUPERSAMPLING = 4;

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
    public static NetworkGrid wu2022() { return new NetworkGrid(112, 112, 40, 70.0); }

    /** Parses "112x112x40" (height kept at 1.75 mm per z voxel, i.e. {@code nz * 1.75} mm). */
    public static NetworkGrid parse(String sizes) {
        String[] parts = sizes.trim().toLowerCase(java.util.Locale.ROOT).split("x");
        if (parts.length != 3) {
            throw new CalvariaException("grid '" + sizes + "' is not NXxNYxNZ; give for example 112x112x40");
        }
        try {
            int x = Integer.parseInt(parts[0].trim()), y = Integer.parseInt(parts[1].trim()),
                    z = Integer.parseInt(parts[2].trim());
            return new NetworkGrid(x, y, z, z * 1.75);
        } catch (NumberFormatException e) {
            throw new CalvariaException("grid '" + sizes + "' is not NXxNYxNZ; give for example 112x112x40");
        }
    }

    public int nx() { return nx; }
    public int ny() { return ny; }
    public int nz() { return nz; }
    public double heightMm() { return heightMm; }

    /** Grid spacing in mm (isotropic). */
    public double spacingMm() { return heightMm / nz; }

    public int voxelCount() { return nx * ny * nz; }

    /** Locates the skull and places the grid on it (see the class comment for the rule). */
    public GridPlacement place(MaskVolume skull) {
        Geometry g = skull.geometry();
        int snx = g.nx(), sny = g.ny();
        double[] m = g.matrix();
        double[] o = g.origin();
        // Physical z of a voxel is affine in its index: pass 1 finds the highest bone point.
        double[] top = {Double.NEGATIVE_INFINITY};
        skull.forEachSet(i -> {
            int x = i % snx, r = i / snx, y = r % sny, z = r / sny;
            double pz = o[2] + m[6] * x + m[7] * y + m[8] * z;
            if (pz > top[0]) top[0] = pz;
        });
        if (top[0] == Double.NEGATIVE_INFINITY) {
            throw new CalvariaException("the skull mask is empty; give a binary skull segmentation with bone set to 1");
        }
        double s = spacingMm();
        double vertexZ = top[0];
        double topFace = vertexZ + TOP_MARGIN_VOXELS * s;
        double bottomFace = topFace - nz * s;
        // Voxels within half the source's finest spacing of the top count as the vertex (flat tops tie).
        double tieBand = 0.5 * Math.min(g.spacing()[0], Math.min(g.spacing()[1], g.spacing()[2]));
        double[] acc = new double[3];
        double[] b = {Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY,
            Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY};
        skull.forEachSet(i -> {
            int x = i % snx, r = i / snx, y = r % sny, z = r / sny;
            double pz = o[2] + m[6] * x + m[7] * y + m[8] * z;
            if (pz < bottomFace) return;
            double px = o[0] + m[0] * x + m[1] * y + m[2] * z;
            double py = o[1] + m[3] * x + m[4] * y + m[5] * z;
            if (px < b[0]) b[0] = px;
            if (py < b[1]) b[1] = py;
            if (pz < b[2]) b[2] = pz;
            if (px > b[3]) b[3] = px;
            if (py > b[4]) b[4] = py;
            if (pz > b[5]) b[5] = pz;
            if (pz >= vertexZ - tieBand) {
                acc[0] += px;
                acc[1] += py;
                acc[2]++;
            }
        });
        double cx = (b[0] + b[3]) / 2, cy = (b[1] + b[4]) / 2;
        double[] origin = {cx - (nx - 1) * s / 2, cy - (ny - 1) * s / 2, bottomFace + s / 2};
        Geometry grid = Geometry.axisAligned(nx, ny, nz, s, s, s, origin);
        return new GridPlacement(grid, new double[] {acc[0] / acc[2], acc[1] / acc[2], vertexZ},
                new double[] {cx, cy, vertexZ}, b);
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
        return average(v, requireGrid(p));
    }

    /**
     * Any volume averaged onto any target grid (used for taller working grids): each target voxel is the mean of
     * {@code k^3} trilinear samples over its cell, {@code k = ceil(target spacing / finest source spacing)} (1..4).
     */
    public static FloatVolume average(Volume v, Geometry target) {
        Geometry src = v.geometry();
        double[] ss = src.spacing();
        double finest = Math.min(ss[0], Math.min(ss[1], ss[2]));
        double[] ts = target.spacing();
        double coarsest = Math.max(ts[0], Math.max(ts[1], ts[2]));
        int k = (int) Math.max(1, Math.min(MAX_SUPERSAMPLING, Math.ceil(coarsest / finest - 1e-6)));
        // Affine map grid index -> source index: column c = source-index step of one grid step along axis c.
        double[] o = target.origin();
        double[] base = src.physicalToIndex(o[0], o[1], o[2]);
        double[][] col = new double[3][];
        for (int c = 0; c < 3; c++) {
            double[] a = target.axisVector(c);
            double[] q = src.physicalToIndex(o[0] + a[0], o[1] + a[1], o[2] + a[2]);
            col[c] = new double[] {q[0] - base[0], q[1] - base[1], q[2] - base[2]};
        }
        double[] sub = new double[k];
        for (int i = 0; i < k; i++) sub[i] = (i + 0.5) / k - 0.5;
        int snx = src.nx(), sny = src.ny(), snz = src.nz();
        FloatVolume out = new FloatVolume(target);
        float[] d = out.data();
        double norm = 1.0 / (k * k * k);
        IntStream.range(0, target.nz()).parallel().forEach(z -> {
            for (int y = 0; y < target.ny(); y++) {
                for (int x = 0; x < target.nx(); x++) {
                    double sum = 0;
                    for (double dz : sub) {
                        double gz = z + dz;
                        for (double dy : sub) {
                            double gy = y + dy;
                            for (double dx : sub) {
                                double gx = x + dx;
                                double fx = base[0] + col[0][0] * gx + col[1][0] * gy + col[2][0] * gz;
                                double fy = base[1] + col[0][1] * gx + col[1][1] * gy + col[2][1] * gz;
                                double fz = base[2] + col[0][2] * gx + col[1][2] * gy + col[2][2] * gz;
                                sum += Resampler.sample(v, snx, sny, snz, fx, fy, fz, 0);
                            }
                        }
                    }
                    d[target.index(x, y, z)] = (float) (sum * norm);
                }
            }
        });
        return out;
    }

    /**
     * A grid probability (or any grid volume) interpolated trilinearly back onto the original scan's grid. The
     * volume's own geometry is ignored: its voxels are taken to lie on {@code p.grid()}. Outside the grid: 0.
     */
    public FloatVolume fromGrid(FloatVolume gridVolume, GridPlacement p, Geometry original) {
        Geometry g = requireGrid(p);
        requireGridSizes(gridVolume);
        FloatVolume onGrid = new FloatVolume(g, gridVolume.data(), gridVolume.sourceType());
        FloatVolume out = Resampler.linear(onGrid, original, 0);
        out.setSourceType(VoxelType.FLOAT32);
        return out;
    }

    /** Fraction (0..1) of the mask's voxels whose centres lie inside the region the grid covers; 1 for an empty mask. */
    public double coveredFraction(MaskVolume mask, GridPlacement p) {
        Geometry g = mask.geometry();
        Geometry grid = p.grid();
        int snx = g.nx(), sny = g.ny();
        double[] m = g.matrix();
        double[] o = g.origin();
        double[] go = grid.origin();
        double s = p.spacingMm();
        double lx = go[0] - s / 2, ly = go[1] - s / 2, lz = go[2] - s / 2;
        double hx = lx + grid.nx() * s, hy = ly + grid.ny() * s, hz = lz + grid.nz() * s;
        long[] counts = new long[2];
        mask.forEachSet(i -> {
            int x = i % snx, r = i / snx, y = r % sny, z = r / sny;
            double px = o[0] + m[0] * x + m[1] * y + m[2] * z;
            double py = o[1] + m[3] * x + m[4] * y + m[5] * z;
            double pz = o[2] + m[6] * x + m[7] * y + m[8] * z;
            counts[0]++;
            if (px >= lx && px < hx && py >= ly && py < hy && pz >= lz && pz < hz) counts[1]++;
        });
        return counts[0] == 0 ? 1.0 : (double) counts[1] / counts[0];
    }

    /** True when every voxel of the mask lies inside the covered region. */
    public boolean covers(MaskVolume mask, GridPlacement p) {
        return coveredFraction(mask, p) >= 1.0;
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
            throw new IllegalArgumentException("network output has " + networkOutput.length + " values, grid "
                    + g.voxelCount());
        }
        return new FloatVolume(g, networkOutput, VoxelType.FLOAT32);
    }

    private Geometry requireGrid(GridPlacement p) {
        Geometry g = p.grid();
        if (g.nx() != nx || g.ny() != ny || g.nz() != nz) {
            throw new IllegalArgumentException("placement grid " + g + " does not match network grid " + nx + "x" + ny
                    + "x" + nz);
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
