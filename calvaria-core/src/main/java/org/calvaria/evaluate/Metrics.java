package org.calvaria.evaluate;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.calvaria.CalvariaException;
import org.calvaria.morphology.BoundingBox;
import org.calvaria.morphology.ConnectedComponents;
import org.calvaria.volume.Geometry;
import org.calvaria.volume.MaskVolume;

/**
 * Implant metrics on the scan's own grid, in millimetres, correct for anisotropic, oblique and sheared voxels.
 *
 * <ul>
 *   <li>Overlap metrics count voxels (Dice, volumetric error rate, boundary Dice), so they need no metric at all.
 *   <li>Surface distances are between voxel centres of surface voxels (set voxels with a 6-neighbour unset),
 *       measured in physical space: by the exact separable distance transform on grids with orthogonal axes, by exact
 *       nearest-point search ({@link NearestPoints}) on sheared grids.
 *   <li>HD95 pools the distances of both directions (every predicted surface voxel to the true surface and every
 *       true surface voxel to the predicted surface) and takes their 95th percentile with linear interpolation between
 *       order statistics (as MedPy's {@code hd95}, used by the AutoImplant challenges). HD is the maximum of the pool;
 *       ASSD is the mean of the two directed mean distances (as MedPy's {@code assd}).
 *   <li>Boundary Dice is Dice restricted to voxels within {@code bandMm} of the defective skull's surface (its centre
 *       within that distance of a skull surface voxel centre).
 * </ul>
 * An empty prediction gives Dice 0, error rate 100 % and undefined (NaN) surface distances; an empty truth is an error.
 */
public final class Metrics {
    /** Default width of the boundary band for boundary Dice, mm. */
    public static final double DEFAULT_BAND_MM = 10.0;

    private Metrics() {}

    /** All metrics of one predicted implant against the true one. */
    public record ImplantMetrics(
            double dice,
            double boundaryDice,
            double hd95Mm,
            double hausdorffMm,
            double assdMm,
            double errorRatePct,
            double volumeMl,
            double trueVolumeMl,
            int components,
            long skullOverlapVoxels) {
        /** Metric name to value, in report order. Names are the ones written to metrics.csv. */
        public Map<String, Double> toMap() {
            Map<String, Double> m = new LinkedHashMap<>();
            m.put("dice", dice);
            m.put("boundary_dice", boundaryDice);
            m.put("hd95_mm", hd95Mm);
            m.put("hausdorff_mm", hausdorffMm);
            m.put("assd_mm", assdMm);
            m.put("error_rate_pct", errorRatePct);
            m.put("volume_ml", volumeMl);
            m.put("true_volume_ml", trueVolumeMl);
            m.put("components", (double) components);
            m.put("skull_overlap_voxels", (double) skullOverlapVoxels);
            return m;
        }
    }

    /** Surface distance summary (mm); NaN when either surface is empty. */
    public record SurfaceDistances(
            double hausdorff, double hd95, double assd, int predictedSurfaceVoxels, int trueSurfaceVoxels) {}

    /**
     * Every metric at once. All three masks must lie on the same grid (resample first).
     *
     * @param predicted predicted implant
     * @param truth true implant (must not be empty)
     * @param defectiveSkull the defective skull (for boundary Dice and the overlap check)
     * @param bandMm boundary band width for boundary Dice
     */
    public static ImplantMetrics compute(
            MaskVolume predicted, MaskVolume truth, MaskVolume defectiveSkull, double bandMm) {
        requireSameGrid(predicted, truth, "predicted implant", "true implant");
        requireSameGrid(truth, defectiveSkull, "true implant", "defective skull");
        requireNonEmptyTruth(truth);
        SurfaceDistances sd = surfaceDistances(predicted, truth);
        return new ImplantMetrics(
                dice(predicted, truth),
                boundaryDice(predicted, truth, defectiveSkull, bandMm),
                sd.hd95(),
                sd.hausdorff(),
                sd.assd(),
                volumetricErrorRatePct(predicted, truth),
                volumeMl(predicted),
                volumeMl(truth),
                componentCount(predicted),
                predicted.intersectionCount(defectiveSkull));
    }

