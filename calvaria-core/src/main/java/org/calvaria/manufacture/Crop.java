package org.calvaria.manufacture;

import org.calvaria.morphology.BoundingBox;
import org.calvaria.volume.MaskVolume;
import org.calvaria.volume.Resampler;

/** A box of a large grid that the manufacturing steps work in (an implant is a few percent of a head scan). */
record Crop(int x0, int y0, int z0, int sx, int sy, int sz) {
    /** The box around the set voxels of {@code mask} grown by {@code marginMm}, clipped to the grid. */
    static Crop around(MaskVolume mask, double marginMm) {
        BoundingBox b = BoundingBox.of(mask)
                .orElseThrow(() -> new IllegalArgumentException("empty mask"))
                .grownMm(mask.geometry(), marginMm);
        return new Crop(b.x0(), b.y0(), b.z0(), b.sizeX(), b.sizeY(), b.sizeZ());
    }

    /** This box grown by {@code voxels} on every side, clipped to {@code full}'s grid. */
    Crop grow(MaskVolume full, int voxels) {
        int[] n = full.geometry().sizes();
        int ax = Math.max(0, x0 - voxels), ay = Math.max(0, y0 - voxels), az = Math.max(0, z0 - voxels);
        int bx = Math.min(n[0], x0 + sx + voxels),
                by = Math.min(n[1], y0 + sy + voxels),
                bz = Math.min(n[2], z0 + sz + voxels);
        return new Crop(ax, ay, az, bx - ax, by - ay, bz - az);
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
