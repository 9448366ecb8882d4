package org.calvaria.dataset;

import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import org.calvaria.CalvariaException;
import org.calvaria.defects.Augmentation;
import org.calvaria.normalise.GridPlacement;
import org.calvaria.normalise.GridResampling;
import org.calvaria.normalise.NetworkGrid;
import org.calvaria.volume.FloatVolume;
import org.calvaria.volume.Geometry;
import org.calvaria.volume.MaskVolume;
import org.calvaria.volume.ShortVolume;
import org.calvaria.volume.VoxelType;

/**
 * One skull mapped once onto a <em>working grid</em>: the network grid placed on the complete skull, extended
 * {@value #EXTRA_SLICES} slices downwards so that tilting during augmentation brings real bone in from below instead
 * of empty space. Bone is kept as partial-volume fractions (0..{@value #SCALE} in 16 bits, 1.2 MB per skull) so an
 * augmented mask is as good as one mapped from the full-resolution scan.
 *
 * @param id            skull identifier (file name without extension); splits are made over these
 * @param source        where the complete skull came from
 * @param placement     the network grid placed on the complete skull (its top {@code nz} slices of the working grid)
 * @param complete      bone fractions of the complete skull on the working grid
 * @param realDefective bone fractions of a real defective skull of the same head (e.g. SkullFix), or null
 */
