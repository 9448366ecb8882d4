package org.calvaria.normalise;

import java.util.Locale;
import org.calvaria.volume.Geometry;

/**
 * Where the network grid lies for one skull: the axis-aligned LPS grid and the landmarks it was derived from.
 *
 * @param grid       the network grid (axis-aligned, identity orientation, isotropic spacing; x = left, y = posterior,
 *                   z = superior; index z = 0 is the lowest slice, the vertex is near the top slice)
 * @param vertex     physical LPS position (mm) of the top of the cranial dome: the highest bone voxel (x/y: mean of
 *                   the topmost voxels) or, when higher, the top of the paraboloid fitted to the dome
 *                   ({@link NetworkGrid#place})
 * @param centre     physical position (mm) of the grid's in-plane centre (x, y) at the vertex height (z)
 * @param boneBounds physical bounding box of the bone inside the covered height band
 *                   {minX, minY, minZ, maxX, maxY, maxZ} (mm), from which the in-plane centre was taken
 */
public record GridPlacement(Geometry grid, double[] vertex, double[] centre, double[] boneBounds) {
    public GridPlacement {
        if (vertex.length != 3 || centre.length != 3 || boneBounds.length != 6) {
            throw new IllegalArgumentException("vertex and centre need 3 values, boneBounds 6");
        }
        vertex = vertex.clone();
        centre = centre.clone();
        boneBounds = boneBounds.clone();
    }

    /** A placement that only knows its grid (for example read back from a cached grid file). */
    public static GridPlacement ofGrid(Geometry grid) {
        double[] b = grid.physicalBounds();
        double[] c = grid.center();
        return new GridPlacement(grid, new double[] {c[0], c[1], b[5]}, new double[] {c[0], c[1], b[5]}, b);
    }

    @Override
    public double[] vertex() {
        return vertex.clone();
    }

    @Override
    public double[] centre() {
        return centre.clone();
    }

    @Override
    public double[] boneBounds() {
        return boneBounds.clone();
    }

    /** Grid spacing in mm (isotropic). */
    public double spacingMm() {
        return grid.spacing()[0];
    }

    /** Physical z (mm) of the lowest covered point: the bottom face of the lowest grid slice. */
    public double bottomZ() {
        return grid.origin()[2] - spacingMm() / 2;
    }

    /** Physical z (mm) of the highest covered point: the top face of the highest grid slice. */
    public double topZ() {
        return bottomZ() + grid.nz() * spacingMm();
    }

    /** The same placement with the grid moved by {@code dz} mm along +z (superior). */
    public GridPlacement shiftedZ(double dz) {
        return new GridPlacement(grid.translated(0, 0, dz), vertex, centre, boneBounds);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GridPlacement p
                && p.grid.equals(grid)
                && java.util.Arrays.equals(p.vertex, vertex)
                && java.util.Arrays.equals(p.centre, centre)
                && java.util.Arrays.equals(p.boneBounds, boneBounds);
    }

    @Override
    public int hashCode() {
        return grid.hashCode() * 31 + java.util.Arrays.hashCode(vertex);
    }

    @Override
    public String toString() {
        return String.format(
                Locale.ROOT, "GridPlacement[%s, vertex (%.2f, %.2f, %.2f) mm]", grid, vertex[0], vertex[1], vertex[2]);
    }
}
