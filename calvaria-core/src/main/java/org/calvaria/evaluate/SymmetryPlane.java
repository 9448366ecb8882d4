package org.calvaria.evaluate;

import java.util.Locale;

/** A plane {p : normal . p = offset} in LPS mm; the normal is a unit vector. */
public record SymmetryPlane(double[] normal, double offset) {
    public SymmetryPlane {
        double n = Math.sqrt(normal[0] * normal[0] + normal[1] * normal[1] + normal[2] * normal[2]);
        normal = new double[] {normal[0] / n, normal[1] / n, normal[2] / n};
        offset = offset / n;
    }

    @Override
    public double[] normal() {
        return normal.clone();
    }

    public double signedDistance(double x, double y, double z) {
        return normal[0] * x + normal[1] * y + normal[2] * z - offset;
    }

    public double[] reflect(double[] p) {
        double s = 2 * signedDistance(p[0], p[1], p[2]);
        return new double[] {p[0] - s * normal[0], p[1] - s * normal[1], p[2] - s * normal[2]};
    }

    /** Angle between the normal and the physical x (left-right) axis, degrees. */
    public double tiltFromXDegrees() {
        return Math.toDegrees(Math.acos(Math.min(1, Math.abs(normal[0]))));
    }

    @Override
    public String toString() {
        return String.format(
                Locale.ROOT, "plane n=(%.4f, %.4f, %.4f) d=%.3f mm", normal[0], normal[1], normal[2], offset);
    }
}
