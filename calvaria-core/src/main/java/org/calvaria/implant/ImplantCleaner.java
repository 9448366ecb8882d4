package org.calvaria.implant;

import org.calvaria.morphology.BoundingBox;
import org.calvaria.morphology.ConnectedComponents;
import org.calvaria.morphology.Labeling;
import org.calvaria.morphology.Morphology;
import org.calvaria.morphology.StructuringElement;
import org.calvaria.volume.Geometry;
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
        // Nothing reaches further from the raw implant than the balls do, so cleaning its bounding box widened by
        // their reach gives the voxels that cleaning the whole scan would, in a small share of the time (an erosion
        // visits every row of the grid).
        Geometry g = rawImplant.geometry();
        int[] margin = new int[3];
        for (double mm : new double[] {o.openingMm(), o.rimMm()}) {
            if (!(mm > 0)) continue;
            int[] reach = StructuringElement.ball(g, mm).reach();
            for (int a = 0; a < 3; a++) margin[a] = Math.max(margin[a], reach[a] + 1);
        }
        BoundingBox box = BoundingBox.of(rawImplant).orElseThrow().grownVoxels(margin, g);
        return placed(cleanWhole(cropped(rawImplant, box), o), box, g);
    }

    /** Cleaning on the whole grid of {@code rawImplant} (what {@link #clean} gives, on a crop). */
    static MaskVolume cleanWhole(MaskVolume rawImplant, Options o) {
        MaskVolume core = o.openingMm() > 0 ? Morphology.open(rawImplant, o.openingMm()) : rawImplant.copy();
        core = keepLargeParts(core, o);
        if (core.isEmpty()) return core;
        MaskVolume result = o.rimMm() > 0 ? Morphology.dilate(core, o.rimMm()).and(rawImplant) : core;
        // The rim may reconnect shell fragments only where they touch a kept part; keep only parts with a core.
        result = ConnectedComponents.keepComponentsTouching(result, core, 26);
        result.inheritMetadata(rawImplant);
        return result;
    }

    /** The voxels of {@code m} in {@code box}, on its sub-grid, with m's metadata and source type. */
    private static MaskVolume cropped(MaskVolume m, BoundingBox box) {
        Geometry g = m.geometry();
        MaskVolume out = new MaskVolume(box.subGrid(g));
        out.setSourceType(m.sourceType());
        out.inheritMetadata(m);
        copyRows(m, box, out, true);
        return out;
    }

    /** {@code part} (on the sub-grid of {@code box}) placed in an empty mask on {@code g}. */
    private static MaskVolume placed(MaskVolume part, BoundingBox box, Geometry g) {
        MaskVolume out = new MaskVolume(g);
        out.setSourceType(part.sourceType());
        out.inheritMetadata(part);
        copyRows(out, box, part, false);
        return out;
    }

    /** Copies the set voxels of each row of {@code box} in {@code whole} into {@code part}, or back when not in. */
    private static void copyRows(MaskVolume whole, BoundingBox box, MaskVolume part, boolean in) {
        int nx = whole.nx(), ny = whole.ny(), sx = box.sizeX(), sy = box.sizeY();
        long[] w = whole.words(), p = part.words();
        long[] from = in ? w : p, to = in ? p : w;
        for (int z = 0; z < box.sizeZ(); z++) {
            for (int y = 0; y < sy; y++) {
                int wholeRow = box.x0() + nx * (box.y0() + y + ny * (box.z0() + z));
                int partRow = sx * (y + sy * z);
                int start = in ? wholeRow : partRow, end = start + sx, shift = (in ? partRow : wholeRow) - start;
                // only the set bits of the row are visited
                for (int k = start >>> 6, last = (end - 1) >>> 6; k <= last; k++) {
                    long word = from[k];
                    if (k == start >>> 6) word &= -1L << start;
                    if (k == last && (end & 63) != 0) word &= (1L << end) - 1;
                    while (word != 0) {
                        int i = (k << 6) + Long.numberOfTrailingZeros(word) + shift;
                        word &= word - 1;
                        to[i >>> 6] |= 1L << i;
                    }
                }
            }
        }
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
