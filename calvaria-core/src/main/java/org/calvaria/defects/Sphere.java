package org.calvaria.defects;

import static org.calvaria.defects.Shapes.norm;
import static org.calvaria.defects.Shapes.round;

import java.util.Map;

/** A ball of radius 1 (times scale) about the centre. */
final class Sphere extends Shapes.Family {
    Sphere(double[] c0, double[] n, double[] drift) {
        super(c0, n, drift);
    }

    @Override
    double reach() {
        return 1 + norm(drift);
    }

    @Override
    Shapes.Shape at(double s) {
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
