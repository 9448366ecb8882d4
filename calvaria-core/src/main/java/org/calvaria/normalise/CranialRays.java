package org.calvaria.normalise;

import org.calvaria.CalvariaException;
import org.calvaria.volume.Geometry;
import org.calvaria.volume.MaskVolume;

/**
 * The skull seen from inside: rays cast from a point near the centre of the cranial cavity in every direction of a
 * 2-degree latitude-longitude map, each recording whether it meets bone and how far out the outer bone surface is.
 *
 * <p>Why rays: a hole in the vault is a set of directions in which a ray leaves the head without meeting bone, whatever
 * the hole's position, size or shape, and on any scan grid (everything is in physical LPS mm). The only other such
 * directions of a whole skull are the foramen magnum and, for scans cropped above the skull base, the open bottom;
 * both are reached from the bottom of the map, which {@link HoleFinder} uses to tell them from holes.
 *
 * <p>Bone is first marked on a {@value #CELL_MM} mm occupancy grid, or one as coarse as the scan's largest voxel step
 * (a cell is bone when any bone voxel centre lies in it, so thin bone is never lost), and rays march through it in {@value #STEP_MM} mm steps. Directions: row {@code i}
 * has polar angle {@code (i + 0.5) * 2} degrees from superior (+z), column {@code j} azimuth {@code (j + 0.5) * 2}
 * degrees from left (+x) towards posterior (+y).
 */
public final class CranialRays {
    /** Angular step of the direction map, degrees. */
    public static final double STEP_DEG = 2.0;

    public static final int ROWS = 90, COLUMNS = 180;
    static final double CELL_MM = 1.5;
    static final double STEP_MM = 0.5;
    /** Rays stop this far from the centre. */
    static final double MAX_RADIUS_MM = 200;
    /** Steps of a whole ray. */
    private static final int STEPS = (int) Math.round(MAX_RADIUS_MM / STEP_MM);
    /** Height of the top band whose bone outline gives the centre's x and y, mm below the highest bone. */
    static final double BAND_MM = 80;

    private final double[] centre;
    private final boolean[] hit;
    private final float[] outer;
    private final double[] vaultSize;

    private CranialRays(double[] centre, boolean[] hit, float[] outer, double[] vaultSize) {
        this.centre = centre;
        this.hit = hit;
        this.outer = outer;
        this.vaultSize = vaultSize;
    }

    /**
     * Width (left-right) and length (front-back) of the bone in the top {@value #BAND_MM} mm, mm: the size of the
     * cranial vault, for telling an adult skull from a child's.
     */
    public double[] vaultSizeMm() {
        return vaultSize.clone();
    }

    /**
     * Casts the rays from a point near the centre of the cranial cavity estimated from the skull itself: x and y the
     * middle of the bone's outline in the top {@value #BAND_MM} mm, z the highest bone minus the outline's mean
     * half-width (a sphere's centre lies one radius below its top).
     */
    public static CranialRays cast(MaskVolume skull) {
        Occupancy occ = Occupancy.of(skull);
        return cast(occ, occ.estimateCentre());
    }

    /** Casts the rays from a given centre (physical mm). */
    public static CranialRays cast(MaskVolume skull, double[] centre) {
        return cast(Occupancy.of(skull), centre);
    }

    private static CranialRays cast(Occupancy occ, double[] c) {
        boolean[] hit = new boolean[ROWS * COLUMNS];
        float[] outer = new float[ROWS * COLUMNS];
        java.util.stream.IntStream.range(0, ROWS).parallel().forEach(i -> {
            for (int j = 0; j < COLUMNS; j++) {
                double[] u = direction(i, j);
                // The outermost bone is wanted: march inwards from where the ray leaves the occupancy grid and stop
                // at the first bone. Steps are whole multiples of STEP_MM (exact in binary), as an outward march
                // adding STEP_MM would reach them.
                double last = Double.NaN;
                for (int step = Math.min(STEPS, occ.lastStepInside(c, u)); step >= 1; step--) {
                    double t = step * STEP_MM;
                    if (occ.bone(c[0] + u[0] * t, c[1] + u[1] * t, c[2] + u[2] * t)) {
                        last = t;
                        break;
                    }
                }
                int k = i * COLUMNS + j;
                hit[k] = !Double.isNaN(last);
                outer[k] = (float) last;
            }
        });
        return new CranialRays(
                c.clone(), hit, outer, new double[] {occ.band[2] - occ.band[0], occ.band[3] - occ.band[1]});
    }

