package org.calvaria.normalise;

import org.calvaria.volume.Geometry;

/**
 * The network grid turned to face one part of the vault: its z axis along an outward direction {@code n} seen from
 * the cranial centre, centred on that direction, its top face {@link NetworkGrid#TOP_MARGIN_VOXELS} voxels above the
 * outer surface. With {@code n} = superior it is the paper's vertex grid; anywhere else the network sees the same
 * picture (a dome of bone with the hole in the middle), so one network serves the whole vault.
 *
 * <p>The in-plane axes are the LPS x (left) and y (posterior) axes turned by the smallest rotation that takes +z to
 * {@code n}, then spun by {@code spin} radians about {@code n} (augmentation), so neighbouring directions get
 * neighbouring grids.
 */
public final class OrientedGrid {
    /** Directions within this angle of the axis decide the surface height. */
    public static final double SURFACE_CONE_DEG = 35;

    private OrientedGrid() {}

    /**
     * The grid geometry.
     *
     * @param grid         sizes and spacing
     * @param cranialCentre the rays' origin, physical mm
     * @param n            unit outward axis
     * @param surfaceMm    height of the outer surface along {@code n} above the centre, mm
     * @param spin         rotation about {@code n}, radians
     * @param shiftMm      in-plane shift of the grid centre along its x and y axes, mm (augmentation)
     */
    public static Geometry geometry(
            NetworkGrid grid, double[] cranialCentre, double[] n, double surfaceMm, double spin, double[] shiftMm) {
        double s = grid.spacingMm();
        double[][] axes = frame(n, spin);
        double[] a = axes[0], b = axes[1], z = axes[2];
        double topCentre = surfaceMm + (NetworkGrid.TOP_MARGIN_VOXELS - 0.5) * s;
        double bottomCentre = topCentre - (grid.nz() - 1) * s;
        double ax = -(grid.nx() - 1) * s / 2 + shiftMm[0], by = -(grid.ny() - 1) * s / 2 + shiftMm[1];
        double[] origin = new double[3];
        for (int k = 0; k < 3; k++) origin[k] = cranialCentre[k] + z[k] * bottomCentre + a[k] * ax + b[k] * by;
        double[] m = {a[0] * s, b[0] * s, z[0] * s, a[1] * s, b[1] * s, z[1] * s, a[2] * s, b[2] * s, z[2] * s};
        return new Geometry(grid.nx(), grid.ny(), grid.nz(), origin, m);
    }

    /** The grid's unit axes {x, y, z} for outward axis {@code n} and spin. */
    public static double[][] frame(double[] n, double spin) {
        double[] z = normalise(n);
        double[] r = minimalRotation(z);
        double[] a = {r[0], r[3], r[6]}, b = {r[1], r[4], r[7]};
        if (spin != 0) {
            double[] q = Geometry.rotation(z, spin);
            a = apply(q, a);
            b = apply(q, b);
        }
        return new double[][] {a, b, z};
    }

    /** Rotation (row-major) taking +z to unit {@code n} by the smallest angle. */
    static double[] minimalRotation(double[] n) {
        double c = n[2];
        if (c > 1 - 1e-12) return new double[] {1, 0, 0, 0, 1, 0, 0, 0, 1};
        if (c < -1 + 1e-12) return Geometry.rotation(new double[] {1, 0, 0}, Math.PI);
        double[] axis = {-n[1], n[0], 0}; // z x n
        return Geometry.rotation(axis, Math.acos(c));
    }

    /**
     * Surface height along {@code n} for the grid top: the skull's own outer surface near the axis, or, over a hole,
     * the rim's mean distance from the centre (a sphere through the rim), whichever is higher.
     */
    public static double surfaceHeight(CranialRays rays, double[] n, Hole hole) {
        double h = rays.surfaceHeight(n, SURFACE_CONE_DEG);
        if (hole != null) {
            double fromRim = hole.rimRadiusMm();
            if (Double.isNaN(h) || fromRim > h) h = fromRim;
        }
        return h;
    }

    private static double[] apply(double[] m, double[] v) {
        return new double[] {
            m[0] * v[0] + m[1] * v[1] + m[2] * v[2],
            m[3] * v[0] + m[4] * v[1] + m[5] * v[2],
            m[6] * v[0] + m[7] * v[1] + m[8] * v[2]
        };
    }

    static double[] normalise(double[] v) {
        double l = Math.sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
        return new double[] {v[0] / l, v[1] / l, v[2] / l};
    }
}
