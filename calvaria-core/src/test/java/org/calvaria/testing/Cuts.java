package org.calvaria.testing;

import org.calvaria.normalise.CranialRays;
import org.calvaria.volume.Geometry;
import org.calvaria.volume.MaskVolume;

/** Simple defects for tests: bone removed within a ball centred on the outer surface. */
public final class Cuts {
    private Cuts() {}

    /** Unit vector along (x, y, z). */
    public static double[] unit(double x, double y, double z) {
        double l = Math.sqrt(x * x + y * y + z * z);
        return new double[] {x / l, y / l, z / l};
    }

    /** The bone within {@code radius} mm of the outer-surface point seen from the cranial centre along {@code u}. */
    public static MaskVolume ball(MaskVolume skull, double[] u, double radius) {
        CranialRays rays = CranialRays.cast(skull);
        double[] c = rays.centre();
        int[] cell = CranialRays.cellOf(u);
        double r = rays.outerRadius(cell[0], cell[1]);
        double[] p = {c[0] + u[0] * r, c[1] + u[1] * r, c[2] + u[2] * r};
        MaskVolume cut = new MaskVolume(skull.geometry());
        Geometry g = skull.geometry();
        skull.forEachSet(i -> {
            int x = i % g.nx(), rr = i / g.nx(), y = rr % g.ny(), z = rr / g.ny();
            double[] q = g.indexToPhysical(x, y, z);
            double d2 = (q[0] - p[0]) * (q[0] - p[0]) + (q[1] - p[1]) * (q[1] - p[1]) + (q[2] - p[2]) * (q[2] - p[2]);
            if (d2 <= radius * radius) cut.set(i, true);
        });
        return cut;
    }

    /** The skull without the bone of {@link #ball}. */
    public static MaskVolume withoutBall(MaskVolume skull, double[] u, double radius) {
        return skull.copy().andNot(ball(skull, u, radius));
    }
}