    public double[] centre() {
        return centre.clone();
    }

    /** Unit direction of map cell (row, column). */
    public static double[] direction(int row, int column) {
        double theta = Math.toRadians((row + 0.5) * STEP_DEG), phi = Math.toRadians((column + 0.5) * STEP_DEG);
        return new double[] {Math.sin(theta) * Math.cos(phi), Math.sin(theta) * Math.sin(phi), Math.cos(theta)};
    }

    /** Solid angle (sr) of a cell in the given row. */
    public static double solidAngle(int row) {
        double d = Math.toRadians(STEP_DEG);
        double t0 = row * d, t1 = (row + 1) * d;
        return d * (Math.cos(t0) - Math.cos(t1));
    }

    /** Polar angle of a row's centre from superior, degrees. */
    public static double polarDeg(int row) {
        return (row + 0.5) * STEP_DEG;
    }

    public boolean hit(int row, int column) {
        return hit[row * COLUMNS + column];
    }

    /** Distance from the centre to the outer bone surface along the cell's ray (mm); NaN when no bone. */
    public double outerRadius(int row, int column) {
        return outer[row * COLUMNS + column];
    }

    /**
     * Cosines of the map's edges, {@code cos(k * STEP_DEG)} for k = 0 .. ROWS (polar edges, 0 to 180 degrees; the
     * azimuth edges from 0 to 180 degrees are the same angles).
     */
    private static final double[] COS_EDGE = new double[ROWS + 1];

    static {
        for (int k = 0; k <= ROWS; k++) COS_EDGE[k] = Math.cos(Math.toRadians(k * STEP_DEG));
    }

    /**
     * How close (in cosine) a direction may come to an edge and still be placed by {@link #edgeBelow}: far above the
     * few ulps by which the trigonometric formula can stray, far below the spacing of voxel directions.
     */
    private static final double EDGE_MARGIN = 1e-9;

    /**
     * The map cell holding a direction (any length but zero): {row, column}. The same cell as
     * {@link #cellOfByAngles}, found by comparing cosines with the map's edges instead of computing the angles: acos
     * and atan2 are slow outside the optimising compiler (about 1 microsecond a direction, 0.4 s for the 380,000
     * voxels of a large implant), so a direction within {@link #EDGE_MARGIN} of an edge is the only one that still
     * takes that path.
     */
    public static int[] cellOf(double[] u) {
        double len = Math.sqrt(u[0] * u[0] + u[1] * u[1] + u[2] * u[2]);
        int row = edgeBelow(Math.max(-1, Math.min(1, u[2] / len)));
        double xy = Math.sqrt(u[0] * u[0] + u[1] * u[1]);
        // azimuth 0..180 degrees for y > 0 (its cosine is x / xy), 180..360 mirrored for y < 0
        int half = xy > 0 && Math.abs(u[1]) > EDGE_MARGIN * xy ? edgeBelow(Math.max(-1, Math.min(1, u[0] / xy))) : -1;
        if (row < 0 || half < 0) return cellOfByAngles(u);
        int col = u[1] > 0 ? half : COLUMNS - 1 - half;
        return new int[] {row, col};
    }

    /**
     * The k (0 .. ROWS - 1) with {@code COS_EDGE[k] > c > COS_EDGE[k + 1]}, both by more than {@link #EDGE_MARGIN}, or
     * -1 when c is that close to an edge.
     */
    private static int edgeBelow(double c) {
        int lo = 0, hi = ROWS; // COS_EDGE[lo] >= c >= COS_EDGE[hi], decreasing
        while (hi - lo > 1) {
            int mid = (lo + hi) >>> 1;
            if (COS_EDGE[mid] >= c) lo = mid;
            else hi = mid;
        }
        return COS_EDGE[lo] - c > EDGE_MARGIN && c - COS_EDGE[hi] > EDGE_MARGIN ? lo : -1;
    }

