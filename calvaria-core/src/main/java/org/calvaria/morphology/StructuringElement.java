package org.calvaria.morphology;

import java.util.ArrayList;
import java.util.List;
import org.calvaria.volume.Geometry;

/**
 * A set of voxel offsets (dx, dy, dz), stored as rows: for each (dy, dz) one interval of dx. {@link #ball} builds the
 * voxels within a physical radius through the grid's direction matrix, so anisotropic spacing and sheared (gantry
 * tilted) grids give the right physical ball.
 */
public final class StructuringElement {
    private final int[] dy, dz, dxFrom, dxTo;
    private final long size;

    private StructuringElement(int[] dy, int[] dz, int[] dxFrom, int[] dxTo) {
        this.dy = dy;
        this.dz = dz;
        this.dxFrom = dxFrom;
        this.dxTo = dxTo;
        long s = 0;
        for (int i = 0; i < dy.length; i++) s += dxTo[i] - dxFrom[i] + 1;
        this.size = s;
    }

    /**
     * All offsets d with |M d| &lt;= radius (M: the grid's direction matrix with spacing), that is every voxel centre
     * within {@code radiusMm} of the centre voxel's. Radius 0 (or below half a voxel) is the centre voxel alone.
     */
    public static StructuringElement ball(Geometry g, double radiusMm) {
        if (!(radiusMm >= 0) || Double.isInfinite(radiusMm)) {
            throw new IllegalArgumentException("ball radius must be a finite number >= 0 mm, got " + radiusMm);
        }
        double[] m = g.matrix();
        double[] inv = Geometry.invert(m);
        // |d_c| <= r * |row c of M^-1| bounds each index offset of the physical ball.
        int ry = (int) Math.floor(radiusMm * Math.sqrt(inv[3] * inv[3] + inv[4] * inv[4] + inv[5] * inv[5]) + 1e-9);
        int rz = (int) Math.floor(radiusMm * Math.sqrt(inv[6] * inv[6] + inv[7] * inv[7] + inv[8] * inv[8]) + 1e-9);
        double[] a = g.axisVector(0), b = g.axisVector(1), c = g.axisVector(2);
        double aa = a[0] * a[0] + a[1] * a[1] + a[2] * a[2];
        double r2 = radiusMm * radiusMm;
        double tol = 1e-9 * Math.max(r2, aa);
        List<int[]> rows = new ArrayList<>();
        for (int k = -rz; k <= rz; k++) {
            for (int j = -ry; j <= ry; j++) {
                double vx = j * b[0] + k * c[0], vy = j * b[1] + k * c[1], vz = j * b[2] + k * c[2];
                // |i a + v|^2 <= r^2 is a quadratic in i; its solutions form one interval.
                double bb = a[0] * vx + a[1] * vy + a[2] * vz;
                double disc = bb * bb - aa * (vx * vx + vy * vy + vz * vz - r2);
                if (disc < -tol * aa) continue;
                double root = Math.sqrt(Math.max(0, disc));
                int lo = (int) Math.ceil((-bb - root) / aa - 1e-9);
                int hi = (int) Math.floor((-bb + root) / aa + 1e-9);
                if (lo <= hi) rows.add(new int[] {j, k, lo, hi});
            }
        }
        return fromRows(rows);
    }

    /** A box of (2rx+1) x (2ry+1) x (2rz+1) voxels centred on the origin. */
    public static StructuringElement box(int rx, int ry, int rz) {
        if (rx < 0 || ry < 0 || rz < 0) throw new IllegalArgumentException("box radii must be >= 0");
        List<int[]> rows = new ArrayList<>();
        for (int k = -rz; k <= rz; k++) for (int j = -ry; j <= ry; j++) rows.add(new int[] {j, k, -rx, rx});
        return fromRows(rows);
    }

    private static StructuringElement fromRows(List<int[]> rows) {
        int n = rows.size();
        int[] dy = new int[n], dz = new int[n], lo = new int[n], hi = new int[n];
        for (int i = 0; i < n; i++) {
            int[] r = rows.get(i);
            dy[i] = r[0];
            dz[i] = r[1];
            lo[i] = r[2];
            hi[i] = r[3];
        }
        return new StructuringElement(dy, dz, lo, hi);
    }

    /** The offsets negated (the element used by erosion); a ball is its own reflection. */
    public StructuringElement reflected() {
        int n = dy.length;
        int[] ry = new int[n], rz = new int[n], lo = new int[n], hi = new int[n];
        for (int i = 0; i < n; i++) {
            ry[i] = -dy[i];
            rz[i] = -dz[i];
            lo[i] = -dxTo[i];
            hi[i] = -dxFrom[i];
        }
        return new StructuringElement(ry, rz, lo, hi);
    }

    /** Number of (dy, dz) rows. */
    public int rowCount() {
        return dy.length;
    }

    public int dy(int row) {
        return dy[row];
    }

    public int dz(int row) {
        return dz[row];
    }

    /** First dx of a row (inclusive). */
    public int dxFrom(int row) {
        return dxFrom[row];
    }

    /** Last dx of a row (inclusive). */
    public int dxTo(int row) {
        return dxTo[row];
    }

    /** Number of offsets. */
    public long size() {
        return size;
    }

    /** True when the element holds the offset (dx, dy, dz). */
    public boolean contains(int dx, int dyq, int dzq) {
        for (int i = 0; i < dy.length; i++) {
            if (dy[i] == dyq && dz[i] == dzq) return dx >= dxFrom[i] && dx <= dxTo[i];
        }
        return false;
    }

    /** Largest |offset| along each index axis. */
    public int[] reach() {
        int[] r = new int[3];
        for (int i = 0; i < dy.length; i++) {
            r[0] = Math.max(r[0], Math.max(Math.abs(dxFrom[i]), Math.abs(dxTo[i])));
            r[1] = Math.max(r[1], Math.abs(dy[i]));
            r[2] = Math.max(r[2], Math.abs(dz[i]));
        }
        return r;
    }

    @Override
    public String toString() {
        int[] r = reach();
        return size + " voxels in " + dy.length + " rows, reach " + r[0] + "/" + r[1] + "/" + r[2];
    }
}
