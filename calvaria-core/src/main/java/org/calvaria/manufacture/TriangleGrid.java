package org.calvaria.manufacture;

import org.calvaria.mesh.TriangleMesh;
import org.calvaria.volume.Resampler;

/**
 * A uniform grid of cells over a mesh's triangles, for exact ray casts and exact point-to-surface distances.
 * Each triangle is listed in every cell its bounding box overlaps. Immutable after construction; queries are
 * thread-safe.
 */
final class TriangleGrid {
    private final TriangleMesh mesh;
    private final float[] v;
    private final int[] tri;
    private final double[] lo = new double[3];
    private final double cell;
    private final int nx, ny, nz;
    /** CSR: triangles of cell c are items[start[c] .. start[c+1]). */
    private final int[] start, items;
    /** Per triangle, the cells its bounding box spans: lowest x, y, z then highest x, y, z (inclusive). */
    private final int[] cellBoxes;
    /**
     * Per triangle, its corners' coordinates (9 floats), so that a query reads a triangle from one place instead of
     * fetching each corner from wherever its vertex lies in the mesh.
     */
    private final float[] corners;

    TriangleGrid(TriangleMesh mesh, double cellMm) {
        this.mesh = mesh;
        this.v = mesh.vertices();
        this.tri = mesh.triangles();
        double[] b = mesh.boundingBox();
        double c = cellMm;
        // Keep the cell count bounded (a few million cells at most).
        double ex = b[3] - b[0], ey = b[4] - b[1], ez = b[5] - b[2];
        while ((ex / c + 2) * (ey / c + 2) * (ez / c + 2) > 4e6) c *= 1.5;
        this.cell = c;
        for (int a = 0; a < 3; a++) lo[a] = b[a] - 1e-3;
        nx = (int) Math.floor(ex / c) + 2;
        ny = (int) Math.floor(ey / c) + 2;
        nz = (int) Math.floor(ez / c) + 2;
        int cells = nx * ny * nz;
        int t = mesh.triangleCount();
        int[] count = new int[cells + 1];
        int[] boxes = new int[6 * t]; // per triangle its cell box, for both passes (kept for the crossing search)
        for (int i = 0; i < t; i++) {
            int o = 6 * i;
            cellBox(i, boxes, o);
            for (int z = boxes[o + 2]; z <= boxes[o + 5]; z++)
                for (int y = boxes[o + 1]; y <= boxes[o + 4]; y++)
                    for (int x = boxes[o]; x <= boxes[o + 3]; x++) count[x + nx * (y + ny * z) + 1]++;
        }
        for (int i = 0; i < cells; i++) count[i + 1] += count[i];
        start = count.clone();
        items = new int[count[cells]];
        int[] fill = count;
        for (int i = 0; i < t; i++) {
            int o = 6 * i;
            for (int z = boxes[o + 2]; z <= boxes[o + 5]; z++)
                for (int y = boxes[o + 1]; y <= boxes[o + 4]; y++)
                    for (int x = boxes[o]; x <= boxes[o + 3]; x++) items[fill[x + nx * (y + ny * z)]++] = i;
        }
        cellBoxes = boxes;
        corners = new float[9 * t];
        for (int k = 0; k < 3 * t; k++) {
            int vertex = 3 * tri[k];
            corners[3 * k] = v[vertex];
            corners[3 * k + 1] = v[vertex + 1];
            corners[3 * k + 2] = v[vertex + 2];
        }
    }

    TriangleMesh mesh() {
        return mesh;
    }

    double cellSize() {
        return cell;
    }

    /** Cells along x and y (cell c is at x + cellsX * (y + cellsY * z)). */
    int cellsX() {
        return nx;
    }

    int cellsY() {
        return ny;
    }

    int cellCount() {
        return nx * ny * nz;
    }

    /** CSR of the cells' triangles: those of cell c are {@code cellItems()[cellStart()[c] .. cellStart()[c+1])}. */
    int[] cellStart() {
        return start;
    }

    int[] cellItems() {
        return items;
    }

    /** Per triangle t, its lowest cell along x, y, z at [6t .. 6t+2] and its highest at [6t+3 .. 6t+5]. */
    int[] cellBoxes() {
        return cellBoxes;
    }

