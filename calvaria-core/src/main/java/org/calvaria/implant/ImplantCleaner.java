package org.calvaria.implant;

import org.calvaria.morphology.ConnectedComponents;
import org.calvaria.morphology.Labeling;
import org.calvaria.morphology.Morphology;
import org.calvaria.volume.MaskVolume;

/**
 * Turns "completed AND NOT defective" into an implant that a printer can take: subtraction leaves a thin shell of
 * noise along the defective skull's surface (the completion is never voxel-exact there), which an opening removes;
 * what stays are the solid parts that fill the defect. Tiny parts are dropped, then the implant's rim, which the
 * opening rounded off, is restored from the raw result next to the kept parts so the implant meets the defect's edge.
 */
public final class ImplantCleaner {
    /** How to clean. */
    public record Options(double openingMm, double rimMm, double minPartMl, double minPartOfLargest) {
        public static Options defaults() {
            // 1 mm opening removes shells up to ~2 mm thick; cranial bone is 4-8 mm, so the implant plate survives.
            return new Options(1.0, 1.5, 0.2, 0.1);
        }
    }

    private ImplantCleaner() {}

    public static MaskVolume clean(MaskVolume rawImplant, Options o) {
        if (rawImplant.isEmpty()) return rawImplant.copy();
        MaskVolume core = o.openingMm() > 0 ? Morphology.open(rawImplant, o.openingMm()) : rawImplant.copy();
        core = keepLargeParts(core, o);
        if (core.isEmpty()) return core;
        MaskVolume result = o.rimMm() > 0 ? Morphology.dilate(core, o.rimMm()).and(rawImplant) : core;
        // The rim may reconnect shell fragments only where they touch a kept part; keep only parts with a core.
        result = ConnectedComponents.keepComponentsTouching(result, core, 26);
        result.inheritMetadata(rawImplant);
        return result;
    }

    /** Drops parts smaller than {@code minPartMl} or than {@code minPartOfLargest} of the largest part. */
    static MaskVolume keepLargeParts(MaskVolume mask, Options o) {
        Labeling labels = ConnectedComponents.label(mask, 26);
        if (labels.count() == 0) return mask;
        long largest = labels.size(labels.largestLabel());
        double voxelMl = mask.geometry().voxelVolumeMm3() / 1000.0;
        long minVoxels =
                Math.max((long) Math.ceil(o.minPartMl() / voxelMl), (long) Math.ceil(o.minPartOfLargest() * largest));
        return labels.mask(label -> labels.size(label) >= minVoxels);
    }
}
