package org.calvaria.mesh;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.calvaria.Progress;
import org.calvaria.volume.FloatVolume;
import org.calvaria.volume.Geometry;
import org.calvaria.volume.MaskVolume;
import org.calvaria.volume.ShortVolume;
import org.calvaria.volume.Volume;

/**
 * Iso-surface extraction with a marching-cubes variant that is watertight and consistently oriented by construction.
 *
 * <p>Why it cannot leave holes: the classic 15-case table resolves ambiguous cube faces differently in neighbouring
 * cubes. Here the cube table is generated at start-up from one rule applied per face: on a face whose corners
 * alternate inside/outside, the two inside corners are joined (foreground 18-connected, background 6-connected).
 * Both cubes sharing a face therefore cut it by the same segments, each segment is used once in each direction, and
 * every surface edge is shared by exactly two triangles with opposite orientation. The segments of a cube chain into
 * closed loops, each triangulated as a fan from a corner whose diagonals all cross the cube's inside (never along a
 * cube face, where they could cut a neighbour's triangles); the table build checks that such a corner exists for
 * every loop.
 *
 * <p>Vertices are shared: exactly one per crossed grid edge. The grid is padded conceptually by one voxel of
 * "outside" on every side, so shapes touching the border are closed half a voxel beyond it. Output is in physical
 * LPS mm through the volume's {@link Geometry} (sheared and left-handed grids included; the winding is flipped when
 * the direction matrix has a negative determinant so normals always point out of the solid).
 *
 * <p>The volume is processed in slabs of slices in parallel, holding only bit planes and per-plane edge tables; the
 * result is independent of the number of threads.
 */
public final class MarchingCubes {
    /** Corners c = x + 2y + 4z of the unit cube. Edges 0-3 run along x, 4-7 along y, 8-11 along z. */
    private static final int[][] EDGE_CORNERS = new int[12][2];

    private static final int[] EDGE_FACES = new int[12];
    /** Per configuration: fan triangles as edge-index triples. */
    private static final byte[][] FAN = new byte[256][];
    /** Per configuration: bit e set when cube edge e is crossed. */
    private static final int[] CROSSED = new int[256];

    private static final int LAYERS_PER_SLAB = 12;
    private static final double T_MIN = 0.001, T_MAX = 0.999;

    static {
        buildTables();
    }

    private MarchingCubes() {}

    /** Surface of a binary mask, half-way (0.5) between set and unset voxel centres. */
    public static TriangleMesh extract(MaskVolume mask) {
        return extract(mask, 0.5);
    }

    /** Surface of a binary mask at a level in (0, 1): where along each crossed edge the vertex is placed. */
    public static TriangleMesh extract(MaskVolume mask, double level) {
        if (!(level > 0 && level < 1))
            throw new IllegalArgumentException("mask level must lie in (0, 1), got " + level);
        return new Extraction(mask, level).run();
    }

    /**
     * Iso-surface at {@code isoLevel}: voxels with value &gt;= isoLevel are inside. Works for any volume storage
     * (masks have values 0/1). Values off the grid count as outside.
     */
    public static TriangleMesh extract(Volume volume, double isoLevel) {
        if (!Double.isFinite(isoLevel)) throw new IllegalArgumentException("iso level must be finite");
        return new Extraction(volume, isoLevel).run();
    }

    // ------------------------------------------------------------------------------------------------------------
    // Table generation

