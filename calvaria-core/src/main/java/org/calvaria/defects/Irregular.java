package org.calvaria.defects;

import static org.calvaria.defects.Shapes.norm;
import static org.calvaria.defects.Shapes.round;

import java.util.Map;

/**
 * Irregular: union of spheres along a short random path in the tangent plane, with the boundary deformed by a
 * smooth random field (four plane waves, up to 36% of the radius).
 */
final class Irregular extends Shapes.Family {
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
    Shapes.Shape at(double s) {
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
            c[i] = round(
                    new double[] {c0[0] + s * centres[i][0], c0[1] + s * centres[i][1], c0[2] + s * centres[i][2]});
        }
        double[] r = new double[radii.length];
        for (int i = 0; i < r.length; i++) r[i] = round(s * radii[i]);
        m.put("sphere_centres_mm", c);
        m.put("sphere_radii_mm", r);
        return m;
    }
}
