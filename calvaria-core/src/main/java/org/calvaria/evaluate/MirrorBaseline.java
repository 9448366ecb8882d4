package org.calvaria.evaluate;

import org.calvaria.CalvariaException;
import org.calvaria.Provenance;
import org.calvaria.morphology.ConnectedComponents;
import org.calvaria.morphology.Labeling;
import org.calvaria.morphology.Morphology;
import org.calvaria.volume.Geometry;
import org.calvaria.volume.MaskVolume;
import org.calvaria.volume.Resampler;
import org.calvaria.volume.Volume;

import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * The classical mirroring design: reflect the healthy half of the skull across its mid-sagittal plane into the defect.
 *
 * <ol>
 *   <li>Symmetry plane: the skull is pooled onto a 2 mm grid and its distance transform computed. Starting from the
 *       plane through the bone centroid normal to the physical left-right (x) axis, the plane (normal and offset) is
 *       refined by minimising the mean truncated squared distance between the reflected bone points and the bone.
 *       Truncation makes it robust: points whose reflection falls into the defect (or into asymmetric anatomy) cost a
 *       constant and stop pulling the plane. Coarse-to-fine truncation (12 mm, then 4 mm), Nelder-Mead, three yaw
 *       starts.
 *   <li>Mirror: the defective skull is reflected on its own grid (nearest neighbour through physical space, so
 *       anisotropic and oblique grids are exact).
 *   <li>Implant: mirrored AND NOT defective, cleaned: an opening with a ball removes the thin slivers that left-right
 *       asymmetry leaves all over the skull; of the remaining 26-connected components, the most hole-like one (most
 *       voxels farther than {@link Parameters#holeDistanceMm()} from the skull: a fill of a hole is far from bone
 *       except at its rim, an asymmetry slab lies on bone) and any other at least {@link Parameters#keepFraction()}
 *       as hole-like are kept; a dilation of what is kept, intersected with the raw candidate, restores the implant's
 *       rim that the opening rounded off.
 * </ol>
 * It cannot fill a defect that crosses the plane: where the hole and its mirror image overlap there is no bone to copy.
 * That failure is the point of comparing against it.
 */
public final class MirrorBaseline implements ImplantPredictor {

    /**
     * Tuning of the baseline.
     *
     * @param coarseSpacingMm grid spacing for the plane search
     * @param openingRadiusMm ball radius of the opening that removes asymmetry slivers
     * @param holeDistanceMm voxels farther than this from the skull count towards a component's hole score
     * @param keepFraction components are kept when their hole score is at least this fraction of the best one's
     */
    public record Parameters(double coarseSpacingMm, double openingRadiusMm, double holeDistanceMm,
                             double keepFraction) {
        public static Parameters defaults() {
            return new Parameters(2.0, 1.5, 3.0, 0.5);
        }

        String describe() {
            return String.format(Locale.ROOT, "mirror(coarse=%.3gmm,opening=%.3gmm,hole=%.3gmm,keep=%.3g)",
                    coarseSpacingMm, openingRadiusMm, holeDistanceMm, keepFraction);
        }
    }

    /** A plane {p : normal . p = offset} in LPS mm; the normal is a unit vector. */
    public record SymmetryPlane(double[] normal, double offset) {
        public SymmetryPlane {
            double n = Math.sqrt(normal[0] * normal[0] + normal[1] * normal[1] + normal[2] * normal[2]);
            normal = new double[] {normal[0] / n, normal[1] / n, normal[2] / n};
            offset = offset / n;
        }

        @Override
        public double[] normal() { return normal.clone(); }

        public double signedDistance(double x, double y, double z) {
            return normal[0] * x + normal[1] * y + normal[2] * z - offset;
        }

        public double[] reflect(double[] p) {
            double s = 2 * signedDistance(p[0], p[1], p[2]);
            return new double[] {p[0] - s * normal[0], p[1] - s * normal[1], p[2] - s * normal[2]};
        }

        /** Angle between the normal and the physical x (left-right) axis, degrees. */
        public double tiltFromXDegrees() {
            return Math.toDegrees(Math.acos(Math.min(1, Math.abs(normal[0]))));
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "plane n=(%.4f, %.4f, %.4f) d=%.3f mm", normal[0], normal[1], normal[2],
                    offset);
        }
    }

    /** The implant and how it was made. */
    public record Result(MaskVolume implant, SymmetryPlane plane, long candidateVoxels, int candidateComponents) {}

    private final Parameters parameters;

    public MirrorBaseline() {
        this(Parameters.defaults());
    }

    public MirrorBaseline(Parameters parameters) {
        this.parameters = parameters;
    }

    public Parameters parameters() { return parameters; }

    @Override
    public MaskVolume predict(Volume defectiveSkull) {
        return design(MaskVolume.requireBinary(defectiveSkull, "defective skull")).implant();
    }

    @Override
    public String fingerprint(String caseId) {
        return parameters.describe();
    }

    /** Designs the implant for a defective skull and reports the plane used. */
    public Result design(MaskVolume skull) {
        return design(skull, null);
    }

    /**
     * Designs the implant, optionally only inside an index box (inclusive {x0, y0, z0, x1, y1, z1}) that a designer
     * (or an oracle) marked as the defect region; null = fully automatic.
     */
    public Result design(MaskVolume skull, int[] region) {
        if (skull.isEmpty()) {
            throw new CalvariaException("the defective skull is empty; give a binary skull mask with bone as 1");
        }
        Geometry g = skull.geometry();
        SymmetryPlane plane = estimatePlane(skull, parameters.coarseSpacingMm());
        MaskVolume candidate = mirror(skull, plane).andNot(skull);
        if (region != null) {
            MaskVolume inRegion = new MaskVolume(g);
            MaskOps.paste(inRegion, MaskOps.crop(candidate, region), region);
            candidate = inRegion;
        }
        long candidateVoxels = candidate.cardinality();
        MaskVolume opened = Morphology.open(candidate, parameters.openingRadiusMm());
        Labeling comps = ConnectedComponents.label(opened, 26);
        long[] score = holeScores(comps, skull, opened);
        long best = 0;
        for (long v : score) best = Math.max(best, v);
        boolean[] kept = new boolean[comps.count() + 1];
        boolean anyKept = false;
        for (int label = 1; label <= comps.count(); label++) {
            if (best > 0 && score[label] >= parameters.keepFraction() * best) {
                kept[label] = true;
                anyKept = true;
            }
        }
        if (!anyKept && comps.count() > 0) {
            kept[comps.largestLabel()] = true;
            anyKept = true;
        }
        MaskVolume implant;
        if (!anyKept) {
            implant = new MaskVolume(g);
        } else {
            MaskVolume core = comps.mask(label -> kept[label]);
            double[] s = g.spacing();
            double diagonal = Math.sqrt(s[0] * s[0] + s[1] * s[1] + s[2] * s[2]);
            MaskVolume regrown = Morphology.dilate(core, parameters.openingRadiusMm() + diagonal).and(candidate);
            // Regrowth may pick up separate bits of candidate near the core: keep only pieces that hold core voxels.
            implant = ConnectedComponents.keepComponentsTouching(regrown, core, 26);
        }
        implant.setSourceType(skull.sourceType());
        Provenance.stamp(implant, "mirror baseline, " + plane + ", " + parameters.describe()
                + (region == null ? "" : ", restricted to a given defect box"));
        return new Result(implant, plane, candidateVoxels, comps.count());
    }

    /**
     * How hole-like each component is: its number of voxels farther than {@link Parameters#holeDistanceMm()} from
     * the defective skull. Mirrored bone that fills a hole lies away from any bone except at its rim; a slab left by
     * left-right asymmetry lies on the bone with a whole face, so almost none of it is far from bone. Indexed by
     * component label (element 0 unused).
     */
    private long[] holeScores(Labeling comps, MaskVolume skull, MaskVolume opened) {
        long[] score = new long[comps.count() + 1];
        int[] box = MaskOps.boundingBox(opened);
        if (box == null) return score;
        Geometry g = skull.geometry();
        double far = parameters.holeDistanceMm();
        // Bone within the threshold of any candidate voxel lies inside this box, so the cropped transform is exact.
        int[] region = MaskOps.expand(box, MaskOps.marginVoxels(g, far), g);
        MaskVolume bone = MaskOps.crop(skull, region);
        float[] d2 = DistanceTransform.squaredDistanceMm2(bone, g.spacing());
        int rx = region[3] - region[0] + 1, ry = region[4] - region[1] + 1;
        int nx = g.nx(), ny = g.ny();
        double far2 = far * far;
        opened.forEachSet(i -> {
            int x = i % nx, y = (i / nx) % ny, z = i / (nx * ny);
            if (d2[(x - region[0]) + rx * ((y - region[1]) + ry * (z - region[2]))] > far2) {
                score[comps.labelAt(x, y, z)]++;
            }
        });
        return score;
    }

    /**
     * The mirror baseline told where the defect is: the mirrored bone is used only inside the true implant's bounding
     * box grown by {@code marginMm}. It shows what mirroring could do at best with a designer marking the defect;
     * what it still cannot fill is the part of a defect whose mirror image is missing too.
     */
    public FloorBaselines.TruthInformedPredictor withDefectBox(double marginMm) {
        MirrorBaseline self = this;
        return new FloorBaselines.TruthInformedPredictor() {
            @Override
            public MaskVolume predict(Volume defectiveSkull, MaskVolume trueImplant) {
                MaskVolume skull = MaskVolume.requireBinary(defectiveSkull, "defective skull");
                Metrics.requireNonEmptyTruth(trueImplant);
                Geometry g = skull.geometry();
                if (!trueImplant.geometry().sameGrid(g, 1e-3)) {
                    throw new CalvariaException("the defective skull and the true implant are on different grids");
                }
                int[] box = MaskOps.expand(MaskOps.boundingBox(trueImplant), MaskOps.marginVoxels(g, marginMm), g);
                return self.design(skull, box).implant();
            }

            @Override
            public String fingerprint(String caseId) {
                return parameters.describe() + String.format(Locale.ROOT, "+box(%.3gmm)", marginMm);
            }
        };
    }

    /** The skull reflected across the plane, on the skull's own grid (nearest neighbour). */
    public static MaskVolume mirror(MaskVolume skull, SymmetryPlane plane) {
        Geometry g = skull.geometry();
        double[] n = plane.normal();
        double[] h = new double[9];
        for (int r = 0; r < 3; r++) for (int c = 0; c < 3; c++) h[3 * r + c] = (r == c ? 1 : 0) - 2 * n[r] * n[c];
        // Sampling grid whose voxel (i, j, k) sits at the reflection of the original voxel (i, j, k).
        double[] o = plane.reflect(g.origin());
        Geometry reflected = new Geometry(g.nx(), g.ny(), g.nz(), o, Geometry.multiply(h, g.matrix()));
        MaskVolume sampled = (MaskVolume) Resampler.nearest(skull, reflected, 0);
        return sampled.withGeometry(g);
    }

    /** Mid-sagittal plane of a skull with the default coarse spacing. */
    public static SymmetryPlane estimatePlane(MaskVolume skull) {
        return estimatePlane(skull, Parameters.defaults().coarseSpacingMm());
    }

    /** Mid-sagittal plane estimated as described in the class comment. */
    public static SymmetryPlane estimatePlane(MaskVolume skull, double coarseSpacingMm) {
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
            double[] p1 = NelderMead.minimize(params -> coarse.cost(toPlane(params, centroid), 12), start,
                    new double[] {0.08, 0.08, 4}, 250);
            double[] p2 = NelderMead.minimize(params -> coarse.cost(toPlane(params, centroid), 4), p1,
                    new double[] {0.02, 0.02, 1}, 250);
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

    /** Bone points used by the plane search (a 2 mm skull has about 60 000). */
    static final int MAX_PLANE_POINTS = 20000;

    /** Bone pooled onto a coarse axis-aligned grid, with (for the plane search) its distance transform and points. */
    static final class CoarseBone {
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
            c.points = subsample(MaskOps.physicalPoints(c.bone), MAX_PLANE_POINTS);
            return c;
        }

        /**
         * Pooling: a coarse voxel (axis-aligned LPS grid) is bone when any fine bone voxel centre falls into it, so
         * thin bone survives the coarser grid.
         */
        static CoarseBone pool(MaskVolume skull, double spacing, double marginMm) {
            Geometry g = skull.geometry();
            int[] box = MaskOps.boundingBox(skull);
            double[] b = g.physicalBoundsOfIndexBox(box[0], box[1], box[2], box[3], box[4], box[5]);
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

    /** Minimal Nelder-Mead simplex minimiser (deterministic; enough for three smooth parameters). */
    static final class NelderMead {
        private NelderMead() {}

        static double[] minimize(ToDoubleFunction<double[]> f, double[] start, double[] step, int maxEvaluations) {
            int d = start.length;
            double[][] simplex = new double[d + 1][];
            double[] values = new double[d + 1];
            simplex[0] = start.clone();
            for (int i = 0; i < d; i++) {
                simplex[i + 1] = start.clone();
                simplex[i + 1][i] += step[i];
            }
            for (int i = 0; i <= d; i++) values[i] = f.applyAsDouble(simplex[i]);
            int evaluations = d + 1;
            while (evaluations < maxEvaluations) {
                // Order: best first.
                for (int i = 1; i <= d; i++) {
                    for (int j = i; j > 0 && values[j] < values[j - 1]; j--) {
                        double tv = values[j];
                        values[j] = values[j - 1];
                        values[j - 1] = tv;
                        double[] tp = simplex[j];
                        simplex[j] = simplex[j - 1];
                        simplex[j - 1] = tp;
                    }
                }
                if (Math.abs(values[d] - values[0]) <= 1e-9 * (1 + Math.abs(values[0]))) break;
                double[] centroid = new double[d];
                for (int i = 0; i < d; i++) for (int k = 0; k < d; k++) centroid[k] += simplex[i][k] / d;
                double[] reflected = along(centroid, simplex[d], -1);
                double fr = f.applyAsDouble(reflected);
                evaluations++;
                if (fr < values[0]) {
                    double[] expanded = along(centroid, simplex[d], -2);
                    double fe = f.applyAsDouble(expanded);
                    evaluations++;
                    if (fe < fr) {
                        simplex[d] = expanded;
                        values[d] = fe;
                    } else {
                        simplex[d] = reflected;
                        values[d] = fr;
                    }
                } else if (fr < values[d - 1]) {
                    simplex[d] = reflected;
                    values[d] = fr;
                } else {
                    double[] contracted = fr < values[d] ? along(centroid, simplex[d], -0.5)
                            : along(centroid, simplex[d], 0.5);
                    double fc = f.applyAsDouble(contracted);
                    evaluations++;
                    if (fc < Math.min(fr, values[d])) {
                        simplex[d] = contracted;
                        values[d] = fc;
                    } else {
                        for (int i = 1; i <= d; i++) {
                            for (int k = 0; k < d; k++) simplex[i][k] = simplex[0][k] + 0.5 * (simplex[i][k] - simplex[0][k]);
                            values[i] = f.applyAsDouble(simplex[i]);
                            evaluations++;
                        }
                    }
                }
            }
            int best = 0;
            for (int i = 1; i <= d; i++) if (values[i] < values[best]) best = i;
            return simplex[best];
        }

        /** centroid + t * (point - centroid). */
        private static double[] along(double[] centroid, double[] point, double t) {
            double[] r = new double[centroid.length];
            for (int k = 0; k < r.length; k++) r[k] = centroid[k] + t * (point[k] - centroid[k]);
            return r;
        }
    }
}
