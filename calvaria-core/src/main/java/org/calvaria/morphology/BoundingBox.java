package org.calvaria.morphology;

import java.util.Optional;
import org.calvaria.volume.Geometry;
import org.calvaria.volume.MaskVolume;
import org.calvaria.volume.Resampler;
import org.calvaria.volume.Volume;

/** An index box, inclusive at both ends: the extent of a mask's set voxels. */
public record BoundingBox(int x0, int y0, int z0, int x1, int y1, int z1) {
    public BoundingBox {
        if (x1 < x0 || y1 < y0 || z1 < z0)
            throw new IllegalArgumentException(
                    "empty box " + x0 + ".." + x1 + ", " + y0 + ".." + y1 + ", " + z0 + ".." + z1);
    }

    /** The smallest box holding every set voxel, or empty for an empty mask. */
    public static Optional<BoundingBox> of(MaskVolume mask) {
        Runs runs = Runs.of(mask);
        int ny = runs.ny;
        int x0 = Integer.MAX_VALUE, y0 = Integer.MAX_VALUE, z0 = Integer.MAX_VALUE;
        int x1 = -1, y1 = -1, z1 = -1;
        for (int r = 0; r < runs.rows(); r++) {
            int first = runs.rowStart[r], last = runs.rowStart[r + 1] - 1;
            if (last < first) continue;
            int y = r % ny, z = r / ny;
            x0 = Math.min(x0, runs.start[first]);
            x1 = Math.max(x1, runs.end[last] - 1);
            y0 = Math.min(y0, y);
            y1 = Math.max(y1, y);
            z0 = Math.min(z0, z);
            z1 = Math.max(z1, z);
        }
        return x1 < 0 ? Optional.empty() : Optional.of(new BoundingBox(x0, y0, z0, x1, y1, z1));
    }

    /** The whole grid of {@code g} as a box. */
    public static BoundingBox of(Geometry g) {
        return new BoundingBox(0, 0, 0, g.nx() - 1, g.ny() - 1, g.nz() - 1);
    }

    /** The smallest box holding both. */
    public BoundingBox union(BoundingBox b) {
        return new BoundingBox(
                Math.min(x0, b.x0),
                Math.min(y0, b.y0),
                Math.min(z0, b.z0),
                Math.max(x1, b.x1),
                Math.max(y1, b.y1),
                Math.max(z1, b.z1));
    }

    /** The box grown by {@code margin[a]} voxels along axis a and clipped to the grid of {@code g}. */
    public BoundingBox grownVoxels(int[] margin, Geometry g) {
        return new BoundingBox(
                Math.max(0, x0 - margin[0]),
                Math.max(0, y0 - margin[1]),
                Math.max(0, z0 - margin[2]),
                Math.min(g.nx() - 1, x1 + margin[0]),
                Math.min(g.ny() - 1, y1 + margin[1]),
                Math.min(g.nz() - 1, z1 + margin[2]));
    }

    /** The sub-grid of {@code g} this box covers, with exact geometry. */
    public Geometry subGrid(Geometry g) {
        return g.subGrid(x0, y0, z0, sizeX(), sizeY(), sizeZ());
    }

    /** Axis-aligned physical bounding box {minX, minY, minZ, maxX, maxY, maxZ} (mm) of the voxel centres in the box. */
    public double[] physicalBounds(Geometry g) {
        return g.physicalBoundsOfIndexBox(x0, y0, z0, x1, y1, z1);
    }

    public int sizeX() {
        return x1 - x0 + 1;
    }

    public int sizeY() {
        return y1 - y0 + 1;
    }

    public int sizeZ() {
        return z1 - z0 + 1;
    }

    /**
     * The box grown so that it holds every voxel centre within {@code marginMm} of a voxel centre in it (exact for
     * sheared grids: index reach of a physical ball), then clipped to the grid of {@code g}.
     */
    public BoundingBox grownMm(Geometry g, double marginMm) {
        if (!(marginMm >= 0) || Double.isInfinite(marginMm)) {
            throw new IllegalArgumentException("margin must be a finite number >= 0 mm, got " + marginMm);
        }
        int[] reach = StructuringElement.ball(g, marginMm).reach();
        return new BoundingBox(
                Math.max(0, x0 - reach[0]),
                Math.max(0, y0 - reach[1]),
                Math.max(0, z0 - reach[2]),
                Math.min(g.nx() - 1, x1 + reach[0]),
                Math.min(g.ny() - 1, y1 + reach[1]),
                Math.min(g.nz() - 1, z1 + reach[2]));
    }

    /** The part of {@code v} inside this box, with exact geometry. */
    public Volume crop(Volume v) {
        return Resampler.crop(v, x0, y0, z0, sizeX(), sizeY(), sizeZ());
    }

    /** The part of {@code m} inside this box, on the exact sub-grid. */
    public MaskVolume crop(MaskVolume m) {
        return (MaskVolume) crop((Volume) m);
    }
}
