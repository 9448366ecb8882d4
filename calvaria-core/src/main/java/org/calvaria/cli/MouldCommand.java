package org.calvaria.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.calvaria.CalvariaException;
import org.calvaria.Provenance;
import org.calvaria.files.Outputs;
import org.calvaria.manufacture.Mould;
import org.calvaria.mesh.MeshIO;
import org.calvaria.mesh.TriangleMesh;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code calvaria mould implant.stl -o mould/}: a two-part casting mould around an implant. */
@Command(
        name = "mould",
        mixinStandardHelpOptions = true,
        description = {
            "Make a printable two-part casting mould (outer and inner halves, registration keys, pour spout"
                    + " and vent) around an implant, for casting it in bone cement (PMMA).",
            "Writes outer.stl, inner.stl, cavity.stl, mould.3mf and report.json into the output folder (all or"
                    + " nothing). For research and planning; not a certified medical device."
        })
public final class MouldCommand extends CalvariaCommand implements Runnable {
    @Mixin
    CommonOptions common;

    @Parameters(index = "0", paramLabel = "IMPLANT", description = "Closed implant mesh (.stl, .ply, .obj).")
    Path input;

    @Option(
            names = {"-o", "--output"},
            required = true,
            paramLabel = "DIR",
            description = "New or empty folder.")
    Path output;

    @Option(names = "--wall", paramLabel = "MM", defaultValue = "3", description = "Wall thickness. Default 3 mm.")
    double wall;

    @Option(
            names = "--shrinkage",
            paramLabel = "PERCENT",
            defaultValue = "0",
            description = "Linear shrinkage allowance of the cast material: the cavity is enlarged by this. Default 0.")
    double shrinkage;

    @Option(
            names = "--density",
            paramLabel = "G_PER_ML",
            defaultValue = "1.18",
            description = "Density of the cast material for the mass estimate. Default 1.18 (PMMA).")
    double density;

    @Option(
            names = "--voxel",
            paramLabel = "MM",
            defaultValue = "0.5",
            description = "Mould voxel size (the halves' faces follow it). Default 0.5 mm.")
    double voxel;

    @Option(
            names = "--max-print-mm",
            paramLabel = "MM",
            description = "Refuse when a half does not fit a printer of this size along any axis.")
    Double maxPrint;

    @Option(
            names = "--preview",
            paramLabel = "PNG",
            description = "Also write a picture of the mould opened apart"
                    + " (outer half lifted, inner half lowered, the implant between them).")
    Path preview;

    @Override
    public void run() {
        Outputs.requireNotInput(output, input);
        if (preview != null) {
            Outputs.requireNotInput(preview, input);
            Outputs.requireFileTarget(preview);
            if (preview.toAbsolutePath()
                    .normalize()
                    .startsWith(output.toAbsolutePath().normalize())) {
                throw badOption("--preview must lie outside the mould folder " + output);
            }
        }
        TriangleMesh implant = MeshIO.read(input);
        Mould.Options d = Mould.Options.defaults();
        Mould.Options o = new Mould.Options(
                voxel, wall, shrinkage, density, d.keyRadiusMm(), d.spoutRadiusMm(), d.ventRadiusMm(), maxPrint);
        requireValid(o::validate);
        if (!implant.isWatertight()) {
            throw new CalvariaException(input.getFileName() + " is not watertight (open edges or inconsistent faces);"
                    + " give a closed mesh, such as the STL 'calvaria design' writes");
        }
        Mould.Result r = Mould.build(implant, o);
        Mould.write(r, implant, output, Provenance.line("mould " + input.getFileName()));
        if (preview != null) {
            double[] b = r.cavity().boundingBox();
            double gap = 0.5 * Math.max(b[3] - b[0], Math.max(b[4] - b[1], b[5] - b[2]));
            org.calvaria.render.PreviewRenderer.writePng(
                    Mould.render(r, implant, "mould opened: " + input.getFileName(), gap), preview);
        }
        for (String w : r.warnings())
            org.slf4j.LoggerFactory.getLogger(MouldCommand.class).warn(w);
        Map<String, Object> rep = r.report();
        out().println(String.format(
                Locale.ROOT,
                "wrote %s: cavity %.2f ml, PMMA %.1f g, outer half %s mm," + " inner half %s mm (%.1f s)",
                output,
                (Double) rep.get("cavityVolumeMl"),
                (Double) rep.get("pmmaMassG"),
                size(rep, "outer"),
                size(rep, "inner"),
                (Double) rep.get("seconds")));
    }

    @SuppressWarnings("unchecked")
    private static String size(Map<String, Object> rep, String half) {
        double[] s = (double[])
                ((Map<String, Object>) ((Map<String, Object>) rep.get("halves")).get(half)).get("printSizeMm");
        return String.format(Locale.ROOT, "%.0f x %.0f x %.0f", s[0], s[1], s[2]);
    }

    static List<String> files() {
        return List.of("outer.stl", "inner.stl", "cavity.stl", "mould.3mf", "report.json");
    }
}
