package org.calvaria.evaluate;

import org.calvaria.morphology.BoundingBox;
import org.calvaria.volume.Geometry;
import org.calvaria.volume.MaskVolume;

/** Bone pooled onto a coarse axis-aligned grid, with (for the plane search) its distance transform and points. */
final class CoarseBone {
    final Geometry grid;
    final MaskVolume bone;
    float[] distance;
    double[] points;

    private CoarseBone(MaskVolume bone) {
        this.grid = bone.geometry();
        this.bone = bone;
    }

    /** Bone pooled onto a grid of the given spacing with a margin around the skull, and its distance map. */
    static CoarseBone of(MaskVolume skull, double spacing, double marginMm) {
        CoarseBone c = pool(skull, spacing, marginMm);
        float[] d2 = DistanceTransform.squaredDistanceMm2(c.bone);
        for (int i = 0; i < d2.length; i++) d2[i] = (float) Math.sqrt(d2[i]);
        c.distance = d2;
        c.points = subsample(MaskOps.physicalPoints(c.bone), SymmetryPlaneEstimator.MAX_PLANE_POINTS);
        return c;
    }

    /**
     * Pooling: a coarse voxel (axis-aligned LPS grid) is bone when any fine bone voxel centre falls into it, so
     * thin bone survives the coarser grid.
     */
    static CoarseBone pool(MaskVolume skull, double spacing, double marginMm) {
        Geometry g = skull.geometry();
        double[] b = BoundingBox.of(skull).orElseThrow().physicalBounds(g);
        int[] n = new int[3];
        double[] origin = new double[3];
        for (int a = 0; a < 3; a++) {
            origin[a] = b[a] - marginMm;
            n[a] = (int) Math.ceil((b[3 + a] - b[a] + 2 * marginMm) / spacing) + 1;
        }
        Geometry cg = Geometry.axisAligned(n[0], n[1], n[2], spacing, spacing, spacing, origin);
        MaskVolume bone = new MaskVolume(cg);
        int nx = g.nx(), ny = g.ny();
        double[] p = new double[3];
        double[] q = new double[3];
        skull.forEachSet(i -> {
            g.indexToPhysical(i % nx, (i / nx) % ny, i / (nx * ny), p);
            cg.physicalToIndex(p[0], p[1], p[2], q);
            int x = (int) Math.round(q[0]), y = (int) Math.round(q[1]), z = (int) Math.round(q[2]);
            if (cg.contains(x, y, z)) bone.set(cg.index(x, y, z), true);
        });
        return new CoarseBone(bone);
    }

    /**
     * At most {@code max} points drawn without replacement with a fixed seed (reproducible; a regular stride
     * would alias with the voxel grid and bias the plane).
     */
    static double[] subsample(double[] xyz, int max) {
        int n = xyz.length / 3;
        if (n <= max) return xyz;
        int[] order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        java.util.Random random = new java.util.Random(20220222L);
        double[] out = new double[3 * max];
        for (int k = 0; k < max; k++) {
            int j = k + random.nextInt(n - k);
            int t = order[k];
            order[k] = order[j];
            order[j] = t;
            System.arraycopy(xyz, 3 * order[k], out, 3 * k, 3);
        }
        return out;
    }

    /** Mean over bone points of min(distance of the reflected point to bone, truncation)^2. */
    double cost(SymmetryPlane plane, double truncation) {
        double[] nrm = plane.normal();
        double off = plane.offset();
        int n = points.length / 3;
        double sum = 0;
        double[] q = new double[3];
        int nx = grid.nx(), ny = grid.ny(), nz = grid.nz();
        for (int i = 0; i < n; i++) {
            double x = points[3 * i], y = points[3 * i + 1], z = points[3 * i + 2];
            double s = 2 * (nrm[0] * x + nrm[1] * y + nrm[2] * z - off);
            grid.physicalToIndex(x - s * nrm[0], y - s * nrm[1], z - s * nrm[2], q);
            double d = trilinear(q[0], q[1], q[2], nx, ny, nz, truncation);
            double t = Math.min(d, truncation);
            sum += t * t;
        }
        return sum / n;
    }

    private double trilinear(double fx, double fy, double fz, int nx, int ny, int nz, double outside) {
        if (fx < 0 || fy < 0 || fz < 0 || fx > nx - 1 || fy > ny - 1 || fz > nz - 1) return outside;
        int x0 = Math.min((int) fx, nx - 2), y0 = Math.min((int) fy, ny - 2), z0 = Math.min((int) fz, nz - 2);
        double tx = fx - x0, ty = fy - y0, tz = fz - z0;
        int i = x0 + nx * (y0 + ny * z0);
        int sy = nx, sz = nx * ny;
        double c00 = distance[i] + tx * (distance[i + 1] - distance[i]);
        double c10 = distance[i + sy] + tx * (distance[i + sy + 1] - distance[i + sy]);
        double c01 = distance[i + sz] + tx * (distance[i + sz + 1] - distance[i + sz]);
        double c11 = distance[i + sy + sz] + tx * (distance[i + sy + sz + 1] - distance[i + sy + sz]);
        double c0 = c00 + ty * (c10 - c00), c1 = c01 + ty * (c11 - c01);
        return c0 + tz * (c1 - c0);
    }
}
