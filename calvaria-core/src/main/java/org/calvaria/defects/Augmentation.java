package org.calvaria.defects;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;
import org.calvaria.normalise.NetworkGrid;
import org.calvaria.volume.FloatVolume;
import org.calvaria.volume.Geometry;
import org.calvaria.volume.MaskVolume;
import org.calvaria.volume.Resampler;
import org.calvaria.volume.Volume;

/**
 * One of the 98 rigid variants of Wu et al. 2022: rotation about the vertical (z) axis and tilt about the left-right
 * (x) axis, each -6..+6 degrees in 2-degree steps (7 alternatives), and a vertical translation of 0 or +2 network-grid
 * voxels upwards (2 alternatives): 7 x 7 x 2 = 98.
 *
 * <p>The transform is {@code p' = R (p - c) + c + t}, {@code R = Rz(rotation) * Rx(tilt)}, about a centre {@code c}
 * (the centre of the skull) and {@code t = (0, 0, shiftVoxels * voxelMm)}. The upward shift mimics the grid being
 * placed too low, which happens when a defect removes the vertex. It is applied to the complete skull before a defect
 * is cut, with trilinear interpolation thresholded at 0.5 for masks (so masks stay binary and
 * {@code defective + implant == complete} holds exactly on the augmented grid).
 */
public record Augmentation(int rotationDeg, int tiltDeg, int shiftVoxels) {
    /** Angles, in degrees, of rotation and tilt. */
    @SuppressWarnings("MutablePublicArray") // read-only by convention; kept an array for the existing callers
    public static final int[] ANGLES = {-6, -4, -2, 0, 2, 4, 6};
    /** Vertical shifts, in network-grid voxels (positive = superior). */
    @SuppressWarnings("MutablePublicArray") // read-only by convention; kept an array for the existing callers
    public static final int[] SHIFTS = {0, 2};
    /** Physical size of one shift voxel when not given: the paper grid's 1.75 mm. */
    public static final double DEFAULT_VOXEL_MM = NetworkGrid.DEFAULT_SPACING_MM;

    private static final List<Augmentation> ALL;

    static {
        List<Augmentation> all = new ArrayList<>();
        for (int r : ANGLES) for (int t : ANGLES) for (int s : SHIFTS) all.add(new Augmentation(r, t, s));
        ALL = Collections.unmodifiableList(all);
    }

    /** All 98 variants in a fixed order (rotation, then tilt, then shift); index 0 is not the identity. */
    public static List<Augmentation> all() {
        return ALL;
    }

    public static Augmentation identity() {
        return new Augmentation(0, 0, 0);
    }

    public static Augmentation of(int index) {
        return ALL.get(index);
    }

    /** Position of this variant in {@link #all()}. */
    public int index() {
        return ALL.indexOf(this);
    }

    public boolean isIdentity() {
        return rotationDeg == 0 && tiltDeg == 0 && shiftVoxels == 0;
    }

    /** Row-major rotation matrix Rz(rotation) * Rx(tilt). */
    public double[] rotationMatrix() {
        double[] rz = Geometry.rotation(new double[] {0, 0, 1}, Math.toRadians(rotationDeg));
        double[] rx = Geometry.rotation(new double[] {1, 0, 0}, Math.toRadians(tiltDeg));
        return Geometry.multiply(rz, rx);
    }

    /** Centre of the bone's bounding box (physical mm), the default rotation centre. */
    public static double[] boneCentre(MaskVolume skull) {
        Geometry g = skull.geometry();
        double[] b = {
            Double.POSITIVE_INFINITY,
            Double.POSITIVE_INFINITY,
            Double.POSITIVE_INFINITY,
            Double.NEGATIVE_INFINITY,
            Double.NEGATIVE_INFINITY,
            Double.NEGATIVE_INFINITY
        };
        double[] q = new double[3];
        int nx = g.nx(), ny = g.ny();
        skull.forEachSet(i -> {
            int x = i % nx, r = i / nx;
            g.indexToPhysical(x, r % ny, r / ny, q);
            for (int a = 0; a < 3; a++) {
                b[a] = Math.min(b[a], q[a]);
                b[3 + a] = Math.max(b[3 + a], q[a]);
            }
        });
        if (b[0] > b[3]) return g.center();
        return new double[] {(b[0] + b[3]) / 2, (b[1] + b[4]) / 2, (b[2] + b[5]) / 2};
    }

    /** The mask transformed about its bone centre, shift voxels of 1.75 mm, on the same grid. */
    public MaskVolume apply(MaskVolume skull) {
        return apply(skull, boneCentre(skull), DEFAULT_VOXEL_MM);
    }

