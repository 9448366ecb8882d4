package org.calvaria.manufacture;

import java.util.stream.IntStream;
import org.calvaria.evaluate.DistanceTransform;
import org.calvaria.volume.Geometry;
import org.calvaria.volume.MaskVolume;

/**
 * Wall thickness control that keeps the outer surface where the completed skull puts it and works only inward,
 * towards the cranial centre.
 *
 * <p>The outer surface is found as the implant's faces towards open air on the far side from the cranial centre
 * (6-neighbours outside implant and bone whose step points outward). The depth of every voxel below that surface is
 * its exact Euclidean distance (mm) to those air voxels. A voxel belongs to the shell of thickness T when its depth is
 * under T and it lies inward of the implant: walking from it straight away from the centre meets implant before
 * meeting air or bone. {@link #atLeast} adds that shell to the implant (thin places grow inward, thick ones stay);
 * {@link #uniform} replaces the implant by it (a plate of constant thickness following the outer surface). Bone
 * voxels are never added. On a sheared grid the depth uses the grid's spacing without the shear (a close
 * approximation for gantry tilts of a few degrees).
 */
public final class ShellThickener {
    private ShellThickener() {}

    /** The implant thickened inward to at least {@code minMm} wherever it is thinner. */
    public static MaskVolume atLeast(MaskVolume implant, MaskVolume skull, double[] centre, double minMm) {
        return run(implant, skull, centre, minMm, false);
    }

    /** A shell of constant thickness {@code mm} following the implant's outer surface, inward. */
    public static MaskVolume uniform(MaskVolume implant, MaskVolume skull, double[] centre, double mm) {
        return run(implant, skull, centre, mm, true);
    }

    /** Physical centroid of a mask's set voxels, mm. */
    public static double[] centroid(MaskVolume mask) {
        Geometry g = mask.geometry();
        int nx = g.nx(), ny = g.ny(), nz = g.nz();
        long[] words = mask.words();
        // Integer sums, 64 voxels of a row at a time (exact, so the same as adding voxel by voxel).
        long sumX = 0, sumY = 0, sumZ = 0, n = 0;
        for (int z = 0; z < nz; z++) {
            for (int y = 0; y < ny; y++) {
                int base = nx * (y + ny * z);
                for (int x = 0; x < nx; x += 64) {
                    long bits = bitsAt(words, base + x, Math.min(64, nx - x));
                    if (bits == 0) continue;
                    long c = Long.bitCount(bits);
                    n += c;
                    sumX += c * x + setBitPositionSum(bits);
                    sumY += c * y;
                    sumZ += c * z;
                }
            }
        }
        if (n == 0) return g.center();
        return g.indexToPhysical((double) sumX / n, (double) sumY / n, (double) sumZ / n);
    }

    /** {@code length} (1..64) bits of {@code words} from bit {@code from}, in the low bits. */
    private static long bitsAt(long[] words, int from, int length) {
        int w = from >>> 6, shift = from & 63;
        long bits = words[w] >>> shift;
        if (shift + length > 64) bits |= words[w + 1] << (64 - shift);
        return length == 64 ? bits : bits & ((1L << length) - 1);
    }

    private static final long[] POSITION_BIT = {
        0xAAAAAAAAAAAAAAAAL, 0xCCCCCCCCCCCCCCCCL, 0xF0F0F0F0F0F0F0F0L,
        0xFF00FF00FF00FF00L, 0xFFFF0000FFFF0000L, 0xFFFFFFFF00000000L
    };

    /** Sum of the positions (0..63) of the set bits: bit k of a position is set for the bits POSITION_BIT[k] marks. */
    static long setBitPositionSum(long bits) {
        long s = 0;
        for (int k = 0; k < 6; k++) s += (long) Long.bitCount(bits & POSITION_BIT[k]) << k;
        return s;
    }

