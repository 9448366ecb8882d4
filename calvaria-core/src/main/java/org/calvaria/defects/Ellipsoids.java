package org.calvaria.defects;

import static org.calvaria.defects.Shapes.norm;
import static org.calvaria.defects.Shapes.round;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A union of ellipsoids (one, or two overlapping lobes), each turned about the surface normal. */
final class Ellipsoids extends Shapes.Family {
    /** Ellipsoid with semi-axes (a, b) in the tangent plane turned by psi about n, c along n. */
    record Ellipsoid(double a, double b, double c, double psi, double[] offset) {
        boolean contains(Shapes.Family f, double[] centre, double s, double x, double y, double z) {
            double dx = x - centre[0] - s * offset[0],
                    dy = y - centre[1] - s * offset[1],
                    dz = z - centre[2] - s * offset[2];
            double u = dx * f.t1[0] + dy * f.t1[1] + dz * f.t1[2];
            double v = dx * f.t2[0] + dy * f.t2[1] + dz * f.t2[2];
            double w = dx * f.n[0] + dy * f.n[1] + dz * f.n[2];
            double cs = Math.cos(psi), sn = Math.sin(psi);
            double ru = (cs * u + sn * v) / (s * a), rv = (-sn * u + cs * v) / (s * b), rw = w / (s * c);
            return ru * ru + rv * rv + rw * rw <= 1;
        }

        double reach() {
            return Math.max(a, Math.max(b, c)) + norm(offset);
        }

        Map<String, Object> describe(double s) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("semi_axes_mm", round(new double[] {s * a, s * b, s * c}));
            m.put("rotation_deg", round(Math.toDegrees(psi)));
            m.put("offset_mm", round(new double[] {s * offset[0], s * offset[1], s * offset[2]}));
            return m;
        }
    }

    final List<Ellipsoid> parts;

    Ellipsoids(double[] c0, double[] n, double[] drift, List<Ellipsoid> parts) {
        super(c0, n, drift);
        this.parts = parts;
    }

    @Override
    double reach() {
        return parts.stream().mapToDouble(Ellipsoid::reach).max().orElse(1) + norm(drift);
    }

    @Override
    Shapes.Shape at(double s) {
        double[] c = centre(s);
        return (x, y, z) -> {
            for (Ellipsoid e : parts) if (e.contains(this, c, s, x, y, z)) return true;
            return false;
        };
    }

    @Override
    Map<String, Object> describe(double s) {
        Map<String, Object> m = super.describe(s);
        List<Object> list = new ArrayList<>();
        for (Ellipsoid e : parts) list.add(e.describe(s));
        m.put("ellipsoids", list);
        return m;
    }
}