    static void requireNonEmptyTruth(MaskVolume truth) {
        if (truth.isEmpty()) {
            throw new CalvariaException("the true implant is empty, so no metric is defined; check the dataset's"
                    + " implant file (it must contain the implant voxels as 1)");
        }
    }

    static void requireSameGrid(MaskVolume a, MaskVolume b, String what, String other) {
        if (!a.geometry().sameGrid(b.geometry(), 1e-3)) {
            throw new IllegalArgumentException(what + " and " + other + " are on different grids (" + a.geometry()
                    + " vs " + b.geometry() + "); resample first");
        }
    }

    /** Dice similarity 2|P and T| / (|P| + |T|); 1 when both are empty. */
    public static double dice(MaskVolume predicted, MaskVolume truth) {
        long p = predicted.cardinality(), t = truth.cardinality();
        if (p + t == 0) return 1;
        return 2.0 * predicted.intersectionCount(truth) / (p + t);
    }

    /** Volumetric error rate r = |P* - P|_1 / |P|_1 in percent: voxels in exactly one mask over true voxels. */
    public static double volumetricErrorRatePct(MaskVolume predicted, MaskVolume truth) {
        requireNonEmptyTruth(truth);
        long p = predicted.cardinality(), t = truth.cardinality(), both = predicted.intersectionCount(truth);
        return 100.0 * (p + t - 2 * both) / t;
    }

    /** Volume of the set voxels, millilitres (|det M| per voxel, right for sheared grids). */
    public static double volumeMl(MaskVolume m) {
        return m.cardinality() * m.geometry().voxelVolumeMm3() / 1000.0;
    }

    /** Number of 26-connected components. */
    public static int componentCount(MaskVolume m) {
        return ConnectedComponents.count(m, 26);
    }

    /**
     * Dice restricted to voxels whose centre is within {@code bandMm} of a surface voxel of {@code skull}; NaN when
     * neither mask has a voxel in the band.
     */
    public static double boundaryDice(MaskVolume predicted, MaskVolume truth, MaskVolume skull, double bandMm) {
        return boundaryDice(predicted, truth, skull, bandMm, false);
    }

    static double boundaryDice(
            MaskVolume predicted, MaskVolume truth, MaskVolume skull, double bandMm, boolean forcePointSearch) {
        if (!(bandMm > 0)) throw new IllegalArgumentException("band width must be positive, got " + bandMm);
        MaskVolume either = predicted.copy().or(truth);
        BoundingBox box = BoundingBox.of(either).orElse(null);
        if (box == null) return Double.NaN;
        Geometry g = either.geometry();
        BoundingBox region = box.grownVoxels(MaskOps.marginVoxels(g, bandMm), g);
        MaskVolume skullSurface = MaskOps.surface(skull, region);
        MaskVolume inBand = new MaskVolume(skullSurface.geometry());
        double band2 = bandMm * bandMm;
        MaskVolume eitherSub = region.crop(either);
        if (DistanceTransform.isOrthogonal(g) && !forcePointSearch) {
            float[] d2 = DistanceTransform.squaredDistanceMm2(skullSurface, g.spacing());
            eitherSub.forEachSet(i -> {
                if (d2[i] <= band2) inBand.set(i, true);
            });
        } else {
            NearestPoints tree = new NearestPoints(MaskOps.physicalPoints(skullSurface));
            Geometry sg = skullSurface.geometry();
            int sx = sg.nx(), sy = sg.ny();
            double[] p = new double[3];
            eitherSub.forEachSet(i -> {
                sg.indexToPhysical(i % sx, (i / sx) % sy, i / (sx * sy), p);
                // Ask only for points closer than just beyond the band: search stops early.
                if (tree.nearestSquared(p[0], p[1], p[2], Math.nextUp(band2)) <= band2) inBand.set(i, true);
            });
        }
        MaskVolume pb = region.crop(predicted).and(inBand);
        MaskVolume tb = region.crop(truth).and(inBand);
        long p = pb.cardinality(), t = tb.cardinality();
        if (p + t == 0) return Double.NaN;
        return 2.0 * pb.intersectionCount(tb) / (p + t);
    }

