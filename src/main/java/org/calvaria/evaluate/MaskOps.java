package org.calvaria.evaluate;

import org.calvaria.volume.Geometry;
import org.calvaria.volume.MaskVolume;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Mask helpers for evaluation and the baselines: bounding boxes, exact crops, surfaces, 26-connected components and
 * ball-shaped morphology in millimetres. Boxes are {x0, y0, z0, x1, y1, z1}, inclusive.
 */
public final class MaskOps {
    private MaskOps() {}

    /** Index bounding box of the set voxels, or null when the mask is empty. */
    public static int[] boundingBox(MaskVolume m) {
        int nx = m.nx(), ny = m.ny();
        int[] b = {Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE, -1, -1, -1};
        m.forEachSet(i -> {
            int x = i % nx, y = (i / nx) % ny, z = i / (nx * ny);
            if (x < b[0]) b[0] = x;
            if (y < b[1]) b[1] = y;
            if (z < b[2]) b[2] = z;
            if (x > b[3]) b[3] = x;
            if (y > b[4]) b[4] = y;
            if (z > b[5]) b[5] = z;
        });
        return b[3] < 0 ? null : b;
    }

    /** Smallest box holding both (either may be null). */
    public static int[] union(int[] a, int[] b) {
        if (a == null) return b == null ? null : b.clone();
        if (b == null) return a.clone();
        return new int[] {Math.min(a[0], b[0]), Math.min(a[1], b[1]), Math.min(a[2], b[2]),
            Math.max(a[3], b[3]), Math.max(a[4], b[4]), Math.max(a[5], b[5])};
    }

    /** Box grown by the given number of voxels per axis and clipped to the grid. */
    public static int[] expand(int[] box, int[] margin, Geometry g) {
        return new int[] {Math.max(0, box[0] - margin[0]), Math.max(0, box[1] - margin[1]),
            Math.max(0, box[2] - margin[2]), Math.min(g.nx() - 1, box[3] + margin[0]),
            Math.min(g.ny() - 1, box[4] + margin[1]), Math.min(g.nz() - 1, box[5] + margin[2])};
    }

    /** Voxel margins that cover at least {@code mm} millimetres along each axis (by axis spacing). */
    public static int[] marginVoxels(Geometry g, double mm) {
        double[] s = g.spacing();
        return new int[] {(int) Math.ceil(mm / s[0]) + 1, (int) Math.ceil(mm / s[1]) + 1, (int) Math.ceil(mm / s[2]) + 1};
    }

    /** The part of {@code m} inside the box, on the exact sub-grid. */
    public static MaskVolume crop(MaskVolume m, int[] box) {
        Geometry sg = m.geometry().subGrid(box[0], box[1], box[2], box[3] - box[0] + 1, box[4] - box[1] + 1,
                box[5] - box[2] + 1);
        MaskVolume out = new MaskVolume(sg);
        int sx = sg.nx(), sy = sg.ny(), sz = sg.nz();
        Geometry g = m.geometry();
        for (int z = 0; z < sz; z++) {
            for (int y = 0; y < sy; y++) {
                int src = g.index(box[0], box[1] + y, box[2] + z);
                int dst = sg.index(0, y, z);
                for (int x = 0; x < sx; x++) if (m.isSet(src + x)) out.set(dst + x, true);
            }
        }
        return out;
    }

    /** Sets in {@code target} every voxel set in {@code part}, which lies on the sub-grid at {@code box}. */
    public static void paste(MaskVolume target, MaskVolume part, int[] box) {
        Geometry g = target.geometry(), sg = part.geometry();
        int sx = sg.nx(), sy = sg.ny(), sz = sg.nz();
        for (int z = 0; z < sz; z++) {
            for (int y = 0; y < sy; y++) {
                int dst = g.index(box[0], box[1] + y, box[2] + z);
                int src = sg.index(0, y, z);
                for (int x = 0; x < sx; x++) if (part.isSet(src + x)) target.set(dst + x, true);
            }
        }
    }

    /**
     * Surface voxels: set voxels with at least one of their 6 face neighbours not set. A neighbour off the grid counts
     * as not set, so a mask touching the grid border has a closed surface there.
     */
    public static MaskVolume surface(MaskVolume m) {
        MaskVolume out = new MaskVolume(m.geometry());
        Geometry g = m.geometry();
        m.forEachSet(i -> {
            if (isSurface(m, g, i)) out.set(i, true);
        });
        return out;
    }

    /** Surface voxels (as defined by {@link #surface(MaskVolume)} on the whole grid) inside the box, on its sub-grid. */
    public static MaskVolume surface(MaskVolume m, int[] box) {
        Geometry g = m.geometry();
        Geometry sg = g.subGrid(box[0], box[1], box[2], box[3] - box[0] + 1, box[4] - box[1] + 1, box[5] - box[2] + 1);
        MaskVolume out = new MaskVolume(sg);
        for (int z = box[2]; z <= box[5]; z++) {
            for (int y = box[1]; y <= box[4]; y++) {
                int row = g.index(0, y, z);
                int dst = sg.index(0, y - box[1], z - box[2]) - box[0];
                for (int x = box[0]; x <= box[3]; x++) {
                    int i = row + x;
                    if (m.isSet(i) && isSurface(m, g, i)) out.set(dst + x, true);
                }
            }
        }
        return out;
    }

    static boolean isSurface(MaskVolume m, Geometry g, int i) {
        int nx = g.nx(), ny = g.ny(), nz = g.nz();
        int x = i % nx, y = (i / nx) % ny, z = i / (nx * ny);
        int slice = nx * ny;
        return x == 0 || !m.isSet(i - 1) || x == nx - 1 || !m.isSet(i + 1)
                || y == 0 || !m.isSet(i - nx) || y == ny - 1 || !m.isSet(i + nx)
                || z == 0 || !m.isSet(i - slice) || z == nz - 1 || !m.isSet(i + slice);
    }

