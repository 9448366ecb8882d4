package org.calvaria.manufacture;

import org.calvaria.volume.Geometry;
import org.calvaria.volume.MaskVolume;

/**
 * Synthetic implants of known thickness: caps of spherical and ellipsoidal shells. An ellipsoidal shell here is the
 * region between an ellipsoid and its inward offset surface at distance t, so its thickness along the normal is
 * exactly t everywhere (two ellipsoids with smaller semi-axes would not be).
 */
final class Caps {
    private Caps() {}

    /** Semi-axes a, b, c (mm) of the outer surface, thickness t, cap = points with polar angle <= maxPolarDeg. */
    record Cap(double a, double b, double c, double t, double maxPolarDeg) {
        static Cap sphere(double r, double t, double maxPolarDeg) {
            return new Cap(r, r, r, t, maxPolarDeg);
        }

        /** Signed distance to the outer ellipsoid (negative inside), mm. */
        double signedDistance(double x, double y, double z) {
            return Caps.signedDistanceToEllipsoid(a, b, c, x, y, z);
        }

        boolean inShell(double x, double y, double z) {
            double f = x * x / (a * a) + y * y / (b * b) + z * z / (c * c);
            if (f > 1) return false;
            // inside the ellipsoid scaled by l = sqrt(f): at least (1 - l) * (smallest semi-axis) from the surface
            if ((1 - Math.sqrt(f)) * Math.min(a, Math.min(b, c)) > t + 1e-9) return false;
            double d = signedDistance(x, y, z);
            return d <= 0 && d >= -t && polarDeg(x, y, z) <= maxPolarDeg;
        }

        static double polarDeg(double x, double y, double z) {
            return Math.toDegrees(Math.atan2(Math.sqrt(x * x + y * y), z));
        }

        /**
         * The cap as a smooth field on the grid (positive inside: the depth into the shell, cut by the cone), for a
         * mesh at iso 0 without voxel steps.
         */
        org.calvaria.volume.FloatVolume field(double s) {
            MaskVolume like = mask(s, s, s);
            Geometry g = like.geometry();
            org.calvaria.volume.FloatVolume f = new org.calvaria.volume.FloatVolume(g);
            double[] p = new double[3];
            double minR = Math.min(a, Math.min(b, c));
            for (int k = 0; k < g.nz(); k++)
                for (int j = 0; j < g.ny(); j++)
                    for (int i = 0; i < g.nx(); i++) {
                        g.indexToPhysical(i, j, k, p);
                        double q = x2(p) / (a * a) + y2(p) / (b * b) + p[2] * p[2] / (c * c);
                        double sl = Math.sqrt(q);
                        if (sl > 1 + 3 * s / minR || (1 - sl) * minR > t + 3 * s) {
                            f.set(i, j, k, -1);
                            continue;
                        }
                        double d = signedDistance(p[0], p[1], p[2]);
                        double depth = Math.min(-d, d + t);
                        double cone = Math.toRadians(maxPolarDeg - polarDeg(p[0], p[1], p[2])) * minR;
                        f.set(i, j, k, Math.min(depth, cone));
                    }
            return f;
        }

        private static double x2(double[] p) {
            return p[0] * p[0];
        }

        private static double y2(double[] p) {
            return p[1] * p[1];
        }

        /** The cap voxelized on an axis-aligned grid with the given spacing (centres inside the shell are set). */
        MaskVolume mask(double sx, double sy, double sz) {
            double m = 3;
            int nx = (int) Math.ceil(2 * (a + m) / sx), ny = (int) Math.ceil(2 * (b + m) / sy);
            double zLo = Math.min(c * Math.cos(Math.toRadians(maxPolarDeg)) - t - m, 0);
            int nz = (int) Math.ceil((c + m - zLo) / sz);
            Geometry g = Geometry.axisAligned(
                    nx, ny, nz, sx, sy, sz, new double[] {-(nx - 1) * sx / 2, -(ny - 1) * sy / 2, zLo});
            MaskVolume mask = new MaskVolume(g);
            double[] p = new double[3];
            for (int k = 0; k < nz; k++)
                for (int j = 0; j < ny; j++)
                    for (int i = 0; i < nx; i++) {
                        g.indexToPhysical(i, j, k, p);
                        if (inShell(p[0], p[1], p[2])) mask.set(i, j, k, true);
                    }
            return mask;
        }
    }

    /**
     * Signed distance from a point to the ellipsoid x^2/a^2 + y^2/b^2 + z^2/c^2 = 1: the closest surface point solves
     * a one-dimensional equation in the Lagrange multiplier, found by bisection.
     */
    static double signedDistanceToEllipsoid(double a, double b, double c, double x, double y, double z) {
        double ax = Math.abs(x), ay = Math.abs(y), az = Math.abs(z);
        double f = ax * ax / (a * a) + ay * ay / (b * b) + az * az / (c * c);
        boolean inside = f < 1;
        // closest point q_i = p_i a_i^2 / (a_i^2 + s); F(s) = sum (a_i p_i / (a_i^2 + s))^2 - 1 = 0
        double min = Math.min(a, Math.min(b, c));
        double lo = -min * min + 1e-12, hi;
        if (inside) {
            hi = 0;
        } else {
            lo = 0;
            hi = Math.max(a, Math.max(b, c)) * Math.sqrt(ax * ax + ay * ay + az * az) + 1;
        }
        for (int it = 0; it < 80; it++) {
            double s = (lo + hi) / 2;
            double fx = a * ax / (a * a + s), fy = b * ay / (b * b + s), fz = c * az / (c * c + s);
            double F = fx * fx + fy * fy + fz * fz - 1;
            if (F > 0) lo = s;
            else hi = s;
        }
        double s = (lo + hi) / 2;
        double qx = ax * a * a / (a * a + s), qy = ay * b * b / (b * b + s), qz = az * c * c / (c * c + s);
        double d = Math.sqrt((qx - ax) * (qx - ax) + (qy - ay) * (qy - ay) + (qz - az) * (qz - az));
        return inside ? -d : d;
    }
}