    private static MaskVolume run(
            MaskVolume implantFull, MaskVolume skullFull, double[] centre, double t, boolean replace) {
        Geometry fg = implantFull.geometry();
        double[] sp = fg.spacing();
        double maxS = Math.max(sp[0], Math.max(sp[1], sp[2])), minS = Math.min(sp[0], Math.min(sp[1], sp[2]));
        Crop box = Crop.around(implantFull, t + 2 * maxS + 1);
        MaskVolume im = box.cut(implantFull), bone = box.cut(skullFull);
        Geometry g = im.geometry();
        int nx = g.nx(), ny = g.ny(), nz = g.nz();
        double[][] axis = {g.axisVector(0), g.axisVector(1), g.axisVector(2)};
        // Outer air: non-implant, non-bone 6-neighbours of the implant reached by an outward step.
        MaskVolume air = new MaskVolume(g);
        int[][] steps = {{1, 0, 0}, {-1, 0, 0}, {0, 1, 0}, {0, -1, 0}, {0, 0, 1}, {0, 0, -1}};
        double[] axisLength = new double[3];
        for (int a = 0; a < 3; a++) {
            double[] v = axis[a];
            axisLength[a] = Math.sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
        }
        double[] p = new double[3];
        im.forEachSet(i -> {
            int x = i % nx, y = (i / nx) % ny, z = i / (nx * ny);
            double[] r = null; // the radial direction, worked out only for voxels on the implant's surface
            for (int[] s : steps) {
                int qx = x + s[0], qy = y + s[1], qz = z + s[2];
                if (!g.contains(qx, qy, qz)) continue;
                int q = g.index(qx, qy, qz);
                if (im.isSet(q) || bone.isSet(q)) continue;
                if (r == null) r = radialUnit(g, x, y, z, centre, p);
                int a = s[0] != 0 ? 0 : s[1] != 0 ? 1 : 2;
                int sign = s[a];
                double[] v = axis[a];
                double dot = sign * (v[0] * r[0] + v[1] * r[1] + v[2] * r[2]) / axisLength[a];
                if (dot > 0.3) air.set(q, true);
            }
        });
        double meanS = (sp[0] + sp[1] + sp[2]) / 3;
        double limit = t + meanS / 2;
        double limit2 = limit * limit;
        // Only "under the limit or not" is used, so the transform may drop everything beyond it.
        float[] depth2 = DistanceTransform.squaredDistanceBelowMm2(air, sp, limit2);
        double walk = t + 2 * maxS;
        double h = 0.5 * minS;
        MaskVolume shell = new MaskVolume(g);
        boolean[] accept = new boolean[g.voxelCount()];
        IntStream.range(0, nz).parallel().forEach(z -> {
            double[] q = new double[3];
            double[] idx = new double[3];
            for (int y = 0; y < ny; y++) {
                for (int x = 0; x < nx; x++) {
                    int i = g.index(x, y, z);
                    if (depth2[i] >= limit2 || bone.isSet(i) || air.isSet(i)) continue;
                    if (im.isSet(i)) {
                        accept[i] = true;
                        continue;
                    }
                    // Walk straight outward (away from the centre) in physical steps of h.
                    g.indexToPhysical(x, y, z, q);
                    double dx = q[0] - centre[0], dy = q[1] - centre[1], dz = q[2] - centre[2];
                    double len = Math.sqrt(dx * dx + dy * dy + dz * dz);
                    if (len == 0) continue;
                    dx /= len;
                    dy /= len;
                    dz /= len;
                    for (double s = h; s <= walk; s += h) {
                        g.physicalToIndex(q[0] + dx * s, q[1] + dy * s, q[2] + dz * s, idx);
                        int wx = (int) Math.round(idx[0]), wy = (int) Math.round(idx[1]), wz = (int) Math.round(idx[2]);
                        if (!g.contains(wx, wy, wz)) break;
                        int w = g.index(wx, wy, wz);
                        if (w == i) continue;
                        if (im.isSet(w)) {
                            accept[i] = true;
                            break;
                        }
                        if (bone.isSet(w) || air.isSet(w)) break;
                    }
                }
            }
        });
        for (int i = 0; i < accept.length; i++) if (accept[i]) shell.set(i, true);
        MaskVolume result = replace ? shell : im.copy().or(shell);
        result.andNot(bone);
        return box.paste(implantFull, result);
    }

    private static double[] radialUnit(Geometry g, int x, int y, int z, double[] centre, double[] p) {
        g.indexToPhysical(x, y, z, p);
        double dx = p[0] - centre[0], dy = p[1] - centre[1], dz = p[2] - centre[2];
        double len = Math.sqrt(dx * dx + dy * dy + dz * dz);
        if (len == 0) return new double[] {0, 0, 1};
        return new double[] {dx / len, dy / len, dz / len};
    }
}
