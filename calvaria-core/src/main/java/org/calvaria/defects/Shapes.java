package org.calvaria.defects;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Implicit defect shapes in physical millimetres. A {@link Family} is one randomly drawn unit shape placed at a point
 * of the skull; {@link Family#at(double)} scales it about its centre by a length in mm (the size that bisection
 * tunes), so the same family at a larger scale removes at least as much bone (up to rounding for the two free-form
 * shapes).
 */
final class Shapes {
    private Shapes() {}

    /** A point set in physical LPS mm. */
    interface Shape {
        boolean contains(double x, double y, double z);
    }

    /** A unit shape with a centre and local frame; lengths in units of the scale. */
    abstract static class Family {
        /** Centre (mm) before the scale-proportional drift. */
        final double[] c0;
        /** Local frame: t1, t2 span the tangent plane at the surface point, n points outwards. */
        final double[] t1, t2, n;
        /** Offset of the centre per mm of scale (midline defects sit slightly to one side). */
        final double[] drift;

        Family(double[] c0, double[] n, double[] drift) {
            this.c0 = c0.clone();
            this.n = normalise(n);
            double[] z = {0, 0, 1};
            double[] a = cross(z, this.n);
            if (norm(a) < 0.1) a = new double[] {1, 0, 0};
            this.t1 = normalise(a);
            this.t2 = cross(this.n, this.t1);
            this.drift = drift.clone();
        }

        double[] centre(double scale) {
            return new double[] {c0[0] + scale * drift[0], c0[1] + scale * drift[1], c0[2] + scale * drift[2]};
        }

        /** Largest distance from the centre of any point of the unit shape (infinite: no bound). */
        abstract double reach();

        /** True when {@link #reach()} bounds the distance in the x-y plane only (vertical cylinders). */
        boolean vertical() { return false; }

        abstract Shape at(double scale);

