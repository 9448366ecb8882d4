package org.calvaria.evaluate;

import org.calvaria.volume.MaskVolume;

/**
 * The mid-sagittal plane of a skull, for the mirroring baseline: the skull is pooled onto a coarse grid (2 mm by
 * default) and its distance transform computed. Starting from the plane through the bone centroid normal to the
 * physical left-right (x) axis, the plane (normal and offset) is refined by minimising the mean truncated squared
 * distance between the reflected bone points and the bone ({@link CoarseBone#cost}). Truncation makes it robust:
 * points whose reflection falls into the defect (or into asymmetric anatomy) cost a constant and stop pulling the
 * plane. Coarse-to-fine truncation (12 mm, then 4 mm), {@link NelderMead}, three yaw starts.
 */
public final class SymmetryPlaneEstimator {
    private SymmetryPlaneEstimator() {}

    /** Bone points used by the plane search (a 2 mm skull has about 60 000). */
    static final int MAX_PLANE_POINTS = 20000;

    /** Mid-sagittal plane of a skull with the default coarse spacing. */
    public static SymmetryPlane estimate(MaskVolume skull) {
        return estimate(skull, MirrorBaseline.Parameters.defaults().coarseSpacingMm());
    }

    /** Mid-sagittal plane estimated as described in the class comment. */
    public static SymmetryPlane estimate(MaskVolume skull, double coarseSpacingMm) {
        CoarseBone coarse = CoarseBone.of(skull, coarseSpacingMm, 16);
        double[] pts = coarse.points;
        int n = pts.length / 3;
        double cx = 0, cy = 0, cz = 0;
        for (int i = 0; i < n; i++) {
            cx += pts[3 * i];
            cy += pts[3 * i + 1];
            cz += pts[3 * i + 2];
        }
        double[] centroid = {cx / n, cy / n, cz / n};
        double[] best = null;
        double bestCost = Double.POSITIVE_INFINITY;
        for (double yaw : new double[] {0, -0.15, 0.15}) {
            // Parameters: normal = normalise(1, u, v); offset measured from the centroid along the normal.
            double[] start = {yaw, 0, 0};
            double[] p1 = NelderMead.minimize(
                    params -> coarse.cost(toPlane(params, centroid), 12), start, new double[] {0.08, 0.08, 4}, 250);
            double[] p2 = NelderMead.minimize(
                    params -> coarse.cost(toPlane(params, centroid), 4), p1, new double[] {0.02, 0.02, 1}, 250);
            double c = coarse.cost(toPlane(p2, centroid), 4);
            if (c < bestCost) {
                bestCost = c;
                best = p2;
            }
        }
        return toPlane(best, centroid);
    }

    static SymmetryPlane toPlane(double[] params, double[] centroid) {
        double[] nrm = {1, params[0], params[1]};
        double len = Math.sqrt(1 + params[0] * params[0] + params[1] * params[1]);
        double offset = (nrm[0] * centroid[0] + nrm[1] * centroid[1] + nrm[2] * centroid[2]) / len + params[2];
        return new SymmetryPlane(nrm, offset * len);
    }
}
