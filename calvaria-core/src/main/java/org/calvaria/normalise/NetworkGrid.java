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
        double top = highestBone(skull);
        double[] band = bandBounds(skull, top, top);
        double[] fit = fittedVertex(skull, top, band);
        double vertexZ = top;
        double[] vertex = {band[6], band[7], top};
        if (fit != null && fit[2] > top) {
            vertexZ = fit[2];
            vertex = fit;
            band = bandBounds(skull, vertexZ, top);
        }
        double s = spacingMm();
        double bottomFace = vertexZ + TOP_MARGIN_VOXELS * s - nz * s;
        double cx = (band[0] + band[3]) / 2, cy = (band[1] + band[4]) / 2;
        double[] origin = {cx - (nx - 1) * s / 2, cy - (ny - 1) * s / 2, bottomFace + s / 2};
        Geometry grid = Geometry.axisAligned(nx, ny, nz, s, s, s, origin);
        return new GridPlacement(grid, vertex, new double[] {cx, cy, vertexZ}, java.util.Arrays.copyOf(band, 6));
    }

    /** Physical z (mm) of the highest bone voxel centre. */
    private static double highestBone(MaskVolume skull) {
        Geometry g = skull.geometry();
        int snx = g.nx(), sny = g.ny();
        double[] m = g.matrix();
        double[] o = g.origin();
        // Physical z of a voxel is affine in its index.
        double[] top = {Double.NEGATIVE_INFINITY};
        skull.forEachSet(i -> {
            int x = i % snx, r = i / snx, y = r % sny, z = r / sny;
            double pz = o[2] + m[6] * x + m[7] * y + m[8] * z;
            if (pz > top[0]) top[0] = pz;
        });
        if (top[0] == Double.NEGATIVE_INFINITY) {
            throw new CalvariaException("the skull mask is empty; give a binary skull segmentation with bone set to 1");
        }
        return top[0];
    }

    /**
     * Bounding box of the bone in the band the grid covers when the vertex is at {@code vertexZ}:
     * {minX, minY, minZ, maxX, maxY, maxZ, topX, topY}, where (topX, topY) is the mean position of the bone voxels
     * within half a source voxel of {@code topZ} (the highest bone).
     */
    private double[] bandBounds(MaskVolume skull, double vertexZ, double topZ) {
        Geometry g = skull.geometry();
        int snx = g.nx(), sny = g.ny();
        double[] m = g.matrix();
        double[] o = g.origin();
        double s = spacingMm();
        double bottomFace = vertexZ + TOP_MARGIN_VOXELS * s - nz * s;
        // Voxels within half the source's finest spacing of the top count as the vertex (flat tops tie).
        double tieBand = 0.5 * Math.min(g.spacing()[0], Math.min(g.spacing()[1], g.spacing()[2]));
        double[] acc = new double[3];
        double[] b = {Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY,
            Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY, 0, 0};
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
            if (pz >= topZ - tieBand) {
                acc[0] += px;
                acc[1] += py;
                acc[2]++;
            }
        });
        b[6] = acc[2] > 0 ? acc[0] / acc[2] : (b[0] + b[3]) / 2;
        b[7] = acc[2] > 0 ? acc[1] / acc[2] : (b[1] + b[4]) / 2;
        return b;
    }

    /** Cell size (mm) of the top-view height map used to fit the cranial dome. */
    private static final double HEIGHT_CELL_MM = 2.0;
    /** Height-map cells more than this below the fitted dome are holes (defects), not surface. */
    private static final double HOLE_DEPTH_MM = 2.5;

    /**
     * The vertex of a paraboloid fitted to the outer surface of the cranial dome, robust to defects at the top: a
     * top-view height map (highest bone per 2 mm column) over the central 90% of the band's outline is fitted by
     * least squares, columns lying more than 2.5 mm below the fit (holes) are dropped and the fit repeated. Returns
     * {x, y, z} of the fitted dome's highest point, or null when too few columns remain or the fit is implausible.
     */
    private double[] fittedVertex(MaskVolume skull, double top, double[] band) {
        double cx = (band[0] + band[3]) / 2, cy = (band[1] + band[4]) / 2;
        double ax = (band[3] - band[0]) / 2, ay = (band[4] - band[1]) / 2;
        if (ax < 10 || ay < 10) return null;
        int cellsX = (int) Math.ceil(2 * ax / HEIGHT_CELL_MM) + 1, cellsY = (int) Math.ceil(2 * ay / HEIGHT_CELL_MM) + 1;
        double x0 = cx - ax, y0 = cy - ay;
        double[] height = new double[cellsX * cellsY];
        java.util.Arrays.fill(height, Double.NEGATIVE_INFINITY);
        Geometry g = skull.geometry();
        int snx = g.nx(), sny = g.ny();
        double[] m = g.matrix();
        double[] o = g.origin();
        double lowest = band[2];
        skull.forEachSet(i -> {
            int x = i % snx, r = i / snx, y = r % sny, z = r / sny;
            double pz = o[2] + m[6] * x + m[7] * y + m[8] * z;
            if (pz < lowest) return;
            double px = o[0] + m[0] * x + m[1] * y + m[2] * z;
            double py = o[1] + m[3] * x + m[4] * y + m[5] * z;
            int cxI = (int) ((px - x0) / HEIGHT_CELL_MM), cyI = (int) ((py - y0) / HEIGHT_CELL_MM);
            if (cxI < 0 || cyI < 0 || cxI >= cellsX || cyI >= cellsY) return;
            int c = cxI + cellsX * cyI;
            if (pz > height[c]) height[c] = pz;
        });
        // Candidate columns: inside 90% of the outline ellipse, in normalised coordinates (u, v).
        int n = 0;
        double[] us = new double[height.length], vs = new double[height.length], hs = new double[height.length];
        for (int j = 0; j < cellsY; j++) {
            for (int i = 0; i < cellsX; i++) {
                double u = (x0 + (i + 0.5) * HEIGHT_CELL_MM - cx) / ax, v = (y0 + (j + 0.5) * HEIGHT_CELL_MM - cy) / ay;
                if (u * u + v * v > 0.9 * 0.9) continue;
                us[n] = u;
                vs[n] = v;
                hs[n] = height[i + cellsX * j];
                n++;
            }
        }
        if (n < 30) return null;
        boolean[] candidate = new boolean[n];
        for (int k = 0; k < n; k++) candidate[k] = hs[k] > Double.NEGATIVE_INFINITY;
        double[] wide = robustFit(us, vs, hs, candidate, n);
        if (wide == null) return null;
        double[] apex = apex(wide, us, vs, n);
        // A paraboloid over the whole outline overshoots a rounded dome's top by a few mm; refit on the cap (columns
        // whose fitted height is within CAP_MM of the apex) when enough of it is intact.
        boolean[] cap = new boolean[n];
        for (int k = 0; k < n; k++) cap[k] = candidate[k] && quadric(wide, us[k], vs[k]) >= apex[2] - CAP_MM;
        double[] capFit = robustFit(us, vs, hs, cap, n);
        if (capFit != null) {
            double[] capApex = apex(capFit, us, vs, n);
            if (Math.abs(capApex[2] - apex[2]) < 10) apex = capApex;
        }
        // A dome cannot rise far above the highest bone found.
        if (apex[2] > top + 40) return null;
        return new double[] {cx + apex[0] * ax, cy + apex[1] * ay, apex[2]};
    }

    /** Height range below the first apex used for the refined cap fit, mm. */
    private static final double CAP_MM = 25;

    /**
     * Paraboloid fitted to the candidate columns, dropping columns more than {@link #HOLE_DEPTH_MM} below it and
     * refitting; null when fewer than max(30, 1/6 of the candidates) remain or it does not open downwards.
     */
    private static double[] robustFit(double[] us, double[] vs, double[] hs, boolean[] candidate, int n) {
        int candidates = 0;
        for (int k = 0; k < n; k++) if (candidate[k]) candidates++;
        int needed = Math.max(30, candidates / 6);
        boolean[] use = candidate.clone();
        int used = candidates;
        double[] coef = null;
        for (int iter = 0; iter < 8; iter++) {
            if (used < needed) return null;
            coef = fitQuadric(us, vs, hs, use, n);
            if (coef == null) return null;
            int changed = 0;
            used = 0;
            for (int k = 0; k < n; k++) {
                boolean keep = candidate[k] && hs[k] - quadric(coef, us[k], vs[k]) >= -HOLE_DEPTH_MM;
                if (keep != use[k]) changed++;
                use[k] = keep;
                if (keep) used++;
            }
            if (changed == 0) break;
        }
        if (used < needed || coef[3] >= 0 || coef[4] >= 0) return null;
        return coef;
    }

    /** {u, v, z} of the highest fitted point among the columns. */
    private static double[] apex(double[] coef, double[] us, double[] vs, int n) {
        double[] best = {0, 0, Double.NEGATIVE_INFINITY};
        for (int k = 0; k < n; k++) {
            double z = quadric(coef, us[k], vs[k]);
            if (z > best[2]) best = new double[] {us[k], vs[k], z};
        }
        return best;
    }

    private static double quadric(double[] c, double u, double v) {
        return c[0] + c[1] * u + c[2] * v + c[3] * u * u + c[4] * v * v + c[5] * u * v;
    }

    /** Least-squares z = c0 + c1 u + c2 v + c3 u^2 + c4 v^2 + c5 u v over the used points; null when singular. */
    private static double[] fitQuadric(double[] us, double[] vs, double[] hs, boolean[] use, int n) {
        double[][] a = new double[6][7];
        double[] f = new double[6];
        for (int k = 0; k < n; k++) {
            if (!use[k]) continue;
            double u = us[k], v = vs[k];
            f[0] = 1;
            f[1] = u;
            f[2] = v;
            f[3] = u * u;
            f[4] = v * v;
            f[5] = u * v;
            for (int r = 0; r < 6; r++) {
                for (int c = 0; c < 6; c++) a[r][c] += f[r] * f[c];
                a[r][6] += f[r] * hs[k];
            }
        }
        for (int col = 0; col < 6; col++) {
            int piv = col;
            for (int r = col + 1; r < 6; r++) if (Math.abs(a[r][col]) > Math.abs(a[piv][col])) piv = r;
            if (Math.abs(a[piv][col]) < 1e-9) return null;
            double[] t = a[col];
            a[col] = a[piv];
            a[piv] = t;
            for (int r = 0; r < 6; r++) {
                if (r == col) continue;
                double factor = a[r][col] / a[col][col];
                for (int c = col; c < 7; c++) a[r][c] -= factor * a[col][c];
            }
        }
        double[] coef = new double[6];
        for (int r = 0; r < 6; r++) coef[r] = a[r][6] / a[r][r];
        return coef;
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
        return org.calvaria.volume.SupersampledAverage.onto(v, target, MAX_SUPERSAMPLING);
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
