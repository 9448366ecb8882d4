package org.calvaria.evaluate;

import org.calvaria.morphology.BoundingBox;
import org.calvaria.volume.Geometry;
import org.calvaria.volume.MaskVolume;

/**
 * Mask helpers for evaluation and the baselines on index boxes ({@link BoundingBox}): margins, crops and pastes,
 * face-connected surfaces and voxel centres in millimetres. Boxes, components and ball morphology come from
 * {@code org.calvaria.morphology}.
 */
public final class MaskOps {
    private MaskOps() {}

    /** Voxel margins that cover at least {@code mm} millimetres along each axis (by axis spacing). */
    public static int[] marginVoxels(Geometry g, double mm) {
        double[] s = g.spacing();
        return new int[] {(int) Math.ceil(mm / s[0]) + 1, (int) Math.ceil(mm / s[1]) + 1, (int) Math.ceil(mm / s[2]) + 1
        };
    }

    /** Sets in {@code target} every voxel set in {@code part}, which lies on the sub-grid at {@code box}. */
    public static void paste(MaskVolume target, MaskVolume part, BoundingBox box) {
        Geometry g = target.geometry(), sg = part.geometry();
        int sx = sg.nx(), sy = sg.ny(), sz = sg.nz();
        for (int z = 0; z < sz; z++) {
            for (int y = 0; y < sy; y++) {
                int dst = g.index(box.x0(), box.y0() + y, box.z0() + z);
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
    public static MaskVolume surface(MaskVolume m, BoundingBox box) {
        Geometry g = m.geometry();
        Geometry sg = box.subGrid(g);
        MaskVolume out = new MaskVolume(sg);
        for (int z = box.z0(); z <= box.z1(); z++) {
            for (int y = box.y0(); y <= box.y1(); y++) {
                int row = g.index(0, y, z);
                int dst = sg.index(0, y - box.y0(), z - box.z0()) - box.x0();
                for (int x = box.x0(); x <= box.x1(); x++) {
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
        return x == 0
                || !m.isSet(i - 1)
                || x == nx - 1
                || !m.isSet(i + 1)
                || y == 0
                || !m.isSet(i - nx)
                || y == ny - 1
                || !m.isSet(i + nx)
                || z == 0
                || !m.isSet(i - slice)
                || z == nz - 1
                || !m.isSet(i + slice);
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
