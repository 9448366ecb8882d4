package org.calvaria.manufacture;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.calvaria.CalvariaException;
import org.calvaria.Json;
import org.calvaria.evaluate.DistanceTransform;
import org.calvaria.mesh.MarchingCubes;
import org.calvaria.mesh.MeshIO;
import org.calvaria.mesh.TriangleMesh;
import org.calvaria.mesh.Voxelizer;
import org.calvaria.volume.Geometry;
import org.calvaria.volume.MaskVolume;

/**
 * A two-part casting mould around an implant, built as voxel masks on a grid turned to the pull direction, then
 * meshed by marching cubes (so each half is watertight by construction and the halves, the cavity and each other
 * never overlap).
 *
 * <p>The pull direction is the implant's plate normal (its thinnest principal axis), pointing to its convex (outer)
 * side. In every column of the grid along that direction the cavity spans from its lowest to its highest voxel; the
 * outer half fills above the cavity, the inner half below, and beside the implant both halves meet on a parting
 * surface that continues the rim's mid-height outward (each column takes the height of the nearest rim column). Both
 * halves therefore come off along one direction with no undercut, unless a column holds the implant twice (a
 * re-entrant shape), which is counted and reported. Outside faces are flat: the mould lies on the inner half's flat
 * face, outer half on top. Hemispherical registration keys sit on the parting flange (bumps on the inner half,
 * sockets with a small clearance in the outer half); a pour spout runs from the cavity's highest point and a vent
 * from the highest point at least 15 mm away from it, straight up through the outer half.
 */
public final class Mould {
    /** Settings; lengths in mm. {@code maxPrintMm} null: no limit. {@code shrinkagePercent}: linear, cavity enlarged. */
    public record Options(
            double voxelMm,
            double wallMm,
            double shrinkagePercent,
            double densityGPerMl,
            double keyRadiusMm,
            double spoutRadiusMm,
            double ventRadiusMm,
            Double maxPrintMm) {
        public static Options defaults() {
            return new Options(0.5, 3, 0, 1.18, 3, 3, 1.5, null);
        }

        public Options withShrinkage(double pct) {
            return new Options(
                    voxelMm, wallMm, pct, densityGPerMl, keyRadiusMm, spoutRadiusMm, ventRadiusMm, maxPrintMm);
        }

        public void validate() {
            if (!(voxelMm >= 0.1) || voxelMm > 2)
                throw new CalvariaException("--voxel must be 0.1..2 mm, got " + voxelMm);
            if (!(wallMm >= 1) || wallMm > 30) throw new CalvariaException("--wall must be 1..30 mm, got " + wallMm);
            if (!(shrinkagePercent >= 0) || shrinkagePercent > 10) {
                throw new CalvariaException("--shrinkage must be 0..10 %, got " + shrinkagePercent);
            }
            if (!(densityGPerMl > 0) || densityGPerMl > 25) {
                throw new CalvariaException("--density must be above 0 and at most 25 g/ml, got " + densityGPerMl);
            }
            if (maxPrintMm != null && !(maxPrintMm > 0)) {
                throw new CalvariaException("--max-print-mm must be above 0, got " + maxPrintMm);
            }
        }
    }

    /** The halves and the cavity (masks on {@code grid} and meshes in LPS mm), with the report. */
    public record Result(
            Geometry grid,
            MaskVolume outerMask,
            MaskVolume innerMask,
            MaskVolume cavityMask,
            TriangleMesh outer,
            TriangleMesh inner,
            TriangleMesh cavity,
            double[] pull,
            Map<String, Object> report,
            List<String> warnings) {}

    private Mould() {}

