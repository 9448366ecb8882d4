package org.calvaria.evaluate;

import java.util.Locale;
import org.calvaria.CalvariaException;
import org.calvaria.Provenance;
import org.calvaria.morphology.BoundingBox;
import org.calvaria.morphology.ConnectedComponents;
import org.calvaria.morphology.Labeling;
import org.calvaria.morphology.Morphology;
import org.calvaria.volume.Geometry;
import org.calvaria.volume.MaskVolume;
import org.calvaria.volume.Resampler;
import org.calvaria.volume.Volume;

/**
 * The classical mirroring design: reflect the healthy half of the skull across its mid-sagittal plane into the defect.
 *
 * <ol>
 *   <li>Symmetry plane: estimated by {@link SymmetryPlaneEstimator} (a truncated mirror-distance fit on a 2 mm grid,
 *       robust to the defect).
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
    public record Parameters(
            double coarseSpacingMm, double openingRadiusMm, double holeDistanceMm, double keepFraction) {
        public static Parameters defaults() {
            return new Parameters(2.0, 1.5, 3.0, 0.5);
        }

        String describe() {
            return String.format(
                    Locale.ROOT,
                    "mirror(coarse=%.3gmm,opening=%.3gmm,hole=%.3gmm,keep=%.3g)",
                    coarseSpacingMm,
                    openingRadiusMm,
                    holeDistanceMm,
                    keepFraction);
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

    public Parameters parameters() {
        return parameters;
    }

    @Override
    public MaskVolume predict(Volume defectiveSkull) {
        return design(MaskVolume.requireBinary(defectiveSkull, "defective skull"))
                .implant();
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
     * Designs the implant, optionally only inside an index box that a designer (or an oracle) marked as the defect
     * region; null = fully automatic.
     */
    public Result design(MaskVolume skull, BoundingBox region) {
        if (skull.isEmpty()) {
            throw new CalvariaException("the defective skull is empty; give a binary skull mask with bone as 1");
        }
        Geometry g = skull.geometry();
        SymmetryPlane plane = SymmetryPlaneEstimator.estimate(skull, parameters.coarseSpacingMm());
        MaskVolume candidate = mirror(skull, plane).andNot(skull);
        if (region != null) {
            MaskVolume inRegion = new MaskVolume(g);
            MaskOps.paste(inRegion, region.crop(candidate), region);
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
            MaskVolume regrown = Morphology.dilate(core, parameters.openingRadiusMm() + diagonal)
                    .and(candidate);
            // Regrowth may pick up separate bits of candidate near the core: keep only pieces that hold core voxels.
            implant = ConnectedComponents.keepComponentsTouching(regrown, core, 26);
        }
        implant.setSourceType(skull.sourceType());
        Provenance.stamp(
                implant,
                "mirror baseline, " + plane + ", " + parameters.describe()
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
        BoundingBox box = BoundingBox.of(opened).orElse(null);
        if (box == null) return score;
        Geometry g = skull.geometry();
        double far = parameters.holeDistanceMm();
        // Bone within the threshold of any candidate voxel lies inside this box, so the cropped transform is exact.
        BoundingBox region = box.grownVoxels(MaskOps.marginVoxels(g, far), g);
        MaskVolume bone = region.crop(skull);
        float[] d2 = DistanceTransform.squaredDistanceMm2(bone, g.spacing());
        int rx = region.sizeX(), ry = region.sizeY(), ox = region.x0(), oy = region.y0(), oz = region.z0();
        int nx = g.nx(), ny = g.ny();
        double far2 = far * far;
        opened.forEachSet(i -> {
            int x = i % nx, y = (i / nx) % ny, z = i / (nx * ny);
            if (d2[(x - ox) + rx * ((y - oy) + ry * (z - oz))] > far2) {
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
                BoundingBox box =
                        BoundingBox.of(trueImplant).orElseThrow().grownVoxels(MaskOps.marginVoxels(g, marginMm), g);
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
}
