package org.calvaria.dataset;

import java.util.List;
import org.calvaria.CalvariaException;
import org.calvaria.normalise.CranialRays;
import org.calvaria.normalise.Hole;
import org.calvaria.normalise.HoleFinder;
import org.calvaria.volume.FloatVolume;
import org.calvaria.volume.Geometry;
import org.calvaria.volume.MaskVolume;
import org.calvaria.volume.ShortVolume;
import org.calvaria.volume.Volume;
import org.calvaria.volume.VoxelType;

/**
 * One skull kept whole for training on grids turned to any part of the vault: bone as partial-volume fractions
 * (0..{@value GridSkull#SCALE} in 16 bits) on an axis-aligned {@value #SPACING_MM} mm grid around the bone, plus what
 * the rays from the cranial centre see (for placing oriented grids) and, for a real defective skull (SkullFix), its
 * hole.
 *
 * @param id            skull identifier; splits are made over these
 * @param source        where the complete skull came from
 * @param complete      bone fractions of the complete skull
 * @param realDefective bone fractions of a real defective skull of the same head, on the same grid, or null
 * @param rays          rays of the complete skull
 * @param realRays      rays of the real defective skull (from its own centre, as a design sees it), or null
 * @param realHole      the largest hole of the real defective skull, or null
 */
