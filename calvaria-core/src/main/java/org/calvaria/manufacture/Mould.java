package org.calvaria.manufacture;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.calvaria.CalvariaException;
import org.calvaria.evaluate.DistanceTransform;
import org.calvaria.mesh.MarchingCubes;
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
        List<double[]> keyCentres = MouldFeatures.placeKeys(g, o, d2, h, outer, inner);
        int[] sv = MouldFeatures.spoutAndVent(g, o, zTop, h, outer, warnings);
        int spout = sv[0], vent = sv[1];
        long[] blocked = MouldReport.undercuts(cavity, outer, inner, reentrantColumns, warnings);
        long outerBlocked = blocked[0], innerBlocked = blocked[1];
        TriangleMesh outerMesh = MarchingCubes.extract(outer);
        TriangleMesh innerMesh = MarchingCubes.extract(inner);
        TriangleMesh cavityOut = MarchingCubes.extract(cavity);
        Map<String, Object> halves = new LinkedHashMap<>();
        halves.put("outer", MouldReport.describeHalf(outer, outerMesh, "outer.stl", o));
        halves.put("inner", MouldReport.describeHalf(inner, innerMesh, "inner.stl", o));
        double voxelMl = g.voxelVolumeMm3() / 1000;
        double cavityMl = cavity.cardinality() * voxelMl;
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("tool", "calvaria " + org.calvaria.Provenance.version());
        r.put("voxelMm", s);
        r.put("wallMm", o.wallMm());
        r.put("shrinkagePercent", o.shrinkagePercent());
        r.put("pullDirectionLps", MouldReport.round(a, 4));
        r.put("implantVolumeMl", Math.round(implant.enclosedVolumeMm3() / 10) / 100.0);
        r.put("cavityVolumeMl", Math.round(cavityMl * 100) / 100.0);
        r.put("cavityMeshVolumeMl", Math.round(cavityOut.enclosedVolumeMm3() / 10) / 100.0);
        r.put("pmmaVolumeMl", Math.round(cavityMl * 100) / 100.0);
        r.put("pmmaDensityGPerMl", o.densityGPerMl());
        r.put("pmmaMassG", Math.round(cavityMl * o.densityGPerMl() * 10) / 10.0);
        r.put("halves", halves);
        List<Object> keyList = new ArrayList<>();
        for (double[] kc : keyCentres) keyList.add(MouldReport.round(kc, 2));
        r.put("registrationKeys", Map.of("radiusMm", o.keyRadiusMm(), "socketClearanceMm", 0.3, "centresLps", keyList));
        r.put(
                "pourSpout",
                Map.of(
                        "radiusMm",
                        o.spoutRadiusMm(),
                        "atLps",
                        MouldReport.round(g.indexToPhysical(spout % nx, spout / nx, zTop[spout]), 2)));
        if (vent >= 0) {
            r.put(
                    "vent",
                    Map.of(
                            "radiusMm",
                            o.ventRadiusMm(),
                            "atLps",
                            MouldReport.round(g.indexToPhysical(vent % nx, vent / nx, zTop[vent]), 2)));
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

    static double[][] frame(TriangleMesh m) {
        return MouldFrame.frame(m);
    }

    static TriangleMesh scaled(TriangleMesh m, double[] about, double k) {
        return MouldFrame.scaled(m, about, k);
    }

    /**
     * Writes {@code outer.stl}, {@code inner.stl}, {@code cavity.stl}, {@code mould.3mf} (the halves and the implant
     * as named objects) and {@code report.json} into {@code dir}, all or nothing: the files are written into a hidden
     * sibling folder that is renamed into place at the end. {@code dir} must not exist or be empty.
     */
    public static void write(Result r, TriangleMesh implant, Path dir, String provenance) {
        MouldFiles.write(r, implant, dir, provenance);
    }

    /**
     * Writes the mould's files into {@code dir} (created when missing; it must be new or empty) through
     * {@link org.calvaria.files.Outputs#writeAtomically}, so they join the caller's output set and appear with the
     * caller's other outputs. When writing fails, a folder this call created is removed. Returns a summary for the
     * design report.
     */
    public static Map<String, Object> writeInto(Result r, TriangleMesh implant, Path dir, String provenance) {
        return MouldFiles.writeInto(r, implant, dir, provenance);
    }

    /**
     * A picture of the mould opened apart: the halves and the implant turned so that the pull direction points up
     * (superior), the outer half lifted and the inner half lowered by {@code gapMm}, the implant between them.
     */
    public static java.awt.image.BufferedImage render(Result r, TriangleMesh implant, String title, double gapMm) {
        return MouldFiles.render(r, implant, title, gapMm);
    }

    /** Refuses (one line) a mould folder that is a file or a folder with something in it. */
    public static void requireNewOrEmpty(Path dir) {
        MouldFiles.requireNewOrEmpty(dir);
    }
}