    /** {@link #cellOf} from the angles themselves (acos and atan2). */
    static int[] cellOfByAngles(double[] u) {
        double len = Math.sqrt(u[0] * u[0] + u[1] * u[1] + u[2] * u[2]);
        double theta = Math.toDegrees(Math.acos(Math.max(-1, Math.min(1, u[2] / len))));
        double phi = Math.toDegrees(Math.atan2(u[1], u[0]));
        if (phi < 0) phi += 360;
        int row = Math.min(ROWS - 1, (int) (theta / STEP_DEG));
        int col = Math.min(COLUMNS - 1, (int) (phi / STEP_DEG));
        return new int[] {row, col};
    }

    /**
     * Height of the skull's outer surface along unit axis {@code n}, measured from the centre: the largest
     * {@code outerRadius * (u . n)} over the hit directions {@code u} within {@code coneDeg} of {@code n}, or NaN when
     * none meets bone.
     */
    public double surfaceHeight(double[] n, double coneDeg) {
        double cosCone = Math.cos(Math.toRadians(coneDeg));
        double best = Double.NaN;
        for (int i = 0; i < ROWS; i++) {
            for (int j = 0; j < COLUMNS; j++) {
                int k = i * COLUMNS + j;
                if (!hit[k]) continue;
                double[] u = direction(i, j);
                double c = u[0] * n[0] + u[1] * n[1] + u[2] * n[2];
                if (c < cosCone) continue;
                double h = outer[k] * c;
                if (Double.isNaN(best) || h > best) best = h;
            }
        }
        return best;
    }

    /** Bone marked on a coarse axis-aligned occupancy grid covering the bone's bounding box. */
    private static final class Occupancy {
        final double[] lo = new double[3];
        final double cell;
        final int nx, ny, nz;
        final boolean[] cells;
        final double top;
        final double[] band; // minX, minY, maxX, maxY of bone in the top band

        private Occupancy(
                double[] lo, double cell, int nx, int ny, int nz, boolean[] cells, double top, double[] band) {
            System.arraycopy(lo, 0, this.lo, 0, 3);
            this.cell = cell;
            this.nx = nx;
            this.ny = ny;
            this.nz = nz;
            this.cells = cells;
            this.top = top;
            this.band = band;
        }

