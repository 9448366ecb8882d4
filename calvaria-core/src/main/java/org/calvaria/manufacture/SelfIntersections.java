package org.calvaria.manufacture;

import java.util.stream.IntStream;
import org.calvaria.mesh.TriangleMesh;

/**
 * Finds pairs of triangles of a mesh that cross each other. A watertight, consistently oriented mesh can still pass
 * through itself (smoothing can fold a thin edge over), and a slicer then prints something else than the implant.
 *
 * <p>Candidate pairs come from a uniform grid of cells (each triangle listed in every cell its bounding box overlaps);
 * a pair is tested once, in the cell holding the lowest corner of the overlap of the two boxes. Triangles that share
 * an edge are neighbours, not crossings. Triangles that share one vertex cross when the edge of either opposite the
 * shared vertex passes through the other. Other pairs cross when any of the six edges passes through the other
 * triangle (coplanar overlaps, which marching cubes and smoothing do not make, are not counted).
 */
public final class SelfIntersections {
    private SelfIntersections() {}

    /** Number of crossing triangle pairs (0 for a clean mesh). */
    public static long count(TriangleMesh mesh) {
        if (mesh.triangleCount() < 2) return 0;
        return count(Thickness.gridFor(mesh));
    }

    /**
     * Number of crossing pairs among the triangles of {@code grid}'s mesh, with the grid's cells as the candidate
     * search (the thickness map's index of the same mesh serves here: the count does not depend on the cell size,
     * since two triangles whose boxes overlap always share the cell at the lowest corner of that overlap).
     */
    static long count(TriangleGrid grid) {
        TriangleMesh mesh = grid.mesh();
        int t = mesh.triangleCount();
        if (t < 2) return 0;
        float[] v = mesh.vertices();
        int[] tri = mesh.triangles();
        int nx = grid.cellsX(), ny = grid.cellsY(), cells = grid.cellCount();
        int[] start = grid.cellStart(), items = grid.cellItems(), cellBox = grid.cellBoxes();
        float[] box = new float[6 * t]; // per triangle: min x y z, max x y z
        for (int i = 0; i < t; i++) {
            for (int a = 0; a < 3; a++) {
                float mn = Float.POSITIVE_INFINITY, mx = Float.NEGATIVE_INFINITY;
                for (int k = 0; k < 3; k++) {
                    float x = v[3 * tri[3 * i + k] + a];
                    mn = Math.min(mn, x);
                    mx = Math.max(mx, x);
                }
                box[6 * i + a] = mn;
                box[6 * i + 3 + a] = mx;
            }
        }
        // One task per layer of cells, not per cell: most of the grid's cells are empty, and a stream element per
        // cell cost more than the pair tests with the quick JIT.
        int layer = nx * ny;
        return IntStream.range(0, cells / layer)
                .parallel()
                .mapToLong(cz -> {
                    long found = 0;
                    for (int ci = cz * layer, end = ci + layer; ci < end; ci++) {
                        int from = start[ci], to = start[ci + 1];
                        if (to - from < 2) continue;
                        int cx = ci % nx, cy = (ci / nx) % ny;
                        for (int p = from; p < to; p++) {
                            int i = items[p];
                            for (int q = p + 1; q < to; q++) {
                                int j = items[q];
                                // count the pair only in the cell at the lowest corner of the boxes' overlap
                                if (Math.max(cellBox[6 * i], cellBox[6 * j]) != cx
                                        || Math.max(cellBox[6 * i + 1], cellBox[6 * j + 1]) != cy
                                        || Math.max(cellBox[6 * i + 2], cellBox[6 * j + 2]) != cz) continue;
                                if (box[6 * i] > box[6 * j + 3]
                                        || box[6 * j] > box[6 * i + 3]
                                        || box[6 * i + 1] > box[6 * j + 4]
                                        || box[6 * j + 1] > box[6 * i + 4]
                                        || box[6 * i + 2] > box[6 * j + 5]
                                        || box[6 * j + 2] > box[6 * i + 5]) continue;
                                if (cross(v, tri, i, j)) found++;
                            }
                        }
                    }
                    return found;
                })
                .sum();
    }

