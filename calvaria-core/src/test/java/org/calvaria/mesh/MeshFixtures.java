package org.calvaria.mesh;

import org.calvaria.volume.FloatVolume;
import org.calvaria.volume.Geometry;
import org.calvaria.volume.MaskVolume;

/** Small synthetic volumes with known surfaces, shared by the mesh tests. */
final class MeshFixtures {
    private MeshFixtures() {}

    /** A grid sheared like a gantry-tilted CT (z axis leaning into y), placed off the origin. */
    static Geometry sheared(int n, double spacing) {
        return new Geometry(n, n, n, new double[] {-40, 25, 7}, new double[] {
            spacing, 0, 0, 0, spacing * 0.98, spacing * 0.22, 0, -spacing * 0.16, spacing * 1.3
        });
    }

    /** A grid whose x axis runs backwards (negative determinant). */
    static Geometry leftHanded(int n, double spacing) {
        return new Geometry(
                n, n, n, new double[] {30, -5, 12}, new double[] {-spacing, 0, 0, 0, spacing, 0, 0, 0, spacing});
    }

    /** Signed distance to a sphere surface, positive inside. */
    static FloatVolume sphereField(Geometry g, double[] centre, double radius) {
        FloatVolume f = new FloatVolume(g);
        double[] p = new double[3];
        float[] d = f.data();
        for (int z = 0; z < g.nz(); z++) {
            for (int y = 0; y < g.ny(); y++) {
                for (int x = 0; x < g.nx(); x++) {
                    g.indexToPhysical(x, y, z, p);
                    double r = Math.sqrt(sq(p[0] - centre[0]) + sq(p[1] - centre[1]) + sq(p[2] - centre[2]));
                    d[g.index(x, y, z)] = (float) (radius - r);
                }
            }
        }
        return f;
    }

    static MaskVolume sphereMask(Geometry g, double[] centre, double radius) {
        return MaskVolume.threshold(sphereField(g, centre, radius), 0);
    }

    static double sq(double x) {
        return x * x;
    }
}
