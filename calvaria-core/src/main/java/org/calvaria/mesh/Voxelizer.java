package org.calvaria.mesh;

import java.util.Arrays;
import java.util.stream.IntStream;
import org.calvaria.CalvariaException;
import org.calvaria.Progress;
import org.calvaria.volume.Geometry;
import org.calvaria.volume.MaskVolume;

/**
 * Turns a closed mesh back into a binary mask: a voxel is set when its centre lies inside the surface.
 *
 * <p>The inside test casts a ray along the grid's x index axis through every row of voxel centres and counts surface
 * crossings, working in continuous index coordinates so that sheared and oblique grids are handled exactly. Rays
 * that pass exactly through a mesh vertex or along an edge are the norm, not the exception (a mesh made from the same
 * grid has its vertices on the rows), so the point-in-triangle test uses simulation of simplicity: every row is
 * treated as shifted by an infinitesimal amount, with each edge's side decided by the same exact arithmetic in both
 * triangles sharing it. Each crossing is then counted exactly once. A closed, consistently oriented mesh is filled by
 * the non-zero winding rule (overlapping pieces are filled once); any other mesh by crossing parity.
 */
public final class Voxelizer {
    private Voxelizer() {}

    /** A mask on {@code grid} with the voxels whose centres lie inside the mesh. */
    public static MaskVolume voxelize(TriangleMesh mesh, Geometry grid) {
        if (mesh.isEmpty()) throw new CalvariaException("the mesh has no triangles; nothing to voxelize");
        return new Run(mesh, grid, mesh.isWatertight()).fill();
    }

    /**
     * An axis-aligned LPS grid with isotropic {@code spacingMm} covering the mesh's bounding box plus
     * {@code marginVoxels} voxels on every side.
     */
    public static Geometry gridCovering(TriangleMesh mesh, double spacingMm, int marginVoxels) {
        if (!(spacingMm > 0) || !Double.isFinite(spacingMm)) {
            throw new CalvariaException("spacing must be a positive number of mm, got " + spacingMm);
        }
        if (mesh.isEmpty()) throw new CalvariaException("the mesh has no triangles; nothing to voxelize");
        double[] b = mesh.boundingBox();
        int[] n = new int[3];
        double[] origin = new double[3];
        long total = 1;
        for (int a = 0; a < 3; a++) {
            double extent = b[3 + a] - b[a];
            long count = (long) Math.ceil(extent / spacingMm) + 1 + 2L * marginVoxels;
            if (count > 100_000) {
                throw new CalvariaException(String.format(
                        java.util.Locale.ROOT,
                        "a %.4g mm spacing over the mesh's %.1f mm extent gives %d voxels along one axis; use a"
                                + " coarser --spacing",
                        spacingMm,
                        extent,
                        count));
            }
            n[a] = (int) count;
            total *= count;
            origin[a] = (b[a] + b[3 + a]) / 2 - (count - 1) * spacingMm / 2;
        }
        if (total > Integer.MAX_VALUE - 64L) {
            throw new CalvariaException("a " + spacingMm + " mm spacing over this mesh gives " + total
                    + " voxels (more than 2^31); use a coarser --spacing");
        }
        return Geometry.axisAligned(n[0], n[1], n[2], spacingMm, spacingMm, spacingMm, origin);
    }

    private static final class Run {
        final TriangleMesh mesh;
        final Geometry grid;
        final boolean winding;
        final int nx, ny, nz;
        final double[] ix, iy, iz;

        Run(TriangleMesh mesh, Geometry grid, boolean winding) {
            this.mesh = mesh;
            this.grid = grid;
            this.winding = winding;
            nx = grid.nx();
            ny = grid.ny();
            nz = grid.nz();
            int n = mesh.vertexCount();
            ix = new double[n];
            iy = new double[n];
            iz = new double[n];
            float[] v = mesh.vertices();
            double[] p = new double[3];
            for (int i = 0; i < n; i++) {
                grid.physicalToIndex(v[3 * i], v[3 * i + 1], v[3 * i + 2], p);
                ix[i] = p[0];
                iy[i] = p[1];
                iz[i] = p[2];
            }
        }

        /**
         * Sign of the side of row point (py, pz), shifted by (eps, eps^2), relative to the directed edge a -> b.
         * Computed for the edge in a canonical direction so that both triangles sharing it get bit-identical values.
         */
        int side(int a, int b, double py, double pz) {
            boolean canonical = iy[a] < iy[b] || (iy[a] == iy[b] && iz[a] < iz[b]);
            int p = canonical ? a : b, q = canonical ? b : a;
            double dy = iy[q] - iy[p], dz = iz[q] - iz[p];
            double f = dy * (pz - iz[p]) - dz * (py - iy[p]);
            int s;
            if (f > 0) s = 1;
            else if (f < 0) s = -1;
            else if (dz != 0) s = dz < 0 ? 1 : -1;
            else if (dy != 0) s = dy > 0 ? 1 : -1;
            else s = 0; // the edge projects to a point: the triangle has no area in this view
            return canonical ? s : -s;
        }