    /** HD, HD95 and ASSD between the surfaces of two masks on the same grid. */
    public static SurfaceDistances surfaceDistances(MaskVolume predicted, MaskVolume truth) {
        return surfaceDistances(predicted, truth, false);
    }

    static SurfaceDistances surfaceDistances(MaskVolume predicted, MaskVolume truth, boolean forcePointSearch) {
        double[][] d = directedSurfaceDistances(predicted, truth, forcePointSearch);
        double[] pt = d[0], tp = d[1];
        if (pt.length == 0 || tp.length == 0) {
            return new SurfaceDistances(Double.NaN, Double.NaN, Double.NaN, pt.length, tp.length);
        }
        double[] pool = new double[pt.length + tp.length];
        System.arraycopy(pt, 0, pool, 0, pt.length);
        System.arraycopy(tp, 0, pool, pt.length, tp.length);
        Arrays.sort(pool);
        double assd = (mean(pt) + mean(tp)) / 2;
        return new SurfaceDistances(pool[pool.length - 1], percentileSorted(pool, 95), assd, pt.length, tp.length);
    }

    /**
     * Distances (mm) from each surface voxel of {@code a} to the surface of {@code b} and from each surface voxel of
     * {@code b} to the surface of {@code a}. An empty surface gives an empty array for its own direction and an
     * empty array for the other direction too (no target to measure to).
     */
    public static double[][] directedSurfaceDistances(MaskVolume a, MaskVolume b) {
        return directedSurfaceDistances(a, b, false);
    }

    static double[][] directedSurfaceDistances(MaskVolume a, MaskVolume b, boolean forcePointSearch) {
        requireSameGrid(a, b, "first mask", "second mask");
        BoundingBox ba = BoundingBox.of(a).orElse(null), bb = BoundingBox.of(b).orElse(null);
        if (ba == null || bb == null) return new double[][] {new double[0], new double[0]};
        BoundingBox box = ba.union(bb);
        MaskVolume sa = MaskOps.surface(a, box), sb = MaskOps.surface(b, box);
        Geometry g = a.geometry();
        if (DistanceTransform.isOrthogonal(g) && !forcePointSearch) {
            // The crop holds every surface voxel of both masks, so the transform on it is exact for these queries.
            return new double[][] {
                readDistances(sa, DistanceTransform.squaredDistanceMm2(sb, g.spacing())),
                readDistances(sb, DistanceTransform.squaredDistanceMm2(sa, g.spacing()))
            };
        }
        return new double[][] {
            queryDistances(sa, new NearestPoints(MaskOps.physicalPoints(sb))),
            queryDistances(sb, new NearestPoints(MaskOps.physicalPoints(sa)))
        };
    }

    private static double[] readDistances(MaskVolume at, float[] squared) {
        double[] out = new double[(int) at.cardinality()];
        int[] k = {0};
        at.forEachSet(i -> out[k[0]++] = Math.sqrt(squared[i]));
        return out;
    }

    private static double[] queryDistances(MaskVolume at, NearestPoints tree) {
        double[] pts = MaskOps.physicalPoints(at);
        double[] out = new double[pts.length / 3];
        java.util.stream.IntStream.range(0, out.length)
                .parallel()
                .forEach(i -> out[i] = tree.nearestDistance(pts[3 * i], pts[3 * i + 1], pts[3 * i + 2]));
        return out;
    }

    /**
     * Percentile {@code q} (0-100) of sorted values with linear interpolation between order statistics (numpy's
     * default): position (n - 1) q / 100.
     */
    public static double percentileSorted(double[] sorted, double q) {
        if (sorted.length == 0) return Double.NaN;
        double h = (sorted.length - 1) * q / 100.0;
        int lo = (int) Math.floor(h);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }

    static double mean(double[] v) {
        double s = 0;
        for (double x : v) s += x;
        return s / v.length;
    }
}
