package org.calvaria.volume;

import java.util.Arrays;
import java.util.Locale;

/**
 * The physical placement of a 3-D voxel grid: sizes, origin and the full direction matrix (including spacing).
 *
 * <p>Physical coordinates are LPS millimetres (the NRRD/DICOM convention). A voxel index (i, j, k) maps to
 * {@code p = origin + M * (i, j, k)}, where column c of {@code M} is the physical step of one voxel along index axis c.
 * Columns need not be orthogonal: gantry-tilted CT gives a sheared grid, and that is kept exactly.
 * Instances are immutable.
 */
public final class Geometry {
    private final int nx, ny, nz;
    private final double[] origin;
    /** Row-major 3x3: m[3*r + c] is physical coordinate r of index axis c. */
    private final double[] m;

    private final double[] inv;

    public Geometry(int nx, int ny, int nz, double[] origin, double[] directionMatrixRowMajor) {
        if (nx <= 0 || ny <= 0 || nz <= 0) {
            throw new IllegalArgumentException("grid sizes must be positive, got " + nx + "x" + ny + "x" + nz);
        }
        if ((long) nx * ny * nz > Integer.MAX_VALUE - 64L) {
            throw new IllegalArgumentException("grid " + nx + "x" + ny + "x" + nz + " has more than 2^31 voxels");
        }
        if (origin.length != 3 || directionMatrixRowMajor.length != 9) {
            throw new IllegalArgumentException("origin needs 3 values and the direction matrix 9");
        }
        this.nx = nx;
        this.ny = ny;
        this.nz = nz;
        this.origin = origin.clone();
        this.m = directionMatrixRowMajor.clone();
        for (double v : this.origin) {
            if (!Double.isFinite(v))
                throw new IllegalArgumentException("origin is not finite: " + Arrays.toString(origin));
        }
        for (double v : this.m) {
            if (!Double.isFinite(v)) throw new IllegalArgumentException("direction matrix is not finite");
        }
        this.inv = invert(this.m);
        if (this.inv == null) {
            throw new IllegalArgumentException(
                    "direction matrix is singular (zero spacing or collinear axes): " + Arrays.toString(m));
        }
    }

    /** Axis-aligned grid with the given spacing, identity orientation. */
    public static Geometry axisAligned(int nx, int ny, int nz, double sx, double sy, double sz, double[] origin) {
        return new Geometry(nx, ny, nz, origin, new double[] {sx, 0, 0, 0, sy, 0, 0, 0, sz});
    }