    /** Builds the mould around a closed implant mesh (LPS mm). */
    public static Result build(TriangleMesh implant, Options o) {
        o.validate();
        if (implant.isEmpty() || !implant.isWatertight()) {
            throw new CalvariaException("the implant mesh is not watertight (open edges or inconsistent faces); give"
                    + " a closed mesh, such as the STL 'calvaria design' writes");
        }
        long t0 = System.nanoTime();
        List<String> warnings = new ArrayList<>();
        double[][] frame = frame(implant);
        double[] mean = frame[0], e1 = frame[1], e2 = frame[2], a = frame[3];
        double k = 1 + o.shrinkagePercent() / 100;
        TriangleMesh cavityMesh = k == 1 ? implant : scaled(implant, mean, k);
        // Extent of the cavity in the frame.
        double[] lo = {Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY};
        double[] hi = {Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY};
        float[] v = cavityMesh.vertices();
        for (int i = 0; i < v.length; i += 3) {
            double dx = v[i] - mean[0], dy = v[i + 1] - mean[1], dz = v[i + 2] - mean[2];
            double[] c = {
                dx * e1[0] + dy * e1[1] + dz * e1[2],
                dx * e2[0] + dy * e2[1] + dz * e2[2],
                dx * a[0] + dy * a[1] + dz * a[2]
            };
            for (int q = 0; q < 3; q++) {
                lo[q] = Math.min(lo[q], c[q]);
                hi[q] = Math.max(hi[q], c[q]);
            }
        }
        double s = o.voxelMm();
        double flange = o.wallMm() + 2 * o.keyRadiusMm() + 2;
        double[] pad = {flange + 2 * s, flange + 2 * s, o.wallMm() + 2 * s};
        int[] n = new int[3];
        for (int q = 0; q < 3; q++) n[q] = (int) Math.ceil((hi[q] - lo[q] + 2 * pad[q]) / s) + 1;
        if ((long) n[0] * n[1] * n[2] > 400_000_000L) {
            throw new CalvariaException(
                    "the mould grid would have " + ((long) n[0] * n[1] * n[2]) + " voxels; use a" + " coarser --voxel");
        }
        double[] origin = new double[3];
        for (int r = 0; r < 3; r++) {
            origin[r] = mean[r] + (lo[0] - pad[0]) * e1[r] + (lo[1] - pad[1]) * e2[r] + (lo[2] - pad[2]) * a[r];
        }
        Geometry g = new Geometry(n[0], n[1], n[2], origin, new double[] {
            e1[0] * s, e2[0] * s, a[0] * s, e1[1] * s, e2[1] * s, a[1] * s, e1[2] * s, e2[2] * s, a[2] * s
        });
        MaskVolume cavity = Voxelizer.voxelize(cavityMesh, g);
        if (cavity.isEmpty())
            throw new CalvariaException("the implant is smaller than one mould voxel; use a finer --voxel");
        int nx = n[0], ny = n[1], nz = n[2];
        int cols = nx * ny;
        int[] zTop = new int[cols], zBot = new int[cols];
        java.util.Arrays.fill(zTop, -1);
        java.util.Arrays.fill(zBot, -1);
        int reentrantColumns = 0;
        for (int y = 0; y < ny; y++) {
            for (int x = 0; x < nx; x++) {
                int c = x + nx * y, runs = 0;
                boolean prev = false;
                for (int z = 0; z < nz; z++) {
                    boolean in = cavity.isSet(x, y, z);
                    if (in) {
                        if (zBot[c] < 0) zBot[c] = z;
                        zTop[c] = z;
                        if (!prev) runs++;
                    }
                    prev = in;
                }
                if (runs > 1) reentrantColumns++;
            }
        }
        // Parting height per column: the rim's mid-height carried outward to the nearest footprint column.
        double[] h = new double[cols];
        java.util.Arrays.fill(h, Double.NaN);
        ArrayDeque<Integer> queue = new ArrayDeque<>();
        for (int c = 0; c < cols; c++) {
            if (zTop[c] >= 0) {
                h[c] = (zTop[c] + zBot[c]) / 2.0;
                int x = c % nx, y = c / nx;
                boolean rim = false;
                for (int[] d : new int[][] {{1, 0}, {-1, 0}, {0, 1}, {0, -1}}) {
                    int xx = x + d[0], yy = y + d[1];
                    if (xx < 0 || yy < 0 || xx >= nx || yy >= ny || zTop[xx + nx * yy] < 0) rim = true;
                }
                if (rim) queue.add(c);
            }
        }
        while (!queue.isEmpty()) {
            int c = queue.poll();
            int x = c % nx, y = c / nx;
            for (int dy = -1; dy <= 1; dy++) {
                for (int dx = -1; dx <= 1; dx++) {
                    int xx = x + dx, yy = y + dy;
                    if (xx < 0 || yy < 0 || xx >= nx || yy >= ny) continue;
                    int cc = xx + nx * yy;
                    if (Double.isNaN(h[cc])) {
                        h[cc] = h[c];
                        queue.add(cc);
                    }
                }
            }
        }
        // In-plane distance (mm) of every column from the footprint.
        MaskVolume foot = new MaskVolume(Geometry.axisAligned(nx, ny, 1, s));
        for (int c = 0; c < cols; c++) if (zTop[c] >= 0) foot.set(c, true);
        float[] d2 = DistanceTransform.squaredDistanceMm2(foot, new double[] {s, s, s});
        int wallVox = (int) Math.ceil(o.wallMm() / s);
        int top = Integer.MIN_VALUE, bottom = Integer.MAX_VALUE;
        for (int c = 0; c < cols; c++) {
            if (zTop[c] >= 0) {
                top = Math.max(top, zTop[c]);
                bottom = Math.min(bottom, zBot[c]);
            }
        }
        int zHi = Math.min(nz - 1, top + wallVox), zLo = Math.max(0, bottom - wallVox);
        MaskVolume outer = new MaskVolume(g), inner = new MaskVolume(g);
        double flange2 = flange * flange;
        for (int y = 0; y < ny; y++) {
            for (int x = 0; x < nx; x++) {
                int c = x + nx * y;
                if (d2[c] > flange2) continue;
                int part = (int) Math.floor(h[c]) + 1; // outer from here up, inner below
                for (int z = zLo; z <= zHi; z++) {
                    if (cavity.isSet(x, y, z)) continue;
                    boolean up;
                    if (zTop[c] >= 0) {
                        if (z > zTop[c]) up = true;
                        else if (z < zBot[c]) up = false;
                        else {
                            up = z >= part;
                        }
                    } else {
                        up = z >= part;
                    }
                    (up ? outer : inner).set(x, y, z, true);
                }
            }
        }
        // Registration keys on the flange: farthest-point choice among columns at one key radius + 1 mm off the rim.
        double keyDist = o.keyRadiusMm() + 1;
        List<int[]> candidates = new ArrayList<>();
        for (int c = 0; c < cols; c++) {
            double d = Math.sqrt(d2[c]);
            if (Math.abs(d - keyDist) <= s * 0.75) candidates.add(new int[] {c % nx, c / nx});
        }
        List<int[]> keys = farthestPoints(candidates, 4);
        double kr = o.keyRadiusMm() / s, sock = (o.keyRadiusMm() + 0.3) / s;
        List<double[]> keyCentres = new ArrayList<>();
        for (int[] key : keys) {
            int c = key[0] + nx * key[1];
            double cz = Math.floor(h[c]) + 0.5; // on the parting plane between voxel layers
            keyCentres.add(g.indexToPhysical(key[0], key[1], cz));
            int r = (int) Math.ceil(sock) + 1;
            for (int z = (int) cz - r; z <= (int) cz + r + 1; z++) {
                for (int yy = key[1] - r; yy <= key[1] + r; yy++) {
                    for (int xx = key[0] - r; xx <= key[0] + r; xx++) {
                        if (!g.contains(xx, yy, z) || z <= cz) continue;
                        double dd = Math.sqrt(
                                (xx - key[0]) * (xx - key[0]) + (yy - key[1]) * (yy - key[1]) + (z - cz) * (z - cz));
                        if (dd <= kr && outer.isSet(xx, yy, z)) {
                            outer.set(xx, yy, z, false);
                            inner.set(xx, yy, z, true);
                        } else if (dd <= sock) {
                            outer.set(xx, yy, z, false);
                        }
                    }
                }
            }
        }
        // Pour spout at the highest cavity point, vent at the highest point at least 15 mm (or 4 spout radii) away.
        int spout = -1;
        for (int c = 0; c < cols; c++) if (zTop[c] >= 0 && (spout < 0 || zTop[c] > zTop[spout])) spout = c;
        double minApart = Math.max(15, 4 * o.spoutRadiusMm()) / s;
        int vent = -1;
        for (int c = 0; c < cols; c++) {
            if (zTop[c] < 0) continue;
            double dx = c % nx - spout % nx, dy = c / nx - spout / nx;
            if (dx * dx + dy * dy < minApart * minApart) continue;
            if (vent < 0 || zTop[c] > zTop[vent]) vent = c;
        }
        drill(outer, g, spout, o.spoutRadiusMm() / s, zTop, h);
        if (vent >= 0) drill(outer, g, vent, o.ventRadiusMm() / s, zTop, h);
        else warnings.add("the implant is too small for a separate vent 15 mm from the pour spout; the spout vents");
        // Undercut check on the cavity's faces: a half must not have cavity on the side it is pulled towards.
        long outerBlocked = 0, innerBlocked = 0;
        for (int z = 0; z < nz; z++) {
            for (int y = 0; y < ny; y++) {
                for (int x = 0; x < nx; x++) {
                    if (!cavity.isSet(x, y, z)) continue;
                    if (z > 0 && outer.isSet(x, y, z - 1)) outerBlocked++;
                    if (z + 1 < nz && inner.isSet(x, y, z + 1)) innerBlocked++;
                }
            }
        }
        if (reentrantColumns > 0 || outerBlocked + innerBlocked > 0) {
            warnings.add(String.format(
                    Locale.ROOT,
                    "the implant cannot be moulded in two parts along its plate normal:"
                            + " %d column(s) along the pull direction pass through it twice (a re-entrant or folded shape),"
                            + " leaving %d cavity face(s) that lock a half; check the implant or cast it another way",
                    reentrantColumns,
                    outerBlocked + innerBlocked));
        }
        TriangleMesh outerMesh = MarchingCubes.extract(outer);
        TriangleMesh innerMesh = MarchingCubes.extract(inner);
        TriangleMesh cavityOut = MarchingCubes.extract(cavity);
        Map<String, Object> halves = new LinkedHashMap<>();
        halves.put("outer", describeHalf(outer, outerMesh, "outer.stl", o));
        halves.put("inner", describeHalf(inner, innerMesh, "inner.stl", o));
        double voxelMl = g.voxelVolumeMm3() / 1000;
        double cavityMl = cavity.cardinality() * voxelMl;
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("tool", "calvaria " + org.calvaria.Provenance.version());
        r.put("voxelMm", s);
        r.put("wallMm", o.wallMm());
        r.put("shrinkagePercent", o.shrinkagePercent());
        r.put("pullDirectionLps", round(a, 4));
        r.put("implantVolumeMl", Math.round(implant.enclosedVolumeMm3() / 10) / 100.0);
        r.put("cavityVolumeMl", Math.round(cavityMl * 100) / 100.0);
        r.put("cavityMeshVolumeMl", Math.round(cavityOut.enclosedVolumeMm3() / 10) / 100.0);
        r.put("pmmaVolumeMl", Math.round(cavityMl * 100) / 100.0);
        r.put("pmmaDensityGPerMl", o.densityGPerMl());
        r.put("pmmaMassG", Math.round(cavityMl * o.densityGPerMl() * 10) / 10.0);
        r.put("halves", halves);
        List<Object> keyList = new ArrayList<>();
        for (double[] kc : keyCentres) keyList.add(round(kc, 2));
        r.put("registrationKeys", Map.of("radiusMm", o.keyRadiusMm(), "socketClearanceMm", 0.3, "centresLps", keyList));
        r.put(
                "pourSpout",
                Map.of(
                        "radiusMm",
                        o.spoutRadiusMm(),
                        "atLps",
                        round(g.indexToPhysical(spout % nx, spout / nx, zTop[spout]), 2)));
        if (vent >= 0) {
            r.put(
                    "vent",
                    Map.of(
                            "radiusMm",
                            o.ventRadiusMm(),
                            "atLps",
                            round(g.indexToPhysical(vent % nx, vent / nx, zTop[vent]), 2)));
        }
        Map<String, Object> under = new LinkedHashMap<>();
        under.put("reentrantColumns", reentrantColumns);
        under.put("outerHalfBlockingFaces", outerBlocked);
        under.put("innerHalfBlockingFaces", innerBlocked);
        under.put("checkedOn", "the cavity's faces (the unsmoothed halves' cavity facets lie on them; draft 0)");
        r.put("undercuts", under);
        r.put("seconds", Math.round((System.nanoTime() - t0) / 1e6) / 1000.0);
        r.put("warnings", warnings);
        r.put("note", "for research and planning; not a certified medical device");
        if (o.maxPrintMm() != null) {
            for (String half : List.of("outer", "inner")) {
                @SuppressWarnings("unchecked")
                double[] size = (double[]) ((Map<String, Object>) halves.get(half)).get("printSizeMm");
                for (double d : size) {
                    if (d > o.maxPrintMm()) {
                        throw new CalvariaException(String.format(
                                Locale.ROOT,
                                "the %s mould half needs %.0f x %.0f x"
                                        + " %.0f mm, more than --max-print-mm %.0f; use a larger printer or a thinner --wall",
                                half,
                                size[0],
                                size[1],
                                size[2],
                                o.maxPrintMm()));
                    }
                }
            }
        }
        return new Result(g, outer, inner, cavity, outerMesh, innerMesh, cavityOut, a, r, warnings);
    }

