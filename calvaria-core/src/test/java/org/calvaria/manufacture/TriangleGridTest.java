package org.calvaria.manufacture;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.calvaria.mesh.MarchingCubes;
import org.calvaria.mesh.MeshSmoothing;
import org.calvaria.mesh.TriangleMesh;
import org.junit.jupiter.api.Test;

class TriangleGridTest {

    /** Distance to the nearest of all triangles, capped, computed as the grid does for one triangle. */
    static double bruteDistance(TriangleMesh mesh, double x, double y, double z, double maxDistance) {
        float[] v = mesh.vertices();
        int[] t = mesh.triangles();
        double best2 = maxDistance * maxDistance;
        double[] q = new double[3];
        for (int i = 0; i < t.length; i += 3) {
            int a = 3 * t[i], b = 3 * t[i + 1], c = 3 * t[i + 2];
            TriangleGrid.closest(
                    x, y, z, v[a], v[a + 1], v[a + 2], v[b], v[b + 1], v[b + 2], v[c], v[c + 1], v[c + 2], q);
            double dx = q[0] - x, dy = q[1] - y, dz = q[2] - z;
            best2 = Math.min(best2, dx * dx + dy * dy + dz * dz);
        }
        return Math.sqrt(best2);
    }

    @Test
    void ringSearchIsTheNearestOfAllTriangles() {
        // a plate like an implant's, queried near it, far from it (where only the cap can come back) and off the grid
        TriangleMesh cap = MeshSmoothing.taubin(
                MarchingCubes.extract(Caps.Cap.sphere(15, 3, 50).mask(0.9, 0.9, 1.2)), 5);
        double[] box = cap.boundingBox();
        Random r = new Random(13);
        for (double cell : new double[] {0.6, 1.1, 3}) {
            TriangleGrid grid = new TriangleGrid(cap, cell);
            for (int k = 0; k < 600; k++) {
                double x = box[0] - 8 + r.nextDouble() * (box[3] - box[0] + 16);
                double y = box[1] - 8 + r.nextDouble() * (box[4] - box[1] + 16);
                double z = box[2] - 8 + r.nextDouble() * (box[5] - box[2] + 16);
                double max = k % 3 == 0 ? 0.55 : k % 3 == 1 ? RimGaps.MAX_MM : 1e-3;
                assertEquals(
                        Double.doubleToLongBits(bruteDistance(cap, x, y, z, max)),
                        Double.doubleToLongBits(grid.distance(x, y, z, max)),
                        "cell " + cell + " at " + x + ", " + y + ", " + z + " within " + max);
            }
        }
    }

    /** Moller-Trumbore as it was before the early rejection: the hit parameter with triangle i, or NaN. */
    static double oldIntersect(
            float[] v, int[] tri, int i, double ox, double oy, double oz, double dx, double dy, double dz) {
        int a = 3 * tri[3 * i], b = 3 * tri[3 * i + 1], cc = 3 * tri[3 * i + 2];
        double e1x = v[b] - v[a], e1y = v[b + 1] - v[a + 1], e1z = v[b + 2] - v[a + 2];
        double e2x = v[cc] - v[a], e2y = v[cc + 1] - v[a + 1], e2z = v[cc + 2] - v[a + 2];
        double px = dy * e2z - dz * e2y, py = dz * e2x - dx * e2z, pz = dx * e2y - dy * e2x;
        double det = e1x * px + e1y * py + e1z * pz;
        if (Math.abs(det) < 1e-14) return Double.NaN;
        double inv = 1 / det;
        double sx = ox - v[a], sy = oy - v[a + 1], sz = oz - v[a + 2];
        double u = (sx * px + sy * py + sz * pz) * inv;
        if (u < -1e-9 || u > 1 + 1e-9) return Double.NaN;
        double qx = sy * e1z - sz * e1y, qy = sz * e1x - sx * e1z, qz = sx * e1y - sy * e1x;
        double w = (dx * qx + dy * qy + dz * qz) * inv;
        if (w < -1e-9 || u + w > 1 + 1e-9) return Double.NaN;
        return (e2x * qx + e2y * qy + e2z * qz) * inv;
    }

    @Test
    void raysHitWhatTheOldTestOverAllTrianglesHits() {
        TriangleMesh cap = MeshSmoothing.taubin(
                MarchingCubes.extract(Caps.Cap.sphere(15, 3, 50).mask(0.9, 0.9, 1.2)), 5);
        float[] v = cap.vertices();
        int[] tri = cap.triangles();
        float[] normals = cap.vertexNormals();
        TriangleGrid grid = new TriangleGrid(cap, Thickness.cellFor(cap));
        Random r = new Random(17);
        for (int i = 0; i < cap.vertexCount(); i += 3) {
            // inward from a vertex, as the thickness map casts, and in a random direction from near it
            double ox = v[3 * i], oy = v[3 * i + 1], oz = v[3 * i + 2];
            double[][] rays = {
                {-normals[3 * i], -normals[3 * i + 1], -normals[3 * i + 2]},
                {r.nextGaussian(), r.nextGaussian(), r.nextGaussian()}
            };
            for (double[] d : rays) {
                double len = Math.sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]);
                if (len < 1e-6) continue;
                double dx = d[0] / len, dy = d[1] / len, dz = d[2] / len;
                double best = Double.POSITIVE_INFINITY;
                for (int t = 0; t < cap.triangleCount(); t++) {
                    if (tri[3 * t] == i || tri[3 * t + 1] == i || tri[3 * t + 2] == i) continue;
                    double h = oldIntersect(v, tri, t, ox, oy, oz, dx, dy, dz);
                    if (h > 1e-4 && h < best) best = h;
                }
                double expected = best <= 25 ? best : Double.POSITIVE_INFINITY;
                assertEquals(
                        Double.doubleToLongBits(expected),
                        Double.doubleToLongBits(grid.rayHit(ox, oy, oz, dx, dy, dz, 1e-4, 25, i)),
                        "ray from vertex " + i);
            }
        }
    }
}
