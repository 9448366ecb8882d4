package org.calvaria.evaluate;

import java.util.Locale;
import org.calvaria.CalvariaException;
import org.calvaria.Provenance;
import org.calvaria.morphology.BoundingBox;
import org.calvaria.morphology.Morphology;
import org.calvaria.volume.Geometry;
import org.calvaria.volume.MaskVolume;
import org.calvaria.volume.Resampler;
import org.calvaria.volume.Volume;

/**
 * Trivial references, so every metric has a floor: an empty implant, and a "filled bounding hull" that fills the skull's
 * envelope inside the true defect's bounding box.
 */
public final class FloorBaselines {
    private FloorBaselines() {}

    /** Predicts nothing: Dice 0, error rate 100 %, surface distances undefined. */
    public static ImplantPredictor empty() {
        return new ImplantPredictor() {
            @Override
            public MaskVolume predict(Volume defectiveSkull) {
                MaskVolume m = new MaskVolume(defectiveSkull.geometry());
                Provenance.stamp(m, "empty baseline");
                return m;
            }

            @Override
            public String fingerprint(String caseId) {
                return "empty";
            }
        };
    }

    /** A reference predictor that is handed the true implant (floors only, never a real method). */
    public interface TruthInformedPredictor extends ImplantPredictor {
        MaskVolume predict(Volume defectiveSkull, MaskVolume trueImplant);

        @Override
        default MaskVolume predict(Volume defectiveSkull) {
            throw new CalvariaException("this reference needs the true implant (it is only defined inside an"
                    + " evaluation); run it through 'calvaria evaluate --baseline'");
        }
    }

    /** Ball radius of the hull baseline's closing, mm. */
    public static final double HULL_RADIUS_MM = 100;
    /** Grid spacing on which the hull's closing is computed, mm. */
    public static final double HULL_COARSE_MM = 2;
    /** Margin around the true implant's bounding box, mm. */
    public static final double HULL_BOX_MARGIN_MM = 2;

    /**
     * The filled bounding hull: every voxel inside the skull's closed envelope that is not bone, within the true
     * implant's bounding box grown by {@value #HULL_BOX_MARGIN_MM} mm. The envelope is the closing of the skull with a
     * {@value #HULL_RADIUS_MM} mm ball (close to the convex hull, but following the skull's shape), computed on a
     * {@value #HULL_COARSE_MM} mm grid. Inside the box it fills the hole and the cranial cavity below it, so it
     * covers the implant generously and over-fills by design. It is told where the defect is (an advantage no real
     * method has); it exists so that every metric has a crude reference, not as a competitor.
     */
    public static TruthInformedPredictor hull() {
        return new TruthInformedPredictor() {
            @Override
            public MaskVolume predict(Volume defectiveSkull, MaskVolume trueImplant) {
                return hullImplant(
                        MaskVolume.requireBinary(defectiveSkull, "defective skull"),
                        trueImplant,
                        HULL_RADIUS_MM,
                        HULL_COARSE_MM,
                        HULL_BOX_MARGIN_MM);
            }

            @Override
            public String fingerprint(String caseId) {
                return String.format(
                        Locale.ROOT,
                        "hull(radius=%.3gmm,coarse=%.3gmm,box+%.3gmm)",
                        HULL_RADIUS_MM,
                        HULL_COARSE_MM,
                        HULL_BOX_MARGIN_MM);
            }
        };
    }

    /**
     * The ceiling of the hole-oriented network grids: the design path run with the true complete skull (defective +
     * true implant) as the "network output" on each grid, so only the grids' placement, resolution and the mapping
     * back can lose accuracy.
     */
    public static TruthInformedPredictor perfectCompletionOnHoleGrids() {
        return new TruthInformedPredictor() {
            @Override
            public MaskVolume predict(Volume defectiveSkull, MaskVolume trueImplant) {
                MaskVolume defective = MaskVolume.requireBinary(defectiveSkull, "defective skull");
                MaskVolume implantOnGrid = trueImplant.geometry().sameGrid(defective.geometry(), 1e-3)
                        ? trueImplant
                        : org.calvaria.volume.Resampler.linearMask(trueImplant, defective.geometry());
                MaskVolume complete = defective.copy().or(implantOnGrid);
                return org.calvaria.implant.ImplantDesigner.designWithTruth(
                                defective,
                                complete,
                                org.calvaria.normalise.NetworkGrid.wu2022(),
                                org.calvaria.implant.ImplantDesigner.Options.withThreshold(0.5))
                        .implant();
            }

            @Override
            public String fingerprint(String caseId) {
                return "oracle-grid(112x112x40@1.75mm, hole-oriented, v2)";
            }
        };
    }

    static MaskVolume hullImplant(
            MaskVolume skull, MaskVolume trueImplant, double radiusMm, double coarseMm, double marginMm) {
        if (skull.isEmpty()) {
            throw new CalvariaException("the defective skull is empty; give a binary skull mask with bone as 1");
        }
        Metrics.requireNonEmptyTruth(trueImplant);
        Geometry g = skull.geometry();
        CoarseBone coarse = CoarseBone.pool(skull, coarseMm, radiusMm + 2 * coarseMm);
        MaskVolume envelope = Morphology.close(coarse.bone, radiusMm);
        MaskVolume inside = (MaskVolume) Resampler.nearest(envelope, g, 0);
        BoundingBox box = BoundingBox.of(trueImplant).orElseThrow().grownVoxels(MaskOps.marginVoxels(g, marginMm), g);
        MaskVolume implant = new MaskVolume(g);
        MaskOps.paste(implant, box.crop(inside), box);
        implant.andNot(skull);
        implant.setSourceType(skull.sourceType());
        Provenance.stamp(
                implant,
                String.format(
                        Locale.ROOT,
                        "hull reference (closing radius %.3g mm, true implant box + %.3g mm)",
                        radiusMm,
                        marginMm));
        return implant;
    }
}