    /** Whether triangles i and j (of the same mesh) cross. */
    static boolean cross(float[] v, int[] tri, int i, int j) {
        // Corners as plain ints, no arrays: about a million pairs of neighbours reach this on a skull implant, and the
        // quick JIT allocates every array it is asked for.
        int a0 = tri[3 * i], a1 = tri[3 * i + 1], a2 = tri[3 * i + 2];
        int b0 = tri[3 * j], b1 = tri[3 * j + 1], b2 = tri[3 * j + 2];
        boolean s0 = a0 == b0 || a0 == b1 || a0 == b2;
        boolean s1 = a1 == b0 || a1 == b1 || a1 == b2;
        boolean s2 = a2 == b0 || a2 == b1 || a2 == b2;
        if ((s0 ? 1 : 0) + (s1 ? 1 : 0) + (s2 ? 1 : 0) >= 2) return false; // neighbours along an edge
        // corner pairs that coincide (more than the shared corners when a triangle repeats a vertex)
        int shared = (a0 == b0 ? 1 : 0)
                + (a0 == b1 ? 1 : 0)
                + (a0 == b2 ? 1 : 0)
                + (a1 == b0 ? 1 : 0)
                + (a1 == b1 ? 1 : 0)
                + (a1 == b2 ? 1 : 0)
                + (a2 == b0 ? 1 : 0)
                + (a2 == b1 ? 1 : 0)
                + (a2 == b2 ? 1 : 0);
        if (shared >= 2) return false;
        if (shared == 1) {
            // the edge of each opposite the shared vertex, through the other
            int s = s0 ? a0 : s1 ? a1 : a2;
            int ap = s0 ? a1 : s1 ? a2 : a0, aq = s0 ? a2 : s1 ? a0 : a1;
            int bp = s == b0 ? b1 : s == b1 ? b2 : b0, bq = s == b0 ? b2 : s == b1 ? b0 : b1;
            return segmentHits(v, ap, aq, b0, b1, b2) || segmentHits(v, bp, bq, a0, a1, a2);
        }
        return segmentHits(v, a0, a1, b0, b1, b2)
                || segmentHits(v, b0, b1, a0, a1, a2)
                || segmentHits(v, a1, a2, b0, b1, b2)
                || segmentHits(v, b1, b2, a0, a1, a2)
                || segmentHits(v, a2, a0, b0, b1, b2)
                || segmentHits(v, b2, b0, a0, a1, a2);
    }

    /**
     * Whether the segment from vertex p to vertex q passes through the interior of the triangle of vertices t0, t1,
     * t2 (Moller-Trumbore).
     */
    private static boolean segmentHits(float[] v, int p, int q, int t0, int t1, int t2) {
        double ox = v[3 * p], oy = v[3 * p + 1], oz = v[3 * p + 2];
        double dx = v[3 * q] - ox, dy = v[3 * q + 1] - oy, dz = v[3 * q + 2] - oz;
        int a = 3 * t0, bb = 3 * t1, cc = 3 * t2;
        double e1x = v[bb] - v[a], e1y = v[bb + 1] - v[a + 1], e1z = v[bb + 2] - v[a + 2];
        double e2x = v[cc] - v[a], e2y = v[cc + 1] - v[a + 1], e2z = v[cc + 2] - v[a + 2];
        double px = dy * e2z - dz * e2y, py = dz * e2x - dx * e2z, pz = dx * e2y - dy * e2x;
        double det = e1x * px + e1y * py + e1z * pz;
        double scale = Math.sqrt((e1x * e1x + e1y * e1y + e1z * e1z) * (e2x * e2x + e2y * e2y + e2z * e2z))
                * Math.sqrt(dx * dx + dy * dy + dz * dz);
        if (Math.abs(det) <= 1e-9 * scale) return false; // parallel or coplanar
        double inv = 1 / det;
        double sx = ox - v[a], sy = oy - v[a + 1], sz = oz - v[a + 2];
        double u = (sx * px + sy * py + sz * pz) * inv;
        double eps = 1e-7;
        if (u <= eps || u >= 1 - eps) return false;
        double qx = sy * e1z - sz * e1y, qy = sz * e1x - sx * e1z, qz = sx * e1y - sy * e1x;
        double w = (dx * qx + dy * qy + dz * qz) * inv;
        if (w <= eps || u + w >= 1 - eps) return false;
        double s = (e2x * qx + e2y * qy + e2z * qz) * inv;
        return s > eps && s < 1 - eps;
    }
}
