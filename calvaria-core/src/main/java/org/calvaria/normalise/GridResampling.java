package org.calvaria.normalise;

import org.calvaria.volume.FloatVolume;
import org.calvaria.volume.Geometry;
import org.calvaria.volume.MaskVolume;
import org.calvaria.volume.Resampler;
import org.calvaria.volume.SupersampledAverage;
import org.calvaria.volume.Volume;

/**
 * Resampling between a scan and a network grid: onto the grid by supersampled trilinear averaging (a partial-volume
 * fraction for masks), back by trilinear interpolation of the probability at the scan's voxel centres.
 */
public final class GridResampling {
    /** Largest number of sub-samples per axis when mapping onto the grid. */
    private static final int MAX_SUPERSAMPLING = 4;

    private GridResampling() {}

    /**
     * Any volume averaged onto any target grid (used for taller working grids): each target voxel is the mean of
     * {@code k^3} trilinear samples over its cell, {@code k = ceil(target spacing / finest source spacing)} (1..4).
     */
    public static FloatVolume average(Volume v, Geometry target) {
        return SupersampledAverage.onto(v, target, MAX_SUPERSAMPLING);
    }

    /** The voxels of {@code target} where the {@link #average} of a mask is at least {@code threshold}. */
    public static MaskVolume averageAtLeast(MaskVolume m, Geometry target, double threshold) {
        return SupersampledAverage.atLeast(m, target, MAX_SUPERSAMPLING, threshold);
    }

    /**
     * The way back from the network grid: the grid probability (on its own geometry, any orientation) interpolated
     * trilinearly at the original scan's voxel centres and thresholded ({@code >= threshold} is bone). Interpolating
     * the probability, not a binary mask, keeps the surface smooth at full resolution. Only the original voxels
     * inside the grid's physical box (grown by one grid voxel) are visited: outside it the probability is 0, so for
     * a threshold above 0 nothing there can be bone, and the rest of a 512 x 512 x 240 scan costs nothing.
     */
    public static MaskVolume toScan(FloatVolume gridProbability, Geometry original, double threshold) {
        if (!(threshold > 0)) {
            throw new IllegalArgumentException("threshold must be above 0 (outside the grid is 0), got " + threshold);
        }
        Geometry g = gridProbability.geometry();
        double[] lo = {Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY};
        double[] hi = {Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY};
        double[] idx = new double[3];
        for (int corner = 0; corner < 8; corner++) {
            double[] p = g.indexToPhysical(
                    (corner & 1) == 0 ? -1 : g.nx(), (corner & 2) == 0 ? -1 : g.ny(), (corner & 4) == 0 ? -1 : g.nz());
            original.physicalToIndex(p[0], p[1], p[2], idx);
            for (int a = 0; a < 3; a++) {
                lo[a] = Math.min(lo[a], idx[a]);
                hi[a] = Math.max(hi[a], idx[a]);
            }
        }
        int[] size = original.sizes();
        int[] from = new int[3], to = new int[3];
        for (int a = 0; a < 3; a++) {
            from[a] = Math.max(0, (int) Math.floor(lo[a]));
            to[a] = Math.min(size[a] - 1, (int) Math.ceil(hi[a]));
        }
        MaskVolume out = new MaskVolume(original);
        if (from[0] > to[0] || from[1] > to[1] || from[2] > to[2]) return out;
        Geometry box = original.subGrid(
                from[0], from[1], from[2], to[0] - from[0] + 1, to[1] - from[1] + 1, to[2] - from[2] + 1);
        MaskVolume inBox = Resampler.linearAtLeast(gridProbability, box, (float) threshold);
        int nx = box.nx(), ny = box.ny();
        inBox.forEachSet(i ->
                out.set(original.index(from[0] + i % nx, from[1] + (i / nx) % ny, from[2] + i / (nx * ny)), true));
        return out;
    }
}