    public static Geometry axisAligned(int nx, int ny, int nz, double spacing) {
        return axisAligned(nx, ny, nz, spacing, spacing, spacing, new double[3]);
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

    public int[] sizes() {
        return new int[] {nx, ny, nz};
    }

    public int voxelCount() {
        return nx * ny * nz;
    }

    /** Linear index with x fastest (the NRRD/NIfTI memory order). */
    public int index(int x, int y, int z) {
        return x + nx * (y + ny * z);
    }

    public boolean contains(int x, int y, int z) {
        return x >= 0 && y >= 0 && z >= 0 && x < nx && y < ny && z < nz;
    }

    public double[] origin() {
        return origin.clone();
    }

    /** Row-major copy of the direction matrix with spacing (column c = step along axis c). */
    public double[] matrix() {
        return m.clone();
    }

    /** Physical step vector of one voxel along index axis {@code axis}. */
    public double[] axisVector(int axis) {
        return new double[] {m[axis], m[3 + axis], m[6 + axis]};
    }

    /**
     * Where {@code target}'s voxels fall on this grid, as an affine map of continuous indices: row 0 is this grid's
     * index of target voxel (0,0,0), row {@code 1 + c} the step in this grid's index per step along target axis c.
     */
    public double[][] indexMapOf(Geometry target) {
        double[] o = target.origin();
        double[] base = physicalToIndex(o[0], o[1], o[2]);
        double[][] map = {base, null, null, null};
        for (int c = 0; c < 3; c++) {
            double[] a = target.axisVector(c);
            double[] q = physicalToIndex(o[0] + a[0], o[1] + a[1], o[2] + a[2]);
            map[1 + c] = new double[] {q[0] - base[0], q[1] - base[1], q[2] - base[2]};
        }
        return map;
    }

    /** Voxel spacing along each index axis (length of each direction column), mm. */
    public double[] spacing() {
        double[] s = new double[3];
        for (int c = 0; c < 3; c++) {
            s[c] = Math.sqrt(m[c] * m[c] + m[3 + c] * m[3 + c] + m[6 + c] * m[6 + c]);
        }
        return s;
    }

    /** Unit direction matrix, row-major (direction matrix with spacing divided out). */
    public double[] unitDirections() {
        double[] s = spacing();
        double[] d = new double[9];
        for (int r = 0; r < 3; r++) for (int c = 0; c < 3; c++) d[3 * r + c] = m[3 * r + c] / s[c];
        return d;
    }

    /** Volume of one voxel, mm^3 (|det M|: right for sheared grids too). */
    public double voxelVolumeMm3() {
        return Math.abs(det(m));
    }

    /** True when every axis is parallel to a physical axis (no shear, no oblique rotation). */
    public boolean isAxisAligned(double tolerance) {
        for (int c = 0; c < 3; c++) {
            int nonZero = 0;
            double norm = 0;
            for (int r = 0; r < 3; r++) norm = Math.max(norm, Math.abs(m[3 * r + c]));
            for (int r = 0; r < 3; r++) if (Math.abs(m[3 * r + c]) > tolerance * norm) nonZero++;
            if (nonZero != 1) return false;
        }
        return true;
    }

    public double[] indexToPhysical(double i, double j, double k) {
        double[] p = new double[3];
        indexToPhysical(i, j, k, p);
        return p;
    }

    public void indexToPhysical(double i, double j, double k, double[] out) {
        out[0] = origin[0] + m[0] * i + m[1] * j + m[2] * k;
        out[1] = origin[1] + m[3] * i + m[4] * j + m[5] * k;
        out[2] = origin[2] + m[6] * i + m[7] * j + m[8] * k;
    }

    public double[] physicalToIndex(double x, double y, double z) {
        double[] out = new double[3];
        physicalToIndex(x, y, z, out);
        return out;
    }

    public void physicalToIndex(double x, double y, double z, double[] out) {
        double dx = x - origin[0], dy = y - origin[1], dz = z - origin[2];
        out[0] = inv[0] * dx + inv[1] * dy + inv[2] * dz;
        out[1] = inv[3] * dx + inv[4] * dy + inv[5] * dz;
        out[2] = inv[6] * dx + inv[7] * dy + inv[8] * dz;
    }

    /** Physical centre of the grid (centre of the middle voxel span), mm. */
    public double[] center() {
        return indexToPhysical((nx - 1) / 2.0, (ny - 1) / 2.0, (nz - 1) / 2.0);
    }

    /** Axis-aligned physical bounding box of the voxel centres: {minX, minY, minZ, maxX, maxY, maxZ}. */
    public double[] physicalBounds() {
        return physicalBoundsOfIndexBox(0, 0, 0, nx - 1, ny - 1, nz - 1);
    }

    /** Axis-aligned physical bounding box of the voxel centres in an index box (inclusive). */
    public double[] physicalBoundsOfIndexBox(int x0, int y0, int z0, int x1, int y1, int z1) {
        double[] b = {
            Double.POSITIVE_INFINITY,
            Double.POSITIVE_INFINITY,
            Double.POSITIVE_INFINITY,
            Double.NEGATIVE_INFINITY,
            Double.NEGATIVE_INFINITY,
            Double.NEGATIVE_INFINITY
        };
        double[] p = new double[3];
        for (int corner = 0; corner < 8; corner++) {
            indexToPhysical((corner & 1) == 0 ? x0 : x1, (corner & 2) == 0 ? y0 : y1, (corner & 4) == 0 ? z0 : z1, p);
            for (int a = 0; a < 3; a++) {
                b[a] = Math.min(b[a], p[a]);
                b[3 + a] = Math.max(b[3 + a], p[a]);
            }
        }
        return b;
    }

    /** Geometry of the sub-grid starting at index (x0, y0, z0) with the given sizes (may extend outside: padding). */
    public Geometry subGrid(int x0, int y0, int z0, int sx, int sy, int sz) {
        return new Geometry(sx, sy, sz, indexToPhysical(x0, y0, z0), m);
    }

    /** Same placement, different sizes. */
    public Geometry withSizes(int sx, int sy, int sz) {
        return new Geometry(sx, sy, sz, origin, m);
    }

    /**
     * The grid rigidly rotated about a physical point: {@code rotation} is a row-major 3x3 rotation matrix applied to
     * physical space. Resampling a volume from this geometry onto the original one shows the rotated content.
     */
    public Geometry rotatedAbout(double[] centre, double[] rotation) {
        double[] newM = multiply(rotation, m);
        double[] d = {origin[0] - centre[0], origin[1] - centre[1], origin[2] - centre[2]};
        double[] o = new double[3];
        for (int r = 0; r < 3; r++) {
            o[r] = centre[r] + rotation[3 * r] * d[0] + rotation[3 * r + 1] * d[1] + rotation[3 * r + 2] * d[2];
        }
        return new Geometry(nx, ny, nz, o, newM);
    }

    /** Grid translated by a physical vector. */
    public Geometry translated(double dx, double dy, double dz) {
        return new Geometry(nx, ny, nz, new double[] {origin[0] + dx, origin[1] + dy, origin[2] + dz}, m);
    }

    /** Same physical sampling positions, with index axis {@code axis} reversed. */
    public Geometry flipped(int axis) {
        int[] hi = {0, 0, 0};
        hi[axis] = sizes()[axis] - 1;
        double[] o = indexToPhysical(hi[0], hi[1], hi[2]);
        double[] newM = m.clone();
        for (int r = 0; r < 3; r++) newM[3 * r + axis] = -newM[3 * r + axis];
        return new Geometry(nx, ny, nz, o, newM);
    }

    /** True when both grids sample the same physical points (within {@code toleranceMm}). */
    public boolean sameGrid(Geometry other, double toleranceMm) {
        if (other.nx != nx || other.ny != ny || other.nz != nz) return false;
        for (int a = 0; a < 3; a++) if (Math.abs(origin[a] - other.origin[a]) > toleranceMm) return false;
        // Compare the far corner so small per-axis errors that accumulate over the grid are caught.
        double[] p = indexToPhysical(nx - 1, ny - 1, nz - 1);
        double[] q = other.indexToPhysical(nx - 1, ny - 1, nz - 1);
        for (int a = 0; a < 3; a++) if (Math.abs(p[a] - q[a]) > toleranceMm) return false;
        for (int i = 0; i < 9; i++) if (Math.abs(m[i] - other.m[i]) > toleranceMm) return false;
        return true;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Geometry g)) return false;
        return nx == g.nx && ny == g.ny && nz == g.nz && Arrays.equals(origin, g.origin) && Arrays.equals(m, g.m);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(new int[] {nx, ny, nz}) * 31 + Arrays.hashCode(origin) * 17 + Arrays.hashCode(m);
    }

    @Override
    public String toString() {
        double[] s = spacing();
        return String.format(
                Locale.ROOT,
                "%dx%dx%d @ %.4gx%.4gx%.4g mm, origin (%.3f, %.3f, %.3f)%s",
                nx,
                ny,
                nz,
                s[0],
                s[1],
                s[2],
                origin[0],
                origin[1],
                origin[2],
                isAxisAligned(1e-6) ? "" : ", oblique/sheared");
    }

    // --- small 3x3 algebra, row-major ---

    public static double det(double[] a) {
        return a[0] * (a[4] * a[8] - a[5] * a[7])
                - a[1] * (a[3] * a[8] - a[5] * a[6])
                + a[2] * (a[3] * a[7] - a[4] * a[6]);
    }

    /** Inverse of a row-major 3x3 matrix, or null when singular. */
    public static double[] invert(double[] a) {
        double d = det(a);
        double scale = 0;
        for (double v : a) scale = Math.max(scale, Math.abs(v));
        if (scale == 0 || Math.abs(d) <= 1e-12 * scale * scale * scale) return null;
        double[] r = new double[9];
        r[0] = (a[4] * a[8] - a[5] * a[7]) / d;
        r[1] = (a[2] * a[7] - a[1] * a[8]) / d;
        r[2] = (a[1] * a[5] - a[2] * a[4]) / d;
        r[3] = (a[5] * a[6] - a[3] * a[8]) / d;
        r[4] = (a[0] * a[8] - a[2] * a[6]) / d;
        r[5] = (a[2] * a[3] - a[0] * a[5]) / d;
        r[6] = (a[3] * a[7] - a[4] * a[6]) / d;
        r[7] = (a[1] * a[6] - a[0] * a[7]) / d;
        r[8] = (a[0] * a[4] - a[1] * a[3]) / d;
        return r;
    }

    public static double[] multiply(double[] a, double[] b) {
        double[] r = new double[9];
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                r[3 * i + j] = a[3 * i] * b[j] + a[3 * i + 1] * b[3 + j] + a[3 * i + 2] * b[6 + j];
            }
        }
        return r;
    }

    /** Rotation matrix (row-major) about a unit axis by an angle in radians (right-hand rule). */
    public static double[] rotation(double[] axis, double angle) {
        double n = Math.sqrt(axis[0] * axis[0] + axis[1] * axis[1] + axis[2] * axis[2]);
        double x = axis[0] / n, y = axis[1] / n, z = axis[2] / n;
        double c = Math.cos(angle), s = Math.sin(angle), t = 1 - c;
        return new double[] {
            t * x * x + c,
            t * x * y - s * z,
            t * x * z + s * y,
            t * x * y + s * z,
            t * y * y + c,
            t * y * z - s * x,
            t * x * z - s * y,
            t * y * z + s * x,
            t * z * z + c
        };
    }
}
