package org.calvaria.defects;

import static org.calvaria.defects.Shapes.norm;
import static org.calvaria.defects.Shapes.round;

import java.util.Map;

/** Cube with half edge 1 (times scale), turned by psi about the surface normal. */
final class Cube extends Shapes.Family {
    final double psi;

    Cube(double[] c0, double[] n, double[] drift, double psi) {
        super(c0, n, drift);
        this.psi = psi;
    }

    @Override
    double reach() {
        return Math.sqrt(3) + norm(drift);
    }

    @Override
    Shapes.Shape at(double s) {
        double[] c = centre(s);
        double cs = Math.cos(psi), sn = Math.sin(psi);
        return (x, y, z) -> {
            double dx = x - c[0], dy = y - c[1], dz = z - c[2];
            double u = dx * t1[0] + dy * t1[1] + dz * t1[2];
            double v = dx * t2[0] + dy * t2[1] + dz * t2[2];
            double w = dx * n[0] + dy * n[1] + dz * n[2];
            return Math.abs(cs * u + sn * v) <= s && Math.abs(-sn * u + cs * v) <= s && Math.abs(w) <= s;
        };
    }

    @Override
    Map<String, Object> describe(double s) {
        Map<String, Object> m = super.describe(s);
        m.put("edge_mm", round(2 * s));
        m.put("rotation_deg", round(Math.toDegrees(psi)));
        return m;
    }
}