    /** Removes a vertical channel of the given radius (voxels) from the outer half, above the cavity or parting. */
    private static void drill(MaskVolume outer, Geometry g, int column, double radius, int[] zTop, double[] h) {
        int nx = g.nx(), ny = g.ny(), nz = g.nz();
        int cx = column % nx, cy = column / nx;
        int r = (int) Math.ceil(radius);
        for (int y = cy - r; y <= cy + r; y++) {
            for (int x = cx - r; x <= cx + r; x++) {
                if (x < 0 || y < 0 || x >= nx || y >= ny) continue;
                if ((x - cx) * (x - cx) + (y - cy) * (y - cy) > radius * radius) continue;
                int c = x + nx * y;
                int from = zTop[c] >= 0 ? zTop[c] + 1 : (int) Math.floor(h[c]) + 1;
                for (int z = Math.max(0, from); z < nz; z++) outer.set(x, y, z, false);
            }
        }
    }

    private static Map<String, Object> describeHalf(MaskVolume half, TriangleMesh mesh, String file, Options o) {
        Geometry g = half.geometry();
        int[] lo = {Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE};
        int[] hi = {-1, -1, -1};
        int nx = g.nx(), ny = g.ny();
        half.forEachSet(i -> {
            int[] p = {i % nx, (i / nx) % ny, i / (nx * ny)};
            for (int q = 0; q < 3; q++) {
                lo[q] = Math.min(lo[q], p[q]);
                hi[q] = Math.max(hi[q], p[q]);
            }
        });
        double s = o.voxelMm();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("file", file);
        m.put("printSizeMm", new double[] {
            Thickness.r2((hi[0] - lo[0] + 1) * s),
            Thickness.r2((hi[1] - lo[1] + 1) * s),
            Thickness.r2((hi[2] - lo[2] + 1) * s)
        });
        m.put("printSizeAxes", "in-plane, in-plane, along the pull direction (print it standing on its flat face)");
        m.put("volumeMl", Math.round(half.cardinality() * g.voxelVolumeMm3() / 10) / 100.0);
        m.put("triangles", mesh.triangleCount());
        m.put("watertight", mesh.isWatertight());
        return m;
    }

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

