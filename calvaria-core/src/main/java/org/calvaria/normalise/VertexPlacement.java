package org.calvaria.normalise;

import java.util.Arrays;
import org.calvaria.CalvariaException;
import org.calvaria.volume.Geometry;
import org.calvaria.volume.MaskVolume;

/**
 * Puts the network grid under the vertex of a skull: the placement rule of {@link NetworkGrid} (vertical from the
 * highest bone or the fitted dome, in-plane from the bone inside the covered band).
 */
final class VertexPlacement {
    private VertexPlacement() {}

    /** Locates the skull and places the grid on it (see {@link NetworkGrid} for the rule). */
    static GridPlacement place(NetworkGrid grid, MaskVolume skull) {
        double top = highestBone(skull);
        double[] band = bandBounds(grid, skull, top, top);
        double[] fit = DomeFit.fittedVertex(skull, top, band);
        double vertexZ = top;
        double[] vertex = {band[6], band[7], top};
        if (fit != null && fit[2] > top) {
            vertexZ = fit[2];
            vertex = fit;
            band = bandBounds(grid, skull, vertexZ, top);
        }
        int nx = grid.nx(), ny = grid.ny(), nz = grid.nz();
        double s = grid.spacingMm();
        double bottomFace = vertexZ + NetworkGrid.TOP_MARGIN_VOXELS * s - nz * s;
        double cx = (band[0] + band[3]) / 2, cy = (band[1] + band[4]) / 2;
        double[] origin = {cx - (nx - 1) * s / 2, cy - (ny - 1) * s / 2, bottomFace + s / 2};
        Geometry g = Geometry.axisAligned(nx, ny, nz, s, s, s, origin);
        return new GridPlacement(g, vertex, new double[] {cx, cy, vertexZ}, Arrays.copyOf(band, 6));
    }

    /** Physical z (mm) of the highest bone voxel centre. */
    private static double highestBone(MaskVolume skull) {
        double[] top = {Double.NEGATIVE_INFINITY};
        VoxelCentres.forEachSet(skull, (i, px, py, pz) -> {
            if (pz > top[0]) top[0] = pz;
        });
        if (top[0] == Double.NEGATIVE_INFINITY) {
            throw new CalvariaException("the skull mask is empty; give a binary skull segmentation with bone set to 1");
        }
        return top[0];
    }

    /**
     * Bounding box of the bone in the band the grid covers when the vertex is at {@code vertexZ}:
     * {minX, minY, minZ, maxX, maxY, maxZ, topX, topY}, where (topX, topY) is the mean position of the bone voxels
     * within half a source voxel of {@code topZ} (the highest bone).
     */
    private static double[] bandBounds(NetworkGrid grid, MaskVolume skull, double vertexZ, double topZ) {
        Geometry g = skull.geometry();
        double s = grid.spacingMm();
        double bottomFace = vertexZ + NetworkGrid.TOP_MARGIN_VOXELS * s - grid.nz() * s;
        // Voxels within half the source's finest spacing of the top count as the vertex (flat tops tie).
        double tieBand = 0.5 * Math.min(g.spacing()[0], Math.min(g.spacing()[1], g.spacing()[2]));
        double[] acc = new double[3];
        double[] b = {
            Double.POSITIVE_INFINITY,
            Double.POSITIVE_INFINITY,
            Double.POSITIVE_INFINITY,
            Double.NEGATIVE_INFINITY,
            Double.NEGATIVE_INFINITY,
            Double.NEGATIVE_INFINITY,
            0,
            0
        };
        VoxelCentres.forEachSet(skull, (i, px, py, pz) -> {
            if (pz < bottomFace) return;
            if (px < b[0]) b[0] = px;
            if (py < b[1]) b[1] = py;
            if (pz < b[2]) b[2] = pz;
            if (px > b[3]) b[3] = px;
            if (py > b[4]) b[4] = py;
            if (pz > b[5]) b[5] = pz;
            if (pz >= topZ - tieBand) {
                acc[0] += px;
                acc[1] += py;
                acc[2]++;
            }
        });
        b[6] = acc[2] > 0 ? acc[0] / acc[2] : (b[0] + b[3]) / 2;
        b[7] = acc[2] > 0 ? acc[1] / acc[2] : (b[1] + b[4]) / 2;
        return b;
    }
}