    /** The mask transformed about {@code centre} (mm) with shift voxels of {@code voxelMm}, on the same grid. */
    public MaskVolume apply(MaskVolume skull, double[] centre, double voxelMm) {
        if (isIdentity()) return skull.copy();
        // Threshold while sampling: a full-resolution float copy would take 4 bytes per voxel.
        byte[] on = new byte[skull.voxelCount()];
        sampleInto(skull, centre, voxelMm, (i, v) -> on[i] = (byte) (v >= 0.5 ? 1 : 0));
        MaskVolume m = new MaskVolume(skull.geometry());
        for (int i = 0; i < on.length; i++) if (on[i] != 0) m.set(i, true);
        m.inheritMetadata(skull);
        m.setSourceType(skull.sourceType());
        return m;
    }

    /**
     * Any volume (e.g. partial-volume bone fractions) transformed with trilinear interpolation onto its own grid;
     * points that come from outside the grid are 0.
     */
    public FloatVolume transform(Volume v, double[] centre, double voxelMm) {
        FloatVolume out = new FloatVolume(v.geometry());
        out.inheritMetadata(v);
        float[] d = out.data();
        sampleInto(v, centre, voxelMm, (i, x) -> d[i] = (float) x);
        return out;
    }

    private interface Sink {
        void put(int index, double value);
    }

    /** Trilinear value of the transformed volume at every voxel, handed to {@code sink} (parallel over slices). */
    private void sampleInto(Volume v, double[] centre, double voxelMm, Sink sink) {
        Geometry g = v.geometry();
        // Output voxel at p shows input at p_in = R^T (p - c - t) + c.
        double[] r = rotationMatrix();
        double[] rt = {r[0], r[3], r[6], r[1], r[4], r[7], r[2], r[5], r[8]};
        double shift = shiftVoxels * voxelMm;
        int nx = g.nx(), ny = g.ny(), nz = g.nz();
        // p_in index is affine in the output index: precompute origin and per-axis steps.
        double[] p0 = g.indexToPhysical(0, 0, 0);
        double[] base = inputIndex(g, rt, centre, shift, p0);
        double[][] step = new double[3][];
        for (int a = 0; a < 3; a++) {
            double[] pa = g.indexToPhysical(a == 0 ? 1 : 0, a == 1 ? 1 : 0, a == 2 ? 1 : 0);
            double[] ia = inputIndex(g, rt, centre, shift, pa);
            step[a] = new double[] {ia[0] - base[0], ia[1] - base[1], ia[2] - base[2]};
        }
        IntStream.range(0, nz).parallel().forEach(z -> {
            for (int y = 0; y < ny; y++) {
                for (int x = 0; x < nx; x++) {
                    double fx = base[0] + step[0][0] * x + step[1][0] * y + step[2][0] * z;
                    double fy = base[1] + step[0][1] * x + step[1][1] * y + step[2][1] * z;
                    double fz = base[2] + step[0][2] * x + step[1][2] * y + step[2][2] * z;
                    sink.put(g.index(x, y, z), Resampler.sample(v, nx, ny, nz, fx, fy, fz, 0));
                }
            }
        });
    }

    /**
     * Affine map, row-major 3x4 {@code [A | b]}, from an index of {@code target} to the continuous index of
     * {@code source} whose content appears there after this transform (about {@code centre}, shift voxels of
     * {@code voxelMm}). Lets callers resample with their own fast loops.
     */
    public double[] indexMap(Geometry source, Geometry target, double[] centre, double voxelMm) {
        double[] r = rotationMatrix();
        double[] rt = {r[0], r[3], r[6], r[1], r[4], r[7], r[2], r[5], r[8]};
        double shift = shiftVoxels * voxelMm;
        double[] base = inputIndex(source, rt, centre, shift, target.indexToPhysical(0, 0, 0));
        double[] map = new double[12];
        for (int a = 0; a < 3; a++) {
            double[] pa = target.indexToPhysical(a == 0 ? 1 : 0, a == 1 ? 1 : 0, a == 2 ? 1 : 0);
            double[] ia = inputIndex(source, rt, centre, shift, pa);
            for (int row = 0; row < 3; row++) map[4 * row + a] = ia[row] - base[row];
        }
        for (int row = 0; row < 3; row++) map[4 * row + 3] = base[row];
        return map;
    }

    private static double[] inputIndex(Geometry g, double[] rt, double[] c, double shift, double[] p) {
        double dx = p[0] - c[0], dy = p[1] - c[1], dz = p[2] - c[2] - shift;
        double x = c[0] + rt[0] * dx + rt[1] * dy + rt[2] * dz;
        double y = c[1] + rt[3] * dx + rt[4] * dy + rt[5] * dz;
        double z = c[2] + rt[6] * dx + rt[7] * dy + rt[8] * dz;
        return g.physicalToIndex(x, y, z);
    }

    /** Short stable label, e.g. "rot-4_tilt+2_shift2". */
    public String label() {
        return String.format(Locale.ROOT, "rot%+d_tilt%+d_shift%d", rotationDeg, tiltDeg, shiftVoxels);
    }
}