        /** Signed edge value for barycentric weights (no perturbation). */
        double edgeValue(int a, int b, double py, double pz) {
            return (iy[b] - iy[a]) * (pz - iz[a]) - (iz[b] - iz[a]) * (py - iy[a]);
        }

        /** Calls back for every (row, crossing x, orientation) of the mesh; returns nothing. */
        interface CrossingSink {
            void accept(int row, double x, int orientation);
        }

        void crossings(CrossingSink sink) {
            int[] t = mesh.triangles();
            int count = mesh.triangleCount();
            for (int i = 0; i < count; i++) {
                int a = t[3 * i], b = t[3 * i + 1], c = t[3 * i + 2];
                double minY = Math.min(iy[a], Math.min(iy[b], iy[c])), maxY = Math.max(iy[a], Math.max(iy[b], iy[c]));
                double minZ = Math.min(iz[a], Math.min(iz[b], iz[c])), maxZ = Math.max(iz[a], Math.max(iz[b], iz[c]));
                int j0 = Math.max(0, (int) Math.ceil(minY)), j1 = Math.min(ny - 1, (int) Math.floor(maxY));
                int k0 = Math.max(0, (int) Math.ceil(minZ)), k1 = Math.min(nz - 1, (int) Math.floor(maxZ));
                if (j0 > j1 || k0 > k1) continue;
                double minX = Math.min(ix[a], Math.min(ix[b], ix[c])), maxX = Math.max(ix[a], Math.max(ix[b], ix[c]));
                for (int k = k0; k <= k1; k++) {
                    for (int j = j0; j <= j1; j++) {
                        int sab = side(a, b, j, k);
                        if (sab == 0) break;
                        int sbc = side(b, c, j, k), sca = side(c, a, j, k);
                        if (sab != sbc || sab != sca) continue;
                        double wa = edgeValue(b, c, j, k), wb = edgeValue(c, a, j, k), wc = edgeValue(a, b, j, k);
                        double sum = wa + wb + wc;
                        double x = sum != 0 ? (wa * ix[a] + wb * ix[b] + wc * ix[c]) / sum : (minX + maxX) / 2;
                        x = Math.max(minX, Math.min(maxX, x));
                        sink.accept(j + ny * k, x, sab);
                    }
                }
            }
        }

        MaskVolume fill() {
            int rows = ny * nz;
            int[] start = new int[rows + 1];
            crossings((row, x, o) -> start[row + 1]++);
            for (int r = 0; r < rows; r++) start[r + 1] += start[r];
            int total = start[rows];
            double[] xs = new double[total];
            byte[] sign = new byte[total];
            int[] fill = Arrays.copyOf(start, rows);
            crossings((row, x, o) -> {
                int at = fill[row]++;
                xs[at] = x;
                sign[at] = (byte) o;
            });
            MaskVolume out = new MaskVolume(grid);
            // Rows of one slice are independent; slices run in parallel only when no bit word spans two slices.
            IntStream slices = IntStream.range(0, nz);
            if (((long) nx * ny) % 64 == 0) slices = slices.parallel();
            try (Progress progress = Progress.start("voxelizing", nz)) {
                slices.forEach(k -> {
                    for (int j = 0; j < ny; j++) fillRow(out, j, k, start[j + ny * k], start[j + ny * k + 1], xs, sign);
                    progress.step();
                });
            }
            return out;
        }

        private void fillRow(MaskVolume out, int j, int k, int s, int e, double[] xs, byte[] sign) {
            if (s == e) return;
            // insertion sort by x, carrying the orientation (rows hold a handful of crossings)
            for (int i = s + 1; i < e; i++) {
                double x = xs[i];
                byte o = sign[i];
                int p = i - 1;
                while (p >= s && xs[p] > x) {
                    xs[p + 1] = xs[p];
                    sign[p + 1] = sign[p];
                    p--;
                }
                xs[p + 1] = x;
                sign[p + 1] = o;
            }
            int base = grid.index(0, j, k);
            int w = 0;
            for (int i = s; i < e; i++) {
                w += winding ? sign[i] : 1;
                boolean inside = winding ? w != 0 : (w & 1) == 1;
                if (!inside) continue;
                double from = xs[i], to = i + 1 < e ? xs[i + 1] : Double.POSITIVE_INFINITY;
                int x0 = Math.max(0, (int) Math.floor(from) + 1);
                int x1 = (int) Math.min(nx - 1, Math.floor(Math.min(to, nx)));
                for (int x = x0; x <= x1; x++) out.set(base + x, true);
            }
        }
    }
}
