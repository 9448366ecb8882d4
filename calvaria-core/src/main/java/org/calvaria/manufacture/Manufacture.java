package org.calvaria.manufacture;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.calvaria.CalvariaException;
import org.calvaria.mesh.MarchingCubes;
import org.calvaria.mesh.MeshSmoothing;
import org.calvaria.mesh.TriangleMesh;
import org.calvaria.morphology.ConnectedComponents;
import org.calvaria.morphology.Morphology;
import org.calvaria.volume.MaskVolume;

/**
 * From an implant mask to the part a surgeon can use: wall thickness control (inward only), fit clearance at the
 * rim, the final mesh, and its measurements (thickness map and gaps to bone). Used by the design pipeline.
 */
public final class Manufacture {
    private Manufacture() {}

    /**
     * What to do. {@code thicknessMm} null: keep the designed thickness (only thicken below {@code minThicknessMm},
     * 0 = never). {@code rimRadiusMm}: radius the implant's edge towards the bone is rounded to (0 = not rounded).
     * {@code fitCheck}, {@code threeMf}, {@code thicknessMap} (PLY), {@code thicknessPreview} (PNG) and
     * {@code mouldDir} are extra outputs (null: none); {@code mould} sets up the mould and, through its
     * {@code maxPrintMm}, the printer size the implant and the mould halves must fit.
     */
    public record Options(
            double clearanceMm,
            double minThicknessMm,
            Double thicknessMm,
            Path fitCheck,
            Path threeMf,
            double fitCheckMarginMm,
            double rimRadiusMm,
            Path thicknessMap,
            Path thicknessPreview,
            Path mouldDir,
            Mould.Options mould) {
        public static final double DEFAULT_CLEARANCE_MM = 0.5,
                DEFAULT_MIN_THICKNESS_MM = 2.0,
                DEFAULT_FIT_MARGIN_MM = 20,
                DEFAULT_RIM_RADIUS_MM = 1.0;

        /** No rim rounding, no thickness map or mould files. */
        public Options(
                double clearanceMm,
                double minThicknessMm,
                Double thicknessMm,
                Path fitCheck,
                Path threeMf,
                double fitCheckMarginMm) {
            this(
                    clearanceMm,
                    minThicknessMm,
                    thicknessMm,
                    fitCheck,
                    threeMf,
                    fitCheckMarginMm,
                    0,
                    null,
                    null,
                    null,
                    Mould.Options.defaults());
        }

        /** Today's shape: no clearance, no thickening, no rounding (measurements are still made). */
        public static Options none() {
            return new Options(0, 0, null, null, null, DEFAULT_FIT_MARGIN_MM);
        }

        /** The {@code design} command's defaults: 0.5 mm clearance, at least 2 mm thick, rim rounded to 1 mm. */
        public static Options defaults() {
            return new Options(
                    DEFAULT_CLEARANCE_MM,
                    DEFAULT_MIN_THICKNESS_MM,
                    null,
                    null,
                    null,
                    DEFAULT_FIT_MARGIN_MM,
                    DEFAULT_RIM_RADIUS_MM,
                    null,
                    null,
                    null,
                    Mould.Options.defaults());
        }

        /** These options with other extra outputs. */
        public Options withOutputs(Path thicknessMap, Path thicknessPreview, Path mouldDir, Mould.Options mould) {
            return new Options(
                    clearanceMm,
                    minThicknessMm,
                    thicknessMm,
                    fitCheck,
                    threeMf,
                    fitCheckMarginMm,
                    rimRadiusMm,
                    thicknessMap,
                    thicknessPreview,
                    mouldDir,
                    mould);
        }

        /** Fails with one line when a value cannot be met. */
        public void validate() {
            if (!(clearanceMm >= 0) || clearanceMm > 5) {
                throw new CalvariaException("--clearance must be 0..5 mm, got " + clearanceMm);
            }
            if (!(minThicknessMm >= 0) || minThicknessMm > 10) {
                throw new CalvariaException("--min-thickness must be 0..10 mm, got " + minThicknessMm);
            }
            if (thicknessMm != null) {
                if (!(thicknessMm >= 1) || thicknessMm > 15) {
                    throw new CalvariaException("--thickness must be 1..15 mm (a cranial plate), got " + thicknessMm);
                }
                if (minThicknessMm > thicknessMm) {
                    throw new CalvariaException(String.format(
                            Locale.ROOT,
                            "--thickness %.2f mm cannot meet"
                                    + " --min-thickness %.2f mm; raise --thickness or lower --min-thickness",
                            thicknessMm,
                            minThicknessMm));
                }
            }
            if (!(fitCheckMarginMm > 0) || fitCheckMarginMm > 100) {
                throw new CalvariaException("--fit-margin must be above 0 and at most 100 mm, got " + fitCheckMarginMm);
            }
            if (!(rimRadiusMm >= 0) || rimRadiusMm > 5) {
                throw new CalvariaException("--rim-radius must be 0..5 mm, got " + rimRadiusMm);
            }
            if (mould != null) mould.validate();
        }

        public Map<String, Object> describe() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("clearanceMm", clearanceMm);
            m.put("minThicknessMm", minThicknessMm);
            m.put("uniformThicknessMm", thicknessMm);
            m.put("rimRadiusMm", rimRadiusMm);
            return m;
        }
    }

    /** The final implant (mask and mesh), its measurements for the report, and warnings. */
    public record Result(
            MaskVolume implant,
            TriangleMesh mesh,
            double[] thicknessMm,
            Thickness.Stats thickness,
            RimGaps.Gaps gaps,
            Map<String, Object> report,
            List<String> warnings) {}

    /**
     * Applies thickness control then clearance to {@code implant} (on the skull's grid), meshes it with
     * {@code smoothIterations} Taubin rounds, and measures. The clearance is checked on the final mesh: when smoothing
     * brings a vertex closer to bone than 90 % of the clearance, the cut is made again half a voxel deeper (twice at
     * most).
     */
    public static Result process(MaskVolume implant, MaskVolume skull, Options o, int smoothIterations) {
        o.validate();
        List<String> warnings = new ArrayList<>();
        Map<String, Double> seconds = new LinkedHashMap<>();
        long t0 = System.nanoTime();
        MaskVolume shaped = implant;
        if (o.thicknessMm() != null || o.minThicknessMm() > 0) {
            double[] centre = ShellThickener.centroid(skull);
            shaped = o.thicknessMm() != null
                    ? ShellThickener.uniform(implant, skull, centre, o.thicknessMm())
                    : ShellThickener.atLeast(implant, skull, centre, o.minThicknessMm());
            if (shaped.isEmpty()) {
                throw new CalvariaException("the implant has no outer surface facing away from the cranial centre;"
                        + " --thickness cannot be met here");
            }
        }
        seconds.put("thickness", sec(t0));
        long t1 = System.nanoTime();
        double[] sp = implant.geometry().spacing();
        double minS = Math.min(sp[0], Math.min(sp[1], sp[2]));
        double extra = 0;
        MaskVolume finalMask = null;
        TriangleMesh mesh = null;
        RimGaps.Gaps gaps = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            finalMask = Clearance.apply(shaped, skull, o.clearanceMm(), extra);
            if (o.rimRadiusMm() > 0) finalMask = roundRim(finalMask, skull, o.rimRadiusMm(), o.clearanceMm() + extra);
            mesh = meshOf(finalMask);
            if (smoothIterations > 0) mesh = MeshSmoothing.taubin(mesh, smoothIterations);
            gaps = RimGaps.measure(mesh, skull);
            if (o.clearanceMm() == 0 || gaps.minOverall() >= 0.9 * o.clearanceMm()) break;
            extra += 0.5 * minS;
        }
        seconds.put("clearanceAndMesh", sec(t1));
        if (o.clearanceMm() > 0 && gaps.minOverall() < 0.9 * o.clearanceMm()) {
            warnings.add(String.format(
                    Locale.ROOT,
                    "the smallest gap to bone is %.2f mm, below the %.2f mm clearance"
                            + " asked for; check the implant's edge",
                    gaps.minOverall(),
                    o.clearanceMm()));
        }
        long t2 = System.nanoTime();
        double[] th = Thickness.perVertex(mesh);
        boolean[] plate = new boolean[th.length];
        for (int i = 0; i < plate.length; i++) plate[i] = !gaps.facesBone()[i];
        Thickness.Stats stats = Thickness.stats(th, plate);
        long crossings = SelfIntersections.count(mesh);
        if (crossings > 0) {
            warnings.add(crossings + " pair(s) of the implant mesh's triangles cross each other (the surface passes"
                    + " through itself); check the STL before printing, or use fewer --smooth rounds");
        }
        seconds.put("measure", sec(t2));
        double halfVoxel = Math.max(sp[0], Math.max(sp[1], sp[2])) / 2;
        double want = o.thicknessMm() != null ? o.thicknessMm() : o.minThicknessMm();
        if (want > 0 && stats.measured() > 0 && stats.minMm() < want - halfVoxel) {
            warnings.add(String.format(
                    Locale.ROOT,
                    "the implant is %.2f mm thick at its thinnest (5th percentile"
                            + " %.2f mm), below the %.2f mm asked for: it could not be thickened inward there"
                            + " (bone, the cranial side of the rim, or the edge of the scan is in the way)",
                    stats.minMm(),
                    stats.p5Mm(),
                    want));
        }
        Map<String, Object> report = new LinkedHashMap<>();
        Map<String, Object> thick = stats.describe();
        thick.put(
                "method",
                "distance along the inward normal to the opposite surface, on the final mesh;"
                        + " bone-facing rim walls excluded");
        report.put("thickness", thick);
        report.put("clearance", gaps.describe(o.clearanceMm()));
        Map<String, Object> shape = o.describe();
        shape.put("voxelsBefore", implant.cardinality());
        shape.put("voxelsAfter", finalMask.cardinality());
        shape.put("clearanceExtraMm", Thickness.r2(extra));
        shape.put("selfIntersections", crossings);
        Map<String, Object> secs = new LinkedHashMap<>();
        seconds.forEach((k, v) -> secs.put(k, Math.round(v * 1000) / 1000.0));
        shape.put("seconds", secs);
        report.put("manufacture", shape);
        return new Result(finalMask, mesh, th, stats, gaps, report, warnings);
    }

    /**
     * The fit-check model: the defective skull within {@code marginMm} of the implant, closed into a solid (the cut
     * faces are closed by marching cubes), pieces not touching the defect's rim dropped.
     */
    public static TriangleMesh fitCheck(MaskVolume skull, MaskVolume implant, double marginMm) {
        if (implant.isEmpty()) throw new CalvariaException("no implant: nothing to make a fit check around");
        Crop box = Crop.around(implant, marginMm + 2);
        MaskVolume im = box.cut(implant);
        // A distance transform, not a dilation: a 20 mm ball has thousands of rows at 0.45 mm voxels.
        float[] d2 = org.calvaria.evaluate.DistanceTransform.squaredDistanceMm2(
                im, im.geometry().spacing());
        MaskVolume near = new MaskVolume(im.geometry());
        double m2 = marginMm * marginMm;
        for (int i = 0; i < d2.length; i++) if (d2[i] <= m2) near.set(i, true);
        MaskVolume part = box.cut(skull).and(near);
        if (part.isEmpty()) throw new CalvariaException("no bone within " + marginMm + " mm of the implant");
        // The rim: bone within 2 mm of the implant, and at least the bone touching it (26-neighbours) on a scan whose
        // voxels are coarser than that.
        double[] sp = im.geometry().spacing();
        double touch = 1.01 * Math.sqrt(sp[0] * sp[0] + sp[1] * sp[1] + sp[2] * sp[2]);
        MaskVolume rim = Morphology.dilate(im, Math.max(2.0, touch)).and(part);
        if (rim.isEmpty()) {
            throw new CalvariaException("no bone touches the implant's rim, so there is nothing to fit it into; check"
                    + " the implant against the skull");
        }
        part = ConnectedComponents.keepComponentsTouching(part, rim);
        return MarchingCubes.extract(part);
    }

    /** The extra parts made before anything is written: the fit-check model and the mould (null when not asked). */
    public record Extras(TriangleMesh fitCheck, Mould.Result mould) {}

    /**
     * Makes the extra parts the options ask for and checks them against the printer size, before any file is
     * written, so that a part that cannot be made stops the run with one line and no output.
     */
    public static Extras makeExtras(Result made, MaskVolume skull, Options o) {
        Double maxPrint = o.mould() == null ? null : o.mould().maxPrintMm();
        if (maxPrint != null) {
            double[] b = made.mesh().boundingBox();
            double[] size = {b[3] - b[0], b[4] - b[1], b[5] - b[2]};
            java.util.Arrays.sort(size);
            if (size[2] > maxPrint) {
                throw new CalvariaException(String.format(
                        Locale.ROOT,
                        "the implant (%.0f x %.0f x %.0f mm) does not" + " fit a printer of --max-print-mm %.0f",
                        size[0],
                        size[1],
                        size[2],
                        maxPrint));
            }
        }
        TriangleMesh fit = o.fitCheck() != null ? fitCheck(skull, made.implant(), o.fitCheckMarginMm()) : null;
        Mould.Result mould = o.mouldDir() != null ? Mould.build(made.mesh(), o.mould()) : null;
        return new Extras(fit, mould);
    }

    /**
     * Writes the extra outputs: the fit-check STL, the thickness map (PLY and PNG), the mould folder and the 3MF file
     * (implant, fit-check model and mould halves as named objects). Each file goes through
     * {@link org.calvaria.files.Outputs#writeAtomically}, so it joins the caller's output set. Returns report entries
     * about them (empty when none). A mould folder this call creates is removed again if writing fails.
     */
    public static Map<String, Object> writeExtras(Result made, Extras extras, Options o, String provenance) {
        Map<String, Object> r = new LinkedHashMap<>();
        TriangleMesh fit = extras.fitCheck();
        if (fit != null) {
            org.calvaria.mesh.MeshIO.write(fit, o.fitCheck(), false, provenance + " (fit-check model)");
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("file", o.fitCheck().toString());
            f.put("marginMm", o.fitCheckMarginMm());
            f.put("triangles", fit.triangleCount());
            f.put("watertight", fit.isWatertight());
            double[] b = fit.boundingBox();
            f.put(
                    "boundingBoxSizeMm",
                    new double[] {Thickness.r2(b[3] - b[0]), Thickness.r2(b[4] - b[1]), Thickness.r2(b[5] - b[2])});
            r.put("fitCheck", f);
        }
        if (o.thicknessMap() != null || o.thicknessPreview() != null) {
            Map<String, Object> m = new LinkedHashMap<>();
            if (o.thicknessMap() != null) {
                ThicknessMap.writePly(
                        made.mesh(), made.thicknessMm(), o.thicknessMap(), provenance + " (thickness map)");
                m.put("file", o.thicknessMap().toString());
                m.put(
                        "format",
                        "binary little-endian PLY: vertex float x y z (LPS mm), uchar red green blue,"
                                + " float thickness (mm, -1 = no value); faces as the implant STL");
            }
            if (o.thicknessPreview() != null) {
                ThicknessMap.writePng(made.mesh(), made.thicknessMm(), "wall thickness", o.thicknessPreview());
                m.put("preview", o.thicknessPreview().toString());
            }
            m.put("scaleMm", new double[] {0, ThicknessMap.SCALE_MAX_MM});
            r.put("thicknessMap", m);
        }
        Mould.Result mould = extras.mould();
        if (mould != null) {
            r.put("mould", Mould.writeInto(mould, made.mesh(), o.mouldDir(), provenance));
        }
        if (o.threeMf() != null) {
            write3mf(o.threeMf(), made.mesh(), extras, provenance);
            // in this order on every run (Map.of's order changes from one JVM to the next)
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("file", o.threeMf().toString());
            t.put(
                    "objects",
                    parts(made.mesh(), extras).stream().map(ThreeMf.Part::name).toList());
            r.put("threeMf", t);
        }
        return r;
    }

    /** The 3MF objects: the implant, then the fit-check model and the mould halves when made. */
    public static List<ThreeMf.Part> parts(TriangleMesh implant, Extras extras) {
        List<ThreeMf.Part> parts = new ArrayList<>();
        parts.add(new ThreeMf.Part("implant", implant));
        if (extras.fitCheck() != null) parts.add(new ThreeMf.Part("fit-check", extras.fitCheck()));
        if (extras.mould() != null) {
            parts.add(new ThreeMf.Part("mould outer half", extras.mould().outer()));
            parts.add(new ThreeMf.Part("mould inner half", extras.mould().inner()));
        }
        return parts;
    }

    public static void write3mf(Path path, TriangleMesh implant, Extras extras, String provenance) {
        ThreeMf.write(path, parts(implant, extras), provenance);
    }

    /** Console lines for a design report's thickness and clearance entries (none when null). */
    public static List<String> summaryLines(Map<String, Object> thickness, Map<String, Object> clearance) {
        List<String> lines = new ArrayList<>();
        if (thickness != null) {
            Map<String, Object> m = thickness;
            lines.add(String.format(
                    Locale.ROOT,
                    "thickness: min %s mm, 5th percentile %s mm, median %s mm, max %s mm",
                    m.get("minMm"),
                    m.get("p5Mm"),
                    m.get("medianMm"),
                    m.get("maxMm")));
        }
        if (clearance != null) {
            Map<String, Object> m = clearance;
            lines.add(String.format(
                    Locale.ROOT,
                    "gap to bone along the rim (clearance %s mm): smallest %s mm, median" + " %s mm, largest %s mm",
                    m.get("clearanceMm"),
                    m.get("rimGapMinMm"),
                    m.get("rimGapMedianMm"),
                    m.get("rimGapMaxMm")));
        }
        return lines;
    }

    /**
     * Rounds the implant's edge towards the bone: a morphological opening with a ball of {@code radiusMm} (which
     * rounds convex edges to that radius and removes feathers thinner than twice it), applied only within reach of
     * the bone, so the plate's outer and inner surfaces away from the rim keep their shape. Only removes voxels, so the
     * clearance stays.
     */
    static MaskVolume roundRim(MaskVolume implant, MaskVolume skull, double radiusMm, double clearanceMm) {
        if (implant.isEmpty()) return implant;
        double[] sp = implant.geometry().spacing();
        double maxS = Math.max(sp[0], Math.max(sp[1], sp[2]));
        double reach = clearanceMm + radiusMm + 2 * maxS;
        Crop box = Crop.around(implant, reach + 1);
        MaskVolume im = box.cut(implant);
        MaskVolume opened = Morphology.open(im, radiusMm);
        MaskVolume nearBone = Morphology.dilate(box.cut(skull), reach);
        MaskVolume cut = im.copy().andNot(opened).and(nearBone);
        if (cut.isEmpty()) return implant;
        MaskVolume kept = im.copy().andNot(cut);
        long minPart = Math.max(8, Math.round(50.0 / implant.geometry().voxelVolumeMm3()));
        kept = ConnectedComponents.removeSmallerThan(kept, minPart);
        if (kept.cardinality() < 0.5 * im.cardinality()) return implant; // a plate thinner than the rounding: keep
        return box.paste(implant, kept);
    }

    /** Marching cubes on the implant's box only (a head scan is ~60 M voxels, the implant a few percent). */
    static TriangleMesh meshOf(MaskVolume mask) {
        if (mask.isEmpty()) return MarchingCubes.extract(mask);
        return MarchingCubes.extract(Crop.around(mask, 0).grow(mask, 1).cut(mask));
    }

    private static double sec(long start) {
        return (System.nanoTime() - start) / 1e9;
    }
}
