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
        OneRing ring = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            finalMask = Clearance.apply(shaped, skull, o.clearanceMm(), extra);
            if (o.rimRadiusMm() > 0) finalMask = roundRim(finalMask, skull, o.rimRadiusMm(), o.clearanceMm() + extra);
            mesh = meshOf(finalMask);
            if (smoothIterations > 0) mesh = MeshSmoothing.taubin(mesh, smoothIterations);
            ring = new OneRing(mesh);
            gaps = RimGaps.measure(ring, skull);
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
        // Counted on the caller's thread: its parallel stream then runs in the caller's fork-join pool, so a batch
        // that limits its threads (Spark's per-task pool) stays within them. A side thread gained no clear time.
        // One index of the final mesh's triangles serves the thickness rays and the crossing search.
        TriangleGrid grid = Thickness.gridFor(mesh);
        double[] th = Thickness.perVertex(grid, ring);
        boolean[] plate = new boolean[th.length];
        for (int i = 0; i < plate.length; i++) plate[i] = !gaps.facesBone()[i];
        Thickness.Stats stats = Thickness.stats(th, plate);
        long crossings = mesh.triangleCount() < 2 ? 0 : SelfIntersections.count(grid);
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
        return FitCheck.fitCheck(skull, implant, marginMm);
    }

    /** The extra parts made before anything is written: the fit-check model and the mould (null when not asked). */
    public record Extras(TriangleMesh fitCheck, Mould.Result mould) {}

    /**
     * Makes the extra parts the options ask for and checks them against the printer size, before any file is
     * written, so that a part that cannot be made stops the run with one line and no output.
     */
    public static Extras makeExtras(Result made, MaskVolume skull, Options o) {
        return ManufactureExtras.makeExtras(made, skull, o);
    }

    /**
     * Writes the extra outputs: the fit-check STL, the thickness map (PLY and PNG), the mould folder and the 3MF file
     * (implant, fit-check model and mould halves as named objects). Each file goes through
     * {@link org.calvaria.files.Outputs#writeAtomically}, so it joins the caller's output set. Returns report entries
     * about them (empty when none). A mould folder this call creates is removed again if writing fails.
     */
    public static Map<String, Object> writeExtras(Result made, Extras extras, Options o, String provenance) {
        return ManufactureExtras.writeExtras(made, extras, o, provenance);
    }

    /** The 3MF objects: the implant, then the fit-check model and the mould halves when made. */
    public static List<ThreeMf.Part> parts(TriangleMesh implant, Extras extras) {
        return ManufactureExtras.parts(implant, extras);
    }

    public static void write3mf(Path path, TriangleMesh implant, Extras extras, String provenance) {
        ManufactureExtras.write3mf(path, implant, extras, provenance);
    }

    /** Console lines for a design report's thickness and clearance entries (none when null). */
    public static List<String> summaryLines(Map<String, Object> thickness, Map<String, Object> clearance) {
        return ManufactureExtras.summaryLines(thickness, clearance);
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
