package org.calvaria.manufacture;

import org.calvaria.morphology.BoundingBox;
import org.calvaria.volume.Geometry;
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

    /** The box's voxels of {@code full} (exact geometry, metadata kept), copied a row of bits at a time. */
    MaskVolume cut(MaskVolume full) {
        Geometry fg = full.geometry();
        if (x0 < 0 || y0 < 0 || z0 < 0 || x0 + sx > fg.nx() || y0 + sy > fg.ny() || z0 + sz > fg.nz()) {
            return (MaskVolume) Resampler.crop(full, x0, y0, z0, sx, sy, sz);
        }
        MaskVolume out = full.emptyLike(fg.subGrid(x0, y0, z0, sx, sy, sz));
        out.inheritMetadata(full);
        long[] src = full.words(), dst = out.words();
        for (int z = 0; z < sz; z++) {
            for (int y = 0; y < sy; y++) {
                copyBits(src, fg.index(x0, y + y0, z + z0), dst, sx * (y + sy * z), sx);
            }
        }
        return out;
    }

    /** {@code full} with the box replaced by {@code part} (a copy; voxels outside the box are kept). */
    MaskVolume paste(MaskVolume full, MaskVolume part) {
        MaskVolume out = full.copy();
        Geometry fg = full.geometry();
        long[] src = part.words(), dst = out.words();
        for (int z = 0; z < sz; z++) {
            for (int y = 0; y < sy; y++) {
                copyBits(src, sx * (y + sy * z), dst, fg.index(x0, y + y0, z + z0), sx);
            }
        }
        return out;
    }

    /** Copies {@code length} bits from bit {@code from} of {@code src} over those from bit {@code to} of {@code dst}. */
    static void copyBits(long[] src, int from, long[] dst, int to, int length) {
        while (length > 0) {
            int offset = to & 63;
            int n = Math.min(length, 64 - offset);
            int w = from >>> 6, shift = from & 63;
            long bits = src[w] >>> shift;
            if (shift + n > 64) bits |= src[w + 1] << (64 - shift);
            long mask = (n == 64 ? -1L : (1L << n) - 1) << offset;
            int d = to >>> 6;
            dst[d] = (dst[d] & ~mask) | ((bits << offset) & mask);
            from += n;
            to += n;
            length -= n;
        }
    }
}
