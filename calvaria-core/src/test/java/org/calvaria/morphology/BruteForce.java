package org.calvaria.morphology;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.calvaria.volume.Geometry;
import org.calvaria.volume.MaskVolume;

/** Slow, obvious voxel-by-voxel reference implementations that the fast run-based code is checked against. */
final class BruteForce {
    private BruteForce() {}

    static MaskVolume random(Geometry g, double density, long seed) {
        Random r = new Random(seed);
        MaskVolume m = new MaskVolume(g);
        for (int i = 0; i < m.voxelCount(); i++) if (r.nextDouble() < density) m.set(i, true);
        return m;
    }

    /** Random blobs: smoother masks with real components and holes, unlike salt-and-pepper noise. */
    static MaskVolume blobs(Geometry g, int count, double maxRadius, long seed) {
        Random r = new Random(seed);
        MaskVolume m = new MaskVolume(g);
        for (int b = 0; b < count; b++) {
            double cx = r.nextDouble() * g.nx(), cy = r.nextDouble() * g.ny(), cz = r.nextDouble() * g.nz();
            double rad = 1 + r.nextDouble() * maxRadius;
            boolean carve = r.nextDouble() < 0.3;
            for (int z = 0; z < g.nz(); z++)
                for (int y = 0; y < g.ny(); y++)
                    for (int x = 0; x < g.nx(); x++) {
                        double d = Math.sqrt((x - cx) * (x - cx) + (y - cy) * (y - cy) + (z - cz) * (z - cz));
                        if (d <= rad) m.set(x, y, z, !carve);
                    }
        }
        return m;
    }

    static List<int[]> offsets(int connectivity) {
        List<int[]> o = new ArrayList<>();
        for (int dz = -1; dz <= 1; dz++)
            for (int dy = -1; dy <= 1; dy++)
                for (int dx = -1; dx <= 1; dx++) {
                    int nonZero = (dx != 0 ? 1 : 0) + (dy != 0 ? 1 : 0) + (dz != 0 ? 1 : 0);
                    if (nonZero == 0) continue;
                    if (connectivity == 6 && nonZero > 1) continue;
                    if (connectivity == 18 && nonZero > 2) continue;
                    o.add(new int[] {dx, dy, dz});
                }
        return o;
    }

    /** Labels by breadth-first flood fill of voxels equal to {@code value}; labels in scan order from 1. */
    static int[] label(MaskVolume m, boolean value, List<int[]> offsets) {
        Geometry g = m.geometry();
        int[] lab = new int[m.voxelCount()];
        int next = 0;
        ArrayDeque<int[]> q = new ArrayDeque<>();
        for (int z = 0; z < g.nz(); z++)
            for (int y = 0; y < g.ny(); y++)
                for (int x = 0; x < g.nx(); x++) {
                    int i = g.index(x, y, z);
                    if (m.isSet(i) != value || lab[i] != 0) continue;
                    lab[i] = ++next;
                    q.add(new int[] {x, y, z});
                    while (!q.isEmpty()) {
                        int[] p = q.poll();
                        for (int[] o : offsets) {
                            int a = p[0] + o[0], b = p[1] + o[1], c = p[2] + o[2];
                            if (!g.contains(a, b, c)) continue;
                            int j = g.index(a, b, c);
                            if (m.isSet(j) == value && lab[j] == 0) {
                                lab[j] = next;
                                q.add(new int[] {a, b, c});
                            }
                        }
                    }
                }
        return lab;
    }

    /** Offsets d with |M d| <= r, by enumeration of a generous box. */
    static List<int[]> ballOffsets(Geometry g, double r) {
        double[] m = g.matrix();
        List<int[]> o = new ArrayList<>();
        // Loose bound: no offset of the ball is further than r / (smallest singular value) voxels along any axis.
        double[] inv = Geometry.invert(m);
        double norm = 0;
        for (double v : inv) norm += v * v;
        int reach = (int) Math.ceil(r * Math.sqrt(norm)) + 1;
        for (int k = -reach; k <= reach; k++)
            for (int j = -reach; j <= reach; j++)
                for (int i = -reach; i <= reach; i++) {
                    double px = m[0] * i + m[1] * j + m[2] * k,
                            py = m[3] * i + m[4] * j + m[5] * k,
                            pz = m[6] * i + m[7] * j + m[8] * k;
                    if (px * px + py * py + pz * pz <= r * r * (1 + 1e-12)) o.add(new int[] {i, j, k});
                }
        return o;
    }

    static MaskVolume dilate(MaskVolume m, List<int[]> ball) {
        Geometry g = m.geometry();
        MaskVolume out = new MaskVolume(g);
        for (int z = 0; z < g.nz(); z++)
            for (int y = 0; y < g.ny(); y++)
                for (int x = 0; x < g.nx(); x++) {
                    if (!m.isSet(x, y, z)) continue;
                    for (int[] d : ball) {
                        if (g.contains(x + d[0], y + d[1], z + d[2])) out.set(x + d[0], y + d[1], z + d[2], true);
                    }
                }
        return out;
    }

    static MaskVolume erode(MaskVolume m, List<int[]> ball) {
        Geometry g = m.geometry();
        MaskVolume out = new MaskVolume(g);
        for (int z = 0; z < g.nz(); z++)
            for (int y = 0; y < g.ny(); y++)
                for (int x = 0; x < g.nx(); x++) {
                    boolean all = true;
                    for (int[] d : ball) {
                        int a = x + d[0], b = y + d[1], c = z + d[2];
                        if (g.contains(a, b, c) && !m.isSet(a, b, c)) {
                            all = false;
                            break;
                        }
                    }
                    out.set(x, y, z, all);
                }
        return out;
    }

    static MaskVolume median(MaskVolume m, List<int[]> ball) {
        Geometry g = m.geometry();
        MaskVolume out = new MaskVolume(g);
        for (int z = 0; z < g.nz(); z++)
            for (int y = 0; y < g.ny(); y++)
                for (int x = 0; x < g.nx(); x++) {
                    int c = 0;
                    for (int[] d : ball) if (m.isSetSafe(x + d[0], y + d[1], z + d[2])) c++;
                    out.set(x, y, z, 2 * c > ball.size());
                }
        return out;
    }
}