    /** Physical positions (LPS mm) of the set voxels' centres: {x0, y0, z0, x1, ...}. */
    public static double[] physicalPoints(MaskVolume m) {
        long count = m.cardinality();
        double[] p = new double[(int) (3 * count)];
        Geometry g = m.geometry();
        int nx = m.nx(), ny = m.ny();
        int[] k = {0};
        double[] q = new double[3];
        m.forEachSet(i -> {
            g.indexToPhysical(i % nx, (i / nx) % ny, i / (nx * ny), q);
            p[k[0]++] = q[0];
            p[k[0]++] = q[1];
            p[k[0]++] = q[2];
        });
        return p;
    }

    // ------------------------------------------------------------------ components

    /**
     * The 26-connected components of the set voxels, each as the sorted linear indices of its voxels, largest first.
     */
    public static List<int[]> components(MaskVolume m) {
        Geometry g = m.geometry();
        int nx = g.nx(), ny = g.ny(), nz = g.nz();
        MaskVolume todo = m.copy();
        List<int[]> result = new ArrayList<>();
        int[] queue = new int[1024];
        int slice = nx * ny;
        for (int start = nextSet(todo, 0); start >= 0; start = nextSet(todo, start + 1)) {
            int head = 0, tail = 0;
            queue[tail++] = start;
            todo.set(start, false);
            while (head < tail) {
                int i = queue[head++];
                int x = i % nx, y = (i / nx) % ny, z = i / slice;
                for (int dz = -1; dz <= 1; dz++) {
                    int zz = z + dz;
                    if (zz < 0 || zz >= nz) continue;
                    for (int dy = -1; dy <= 1; dy++) {
                        int yy = y + dy;
                        if (yy < 0 || yy >= ny) continue;
                        for (int dx = -1; dx <= 1; dx++) {
                            int xx = x + dx;
                            if (xx < 0 || xx >= nx) continue;
                            int j = xx + nx * (yy + ny * zz);
                            if (todo.isSet(j)) {
                                todo.set(j, false);
                                if (tail == queue.length) queue = Arrays.copyOf(queue, queue.length * 2);
                                queue[tail++] = j;
                            }
                        }
                    }
                }
            }
            int[] comp = Arrays.copyOf(queue, tail);
            Arrays.sort(comp);
            result.add(comp);
        }
        result.sort((a, b) -> Integer.compare(b.length, a.length));
        return result;
    }

    private static int nextSet(MaskVolume m, int from) {
        int n = m.voxelCount();
        for (int i = from; i < n; i++) if (m.isSet(i)) return i;
        return -1;
    }

    /** Number of 26-connected components. */
    public static int componentCount(MaskVolume m) {
        return components(m).size();
    }

    /** A mask holding the given components (linear indices) on {@code g}. */
    public static MaskVolume fromComponents(Geometry g, List<int[]> parts) {
        MaskVolume out = new MaskVolume(g);
        for (int[] c : parts) for (int i : c) out.set(i, true);
        return out;
    }

    // ------------------------------------------------------------------ morphology (ball in mm)

    /**
     * Dilation by a ball of radius {@code radiusMm} (voxels whose centre is within the radius of a set voxel centre).
     * Exact on grids with orthogonal axes; on sheared grids the ball is taken in the unsheared index metric (an
     * approximation that is fine for cleaning, never used for metrics).
     */
    public static MaskVolume dilate(MaskVolume m, double radiusMm) {
        MaskVolume out = new MaskVolume(m.geometry());
        int[] box = boundingBox(m);
        if (box == null) return out;
        int[] region = expand(box, marginVoxels(m.geometry(), radiusMm), m.geometry());
        MaskVolume sub = crop(m, region);
        float[] d2 = DistanceTransform.squaredDistanceMm2(sub, m.geometry().spacing());
        double r2 = radiusMm * radiusMm;
        MaskVolume grown = new MaskVolume(sub.geometry());
        for (int i = 0; i < d2.length; i++) if (d2[i] <= r2) grown.set(i, true);
        paste(out, grown, region);
        return out;
    }

    /**
     * Erosion by a ball: set voxels whose centre is farther than {@code radiusMm} from every unset voxel centre.
     * Only voxels on the grid count as unset (the grid border does not erode).
     */
    public static MaskVolume erode(MaskVolume m, double radiusMm) {
        MaskVolume out = new MaskVolume(m.geometry());
        int[] box = boundingBox(m);
        if (box == null) return out;
        // One voxel of ring is enough: any unset voxel beyond it is farther than the ring voxel on the same line.
        int[] region = expand(box, new int[] {1, 1, 1}, m.geometry());
        MaskVolume background = crop(m, region).invert();
        float[] d2 = DistanceTransform.squaredDistanceMm2(background, m.geometry().spacing());
        double r2 = radiusMm * radiusMm;
        MaskVolume kept = new MaskVolume(background.geometry());
        for (int i = 0; i < d2.length; i++) if (d2[i] > r2) kept.set(i, true);
        paste(out, kept, region);
        return out;
    }

    /** Opening (erosion then dilation) by a ball: removes parts thinner than about twice the radius. */
    public static MaskVolume open(MaskVolume m, double radiusMm) {
        return dilate(erode(m, radiusMm), radiusMm);
    }

    /** Closing (dilation then erosion) by a ball: fills gaps narrower than about twice the radius. */
    public static MaskVolume close(MaskVolume m, double radiusMm) {
        return erode(dilate(m, radiusMm), radiusMm);
    }
}