    private static void buildTables() {
        int[][] edgeOf = new int[8][8];
        for (int[] row : edgeOf) java.util.Arrays.fill(row, -1);
        for (int e = 0; e < 12; e++) {
            int axis = e / 4, k = e % 4;
            int a = (k & 1), b = (k >> 1) & 1; // the other two coordinates, in order
            int c0;
            if (axis == 0) c0 = 2 * a + 4 * b;
            else if (axis == 1) c0 = a + 4 * b;
            else c0 = a + 2 * b;
            int c1 = c0 | (1 << axis);
            EDGE_CORNERS[e][0] = c0;
            EDGE_CORNERS[e][1] = c1;
            edgeOf[c0][c1] = e;
            edgeOf[c1][c0] = e;
        }
        // Faces: corners listed counter-clockwise as seen from outside the cube.
        int[][] faceCorners = new int[6][4];
        for (int axis = 0; axis < 3; axis++) {
            int u = (axis + 1) % 3, v = (axis + 2) % 3;
            int[][] uv = {{0, 0}, {1, 0}, {1, 1}, {0, 1}};
            for (int side = 0; side < 2; side++) {
                int f = 2 * axis + side;
                for (int i = 0; i < 4; i++) {
                    int[] q = uv[side == 1 ? i : (4 - i) % 4];
                    faceCorners[f][i] = (side << axis) | (q[0] << u) | (q[1] << v);
                }
            }
        }
        for (int f = 0; f < 6; f++) {
            for (int i = 0; i < 4; i++) {
                int e = edgeOf[faceCorners[f][i]][faceCorners[f][(i + 1) % 4]];
                EDGE_FACES[e] |= 1 << f;
            }
        }
        for (int config = 0; config < 256; config++) {
            int[] next = new int[12];
            int[] prevCount = new int[12];
            java.util.Arrays.fill(next, -1);
            int crossed = 0;
            for (int f = 0; f < 6; f++) {
                int[] p = faceCorners[f];
                boolean[] in = new boolean[4];
                for (int i = 0; i < 4; i++) in[i] = ((config >> p[i]) & 1) != 0;
                int[] edge = new int[4];
                int count = 0;
                for (int i = 0; i < 4; i++) {
                    edge[i] = edgeOf[p[i]][p[(i + 1) % 4]];
                    if (in[i] != in[(i + 1) % 4]) count++;
                }
                for (int i = 0; i < 4; i++) {
                    boolean entering = !in[i] && in[(i + 1) % 4];
                    if (!entering) continue;
                    int target;
                    if (count == 2) {
                        target = -1;
                        for (int j = 0; j < 4; j++) if (in[j] && !in[(j + 1) % 4]) target = edge[j];
                    } else {
                        target = edge[(i + 3) % 4]; // join the inside corners: cut off the outside corner before i
                    }
                    int from = edge[i];
                    if (next[from] != -1) throw new AssertionError("edge " + from + " leaves twice, config " + config);
                    next[from] = target;
                    prevCount[target]++;
                    crossed |= (1 << from) | (1 << target);
                }
            }
            for (int e = 0; e < 12; e++) {
                boolean isCrossed = ((crossed >> e) & 1) != 0;
                boolean differs = ((config >> EDGE_CORNERS[e][0]) & 1) != ((config >> EDGE_CORNERS[e][1]) & 1);
                if (isCrossed != differs || (isCrossed && (next[e] == -1 || prevCount[e] != 1))) {
                    throw new AssertionError("inconsistent face segments, config " + config + " edge " + e);
                }
            }
            CROSSED[config] = crossed;
            List<Integer> fan = new ArrayList<>();
            boolean[] seen = new boolean[12];
            for (int e = 0; e < 12; e++) {
                if (((crossed >> e) & 1) == 0 || seen[e]) continue;
                List<Integer> loop = new ArrayList<>();
                for (int x = e; !seen[x]; x = next[x]) {
                    seen[x] = true;
                    loop.add(x);
                }
                triangulate(loop, fan, config);
            }
            FAN[config] = new byte[fan.size()];
            for (int i = 0; i < fan.size(); i++) FAN[config][i] = (byte) (int) fan.get(i);
        }
    }

    private static boolean coFacial(int e1, int e2) {
        return (EDGE_FACES[e1] & EDGE_FACES[e2]) != 0;
    }

