package org.calvaria.evaluate;

import org.calvaria.morphology.BoundingBox;
import org.calvaria.volume.Geometry;
import org.calvaria.volume.MaskVolume;
import org.calvaria.volume.Resampler;

/**
 * Mask helpers for evaluation and the baselines on index boxes {x0, y0, z0, x1, y1, z1} (inclusive): boxes, crops and
 * pastes, face-connected surfaces and voxel centres in millimetres. Components and ball morphology come from
 * {@code org.calvaria.morphology}.
 */
public final class MaskOps {
    private MaskOps() {}

    /** Index bounding box of the set voxels, or null when the mask is empty. */
    public static int[] boundingBox(MaskVolume m) {
        return BoundingBox.of(m).map(b -> new int[] {b.x0(), b.y0(), b.z0(), b.x1(), b.y1(), b.z1()}).orElse(null);
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
        return (MaskVolume) Resampler.crop(m, box[0], box[1], box[2], box[3] - box[0] + 1, box[4] - box[1] + 1,
                box[5] - box[2] + 1);
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
}
