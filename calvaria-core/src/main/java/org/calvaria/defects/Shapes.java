package org.calvaria.defects;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.calvaria.defects.Cylinders.Cylinder;
import org.calvaria.defects.Ellipsoids.Ellipsoid;

/**
 * Implicit defect shapes in physical millimetres. A {@link Family} is one randomly drawn unit shape placed at a point
 * of the skull; {@link Family#at(double)} scales it about its centre by a length in mm (the size that bisection
 * tunes), so the same family at a larger scale removes at least as much bone (up to rounding for the two free-form
 * shapes).
 *
 * <p>The families themselves are {@link Ellipsoids}, {@link Cylinders}, {@link Cube}, {@link Sphere},
 * {@link Craniotomy} and {@link Irregular}; this class holds their common base, {@link #draw} and the vector helpers.
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
        boolean vertical() {
            return false;
        }

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

    /**
     * Draws a random unit shape of {@code type} at a surface point ({x, y, z, thickness}) whose outward direction is
     * {@code u}. {@code midlineDrift} is the lateral offset of the centre per mm of scale.
     */
    static Family draw(
            DefectType type,
            double[] hit,
            double[] u,
            double depthToCentreMm,
            double midlineDrift,
            SplittableRandom rnd) {
        double thickness = hit[3];
        double[] surface = {hit[0], hit[1], hit[2]};
        // Centre in the middle of the bone, so small shapes still cut through its whole thickness.
        double[] mid = {hit[0] - u[0] * thickness / 2, hit[1] - u[1] * thickness / 2, hit[2] - u[2] * thickness / 2};
        double[] drift = {midlineDrift, 0, 0};
        double psi = rnd.nextDouble() * Math.PI;
        switch (type) {
            case SYMMETRICAL_ELLIPSOID:
                return new Ellipsoids(
                        mid, u, drift, List.of(new Ellipsoid(1, 1, uniform(rnd, 0.5, 0.8), 0, new double[3])));
            case ELLIPSOID:
                return new Ellipsoids(
                        mid,
                        u,
                        drift,
                        List.of(new Ellipsoid(
                                1, uniform(rnd, 0.55, 0.85), uniform(rnd, 0.5, 0.8), psi, new double[3])));
            case MIXED_ELLIPSOID: {
                Family frame = new Sphere(mid, u, drift);
                double alpha = rnd.nextDouble() * 2 * Math.PI;
                double d = uniform(rnd, 0.45, 0.7);
                double[] off = new double[3];
                for (int i = 0; i < 3; i++)
                    off[i] = d * (Math.cos(alpha) * frame.t1[i] + Math.sin(alpha) * frame.t2[i]);
                double a2 = uniform(rnd, 0.6, 0.9);
                return new Ellipsoids(
                        mid,
                        u,
                        drift,
                        List.of(
                                new Ellipsoid(1, uniform(rnd, 0.55, 0.9), uniform(rnd, 0.5, 0.8), psi, new double[3]),
                                new Ellipsoid(
                                        a2,
                                        a2 * uniform(rnd, 0.6, 1.0),
                                        uniform(rnd, 0.45, 0.7),
                                        rnd.nextDouble() * Math.PI,
                                        off)));
            }
            case CYLINDER:
                return new Cylinders(mid, u, drift, List.of(new Cylinder(1, 1, 0, new double[2])));
            case ELLIPTICAL_CYLINDER:
                return new Cylinders(
                        mid, u, drift, List.of(new Cylinder(1, uniform(rnd, 0.5, 0.8), psi, new double[2])));
            case MIXED_ELLIPTICAL_CYLINDER: {
                double alpha = rnd.nextDouble() * 2 * Math.PI;
                double d = uniform(rnd, 0.45, 0.7);
                double a2 = uniform(rnd, 0.6, 0.9);
                return new Cylinders(
                        mid,
                        u,
                        drift,
                        List.of(
                                new Cylinder(1, uniform(rnd, 0.55, 0.9), psi, new double[2]),
                                new Cylinder(a2, a2 * uniform(rnd, 0.6, 1.0), rnd.nextDouble() * Math.PI, new double[] {
                                    d * Math.cos(alpha), d * Math.sin(alpha)
                                })));
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
                    corners[i] = new double[] {
                        Math.cos(psi) * cu - Math.sin(psi) * cv, Math.sin(psi) * cu + Math.cos(psi) * cv
                    };
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
                        centres[i][a] = prev[a]
                                + step * (Math.cos(alpha) * frame.t1[a] + Math.sin(alpha) * frame.t2[a])
                                + uniform(rnd, -0.1, 0.1) * frame.n[a];
                    }
                    radii[i] = uniform(rnd, 0.45, 0.9);
                }
                double[][] waves = new double[4][];
                for (int i = 0; i < 4; i++) {
                    double[] dir = randomUnit(rnd);
                    double freq = uniform(rnd, 3.0, 7.0);
                    waves[i] = new double[] {
                        freq * dir[0],
                        freq * dir[1],
                        freq * dir[2],
                        rnd.nextDouble() * 2 * Math.PI,
                        uniform(rnd, 0.04, 0.09)
                    };
                }
                return new Irregular(mid, u, centres, radii, waves);
            }
            default:
                throw new IllegalArgumentException("unknown type " + type);
        }
    }

    static double uniform(SplittableRandom r, double lo, double hi) {
        return lo + (hi - lo) * r.nextDouble();
    }

    static double[] randomUnit(SplittableRandom r) {
        double z = uniform(r, -1, 1), phi = r.nextDouble() * 2 * Math.PI, s = Math.sqrt(1 - z * z);
        return new double[] {s * Math.cos(phi), s * Math.sin(phi), z};
    }

    static double norm(double[] a) {
        return Math.sqrt(a[0] * a[0] + a[1] * a[1] + a[2] * a[2]);
    }

    static double[] normalise(double[] a) {
        double l = norm(a);
        return new double[] {a[0] / l, a[1] / l, a[2] / l};
    }

    static double[] cross(double[] a, double[] b) {
        return new double[] {a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]};
    }

    static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    static double[] round(double[] v) {
        double[] r = new double[v.length];
        for (int i = 0; i < v.length; i++) r[i] = round(v[i]);
        return r;
    }
}