    private static double[] round(double[] x, int digits) {
        double f = Math.pow(10, digits);
        double[] r = new double[x.length];
        for (int i = 0; i < x.length; i++) r[i] = Math.round(x[i] * f) / f;
        return r;
    }

    /**
     * Writes {@code outer.stl}, {@code inner.stl}, {@code cavity.stl}, {@code mould.3mf} (the halves and the implant
     * as named objects) and {@code report.json} into {@code dir}, all or nothing: the files are written into a hidden
     * sibling folder that is renamed into place at the end. {@code dir} must not exist or be empty.
     */
    public static void write(Result r, TriangleMesh implant, Path dir, String provenance) {
        Path abs = dir.toAbsolutePath().normalize();
        try {
            if (Files.exists(abs)) {
                if (!Files.isDirectory(abs)) throw new CalvariaException("output " + dir + " is a file; give a folder");
                try (Stream<Path> s = Files.list(abs)) {
                    if (s.findAny().isPresent()) {
                        throw new CalvariaException(
                                "output folder " + dir + " is not empty; give a new or empty folder");
                    }
                }
            }
            Path parent = abs.getParent();
            Files.createDirectories(parent);
            Path tmp = Files.createTempDirectory(parent, "." + abs.getFileName() + ".part");
            try {
                MeshIO.write(r.outer(), tmp.resolve("outer.stl"), false, provenance + " (mould outer half)");
                MeshIO.write(r.inner(), tmp.resolve("inner.stl"), false, provenance + " (mould inner half)");
                MeshIO.write(r.cavity(), tmp.resolve("cavity.stl"), false, provenance + " (mould cavity)");
                ThreeMf.write(
                        tmp.resolve("mould.3mf"),
                        List.of(
                                new ThreeMf.Part("mould outer half", r.outer()),
                                new ThreeMf.Part("mould inner half", r.inner()),
                                new ThreeMf.Part("implant", implant)),
                        provenance);
                Json.MAPPER.writeValue(tmp.resolve("report.json").toFile(), r.report());
                if (Files.exists(abs)) Files.delete(abs);
                Files.move(tmp, abs);
                tmp = null;
            } finally {
                if (tmp != null) deleteTree(tmp);
            }
        } catch (IOException e) {
            throw new CalvariaException("cannot write " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * Writes the mould's files into {@code dir} (created when missing; it must be new or empty) through
     * {@link org.calvaria.files.Outputs#writeAtomically}, so they join the caller's output set and appear with the
     * caller's other outputs. When writing fails, a folder this call created is removed. Returns a summary for the
     * design report.
     */
    public static Map<String, Object> writeInto(Result r, TriangleMesh implant, Path dir, String provenance) {
        requireNewOrEmpty(dir);
        Path abs = dir.toAbsolutePath().normalize();
        boolean made = !Files.exists(abs);
        boolean hooked = false;
        try {
            Files.createDirectories(abs);
            // a folder made here goes again when the caller's output set is discarded
            hooked = made && org.calvaria.files.OutputSet.onDiscard(() -> deleteTree(abs));
            MeshIO.write(r.outer(), abs.resolve("outer.stl"), false, provenance + " (mould outer half)");
            MeshIO.write(r.inner(), abs.resolve("inner.stl"), false, provenance + " (mould inner half)");
            MeshIO.write(r.cavity(), abs.resolve("cavity.stl"), false, provenance + " (mould cavity)");
            ThreeMf.write(
                    abs.resolve("mould.3mf"),
                    List.of(
                            new ThreeMf.Part("mould outer half", r.outer()),
                            new ThreeMf.Part("mould inner half", r.inner()),
                            new ThreeMf.Part("implant", implant)),
                    provenance);
            org.calvaria.files.Outputs.writeAtomically(
                    abs.resolve("report.json"), out -> out.write(Json.MAPPER.writeValueAsBytes(r.report())));
        } catch (IOException | RuntimeException e) {
            if (made && !hooked) deleteTree(abs);
            if (e instanceof RuntimeException re) throw re;
            throw new CalvariaException("cannot write " + dir + ": " + e.getMessage(), e);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("folder", dir.toString());
        m.put("files", List.of("outer.stl", "inner.stl", "cavity.stl", "mould.3mf", "report.json"));
        for (String k : List.of("cavityVolumeMl", "pmmaVolumeMl", "pmmaMassG", "halves", "undercuts", "warnings")) {
            m.put(k, r.report().get(k));
        }
        return m;
    }

    /**
     * A picture of the mould opened apart: the halves and the implant turned so that the pull direction points up
     * (superior), the outer half lifted and the inner half lowered by {@code gapMm}, the implant between them.
     */
    public static java.awt.image.BufferedImage render(Result r, TriangleMesh implant, String title, double gapMm) {
        Geometry g = r.grid();
        double[] e1 = unit(g.axisVector(0)), e2 = unit(g.axisVector(1)), a = r.pull();
        double[] c = g.center();
        org.calvaria.render.PreviewRenderer pr = new org.calvaria.render.PreviewRenderer(500);
        return pr.render(
                List.of(
                        new org.calvaria.render.PreviewRenderer.Layer(
                                inFrame(r.inner(), c, e1, e2, a, -gapMm), new java.awt.Color(120, 150, 190)),
                        new org.calvaria.render.PreviewRenderer.Layer(
                                inFrame(implant, c, e1, e2, a, 0), org.calvaria.render.PreviewRenderer.IMPLANT),
                        new org.calvaria.render.PreviewRenderer.Layer(
                                inFrame(r.outer(), c, e1, e2, a, gapMm), new java.awt.Color(190, 205, 225))),
                title);
    }

    private static double[] unit(double[] v) {
        double l = Math.sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
        return new double[] {v[0] / l, v[1] / l, v[2] / l};
    }

    /** The mesh in the mould's frame (x, y in-plane, z along the pull), shifted by {@code dz} along z. */
    private static TriangleMesh inFrame(TriangleMesh m, double[] c, double[] e1, double[] e2, double[] a, double dz) {
        float[] v = m.vertices(), out = new float[v.length];
        for (int i = 0; i < v.length; i += 3) {
            double x = v[i] - c[0], y = v[i + 1] - c[1], z = v[i + 2] - c[2];
            out[i] = (float) (x * e1[0] + y * e1[1] + z * e1[2]);
            out[i + 1] = (float) (x * e2[0] + y * e2[1] + z * e2[2]);
            out[i + 2] = (float) (x * a[0] + y * a[1] + z * a[2] + dz);
        }
        return new TriangleMesh(out, m.triangles());
    }

    /** Refuses (one line) a mould folder that is a file or a folder with something in it. */
    public static void requireNewOrEmpty(Path dir) {
        Path abs = dir.toAbsolutePath().normalize();
        if (!Files.exists(abs)) return;
        if (!Files.isDirectory(abs)) throw new CalvariaException("output " + dir + " is a file; give a folder");
        try (Stream<Path> s = Files.list(abs)) {
            if (s.findAny().isPresent()) {
                throw new CalvariaException("output folder " + dir + " is not empty; give a new or empty folder");
            }
        } catch (IOException e) {
            throw new CalvariaException("cannot read " + dir + ": " + e.getMessage(), e);
        }
    }

    private static void deleteTree(Path p) {
        try (Stream<Path> s = Files.walk(p)) {
            s.sorted(Comparator.reverseOrder()).forEach(q -> {
                try {
                    Files.deleteIfExists(q);
                } catch (IOException ignored) {
                    // best effort: a hidden, named temporary folder
                }
            });
        } catch (IOException ignored) {
            // best effort
        }
    }
}
