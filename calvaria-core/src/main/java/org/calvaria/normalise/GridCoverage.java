package org.calvaria.normalise;

import java.util.List;
import org.calvaria.volume.Geometry;
import org.calvaria.volume.MaskVolume;

/** How much of a mask, or of a set of points, lies inside the region a network grid covers. */
public final class GridCoverage {
    private GridCoverage() {}

    /**
     * Fraction (0..1) of the mask's voxels whose centres lie inside the box an axis-aligned grid covers (its voxel
     * cubes); 1 for an empty mask.
     */
    public static double coveredFraction(MaskVolume mask, Geometry grid) {
        double[] go = grid.origin();
        double s = grid.spacing()[0];
        double lx = go[0] - s / 2, ly = go[1] - s / 2, lz = go[2] - s / 2;
        double hx = lx + grid.nx() * s, hy = ly + grid.ny() * s, hz = lz + grid.nz() * s;
        long[] counts = new long[2];
        VoxelCentres.forEachSet(mask, (i, px, py, pz) -> {
            counts[0]++;
            if (px >= lx && px < hx && py >= ly && py < hy && pz >= lz && pz < hz) counts[1]++;
        });
        return counts[0] == 0 ? 1.0 : (double) counts[1] / counts[0];
    }

    /** Share (0..1) of the points (LPS mm) inside a grid's physical box, any orientation; 1 for no points. */
    public static double pointsInside(List<double[]> points, Geometry grid) {
        if (points.isEmpty()) return 1;
        int inside = 0;
        for (double[] p : points) {
            double[] q = grid.physicalToIndex(p[0], p[1], p[2]);
            if (q[0] >= -0.5
                    && q[1] >= -0.5
                    && q[2] >= -0.5
                    && q[0] <= grid.nx() - 0.5
                    && q[1] <= grid.ny() - 0.5
                    && q[2] <= grid.nz() - 0.5) {
                inside++;
            }
        }
        return (double) inside / points.size();
    }
}
