package org.calvaria.render;

import java.util.Arrays;
import java.util.function.IntPredicate;
import java.util.function.IntUnaryOperator;
import org.calvaria.morphology.BoundingBox;
import org.calvaria.volume.Geometry;

/**
 * Projections of voxel masks along the grid's index axes: the shared core of the mask pictures
 * ({@link DefectPreview}, {@link ProjectionRenderer}). A projection along axis {@code a} (0 = x, 1 = y, 2 = z) over an
 * index box is a {@code w x h} image over the two other axes in increasing order ((y, z) for x, (x, z) for y, (x, y)
 * for z), laid out {@code u + w * v}, u along the lower of the two.
 */
public final class VoxelProjection {
    private VoxelProjection() {}

    /** Image width of a projection along {@code axis} over {@code box}. */
    public static int width(BoundingBox box, int axis) {
        return axis == 0 ? box.sizeY() : box.sizeX();
    }

    /** Image height of a projection along {@code axis} over {@code box}. */
    public static int height(BoundingBox box, int axis) {
        return axis == 2 ? box.sizeY() : box.sizeZ();
    }

    /**
     * The nearest voxel along each ray: rays run along {@code axis} through {@code box}, starting at the box's high
     * end when {@code fromHigh} (else its low end); each pixel holds how far the first voxel with {@code set} true
     * (given its linear index in {@code g}) lies from the far end of the ray, {@code 0..n-1} (n voxels along the
     * axis; larger is nearer the viewer), or -1 when the ray meets none. From the high end this is the voxel's index
     * along the axis relative to the box.
     */
    public static int[] nearest(Geometry g, BoundingBox box, int axis, boolean fromHigh, IntPredicate set) {
        int[] lo = {box.x0(), box.y0(), box.z0()}, hi = {box.x1(), box.y1(), box.z1()};
        int ua = axis == 0 ? 1 : 0, va = axis == 2 ? 1 : 2;
        int w = hi[ua] - lo[ua] + 1, h = hi[va] - lo[va] + 1, n = hi[axis] - lo[axis] + 1;
        int[] out = new int[w * h];
        Arrays.fill(out, -1);
        int[] p = new int[3];
        for (int v = 0; v < h; v++) {
            p[va] = lo[va] + v;
            for (int u = 0; u < w; u++) {
                p[ua] = lo[ua] + u;
                for (int s = 0; s < n; s++) {
                    p[axis] = fromHigh ? hi[axis] - s : lo[axis] + s;
                    if (set.test(g.index(p[0], p[1], p[2]))) {
                        out[u + w * v] = n - 1 - s;
                        break;
                    }
                }
            }
        }
        return out;
    }

    /** The bits of every voxel along each ray (through {@code box} along {@code axis}) OR-ed together. */
    public static byte[] union(Geometry g, BoundingBox box, int axis, IntUnaryOperator bits) {
        int[] lo = {box.x0(), box.y0(), box.z0()}, hi = {box.x1(), box.y1(), box.z1()};
        int ua = axis == 0 ? 1 : 0, va = axis == 2 ? 1 : 2;
        int w = hi[ua] - lo[ua] + 1, h = hi[va] - lo[va] + 1;
        byte[] out = new byte[w * h];
        int[] p = new int[3];
        for (int v = 0; v < h; v++) {
            p[va] = lo[va] + v;
            for (int u = 0; u < w; u++) {
                p[ua] = lo[ua] + u;
                int acc = 0;
                for (p[axis] = lo[axis]; p[axis] <= hi[axis]; p[axis]++)
                    acc |= bits.applyAsInt(g.index(p[0], p[1], p[2]));
                out[u + w * v] = (byte) acc;
            }
        }
        return out;
    }
}