    /** Fan from a corner whose diagonals all cross the cube's inside. */
    private static void triangulate(List<Integer> loop, List<Integer> fan, int config) {
        int k = loop.size();
        for (int s = 0; s < k; s++) {
            boolean ok = true;
            for (int j = 2; j < k - 1 && ok; j++) ok = !coFacial(loop.get(s), loop.get((s + j) % k));
            if (!ok) continue;
            for (int j = 1; j < k - 1; j++) {
                fan.add(loop.get(s));
                fan.add(loop.get((s + j) % k));
                fan.add(loop.get((s + j + 1) % k));
            }
            return;
        }
        throw new AssertionError("no fan corner for loop " + loop + " of configuration " + config);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Extraction

    private static final class Extraction {
        final Volume volume;
        final double iso;
        final Geometry g;
        final int nx, ny, nz;
        /** Padded sizes: one voxel of outside on each side. */
        final int pnx, pny, pnz, words;

        final double[] origin, m;
        final boolean flip;
        final double pad;
        final MaskVolume mask;
        final float[] floats;
        final short[] shorts;

        Extraction(Volume volume, double iso) {
            this.volume = volume;
            this.iso = iso;
            this.g = volume.geometry();
            nx = g.nx();
            ny = g.ny();
            nz = g.nz();
            pnx = nx + 2;
            pny = ny + 2;
            pnz = nz + 2;
            words = (pnx + 63) >>> 6;
            origin = g.origin();
            m = g.matrix();
            flip = Geometry.det(m) < 0;
            mask = volume instanceof MaskVolume mv ? mv : null;
            floats = volume instanceof FloatVolume fv ? fv.data() : null;
            shorts = volume instanceof ShortVolume sv ? sv.data() : null;
            if (mask != null) {
                pad = 0;
            } else {
                double lo = volume.valueRange()[0];
                pad = lo < iso ? lo : iso - 1;
            }
        }

        boolean inside(int index) {
            if (mask != null) return mask.isSet(index) ? 1 >= iso : 0 >= iso;
            if (floats != null) return floats[index] >= iso;
            if (shorts != null) return shorts[index] >= iso;
            return volume.get(index) >= iso;
        }

        /** Value at a padded grid point. */
        double value(int px, int py, int pz) {
            int x = px - 1, y = py - 1, z = pz - 1;
            if (x < 0 || y < 0 || z < 0 || x >= nx || y >= ny || z >= nz) return pad;
            int i = x + nx * (y + ny * z);
            if (mask != null) return mask.isSet(i) ? 1 : 0;
            if (floats != null) return floats[i];
            if (shorts != null) return shorts[i];
            return volume.get(i);
        }

        /** Inside bits of padded plane pz: row py occupies words [py*words, (py+1)*words). */
        long[] plane(int pz) {
            long[] p = new long[pny * words];
            int z = pz - 1;
            if (z < 0 || z >= nz) return p;
            // A mask whose set value (1) is below the iso level has no inside voxels; skip reading.
            if (mask != null && !(1 >= iso)) return p;
            for (int y = 0; y < ny; y++) {
                int row = (y + 1) * words;
                int base = nx * (y + ny * z);
                for (int x = 0; x < nx; x++) {
                    if (inside(base + x)) {
                        int px = x + 1;
                        p[row + (px >>> 6)] |= 1L << px;
                    }
                }
            }
            return p;
        }

        TriangleMesh run() {
            int layers = pnz - 1;
            int slabs = (layers + LAYERS_PER_SLAB - 1) / LAYERS_PER_SLAB;
            Slab[] result = new Slab[slabs];
            try (Progress progress = Progress.start("marching cubes", slabs)) {
                IntStream.range(0, slabs).parallel().forEach(s -> {
                    int z0 = s * LAYERS_PER_SLAB, z1 = Math.min(layers, z0 + LAYERS_PER_SLAB);
                    Slab slab = new Slab(this, z0, z1);
                    slab.run();
                    result[s] = slab;
                    progress.step();
                });
            }
            long vertexTotal = 0, indexTotal = 0;
            int[] offset = new int[slabs + 1];
            for (int s = 0; s < slabs; s++) {
                offset[s] = (int) vertexTotal;
                vertexTotal += result[s].own.size / 3;
                indexTotal += result[s].tris.size;
            }
            offset[slabs] = (int) vertexTotal;
            if (3 * vertexTotal > Integer.MAX_VALUE - 16 || indexTotal > Integer.MAX_VALUE - 16) {
                throw new org.calvaria.CalvariaException("the surface has too many triangles (" + indexTotal / 3
                        + ") for one mesh; crop or downsample the volume first");
            }
            float[] vertices = new float[(int) (3 * vertexTotal)];
            int[] triangles = new int[(int) indexTotal];
            int vPos = 0, tPos = 0;
            for (int s = 0; s < slabs; s++) {
                Slab slab = result[s];
                System.arraycopy(slab.own.data, 0, vertices, vPos, slab.own.size);
                vPos += slab.own.size;
                int[] t = slab.tris.data;
                int own = offset[s], foreign = offset[s + 1];
                for (int i = 0; i < slab.tris.size; i++) {
                    int id = t[i];
                    triangles[tPos++] = id >= 0 ? own + id : foreign + (-id - 1);
                }
                result[s] = null; // let the slab's buffers go as soon as they are copied
            }
            return new TriangleMesh(vertices, triangles);
        }
    }

    /** Cube layers [z0, z1) of the padded grid. Vertices on plane z1 belong to the next slab ("foreign"). */
    private static final class Slab {
        final Extraction ex;
        final int z0, z1;
        final int pnx, pny, words;
        final GrowableArrays.Floats own = new GrowableArrays.Floats(1 << 12);
        int foreignCount;
        final GrowableArrays.Ints tris = new GrowableArrays.Ints(1 << 13);

        Slab(Extraction ex, int z0, int z1) {
            this.ex = ex;
            this.z0 = z0;
            this.z1 = z1;
            this.pnx = ex.pnx;
            this.pny = ex.pny;
            this.words = ex.words;
        }

        static int bit(long[] plane, int row, int px) {
            return (int) (plane[row + (px >>> 6)] >>> px) & 1;
        }

        /** Adds a vertex at padded index coordinates; returns its id (negative: foreign). */
        int vertex(double px, double py, double pz, boolean isOwn) {
            double i = px - 1, j = py - 1, k = pz - 1;
            double[] o = ex.origin, m = ex.m;
            float x = (float) (o[0] + m[0] * i + m[1] * j + m[2] * k);
            float y = (float) (o[1] + m[3] * i + m[4] * j + m[5] * k);
            float z = (float) (o[2] + m[6] * i + m[7] * j + m[8] * k);
            if (isOwn) {
                own.add3(x, y, z);
                return own.size / 3 - 1;
            }
            return -(++foreignCount);
        }

        /** Fraction along the edge from the low corner (inside bit b0) to the high corner. */
        double crossing(int b0, int px0, int py0, int pz0, int px1, int py1, int pz1) {
            if (ex.mask != null) return Math.max(T_MIN, Math.min(T_MAX, b0 == 1 ? 1 - ex.iso : ex.iso));
            double f0 = ex.value(px0, py0, pz0), f1 = ex.value(px1, py1, pz1);
            double t = (ex.iso - f0) / (f1 - f0);
            if (Double.isNaN(t)) return 0.5;
            // Keep vertices off grid points so that distinct vertices never coincide (files are welded by position).
            return Math.max(T_MIN, Math.min(T_MAX, t));
        }

        void planeVertices(long[] plane, int pz, int[] xIds, int[] yIds, boolean isOwn) {
            for (int py = 0; py < pny; py++) {
                int row = py * words;
                for (int w = 0; w < words; w++) {
                    long a = plane[row + w];
                    long next = w + 1 < words ? plane[row + w + 1] : 0;
                    long diff = a ^ ((a >>> 1) | (next << 63));
                    while (diff != 0) {
                        int b = Long.numberOfTrailingZeros(diff);
                        diff &= diff - 1;
                        int px = (w << 6) + b;
                        if (px >= pnx - 1) break;
                        int b0 = bit(plane, row, px);
                        double t = crossing(b0, px, py, pz, px + 1, py, pz);
                        xIds[py * pnx + px] = vertex(px + t, py, pz, isOwn);
                    }
                }
            }
            for (int py = 0; py + 1 < pny; py++) {
                int row = py * words, row1 = row + words;
                for (int w = 0; w < words; w++) {
                    long diff = plane[row + w] ^ plane[row1 + w];
                    while (diff != 0) {
                        int b = Long.numberOfTrailingZeros(diff);
                        diff &= diff - 1;
                        int px = (w << 6) + b;
                        int b0 = bit(plane, row, px);
                        double t = crossing(b0, px, py, pz, px, py + 1, pz);
                        yIds[py * pnx + px] = vertex(px, py + t, pz, isOwn);
                    }
                }
            }
        }

        void zVertices(long[] lo, long[] hi, int pz, int[] zIds) {
            for (int py = 0; py < pny; py++) {
                int row = py * words;
                for (int w = 0; w < words; w++) {
                    long diff = lo[row + w] ^ hi[row + w];
                    while (diff != 0) {
                        int b = Long.numberOfTrailingZeros(diff);
                        diff &= diff - 1;
                        int px = (w << 6) + b;
                        int b0 = bit(lo, row, px);
                        double t = crossing(b0, px, py, pz, px, py, pz + 1);
                        zIds[py * pnx + px] = vertex(px, py, pz + t, true);
                    }
                }
            }
        }

        void run() {
            int n = pnx * pny;
            int[] xLo = new int[n], yLo = new int[n], xHi = new int[n], yHi = new int[n], zIds = new int[n];
            long[] lo = ex.plane(z0);
            planeVertices(lo, z0, xLo, yLo, true);
            int[] ids = new int[12];
            for (int pz = z0; pz < z1; pz++) {
                long[] hi = ex.plane(pz + 1);
                zVertices(lo, hi, pz, zIds);
                planeVertices(hi, pz + 1, xHi, yHi, pz + 1 < z1);
                cubes(lo, hi, xLo, yLo, xHi, yHi, zIds, ids);
                lo = hi;
                int[] s = xLo;
                xLo = xHi;
                xHi = s;
                s = yLo;
                yLo = yHi;
                yHi = s;
            }
        }

        private void cubes(long[] lo, long[] hi, int[] xLo, int[] yLo, int[] xHi, int[] yHi, int[] zIds, int[] ids) {
            for (int py = 0; py + 1 < pny; py++) {
                int ra = py * words, rb = ra + words;
                for (int w = 0; w < words; w++) {
                    long a = lo[ra + w], b = lo[rb + w], c = hi[ra + w], d = hi[rb + w];
                    long or = a | b | c | d, and = a & b & c & d;
                    long orN = 0, andN = 0;
                    if (w + 1 < words) {
                        long an = lo[ra + w + 1], bn = lo[rb + w + 1], cn = hi[ra + w + 1], dn = hi[rb + w + 1];
                        orN = an | bn | cn | dn;
                        andN = an & bn & cn & dn;
                    }
                    long anyInside = or | ((or >>> 1) | (orN << 63));
                    long allInside = and & ((and >>> 1) | (andN << 63));
                    long mixed = anyInside & ~allInside;
                    while (mixed != 0) {
                        int bt = Long.numberOfTrailingZeros(mixed);
                        mixed &= mixed - 1;
                        int px = (w << 6) + bt;
                        if (px >= pnx - 1) break;
                        int config = bit(lo, ra, px)
                                | bit(lo, ra, px + 1) << 1
                                | bit(lo, rb, px) << 2
                                | bit(lo, rb, px + 1) << 3
                                | bit(hi, ra, px) << 4
                                | bit(hi, ra, px + 1) << 5
                                | bit(hi, rb, px) << 6
                                | bit(hi, rb, px + 1) << 7;
                        emitCube(config, px, py, xLo, yLo, xHi, yHi, zIds, ids);
                    }
                }
            }
        }

        private void emitCube(
                int config, int px, int py, int[] xLo, int[] yLo, int[] xHi, int[] yHi, int[] zIds, int[] ids) {
            int i0 = py * pnx + px, i1 = i0 + pnx;
            int crossed = CROSSED[config];
            if ((crossed & 0x001) != 0) ids[0] = xLo[i0];
            if ((crossed & 0x002) != 0) ids[1] = xLo[i1];
            if ((crossed & 0x004) != 0) ids[2] = xHi[i0];
            if ((crossed & 0x008) != 0) ids[3] = xHi[i1];
            if ((crossed & 0x010) != 0) ids[4] = yLo[i0];
            if ((crossed & 0x020) != 0) ids[5] = yLo[i0 + 1];
            if ((crossed & 0x040) != 0) ids[6] = yHi[i0];
            if ((crossed & 0x080) != 0) ids[7] = yHi[i0 + 1];
            if ((crossed & 0x100) != 0) ids[8] = zIds[i0];
            if ((crossed & 0x200) != 0) ids[9] = zIds[i0 + 1];
            if ((crossed & 0x400) != 0) ids[10] = zIds[i1];
            if ((crossed & 0x800) != 0) ids[11] = zIds[i1 + 1];
            byte[] fan = FAN[config];
            for (int k = 0; k < fan.length; k += 3) triangle(ids[fan[k]], ids[fan[k + 1]], ids[fan[k + 2]]);
        }

        private void triangle(int a, int b, int c) {
            if (ex.flip) tris.add3(a, c, b);
            else tris.add3(a, b, c);
        }
    }
}
