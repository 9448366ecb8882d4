package org.calvaria.manufacture;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.calvaria.CalvariaException;
import org.calvaria.mesh.TriangleMesh;
import org.calvaria.volume.MaskVolume;

/** The extra outputs (fit-check model, thickness map, mould, 3MF), their making and writing, and summary lines. */
final class ManufactureExtras {
    private ManufactureExtras() {}

    /**
     * Makes the extra parts the options ask for and checks them against the printer size, before any file is
     * written, so that a part that cannot be made stops the run with one line and no output.
     */
    static Manufacture.Extras makeExtras(Manufacture.Result made, MaskVolume skull, Manufacture.Options o) {
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
        TriangleMesh fit = o.fitCheck() != null ? FitCheck.fitCheck(skull, made.implant(), o.fitCheckMarginMm()) : null;
        Mould.Result mould = o.mouldDir() != null ? Mould.build(made.mesh(), o.mould()) : null;
        return new Manufacture.Extras(fit, mould);
    }

    /**
     * Writes the extra outputs: the fit-check STL, the thickness map (PLY and PNG), the mould folder and the 3MF file
     * (implant, fit-check model and mould halves as named objects). Each file goes through
     * {@link org.calvaria.files.Outputs#writeAtomically}, so it joins the caller's output set. Returns report entries
     * about them (empty when none). A mould folder this call creates is removed again if writing fails.
     */
    static Map<String, Object> writeExtras(
            Manufacture.Result made, Manufacture.Extras extras, Manufacture.Options o, String provenance) {
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
    static List<ThreeMf.Part> parts(TriangleMesh implant, Manufacture.Extras extras) {
        List<ThreeMf.Part> parts = new ArrayList<>();
        parts.add(new ThreeMf.Part("implant", implant));
        if (extras.fitCheck() != null) parts.add(new ThreeMf.Part("fit-check", extras.fitCheck()));
        if (extras.mould() != null) {
            parts.add(new ThreeMf.Part("mould outer half", extras.mould().outer()));
            parts.add(new ThreeMf.Part("mould inner half", extras.mould().inner()));
        }
        return parts;
    }

    static void write3mf(Path path, TriangleMesh implant, Manufacture.Extras extras, String provenance) {
        ThreeMf.write(path, parts(implant, extras), provenance);
    }

    /** Console lines for a design report's thickness and clearance entries (none when null). */
    static List<String> summaryLines(Map<String, Object> thickness, Map<String, Object> clearance) {
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
}