        static Occupancy of(MaskVolume skull) {
            Geometry g = skull.geometry();
            int snx = g.nx(), sny = g.ny();
            double[] m = g.matrix(), o = g.origin();
            double[] bounds = skull.physicalBoundsOfSet();
            if (bounds == null) {
                throw new CalvariaException("the skull mask is empty; give a binary skull segmentation with bone = 1");
            }
            double[] b = bounds;
            // Cells at least as large as the source's voxel steps, so that voxel centres leave no empty cells between
            // them in solid bone (a thick-slice CT gets coarser cells).
            double[] sp = g.spacing();
            double cell = Math.max(CELL_MM, 1.01 * Math.max(sp[0], Math.max(sp[1], sp[2])));
            double[] lo = {b[0] - cell, b[1] - cell, b[2] - cell};
            int cx = (int) Math.ceil((b[3] - lo[0]) / cell) + 2;
            int cy = (int) Math.ceil((b[4] - lo[1]) / cell) + 2;
            int cz = (int) Math.ceil((b[5] - lo[2]) / cell) + 2;
            if ((long) cx * cy * cz > 400_000_000L) {
                throw new CalvariaException(String.format(
                        java.util.Locale.ROOT,
                        "the bone spans %.0f x %.0f x %.0f mm, far more than a head; check the input's spacing",
                        b[3] - b[0],
                        b[4] - b[1],
                        b[5] - b[2]));
            }
            boolean[] cells = new boolean[cx * cy * cz];
            double bandFloor = b[5] - BAND_MM;
            int snz = g.nz();
            // per slice: minX, minY, maxX, maxY of its bone in the top band
            double[] sliceBands = new double[4 * snz];
            long[] words = skull.words();
            // Slices in parallel: a cell set twice is set all the same, and each slice has its own band.
            // When a row runs along physical x (no y or z part in the grid's x axis, as in scanner-aligned grids),
            // m[3] * x and m[6] * x are the same signed zero for every x, so y, z and their cells are the row's.
            boolean rowsAlongX = m[3] == 0 && m[6] == 0;
            java.util.stream.IntStream.range(0, snz).parallel().forEach(z -> {
                double minX = Double.POSITIVE_INFINITY, minY = Double.POSITIVE_INFINITY;
                double maxX = Double.NEGATIVE_INFINITY, maxY = Double.NEGATIVE_INFINITY;
                for (int y = 0; y < sny; y++) {
                    int row = snx * (y + sny * z), end = row + snx;
                    double rowY = o[1] + m[3] * 0 + m[4] * y + m[5] * z;
                    double rowZ = o[2] + m[6] * 0 + m[7] * y + m[8] * z;
                    int rowCells = cx * ((int) ((rowY - lo[1]) / cell) + cy * (int) ((rowZ - lo[2]) / cell));
                    for (int w = row >>> 6, lastWord = (end - 1) >>> 6; w <= lastWord; w++) {
                        long word = words[w];
                        if (w == row >>> 6) word &= -1L << row;
                        if (w == lastWord && (end & 63) != 0) word &= (1L << end) - 1;
                        while (word != 0) {
                            int x = (w << 6) + Long.numberOfTrailingZeros(word) - row;
                            word &= word - 1;
                            double px = o[0] + m[0] * x + m[1] * y + m[2] * z;
                            double py, pz;
                            if (rowsAlongX) {
                                py = rowY;
                                pz = rowZ;
                                cells[(int) ((px - lo[0]) / cell) + rowCells] = true;
                            } else {
                                py = o[1] + m[3] * x + m[4] * y + m[5] * z;
                                pz = o[2] + m[6] * x + m[7] * y + m[8] * z;
                                int ix = (int) ((px - lo[0]) / cell),
                                        iy = (int) ((py - lo[1]) / cell),
                                        iz = (int) ((pz - lo[2]) / cell);
                                cells[ix + cx * (iy + cy * iz)] = true;
                            }
                            if (pz >= bandFloor) {
                                if (px < minX) minX = px;
                                if (py < minY) minY = py;
                                if (px > maxX) maxX = px;
                                if (py > maxY) maxY = py;
                            }
                        }
                    }
                }
                sliceBands[4 * z] = minX;
                sliceBands[4 * z + 1] = minY;
                sliceBands[4 * z + 2] = maxX;
                sliceBands[4 * z + 3] = maxY;
            });
            double[] band = {
                Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY
            };
            for (int z = 0; z < snz; z++) {
                if (sliceBands[4 * z] < band[0]) band[0] = sliceBands[4 * z];
                if (sliceBands[4 * z + 1] < band[1]) band[1] = sliceBands[4 * z + 1];
                if (sliceBands[4 * z + 2] > band[2]) band[2] = sliceBands[4 * z + 2];
                if (sliceBands[4 * z + 3] > band[3]) band[3] = sliceBands[4 * z + 3];
            }
            return new Occupancy(lo, cell, cx, cy, cz, cells, b[5], band);
        }

        double[] estimateCentre() {
            double halfX = (band[2] - band[0]) / 2, halfY = (band[3] - band[1]) / 2;
            double radius = Math.max(20, (halfX + halfY) / 2);
            return new double[] {(band[0] + band[2]) / 2, (band[1] + band[3]) / 2, top - radius};
        }

        /**
         * A step count beyond which the ray {@code c + t u} ({@code t = step * STEP_MM}) stays outside the grid, with
         * a margin of two steps over rounding; 0 when it never enters.
         */
        int lastStepInside(double[] c, double[] u) {
            double exit = Double.POSITIVE_INFINITY;
            int[] n = {nx, ny, nz};
            for (int a = 0; a < 3; a++) {
                double hi = lo[a] + n[a] * cell;
                if (u[a] > 0) exit = Math.min(exit, (hi - c[a]) / u[a]);
                else if (u[a] < 0) exit = Math.min(exit, (lo[a] - c[a]) / u[a]);
            }
            if (exit < 0) return 0;
            if (exit > STEPS * STEP_MM) return STEPS;
            return (int) Math.ceil(exit / STEP_MM) + 2;
        }

        boolean bone(double x, double y, double z) {
            double fx = (x - lo[0]) / cell, fy = (y - lo[1]) / cell, fz = (z - lo[2]) / cell;
            if (fx < 0 || fy < 0 || fz < 0) return false;
            int ix = (int) fx, iy = (int) fy, iz = (int) fz;
            if (ix >= nx || iy >= ny || iz >= nz) return false;
            return cells[ix + nx * (iy + ny * iz)];
        }
    }
}
