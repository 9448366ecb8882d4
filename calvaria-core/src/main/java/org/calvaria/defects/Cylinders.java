package org.calvaria.defects;

import static org.calvaria.defects.Shapes.norm;
import static org.calvaria.defects.Shapes.round;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A union of vertical elliptical cylinders (one, or two overlapping), unbounded in z. */
final class Cylinders extends Shapes.Family {
    /** Cylinder with vertical axis (z) and elliptical cross-section (a, b) turned by psi about z; unbounded in z. */
    record Cylinder(double a, double b, double psi, double[] offsetXY) {
        boolean contains(double[] centre, double s, double x, double y) {
            double dx = x - centre[0] - s * offsetXY[0], dy = y - centre[1] - s * offsetXY[1];
            double cs = Math.cos(psi), sn = Math.sin(psi);
            double ru = (cs * dx + sn * dy) / (s * a), rv = (-sn * dx + cs * dy) / (s * b);
            return ru * ru + rv * rv <= 1;
        }

        Map<String, Object> describe(double s) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("semi_axes_mm", round(new double[] {s * a, s * b}));
            m.put("rotation_deg", round(Math.toDegrees(psi)));
            m.put("offset_mm", round(new double[] {s * offsetXY[0], s * offsetXY[1]}));
            return m;
        }
    }

    final List<Cylinder> parts;

    Cylinders(double[] c0, double[] n, double[] drift, List<Cylinder> parts) {
        super(c0, n, drift);
        this.parts = parts;
    }

    @Override
    double reach() {
        double r = 0;
        for (Cylinder c : parts) r = Math.max(r, Math.max(c.a, c.b) + Math.hypot(c.offsetXY[0], c.offsetXY[1]));
        return r + norm(drift);
    }

    @Override
    boolean vertical() {
        return true;
    }

    @Override
    Shapes.Shape at(double s) {
        double[] c = centre(s);
        return (x, y, z) -> {
            for (Cylinder cy : parts) if (cy.contains(c, s, x, y)) return true;
            return false;
        };
    }

    @Override
    Map<String, Object> describe(double s) {
        Map<String, Object> m = super.describe(s);
        m.put("axis", new double[] {0, 0, 1});
        List<Object> list = new ArrayList<>();
        for (Cylinder c : parts) list.add(c.describe(s));
        m.put("cylinders", list);
        return m;
    }
}
