package org.calvaria.manufacture;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.calvaria.mesh.TriangleMesh;

/** The implant's principal frame (pull direction), scaling and spread-out point choice for the mould. */
final class MouldFrame {
    private MouldFrame() {}

    /** Up to {@code k} points spread out: start anywhere, then repeatedly the one farthest from those chosen. */
    static List<int[]> farthestPoints(List<int[]> pts, int k) {
        List<int[]> out = new ArrayList<>();
        if (pts.isEmpty()) return out;
        out.add(pts.get(0));
        double[] best = new double[pts.size()];
        java.util.Arrays.fill(best, Double.POSITIVE_INFINITY);
        while (out.size() < k) {
            int[] last = out.get(out.size() - 1);
            int arg = -1;
            for (int i = 0; i < pts.size(); i++) {
                int[] p = pts.get(i);
                double d = (p[0] - last[0]) * (double) (p[0] - last[0]) + (p[1] - last[1]) * (double) (p[1] - last[1]);
                best[i] = Math.min(best[i], d);
                if (arg < 0 || best[i] > best[arg]) arg = i;
            }
            if (best[arg] == 0) break;
            out.add(pts.get(arg));
        }
        return out;
    }

    /** {mean, e1, e2, a}: area-weighted centroid and principal axes, a = thinnest axis towards the convex side. */
    static double[][] frame(TriangleMesh m) {
        int t = m.triangleCount();
        float[] v = m.vertices();
        int[] tri = m.triangles();
        double[] mean = new double[3];
        double[] cent = new double[3 * t], area = new double[t];
        double total = 0;
        for (int i = 0; i < t; i++) {
            area[i] = m.triangleArea(i);
            for (int q = 0; q < 3; q++) {
                cent[3 * i + q] = (v[3 * tri[3 * i] + q] + v[3 * tri[3 * i + 1] + q] + v[3 * tri[3 * i + 2] + q]) / 3;
                mean[q] += area[i] * cent[3 * i + q];
            }
            total += area[i];
        }
        for (int q = 0; q < 3; q++) mean[q] /= total;
        double[] cov = new double[9];
        for (int i = 0; i < t; i++) {
            for (int r = 0; r < 3; r++) {
                for (int c = 0; c < 3; c++) {
                    cov[3 * r + c] += area[i] * (cent[3 * i + r] - mean[r]) * (cent[3 * i + c] - mean[c]);
                }
            }
        }
        double[][] eig = symmetricEigen(cov); // columns sorted by eigenvalue, descending
        double[] e1 = eig[0], a = eig[2];
        // Convex side: points near the axis (the dome's top) lie higher along a than points far from it.
        double sw = 0, sr = 0, swr = 0, sumA = 0;
        for (int i = 0; i < t; i++) {
            double dx = cent[3 * i] - mean[0], dy = cent[3 * i + 1] - mean[1], dz = cent[3 * i + 2] - mean[2];
            double w = dx * a[0] + dy * a[1] + dz * a[2];
            double rho2 = dx * dx + dy * dy + dz * dz - w * w;
            sw += area[i] * w;
            sr += area[i] * rho2;
            swr += area[i] * w * rho2;
            sumA += area[i];
        }
        if (swr / sumA - (sw / sumA) * (sr / sumA) > 0) a = new double[] {-a[0], -a[1], -a[2]};
        double[] e2 = {a[1] * e1[2] - a[2] * e1[1], a[2] * e1[0] - a[0] * e1[2], a[0] * e1[1] - a[1] * e1[0]};
        return new double[][] {mean, e1, e2, a};
    }

    /** Eigenvectors of a symmetric 3x3 matrix (Jacobi rotations), as unit vectors by descending eigenvalue. */
    static double[][] symmetricEigen(double[] m) {
        double[][] A = {{m[0], m[1], m[2]}, {m[3], m[4], m[5]}, {m[6], m[7], m[8]}};
        double[][] V = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
        for (int sweep = 0; sweep < 50; sweep++) {
            double off = Math.abs(A[0][1]) + Math.abs(A[0][2]) + Math.abs(A[1][2]);
            if (off < 1e-15 * (Math.abs(A[0][0]) + Math.abs(A[1][1]) + Math.abs(A[2][2]) + 1e-300)) break;
            for (int p = 0; p < 2; p++) {
                for (int q = p + 1; q < 3; q++) {
                    if (A[p][q] == 0) continue;
                    double theta = (A[q][q] - A[p][p]) / (2 * A[p][q]);
                    double tt = Math.signum(theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
                    if (theta == 0) tt = 1;
                    double c = 1 / Math.sqrt(tt * tt + 1), sn = tt * c;
                    for (int k = 0; k < 3; k++) {
                        double akp = A[k][p], akq = A[k][q];
                        A[k][p] = c * akp - sn * akq;
                        A[k][q] = sn * akp + c * akq;
                    }
                    for (int k = 0; k < 3; k++) {
                        double apk = A[p][k], aqk = A[q][k];
                        A[p][k] = c * apk - sn * aqk;
                        A[q][k] = sn * apk + c * aqk;
                    }
                    for (int k = 0; k < 3; k++) {
                        double vkp = V[k][p], vkq = V[k][q];
                        V[k][p] = c * vkp - sn * vkq;
                        V[k][q] = sn * vkp + c * vkq;
                    }
                }
            }
        }
        Integer[] order = {0, 1, 2};
        final double[][] AA = A;
        java.util.Arrays.sort(order, Comparator.comparingDouble(i -> -AA[i][i]));
        double[][] out = new double[3][];
        for (int i = 0; i < 3; i++) {
            int c = order[i];
            double[] e = {V[0][c], V[1][c], V[2][c]};
            double len = Math.sqrt(e[0] * e[0] + e[1] * e[1] + e[2] * e[2]);
            out[i] = new double[] {e[0] / len, e[1] / len, e[2] / len};
        }
        return out;
    }

    static TriangleMesh scaled(TriangleMesh m, double[] about, double k) {
        float[] v = m.vertices().clone();
        for (int i = 0; i < v.length; i += 3) {
            for (int q = 0; q < 3; q++) v[i + q] = (float) (about[q] + (v[i + q] - about[q]) * k);
        }
        return new TriangleMesh(v, m.triangles());
    }
}
