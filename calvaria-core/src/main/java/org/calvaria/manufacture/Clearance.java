package org.calvaria.manufacture;

import java.util.Locale;
import org.calvaria.CalvariaException;
import org.calvaria.morphology.ConnectedComponents;
import org.calvaria.morphology.Morphology;
import org.calvaria.volume.MaskVolume;

/**
 * Fit clearance: pulls the implant's edge back from the bone so that the cast part drops into the hole. Implant
 * voxels whose centre lies within a physical distance of a skull voxel centre are removed; only the parts of the
 * implant near bone (its rim walls) change, the outer and inner surfaces away from the rim stay where they were.
 *
 * <p>The distance is a ball in millimetres built from the grid's direction matrix (anisotropic, oblique and sheared
 * grids alike). Between two marching-cubes surfaces of masks whose nearest voxel centres are d apart, the gap is at
 * least about d minus one voxel, so the ball radius is the clearance plus the largest voxel spacing (plus an
 * extra amount the caller may add after measuring the real gap on the final mesh).
 */
public final class Clearance {
    /** A clearance may take away at most this share of the implant. */
    public static final double MAX_REMOVED_FRACTION = 0.5;

    private Clearance() {}

    /**
     * The implant with every voxel within {@code clearanceMm + maxSpacing + extraMm} of the skull removed, small
     * fragments that this leaves behind dropped. Refuses (one line) when the implant vanishes or loses more than half
     * its volume: the clearance is then larger than half the hole.
     */
    public static MaskVolume apply(MaskVolume implant, MaskVolume skull, double clearanceMm, double extraMm) {
        if (!(clearanceMm >= 0) || clearanceMm > 5) {
            throw new CalvariaException("--clearance must be 0..5 mm, got " + clearanceMm);
        }
        if (clearanceMm == 0) return implant.copy();
        double[] sp = implant.geometry().spacing();
        double radius = clearanceMm + Math.max(sp[0], Math.max(sp[1], sp[2])) + extraMm;
        Crop box = Crop.around(implant, radius + 1);
        MaskVolume im = box.cut(implant);
        MaskVolume near = Morphology.dilate(box.cut(skull), radius);
        MaskVolume kept = im.copy().andNot(near);
        long before = im.cardinality();
        // Fragments left by the cut (slivers along the rim) are not printable parts.
        long minPart = Math.max(8, Math.round(50.0 / implant.geometry().voxelVolumeMm3()));
        kept = ConnectedComponents.removeSmallerThan(kept, minPart);
        long after = kept.cardinality();
        if (after == 0 || after < (1 - MAX_REMOVED_FRACTION) * before) {
            throw new CalvariaException(String.format(
                    Locale.ROOT,
                    "a clearance of %.2f mm %s; the clearance is"
                            + " larger than half the hole: use a smaller --clearance",
                    clearanceMm,
                    after == 0
                            ? "leaves nothing of the implant"
                            : String.format(
                                    Locale.ROOT, "removes %.0f%% of the implant", 100.0 * (before - after) / before)));
        }
        return box.paste(implant, kept);
    }
}
