package org.calvaria.manufacture;

import org.calvaria.morphology.BoundingBox;
import org.calvaria.volume.MaskVolume;
import org.calvaria.volume.Resampler;

/** A box of a large grid that the manufacturing steps work in (an implant is a few percent of a head scan). */
record Crop(int x0, int y0, int z0, int sx, int sy, int sz) {
    /** The box around the set voxels of {@code mask} grown by {@code marginMm}, clipped to the grid. */
    static Crop around(MaskVolume mask, double marginMm) {
        BoundingBox b = BoundingBox.of(mask).orElseThrow(() -> new IllegalArgumentException("empty mask"))
                .grownMm(mask.geometry(), marginMm);
        return new Crop(b.x0(), b.y0(), b.z0(), b.sizeX(), b.sizeY(), b.sizeZ());
    }

    MaskVolume cut(MaskVolume full) {
        return (MaskVolume) Resampler.crop(full, x0, y0, z0, sx, sy, sz);
    }

    /** {@code full} with the box replaced by {@code part} (a copy; voxels outside the box are kept). */
    MaskVolume paste(MaskVolume full, MaskVolume part) {
        MaskVolume out = full.copy();
        for (int z = 0; z < sz; z++) {
            for (int y = 0; y < sy; y++) {
                for (int x = 0; x < sx; x++) {
                    out.set(x + x0, y + y0, z + z0, part.isSet(x, y, z));
                }
            }
        }
        return out;
    }
}