        /** The shape's parameters at a scale, lengths in mm, for manifests. */
        Map<String, Object> describe(double scale) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("centre_mm", round(centre(scale)));
            m.put("surface_normal", round(n));
            m.put("scale_mm", round(scale));
            return m;
        }
    }

    // ---------------------------------------------------------------------------------------------------------------

    /** Ellipsoid with semi-axes (a, b) in the tangent plane turned by psi about n, c along n. */
    record Ellipsoid(double a, double b, double c, double psi, double[] offset) {
        boolean contains(Family f, double[] centre, double s, double x, double y, double z) {
            double dx = x - centre[0] - s * offset[0], dy = y - centre[1] - s * offset[1],
                    dz = z - centre[2] - s * offset[2];
            double u = dx * f.t1[0] + dy * f.t1[1] + dz * f.t1[2];
            double v = dx * f.t2[0] + dy * f.t2[1] + dz * f.t2[2];
            double w = dx * f.n[0] + dy * f.n[1] + dz * f.n[2];
            double cs = Math.cos(psi), sn = Math.sin(psi);
            double ru = (cs * u + sn * v) / (s * a), rv = (-sn * u + cs * v) / (s * b), rw = w / (s * c);
            return ru * ru + rv * rv + rw * rw <= 1;
        }

        double reach() { return Math.max(a, Math.max(b, c)) + norm(offset); }

        Map<String, Object> describe(double s) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("semi_axes_mm", round(new double[] {s * a, s * b, s * c}));
            m.put("rotation_deg", round(Math.toDegrees(psi)));
            m.put("offset_mm", round(new double[] {s * offset[0], s * offset[1], s * offset[2]}));
            return m;
        }
    }

    static final class Ellipsoids extends Family {
        final List<Ellipsoid> parts;

        Ellipsoids(double[] c0, double[] n, double[] drift, List<Ellipsoid> parts) {
            super(c0, n, drift);
            this.parts = parts;
        }

        @Override
        double reach() { return parts.stream().mapToDouble(Ellipsoid::reach).max().orElse(1) + norm(drift); }

        @Override
        Shape at(double s) {
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

    static final class Cylinders extends Family {
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
        boolean vertical() { return true; }

        @Override
        Shape at(double s) {
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

    /** Cube with half edge 1 (times scale), turned by psi about the surface normal. */
    static final class Cube extends Family {
        final double psi;

        Cube(double[] c0, double[] n, double[] drift, double psi) {
            super(c0, n, drift);
            this.psi = psi;
        }

        @Override
        double reach() { return Math.sqrt(3) + norm(drift); }

        @Override
        Shape at(double s) {
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

    static final class Sphere extends Family {
        Sphere(double[] c0, double[] n, double[] drift) {
            super(c0, n, drift);
        }

        @Override
        double reach() { return 1 + norm(drift); }

        @Override
        Shape at(double s) {
            double[] c = centre(s);
            double r2 = s * s;
            return (x, y, z) -> {
                double dx = x - c[0], dy = y - c[1], dz = z - c[2];
                return dx * dx + dy * dy + dz * dz <= r2;
            };
        }

        @Override
        Map<String, Object> describe(double s) {
            Map<String, Object> m = super.describe(s);
            m.put("radius_mm", round(s));
            return m;
        }
    }

    /**
     * Craniotomy: a convex flap outline (corners on an ellipse) in the tangent plane, extruded along the surface normal
     * from outside down to {@code depthMm} below the surface point, plus a round drill hole of {@code holeRadiusMm}
     * (at most 0.3 of the scale) centred on every corner.
     */
    static final class Craniotomy extends Family {
        final double[][] corners;
        final double holeRadiusMm, depthMm;

        Craniotomy(double[] surface, double[] n, double[][] corners, double holeRadiusMm, double depthMm) {
            super(surface, n, new double[3]);
            this.corners = corners;
            this.holeRadiusMm = holeRadiusMm;
            this.depthMm = depthMm;
        }

        @Override
        double reach() { return Double.POSITIVE_INFINITY; }

        @Override
        Shape at(double s) {
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

    /**
     * Irregular: union of spheres along a short random path in the tangent plane, with the boundary deformed by a
     * smooth random field (four plane waves, up to 36% of the radius).
     */
    static final class Irregular extends Family {
        final double[][] centres;
        final double[] radii;
        final double[][] waves;

        Irregular(double[] c0, double[] n, double[][] centres, double[] radii, double[][] waves) {
            super(c0, n, new double[3]);
            this.centres = centres;
            this.radii = radii;
            this.waves = waves;
        }

        @Override
        double reach() {
            double r = 0;
            for (int i = 0; i < radii.length; i++) r = Math.max(r, norm(centres[i]) + radii[i]);
            return r * 1.3;
        }

        @Override
        Shape at(double s) {
            return (x, y, z) -> {
                double qx = (x - c0[0]) / s, qy = (y - c0[1]) / s, qz = (z - c0[2]) / s;
                double g = Double.POSITIVE_INFINITY;
                for (int i = 0; i < radii.length; i++) {
                    double ex = qx - centres[i][0], ey = qy - centres[i][1], ez = qz - centres[i][2];
                    g = Math.min(g, Math.sqrt(ex * ex + ey * ey + ez * ez) / radii[i]);
                    if (g < 0.73) return true; // 0.73 * (1 + 0.36) < 1: inside whatever the field
                }
                double field = 0;
                for (double[] wv : waves) field += wv[4] * Math.sin(wv[0] * qx + wv[1] * qy + wv[2] * qz + wv[3]);
                return g * (1 + field) <= 1;
            };
        }

        @Override
        Map<String, Object> describe(double s) {
            Map<String, Object> m = super.describe(s);
            double[][] c = new double[centres.length][];
            for (int i = 0; i < c.length; i++) {
                c[i] = round(new double[] {c0[0] + s * centres[i][0], c0[1] + s * centres[i][1],
                    c0[2] + s * centres[i][2]});
            }
            double[] r = new double[radii.length];
            for (int i = 0; i < r.length; i++) r[i] = round(s * radii[i]);
            m.put("sphere_centres_mm", c);
            m.put("sphere_radii_mm", r);
            return m;
        }
    }

    // ---------------------------------------------------------------------------------------------------------------

    /**
     * Draws a random unit shape of {@code type} at a surface point ({x, y, z, thickness}) whose outward direction is
     * {@code u}. {@code midlineDrift} is the lateral offset of the centre per mm of scale.
     */
    static Family draw(DefectType type, double[] hit, double[] u, double depthToCentreMm, double midlineDrift,
                       SplittableRandom rnd) {
        double thickness = hit[3];
        double[] surface = {hit[0], hit[1], hit[2]};
        // Centre in the middle of the bone, so small shapes still cut through its whole thickness.
        double[] mid = {hit[0] - u[0] * thickness / 2, hit[1] - u[1] * thickness / 2, hit[2] - u[2] * thickness / 2};
        double[] drift = {midlineDrift, 0, 0};
        double psi = rnd.nextDouble() * Math.PI;
        switch (type) {
            case SYMMETRICAL_ELLIPSOID:
                return new Ellipsoids(mid, u, drift, List.of(new Ellipsoid(1, 1, uniform(rnd, 0.5, 0.8), 0,
                        new double[3])));
            case ELLIPSOID:
                return new Ellipsoids(mid, u, drift, List.of(new Ellipsoid(1, uniform(rnd, 0.55, 0.85),
                        uniform(rnd, 0.5, 0.8), psi, new double[3])));
            case MIXED_ELLIPSOID: {
                Family frame = new Sphere(mid, u, drift);
                double alpha = rnd.nextDouble() * 2 * Math.PI;
                double d = uniform(rnd, 0.45, 0.7);
                double[] off = new double[3];
                for (int i = 0; i < 3; i++) off[i] = d * (Math.cos(alpha) * frame.t1[i] + Math.sin(alpha) * frame.t2[i]);
                double a2 = uniform(rnd, 0.6, 0.9);
                return new Ellipsoids(mid, u, drift, List.of(
                        new Ellipsoid(1, uniform(rnd, 0.55, 0.9), uniform(rnd, 0.5, 0.8), psi, new double[3]),
                        new Ellipsoid(a2, a2 * uniform(rnd, 0.6, 1.0), uniform(rnd, 0.45, 0.7),
                                rnd.nextDouble() * Math.PI, off)));
            }
            case CYLINDER:
                return new Cylinders(mid, u, drift, List.of(new Cylinder(1, 1, 0, new double[2])));
            case ELLIPTICAL_CYLINDER:
                return new Cylinders(mid, u, drift, List.of(new Cylinder(1, uniform(rnd, 0.5, 0.8), psi,
                        new double[2])));
            case MIXED_ELLIPTICAL_CYLINDER: {
                double alpha = rnd.nextDouble() * 2 * Math.PI;
                double d = uniform(rnd, 0.45, 0.7);
                double a2 = uniform(rnd, 0.6, 0.9);
                return new Cylinders(mid, u, drift, List.of(
                        new Cylinder(1, uniform(rnd, 0.55, 0.9), psi, new double[2]),
                        new Cylinder(a2, a2 * uniform(rnd, 0.6, 1.0), rnd.nextDouble() * Math.PI,
                                new double[] {d * Math.cos(alpha), d * Math.sin(alpha)})));
            }
            case CUBE:
                return new Cube(mid, u, drift, psi);
            case SPHERE:
                return new Sphere(mid, u, drift);
            case CRANIOTOMY: {
                int k = 3 + rnd.nextInt(3);
                double aspect = uniform(rnd, 0.6, 1.0);
                double[][] corners = new double[k][];
                for (int i = 0; i < k; i++) {
                    double ang = 2 * Math.PI * (i + uniform(rnd, -0.2, 0.2)) / k;
                    double cu = Math.cos(ang), cv = aspect * Math.sin(ang);
                    corners[i] = new double[] {Math.cos(psi) * cu - Math.sin(psi) * cv,
                        Math.sin(psi) * cu + Math.cos(psi) * cv};
                }
                return new Craniotomy(surface, u, corners, uniform(rnd, 2.5, 4.0), 0.9 * depthToCentreMm);
            }
            case IRREGULAR: {
                Family frame = new Sphere(mid, u, drift);
                int k = 3 + rnd.nextInt(4);
                double[][] centres = new double[k][3];
                double[] radii = new double[k];
                radii[0] = 1;
                for (int i = 1; i < k; i++) {
                    double alpha = rnd.nextDouble() * 2 * Math.PI;
                    double step = uniform(rnd, 0.5, 0.85);
                    double[] prev = centres[rnd.nextInt(i)];
                    for (int a = 0; a < 3; a++) {
                        centres[i][a] = prev[a] + step * (Math.cos(alpha) * frame.t1[a] + Math.sin(alpha) * frame.t2[a])
                                + uniform(rnd, -0.1, 0.1) * frame.n[a];
                    }
                    radii[i] = uniform(rnd, 0.45, 0.9);
                }
                double[][] waves = new double[4][];
                for (int i = 0; i < 4; i++) {
                    double[] dir = randomUnit(rnd);
                    double freq = uniform(rnd, 3.0, 7.0);
                    waves[i] = new double[] {freq * dir[0], freq * dir[1], freq * dir[2], rnd.nextDouble() * 2 * Math.PI,
                        uniform(rnd, 0.04, 0.09)};
                }
                return new Irregular(mid, u, centres, radii, waves);
            }
            default:
                throw new IllegalArgumentException("unknown type " + type);
        }
    }

    static double uniform(SplittableRandom r, double lo, double hi) { return lo + (hi - lo) * r.nextDouble(); }

    static double[] randomUnit(SplittableRandom r) {
        double z = uniform(r, -1, 1), phi = r.nextDouble() * 2 * Math.PI, s = Math.sqrt(1 - z * z);
        return new double[] {s * Math.cos(phi), s * Math.sin(phi), z};
    }

    static double norm(double[] a) { return Math.sqrt(a[0] * a[0] + a[1] * a[1] + a[2] * a[2]); }

    static double[] normalise(double[] a) {
        double l = norm(a);
        return new double[] {a[0] / l, a[1] / l, a[2] / l};
    }

    static double[] cross(double[] a, double[] b) {
        return new double[] {a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]};
    }

    static double round(double v) { return Math.round(v * 1000) / 1000.0; }

    static double[] round(double[] v) {
        double[] r = new double[v.length];
        for (int i = 0; i < v.length; i++) r[i] = round(v[i]);
        return r;
    }
}