public record VaultSkull(
        String id,
        String source,
        ShortVolume complete,
        ShortVolume realDefective,
        CranialRays rays,
        CranialRays realRays,
        Hole realHole) {
    /** Spacing of the stored fractions, mm: finer than the 1.75 mm network grid so resampling keeps detail. */
    public static final double SPACING_MM = 1.25;
    /** Empty margin kept around the bone, mm. */
    static final double MARGIN_MM = 6;

    public boolean hasRealDefect() {
        return realDefective != null && realHole != null;
    }

    /** Maps full-resolution skulls (the defective one optional) onto the stored grid and casts their rays. */
    public static VaultSkull map(String id, String source, MaskVolume complete, MaskVolume realDefective) {
        Geometry store = storageGrid(complete);
        ShortVolume c = GridSkull.quantise(splat(complete, store));
        ShortVolume d = null;
        if (realDefective != null) {
            if (!realDefective.geometry().sameGrid(complete.geometry(), 1e-3)) {
                throw new CalvariaException("defective skull of " + id + " is not on the complete skull's grid;"
                        + " give both from the same scan");
            }
            d = GridSkull.quantise(splat(realDefective, store));
        }
        return of(id, source, c, d);
    }

    /** A skull from stored fractions (e.g. read back from a cache): the rays and holes are recomputed. */
    public static VaultSkull of(String id, String source, ShortVolume complete, ShortVolume realDefective) {
        CranialRays rays = CranialRays.cast(mask(complete));
        CranialRays realRays = null;
        Hole hole = null;
        if (realDefective != null) {
            realRays = CranialRays.cast(mask(realDefective));
            List<Hole> holes = HoleFinder.find(realRays);
            hole = holes.isEmpty() ? null : holes.get(0);
        }
        return new VaultSkull(id, source, complete, realDefective, rays, realRays, hole);
    }

    /**
     * Bone fractions on a coarser axis-aligned grid by splatting: every bone voxel centre spreads its volume over the
     * 8 nearest target voxels with trilinear weights (a tent filter), divided by the target voxel volume. Exact in
     * total volume, about 100x faster than supersampling the target, and right for sources much finer than the target.
     */
    static FloatVolume splat(MaskVolume skull, Geometry target) {
        Geometry g = skull.geometry();
        int snx = g.nx(), sny = g.ny();
        double[] m = g.matrix(), o = g.origin(), to = target.origin();
        double[] ts = target.spacing();
        int tnx = target.nx(), tny = target.ny(), tnz = target.nz();
        float[] acc = new float[target.voxelCount()];
        float w = (float) (g.voxelVolumeMm3() / target.voxelVolumeMm3());
        skull.forEachSet(i -> {
            int x = i % snx, r = i / snx, y = r % sny, z = r / sny;
            double fx = (o[0] + m[0] * x + m[1] * y + m[2] * z - to[0]) / ts[0];
            double fy = (o[1] + m[3] * x + m[4] * y + m[5] * z - to[1]) / ts[1];
            double fz = (o[2] + m[6] * x + m[7] * y + m[8] * z - to[2]) / ts[2];
            int x0 = (int) Math.floor(fx), y0 = (int) Math.floor(fy), z0 = (int) Math.floor(fz);
            if (x0 < 0 || y0 < 0 || z0 < 0 || x0 >= tnx - 1 || y0 >= tny - 1 || z0 >= tnz - 1) return;
            float tx = (float) (fx - x0), ty = (float) (fy - y0), tz = (float) (fz - z0);
            int k = x0 + tnx * (y0 + tny * z0), plane = tnx * tny;
            for (int dz = 0; dz < 2; dz++) {
                float wz = w * (dz == 0 ? 1 - tz : tz);
                for (int dy = 0; dy < 2; dy++) {
                    float wy = wz * (dy == 0 ? 1 - ty : ty);
                    int row = k + dz * plane + dy * tnx;
                    acc[row] += wy * (1 - tx);
                    acc[row + 1] += wy * tx;
                }
            }
        });
        FloatVolume f = new FloatVolume(target);
        System.arraycopy(acc, 0, f.data(), 0, acc.length);
        return f;
    }

    /** Bone where the stored fraction is at least one half. */
    static MaskVolume mask(ShortVolume fractions) {
        MaskVolume m = new MaskVolume(fractions.geometry());
        short[] f = fractions.data();
        for (int i = 0; i < f.length; i++) if (f[i] >= GridSkull.SCALE / 2) m.set(i, true);
        return m;
    }

    /** Axis-aligned LPS grid at {@link #SPACING_MM} around the bone's physical bounding box. */
    static Geometry storageGrid(Volume skull) {
        double[] b = boneBounds((MaskVolume) skull);
        double s = SPACING_MM;
        int[] n = new int[3];
        double[] origin = new double[3];
        for (int a = 0; a < 3; a++) {
            double lo = b[a] - MARGIN_MM, hi = b[a + 3] + MARGIN_MM;
            n[a] = (int) Math.ceil((hi - lo) / s) + 1;
            origin[a] = lo;
        }
        if ((long) n[0] * n[1] * n[2] > 60_000_000L) {
            throw new CalvariaException("skull bone spans more than a head (" + n[0] + "x" + n[1] + "x" + n[2]
                    + " voxels at " + s + " mm); check the scan's spacing");
        }
        return Geometry.axisAligned(n[0], n[1], n[2], s, s, s, origin);
    }

    private static double[] boneBounds(MaskVolume skull) {
        double[] b = skull.physicalBoundsOfSet();
        if (b == null) throw new CalvariaException("the skull mask is empty");
        return b;
    }

    /**
     * Stored fractions resampled (trilinear) onto a target grid and thresholded at one half. The result carries the
     * canonical geometry {@code canonical} (same sizes), so defect cutting sees a vertex-like grid.
     */
    public static MaskVolume onGrid(ShortVolume fractions, Geometry target, Geometry canonical) {
        Geometry src = fractions.geometry();
        double[][] map = src.indexMapOf(target);
        double[] base = map[0];
        double[][] col = {map[1], map[2], map[3]};
        short[] f = fractions.data();
        int snx = src.nx(), sny = src.ny(), snz = src.nz(), plane = snx * sny;
        MaskVolume out = new MaskVolume(canonical);
        out.setSourceType(VoxelType.UINT8);
        int threshold = GridSkull.SCALE / 2;
        int i = 0;
        for (int z = 0; z < target.nz(); z++) {
            for (int y = 0; y < target.ny(); y++) {
                double bx = base[0] + col[1][0] * y + col[2][0] * z;
                double by = base[1] + col[1][1] * y + col[2][1] * z;
                double bz = base[2] + col[1][2] * y + col[2][2] * z;
                for (int x = 0; x < target.nx(); x++, i++) {
                    double fx = bx + col[0][0] * x, fy = by + col[0][1] * x, fz = bz + col[0][2] * x;
                    int x0 = (int) Math.floor(fx), y0 = (int) Math.floor(fy), z0 = (int) Math.floor(fz);
                    if (x0 < 0 || y0 < 0 || z0 < 0 || x0 >= snx - 1 || y0 >= sny - 1 || z0 >= snz - 1) continue;
                    int k = x0 + snx * y0 + plane * z0;
                    if ((f[k]
                                    | f[k + 1]
                                    | f[k + snx]
                                    | f[k + snx + 1]
                                    | f[k + plane]
                                    | f[k + plane + 1]
                                    | f[k + plane + snx]
                                    | f[k + plane + snx + 1])
                            == 0) continue;
                    double tx = fx - x0, ty = fy - y0, tz = fz - z0;
                    double c00 = f[k] + (f[k + 1] - f[k]) * tx;
                    double c10 = f[k + snx] + (f[k + snx + 1] - f[k + snx]) * tx;
                    double c01 = f[k + plane] + (f[k + plane + 1] - f[k + plane]) * tx;
                    double c11 = f[k + plane + snx] + (f[k + plane + snx + 1] - f[k + plane + snx]) * tx;
                    double c0 = c00 + (c10 - c00) * ty, c1 = c01 + (c11 - c01) * ty;
                    if (c0 + (c1 - c0) * tz >= threshold) out.set(i, true);
                }
            }
        }
        return out;
    }
}