    private void cellBox(int t, int[] box, int at) {
        for (int a = 0; a < 3; a++) {
            double mn = Double.POSITIVE_INFINITY, mx = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < 3; k++) {
                double x = v[3 * tri[3 * t + k] + a];
                mn = Math.min(mn, x);
                mx = Math.max(mx, x);
            }
            int n = a == 0 ? nx : a == 1 ? ny : nz;
            box[at + a] = clamp(Resampler.floorToInt((mn - lo[a]) / cell), n);
            box[at + 3 + a] = clamp(Resampler.floorToInt((mx - lo[a]) / cell), n);
        }
    }

    private static int clamp(int i, int n) {
        return i < 0 ? 0 : i >= n ? n - 1 : i;
    }

    /**
     * Distance along the unit direction {@code d} from {@code o} to the first triangle hit farther than
     * {@code tMin}, ignoring triangles that use vertex {@code skipVertex} (-1: none); +infinity when nothing is hit
     * within {@code maxLength}.
     */
    double rayHit(
            double ox,
            double oy,
            double oz,
            double dx,
            double dy,
            double dz,
            double tMin,
            double maxLength,
            int skipVertex) {
        // Amanatides-Woo traversal of the cells the ray passes, clipped to the grid box. Per axis in plain locals, not
        // small arrays: two rays per vertex are cast, and the quick JIT allocates every array it is asked for.
        double o0 = ox - lo[0], o1 = oy - lo[1], o2 = oz - lo[2];
        double tEnter = 0, tExit = maxLength;
        double ext0 = nx * cell, ext1 = ny * cell, ext2 = nz * cell;
        if (Math.abs(dx) < 1e-15) {
            if (o0 < 0 || o0 > ext0) return Double.POSITIVE_INFINITY;
        } else {
            double t0 = (0 - o0) / dx, t1 = (ext0 - o0) / dx;
            tEnter = Math.max(tEnter, Math.min(t0, t1));
            tExit = Math.min(tExit, Math.max(t0, t1));
        }
        if (Math.abs(dy) < 1e-15) {
            if (o1 < 0 || o1 > ext1) return Double.POSITIVE_INFINITY;
        } else {
            double t0 = (0 - o1) / dy, t1 = (ext1 - o1) / dy;
            tEnter = Math.max(tEnter, Math.min(t0, t1));
            tExit = Math.min(tExit, Math.max(t0, t1));
        }
        if (Math.abs(dz) < 1e-15) {
            if (o2 < 0 || o2 > ext2) return Double.POSITIVE_INFINITY;
        } else {
            double t0 = (0 - o2) / dz, t1 = (ext2 - o2) / dz;
            tEnter = Math.max(tEnter, Math.min(t0, t1));
            tExit = Math.min(tExit, Math.max(t0, t1));
        }
        if (tEnter > tExit) return Double.POSITIVE_INFINITY;
        int c0 = clamp(Resampler.floorToInt((o0 + dx * tEnter) / cell), nx);
        int c1 = clamp(Resampler.floorToInt((o1 + dy * tEnter) / cell), ny);
        int c2 = clamp(Resampler.floorToInt((o2 + dz * tEnter) / cell), nz);
        int step0 = dx > 0 ? 1 : dx < 0 ? -1 : 0, step1 = dy > 0 ? 1 : dy < 0 ? -1 : 0;
        int step2 = dz > 0 ? 1 : dz < 0 ? -1 : 0;
        double next0 = firstCrossing(c0, o0, dx), next1 = firstCrossing(c1, o1, dy), next2 = firstCrossing(c2, o2, dz);
        double delta0 = cellCrossing(dx), delta1 = cellCrossing(dy), delta2 = cellCrossing(dz);
        double best = Double.POSITIVE_INFINITY;
        double tCell;
        while (true) {
            int ci = c0 + nx * (c1 + ny * c2);
            for (int k = start[ci]; k < start[ci + 1]; k++) {
                int t = items[k];
                if (skipVertex >= 0
                        && (tri[3 * t] == skipVertex || tri[3 * t + 1] == skipVertex || tri[3 * t + 2] == skipVertex))
                    continue;
                double h = intersect(t, ox, oy, oz, dx, dy, dz);
                if (h > tMin && h < best) best = h;
            }
            if (next0 < next1 ? next0 < next2 : false) {
                tCell = next0;
                if (best <= tCell || tCell > tExit) break;
                c0 += step0;
                if (c0 < 0 || c0 >= nx) break;
                next0 += delta0;
            } else if (!(next0 < next1) && next1 < next2) {
                tCell = next1;
                if (best <= tCell || tCell > tExit) break;
                c1 += step1;
                if (c1 < 0 || c1 >= ny) break;
                next1 += delta1;
            } else {
                tCell = next2;
                if (best <= tCell || tCell > tExit) break;
                c2 += step2;
                if (c2 < 0 || c2 >= nz) break;
                next2 += delta2;
            }
        }
        return best <= maxLength ? best : Double.POSITIVE_INFINITY;
    }

    /** Ray parameter a ray along {@code d} takes to cross one cell of an axis (+infinity when it runs along it). */
    private double cellCrossing(double d) {
        if (d > 0) return cell / d;
        if (d < 0) return -cell / d;
        return Double.POSITIVE_INFINITY;
    }

    /** Ray parameter where a ray from {@code o} (grid coordinates) along {@code d} leaves cell {@code c} of its axis. */
    private double firstCrossing(int c, double o, double d) {
        if (d > 0) return ((c + 1) * cell - o) / d;
        if (d < 0) return (c * cell - o) / d;
        return Double.POSITIVE_INFINITY;
    }

    /** Moller-Trumbore: ray parameter of the hit with triangle t (both sides), or NaN. */
    private double intersect(int t, double ox, double oy, double oz, double dx, double dy, double dz) {
        int a = 9 * t, b = a + 3, cc = a + 6;
        double e1x = corners[b] - corners[a],
                e1y = corners[b + 1] - corners[a + 1],
                e1z = corners[b + 2] - corners[a + 2];
        double e2x = corners[cc] - corners[a],
                e2y = corners[cc + 1] - corners[a + 1],
                e2z = corners[cc + 2] - corners[a + 2];
        double px = dy * e2z - dz * e2y, py = dz * e2x - dx * e2z, pz = dx * e2y - dy * e2x;
        double det = e1x * px + e1y * py + e1z * pz;
        if (Math.abs(det) < 1e-14) return Double.NaN;
        double sx = ox - corners[a], sy = oy - corners[a + 1], sz = oz - corners[a + 2];
        double uTimesDet = sx * px + sy * py + sz * pz;
        double qx = sy * e1z - sz * e1y, qy = sz * e1x - sx * e1z, qz = sx * e1y - sy * e1x;
        double wTimesDet = dx * qx + dy * qy + dz * qz;
        // Most candidates miss by far: they are rejected before the division when u = uTimesDet / det or
        // w = wTimesDet / det is outside the ranges tested below by a margin (1e-5, relative) far larger than the
        // rounding of the division and of these tests, so only triangles the exact test could pass reach it.
        double adet = Math.abs(det);
        double un = det > 0 ? uTimesDet : -uTimesDet, wn = det > 0 ? wTimesDet : -wTimesDet;
        if (un < -1.00001e-9 * adet || un > 1.00001 * adet || wn < -1.00001e-9 * adet) return Double.NaN;
        if (un + wn > 1.00001 * adet) return Double.NaN;
        double inv = 1 / det;
        double u = uTimesDet * inv;
        if (u < -1e-9 || u > 1 + 1e-9) return Double.NaN;
        double w = wTimesDet * inv;
        if (w < -1e-9 || u + w > 1 + 1e-9) return Double.NaN;
        return (e2x * qx + e2y * qy + e2z * qz) * inv;
    }

    /**
     * Exact distance from (x, y, z) to the nearest point of the surface, or {@code maxDistance} when the surface is
     * farther than that.
     */
    double distance(double x, double y, double z, double maxDistance) {
        double[] p = {x - lo[0], y - lo[1], z - lo[2]};
        int[] c = new int[3];
        int[] n = {nx, ny, nz};
        for (int a = 0; a < 3; a++) c[a] = Resampler.floorToInt(p[a] / cell);
        double best2 = maxDistance * maxDistance;
        double[] scratch = new double[3];
        int maxRing = (int) Math.ceil(maxDistance / cell) + 1;
        // Rings are searched outward until none can hold anything closer; empty rings cost a few look-ups each,
        // which is less than a transform of the whole grid for the queries RimGaps makes.
        for (int ring = 0; ring <= maxRing; ring++) {
            // Every point in a ring r cell is at least (r - 1) * cell away.
            double reach = (ring - 1) * cell;
            if (reach > 0 && reach * reach >= best2) break;
            for (int dz = -ring; dz <= ring; dz++) {
                int cz = c[2] + dz;
                if (cz < 0 || cz >= n[2]) continue;
                for (int dy = -ring; dy <= ring; dy++) {
                    int cy = c[1] + dy;
                    if (cy < 0 || cy >= n[1]) continue;
                    boolean shellYZ = Math.abs(dz) == ring || Math.abs(dy) == ring;
                    for (int dx = -ring; dx <= ring; dx += shellYZ ? 1 : 2 * Math.max(ring, 1)) {
                        int cx = c[0] + dx;
                        if (cx < 0 || cx >= n[0]) continue;
                        int ci = cx + nx * (cy + ny * cz);
                        for (int k = start[ci]; k < start[ci + 1]; k++) {
                            double d2 = pointTriangle2(items[k], x, y, z, scratch);
                            if (d2 < best2) best2 = d2;
                        }
                    }
                }
            }
        }
        return Math.sqrt(best2);
    }

    /** Squared distance from a point to triangle t (closest point by regions, after Ericson). */
    private double pointTriangle2(int t, double px, double py, double pz, double[] q) {
        float[] c = corners;
        int ia = 9 * t, ib = ia + 3, ic = ia + 6;
        double ax = c[ia], ay = c[ia + 1], az = c[ia + 2];
        double bx = c[ib], by = c[ib + 1], bz = c[ib + 2];
        double cx = c[ic], cy = c[ic + 1], cz = c[ic + 2];
        closest(px, py, pz, ax, ay, az, bx, by, bz, cx, cy, cz, q);
        double dx = q[0] - px, dy = q[1] - py, dz = q[2] - pz;
        return dx * dx + dy * dy + dz * dz;
    }

    static void closest(
            double px,
            double py,
            double pz,
            double ax,
            double ay,
            double az,
            double bx,
            double by,
            double bz,
            double cx,
            double cy,
            double cz,
            double[] out) {
        double abx = bx - ax, aby = by - ay, abz = bz - az;
        double acx = cx - ax, acy = cy - ay, acz = cz - az;
        double apx = px - ax, apy = py - ay, apz = pz - az;
        double d1 = abx * apx + aby * apy + abz * apz, d2 = acx * apx + acy * apy + acz * apz;
        if (d1 <= 0 && d2 <= 0) {
            set(out, ax, ay, az);
            return;
        }
        double bpx = px - bx, bpy = py - by, bpz = pz - bz;
        double d3 = abx * bpx + aby * bpy + abz * bpz, d4 = acx * bpx + acy * bpy + acz * bpz;
        if (d3 >= 0 && d4 <= d3) {
            set(out, bx, by, bz);
            return;
        }
        double vc = d1 * d4 - d3 * d2;
        if (vc <= 0 && d1 >= 0 && d3 <= 0) {
            double w = d1 / (d1 - d3);
            set(out, ax + w * abx, ay + w * aby, az + w * abz);
            return;
        }
        double cpx = px - cx, cpy = py - cy, cpz = pz - cz;
        double d5 = abx * cpx + aby * cpy + abz * cpz, d6 = acx * cpx + acy * cpy + acz * cpz;
        if (d6 >= 0 && d5 <= d6) {
            set(out, cx, cy, cz);
            return;
        }
        double vb = d5 * d2 - d1 * d6;
        if (vb <= 0 && d2 >= 0 && d6 <= 0) {
            double w = d2 / (d2 - d6);
            set(out, ax + w * acx, ay + w * acy, az + w * acz);
            return;
        }
        double va = d3 * d6 - d5 * d4;
        if (va <= 0 && (d4 - d3) >= 0 && (d5 - d6) >= 0) {
            double w = (d4 - d3) / ((d4 - d3) + (d5 - d6));
            set(out, bx + w * (cx - bx), by + w * (cy - by), bz + w * (cz - bz));
            return;
        }
        double denom = 1 / (va + vb + vc);
        double vv = vb * denom, ww = vc * denom;
        set(out, ax + abx * vv + acx * ww, ay + aby * vv + acy * ww, az + abz * vv + acz * ww);
    }

    private static void set(double[] o, double x, double y, double z) {
        o[0] = x;
        o[1] = y;
        o[2] = z;
    }
}
