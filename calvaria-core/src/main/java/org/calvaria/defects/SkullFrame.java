package org.calvaria.defects;

import org.calvaria.CalvariaException;
import org.calvaria.normalise.GridPlacement;
import org.calvaria.volume.Geometry;
import org.calvaria.volume.MaskVolume;

/**
 * A complete skull prepared for cutting: the upper-cranium region (the box the network grid covers), the bone voxels
 * inside it with their physical positions, and landmarks (mid-sagittal plane, vertex, a centre below the vertex from
 * which directions to the surface are drawn).
 */
final class SkullFrame {
    final MaskVolume skull;
    final GridPlacement region;
    /** Physical box of the region: {minX, minY, minZ, maxX, maxY, maxZ}. */
    final double[] box;

    final int[] index;
    final float[] px, py, pz;
    final double midX, midY, vertexZ;
    final double[] centre;
    final double halfWidth;
    private final double step;

    SkullFrame(MaskVolume skull, GridPlacement region) {
        this.skull = skull;
        this.region = region;
        Geometry rg = region.grid();
        double s = region.spacingMm();
        double[] b = rg.physicalBounds();
        this.box = new double[] {b[0] - s / 2, b[1] - s / 2, b[2] - s / 2, b[3] + s / 2, b[4] + s / 2, b[5] + s / 2};
        Geometry g = skull.geometry();
        int snx = g.nx(), sny = g.ny();
        double[] m = g.matrix();
        double[] o = g.origin();
        Collector c = new Collector();
        skull.forEachSet(i -> {
            int x = i % snx, r = i / snx, y = r % sny, z = r / sny;
            double qx = o[0] + m[0] * x + m[1] * y + m[2] * z;
            double qy = o[1] + m[3] * x + m[4] * y + m[5] * z;
            double qz = o[2] + m[6] * x + m[7] * y + m[8] * z;
            if (inBox(qx, qy, qz)) c.add(i, qx, qy, qz);
        });
        int n = c.n;
        double[] bb = c.bounds;
        if (n < 50) {
            throw new CalvariaException("the skull has almost no bone (" + n + " voxels) in the upper-cranium region "
                    + "covered by the network grid; give a complete skull segmentation (bone = 1) with its vertex");
        }
        this.index = java.util.Arrays.copyOf(c.idx, n);
        this.px = java.util.Arrays.copyOf(c.xs, n);
        this.py = java.util.Arrays.copyOf(c.ys, n);
        this.pz = java.util.Arrays.copyOf(c.zs, n);
        this.midX = (bb[0] + bb[3]) / 2;
        this.midY = (bb[1] + bb[4]) / 2;
        this.vertexZ = bb[5];
        this.halfWidth = Math.max(20, (bb[3] - bb[0]) / 2);
        // Rays start about a skull half-width below the vertex: roughly the centre of the cranial vault.
        this.centre = new double[] {midX, midY, vertexZ - halfWidth};
        double[] sp = g.spacing();
        this.step = 0.5 * Math.min(sp[0], Math.min(sp[1], sp[2]));
    }

    int boneCount() {
        return index.length;
    }

    /** Growing arrays of the region's bone voxels and their bounding box. */
    private static final class Collector {
        int n;
        int[] idx = new int[4096];
        float[] xs = new float[4096], ys = new float[4096], zs = new float[4096];
        final double[] bounds = {
            Double.POSITIVE_INFINITY,
            Double.POSITIVE_INFINITY,
            Double.POSITIVE_INFINITY,
            Double.NEGATIVE_INFINITY,
            Double.NEGATIVE_INFINITY,
            Double.NEGATIVE_INFINITY
        };

        void add(int i, double x, double y, double z) {
            if (n == idx.length) {
                idx = java.util.Arrays.copyOf(idx, n * 2);
                xs = java.util.Arrays.copyOf(xs, n * 2);
                ys = java.util.Arrays.copyOf(ys, n * 2);
                zs = java.util.Arrays.copyOf(zs, n * 2);
            }
            idx[n] = i;
            xs[n] = (float) x;
            ys[n] = (float) y;
            zs[n] = (float) z;
            n++;
            bounds[0] = Math.min(bounds[0], x);
            bounds[1] = Math.min(bounds[1], y);
            bounds[2] = Math.min(bounds[2], z);
            bounds[3] = Math.max(bounds[3], x);
            bounds[4] = Math.max(bounds[4], y);
            bounds[5] = Math.max(bounds[5], z);
        }
    }

    /**
     * Where the ray from the centre along unit direction {@code u} leaves the bone for the last time (the outer
     * surface), and the bone thickness there: {x, y, z, thickness}; null when the ray meets no bone inside the region.
     */
    double[] surfaceHit(double[] u) {
        Geometry g = skull.geometry();
        double[] q = new double[3];
        double tMax = 250;
        double hitT = -1;
        for (double t = tMax; t > 0; t -= step) {
            double x = centre[0] + u[0] * t, y = centre[1] + u[1] * t, z = centre[2] + u[2] * t;
            if (!inBox(x, y, z)) continue;
            if (bone(g, x, y, z, q)) {
                hitT = t;
                break;
            }
        }
        if (hitT < 0) return null;
        double inner = hitT;
        int gap = 0;
        for (double t = hitT; t > hitT - 20 && t > 0; t -= step) {
            if (bone(g, centre[0] + u[0] * t, centre[1] + u[1] * t, centre[2] + u[2] * t, q)) {
                inner = t;
                gap = 0;
            } else if (++gap * step > 1.5) {
                break;
            }
        }
        return new double[] {
            centre[0] + u[0] * hitT, centre[1] + u[1] * hitT, centre[2] + u[2] * hitT, Math.max(step, hitT - inner)
        };
    }

    boolean inBox(double x, double y, double z) {
        return x >= box[0] && y >= box[1] && z >= box[2] && x < box[3] && y < box[4] && z < box[5];
    }

    private boolean bone(Geometry g, double x, double y, double z, double[] q) {
        g.physicalToIndex(x, y, z, q);
        return skull.isSetSafe(
                (int) Math.floor(q[0] + 0.5), (int) Math.floor(q[1] + 0.5), (int) Math.floor(q[2] + 0.5));
    }
}
