package org.calvaria.defects;

import static org.calvaria.defects.Shapes.round;

import java.util.Map;

/**
 * Craniotomy: a convex flap outline (corners on an ellipse) in the tangent plane, extruded along the surface normal
 * from outside down to {@code depthMm} below the surface point, plus a round drill hole of {@code holeRadiusMm}
 * (at most 0.3 of the scale) centred on every corner.
 */
final class Craniotomy extends Shapes.Family {
    final double[][] corners;
    final double holeRadiusMm, depthMm;

    Craniotomy(double[] surface, double[] n, double[][] corners, double holeRadiusMm, double depthMm) {
        super(surface, n, new double[3]);
        this.corners = corners;
        this.holeRadiusMm = holeRadiusMm;
        this.depthMm = depthMm;
    }

    @Override
    double reach() {
        return Double.POSITIVE_INFINITY;
    }

    @Override
    Shapes.Shape at(double s) {
        double hole = Math.min(holeRadiusMm, 0.3 * s);
        double h2 = hole * hole;
        int k = corners.length;
        return (x, y, z) -> {
            double dx = x - c0[0], dy = y - c0[1], dz = z - c0[2];
            double w = dx * n[0] + dy * n[1] + dz * n[2];
            if (w < -depthMm) return false;
            double u = (dx * t1[0] + dy * t1[1] + dz * t1[2]) / s;
            double v = (dx * t2[0] + dy * t2[1] + dz * t2[2]) / s;
            boolean inside = true;
            for (int i = 0; i < k && inside; i++) {
                double[] p = corners[i], q = corners[(i + 1) % k];
                // counter-clockwise corners: inside is to the left of every edge
                inside = (q[0] - p[0]) * (v - p[1]) - (q[1] - p[1]) * (u - p[0]) >= 0;
            }
            if (inside) return true;
            for (double[] p : corners) {
                double eu = (u - p[0]) * s, ev = (v - p[1]) * s;
                if (eu * eu + ev * ev <= h2) return true;
            }
            return false;
        };
    }

    @Override
    Map<String, Object> describe(double s) {
        Map<String, Object> m = super.describe(s);
        double[][] c = new double[corners.length][];
        for (int i = 0; i < c.length; i++) c[i] = round(new double[] {s * corners[i][0], s * corners[i][1]});
        m.put("corners_tangent_mm", c);
        m.put("drill_hole_radius_mm", round(Math.min(holeRadiusMm, 0.3 * s)));
        m.put("depth_mm", round(depthMm));
        return m;
    }
}