public record GridSkull(
        String id, String source, GridPlacement placement, ShortVolume complete, ShortVolume realDefective) {
    /** Slices added below the network grid. */
    public static final int EXTRA_SLICES = 8;
    /** Fraction 1.0 is stored as this value. */
    public static final int SCALE = 10000;

    public boolean hasRealDefect() {
        return realDefective != null;
    }

    /** The working grid for a network grid placement. */
    public static Geometry workingGrid(GridPlacement p) {
        Geometry g = p.grid();
        return g.subGrid(0, 0, -EXTRA_SLICES, g.nx(), g.ny(), g.nz() + EXTRA_SLICES);
    }

    /** Maps a full-resolution complete skull (and optionally its real defective version) onto its working grid. */
    public static GridSkull map(
            String id, String source, MaskVolume complete, MaskVolume realDefective, NetworkGrid grid) {
        GridPlacement p = grid.place(complete);
        Geometry work = workingGrid(p);
        ShortVolume c = quantise(GridResampling.average(complete, work));
        ShortVolume d = null;
        if (realDefective != null) {
            if (!realDefective.geometry().sameGrid(complete.geometry(), 1e-3)) {
                throw new CalvariaException("defective skull of " + id + " is not on the complete skull's grid;"
                        + " give both from the same scan");
            }
            d = quantise(GridResampling.average(realDefective, work));
        }
        return new GridSkull(id, source, p, c, d);
    }

    static ShortVolume quantise(FloatVolume f) {
        ShortVolume s = new ShortVolume(f.geometry());
        s.setSourceType(VoxelType.INT16);
        short[] d = s.data();
        float[] in = f.data();
        for (int i = 0; i < in.length; i++) d[i] = (short) Math.round(Math.max(0, Math.min(1, in[i])) * SCALE);
        return s;
    }

    /** Rotation centre for augmentation: the grid's in-plane centre, half the grid height below the vertex. */
    public double[] augmentationCentre(NetworkGrid grid) {
        double[] c = placement.centre();
        return new double[] {c[0], c[1], placement.vertex()[2] - grid.heightMm() / 2};
    }

    /** The complete skull on the network grid under an augmentation (identity: exactly {@code toGrid}). */
    public MaskVolume completeOnGrid(Augmentation a, NetworkGrid grid) {
        return onGrid(complete, a, grid);
    }

    /** The real defective skull on the network grid under an augmentation. */
    public MaskVolume realDefectiveOnGrid(Augmentation a, NetworkGrid grid) {
        if (realDefective == null) throw new IllegalStateException(id + " has no real defect");
        return onGrid(realDefective, a, grid);
    }

    private MaskVolume onGrid(ShortVolume fractions, Augmentation a, NetworkGrid grid) {
        Geometry g = placement.grid();
        MaskVolume m = new MaskVolume(g);
        m.setSourceType(VoxelType.UINT8);
        short[] f = fractions.data();
        int threshold = SCALE / 2;
        if (a.isIdentity()) {
            int offset = EXTRA_SLICES * g.nx() * g.ny();
            int n = g.voxelCount();
            for (int i = 0; i < n; i++) if (f[offset + i] >= threshold) m.set(i, true);
            return m;
        }
        Geometry work = fractions.geometry();
        double[] map = a.indexMap(work, g, augmentationCentre(grid), grid.spacingMm());
        byte[] occupied = occupancy(fractions);
        int wnx = work.nx(), wny = work.ny(), wnz = work.nz(), plane = wnx * wny;
        int nx = g.nx(), ny = g.ny(), nz = g.nz();
        int i = 0;
        for (int z = 0; z < nz; z++) {
            for (int y = 0; y < ny; y++) {
                double bx = map[1] * y + map[2] * z + map[3];
                double by = map[5] * y + map[6] * z + map[7];
                double bz = map[9] * y + map[10] * z + map[11];
                for (int x = 0; x < nx; x++, i++) {
                    double fx = bx + map[0] * x, fy = by + map[4] * x, fz = bz + map[8] * x;
                    int x0 = (int) Math.floor(fx), y0 = (int) Math.floor(fy), z0 = (int) Math.floor(fz);
                    if (x0 < -1 || y0 < -1 || z0 < -1 || x0 >= wnx || y0 >= wny || z0 >= wnz) continue;
                    boolean interior = x0 >= 0 && y0 >= 0 && z0 >= 0 && x0 < wnx - 1 && y0 < wny - 1 && z0 < wnz - 1;
                    int base = x0 + wnx * y0 + plane * z0;
                    if (interior && occupied[base] == 0) continue; // all eight neighbours are empty
                    double tx = fx - x0, ty = fy - y0, tz = fz - z0;
                    double c000, c100, c010, c110, c001, c101, c011, c111;
                    if (interior) {
                        c000 = f[base];
                        c100 = f[base + 1];
                        c010 = f[base + wnx];
                        c110 = f[base + wnx + 1];
                        c001 = f[base + plane];
                        c101 = f[base + plane + 1];
                        c011 = f[base + plane + wnx];
                        c111 = f[base + plane + wnx + 1];
                    } else {
                        c000 = at(f, wnx, wny, wnz, x0, y0, z0);
                        c100 = at(f, wnx, wny, wnz, x0 + 1, y0, z0);
                        c010 = at(f, wnx, wny, wnz, x0, y0 + 1, z0);
                        c110 = at(f, wnx, wny, wnz, x0 + 1, y0 + 1, z0);
                        c001 = at(f, wnx, wny, wnz, x0, y0, z0 + 1);
                        c101 = at(f, wnx, wny, wnz, x0 + 1, y0, z0 + 1);
                        c011 = at(f, wnx, wny, wnz, x0, y0 + 1, z0 + 1);
                        c111 = at(f, wnx, wny, wnz, x0 + 1, y0 + 1, z0 + 1);
                    }
                    double c00 = c000 + (c100 - c000) * tx, c10 = c010 + (c110 - c010) * tx;
                    double c01 = c001 + (c101 - c001) * tx, c11 = c011 + (c111 - c011) * tx;
                    double c0 = c00 + (c10 - c00) * ty, c1 = c01 + (c11 - c01) * ty;
                    if (c0 + (c1 - c0) * tz >= threshold) m.set(i, true);
                }
            }
        }
        return m;
    }

    private static double at(short[] f, int nx, int ny, int nz, int x, int y, int z) {
        if (x < 0 || y < 0 || z < 0 || x >= nx || y >= ny || z >= nz) return 0;
        return f[x + nx * (y + ny * z)];
    }

    /** Per-skull lookup: 1 where any of the 2x2x2 voxels starting at an index is non-zero (weakly cached). */
    private static final Map<ShortVolume, byte[]> OCCUPANCY = Collections.synchronizedMap(new WeakHashMap<>());

    private static byte[] occupancy(ShortVolume v) {
        byte[] cached = OCCUPANCY.get(v);
        if (cached != null) return cached;
        Geometry g = v.geometry();
        int nx = g.nx(), ny = g.ny(), plane = nx * ny;
        short[] f = v.data();
        byte[] occ = new byte[f.length];
        for (int i = 0; i < f.length; i++) {
            if (f[i] == 0) continue;
            // voxel i is a corner of the cells starting at i - {0,1} along each axis
            int x = i % nx, y = (i / nx) % ny, z = i / plane;
            for (int dz = 0; dz <= 1 && dz <= z; dz++) {
                for (int dy = 0; dy <= 1 && dy <= y; dy++) {
                    for (int dx = 0; dx <= 1 && dx <= x; dx++) occ[i - dx - nx * dy - plane * dz] = 1;
                }
            }
        }
        OCCUPANCY.put(v, occ);
        return occ;
    }
}
