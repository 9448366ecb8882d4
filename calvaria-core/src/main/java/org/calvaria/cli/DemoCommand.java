package org.calvaria.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.calvaria.Progress;
import org.calvaria.Provenance;
import org.calvaria.complete.CompletionModel;
import org.calvaria.defects.Defect;
import org.calvaria.defects.DefectGenerator;
import org.calvaria.defects.DefectType;
import org.calvaria.files.OutputSet;
import org.calvaria.files.Outputs;
import org.calvaria.io.NrrdIO;
import org.calvaria.pipeline.DesignPipeline;
import org.calvaria.pipeline.DesignReport;
import org.calvaria.synth.SyntheticSkull;
import org.calvaria.volume.MaskVolume;
import org.calvaria.volume.VoxelType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code calvaria demo}: the whole job on a built-in synthetic skull, with nothing to download: build a skull, cut a
 * defect, design the implant with the bundled model, write STL, report and pictures, and say how close the implant is
 * to the bone that was cut out.
 */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description = "Design an implant for a built-in synthetic skull with a cut-out defect (no data needed) and"
                + " write the STL, report and preview pictures to a folder.")
public final class DemoCommand extends CalvariaCommand implements Runnable {
    static final List<String> OUTPUT_NAMES = List.of(
            "defective_skull.nrrd",
            "true_implant.nrrd",
            "implant.stl",
            "implant.nrrd",
            "completed_skull.nrrd",
            "report.json",
            "preview.png");

    @Mixin
    CommonOptions common;

    @Option(
            names = {"-o", "--output"},
            defaultValue = "calvaria-demo",
            paramLabel = "DIR",
            description = "Output folder (default: ${DEFAULT-VALUE}).")
    Path output;

    @Option(names = "--seed", defaultValue = "2026", paramLabel = "N", description = "Skull shape and defect seed.")
    long seed;

    @Option(
            names = "--defect",
            defaultValue = "symmetrical-ellipsoid",
            paramLabel = "TYPE",
            description = "Defect type (see 'calvaria defects --help'); default ${DEFAULT-VALUE}.")
    String defectType;

    @Option(
            names = "--fraction",
            defaultValue = "0.15",
            paramLabel = "F",
            description = "Share of the upper-cranium bone removed (default ${DEFAULT-VALUE}).")
    double fraction;

    @Option(names = "--model", paramLabel = "FILE", description = "Completion model (default: the bundled one).")
    Path model;

    @Override
    @SuppressWarnings("try") // the bar is closed early, so that its line ends before the summary is printed
    public void run() {
        DefectType type = DefectType.fromName(defectType);
        List<Path> outputs = OUTPUT_NAMES.stream().map(output::resolve).toList();
        Outputs.requireDistinct(java.util.Arrays.asList(model), outputs);
        for (Path p : outputs) Outputs.requireFileTarget(p);
        // all seven files appear together when the design is done (or none of them: a failed run keeps the old set)
        try (CompletionModel m = CompletionModel.open(model);
                Progress p = Progress.start("demo", 3);
                OutputSet files = OutputSet.begin()) {
            p.message("synthetic skull");
            MaskVolume skull = new SyntheticSkull(seed).rasterize(0.8, 0.8);
            p.step();
            p.message("defect");
            Defect defect = new DefectGenerator(seed).cut(skull, type, fraction);
            MaskVolume defective = Provenance.stamp(
                    defect.defective(),
                    "demo: synthetic skull (seed " + seed + ") with a " + type.cliName() + " defect");
            defective.setSourceType(VoxelType.UINT8);
            MaskVolume truth = Provenance.stamp(defect.implant(), "demo: bone removed by the defect");
            truth.setSourceType(VoxelType.UINT8);
            NrrdIO.write(defective, output.resolve("defective_skull.nrrd"));
            NrrdIO.write(truth, output.resolve("true_implant.nrrd"));
            p.step();
            p.message("design");
            String name = model != null ? model.getFileName().toString() : "bundled default model";
            DesignPipeline.Result r = new DesignPipeline(m, name)
                    .run(
                            defective,
                            "synthetic-skull-" + seed,
                            DesignPipeline.Settings.defaults(),
                            new DesignPipeline.OutputFiles(
                                    output.resolve("implant.stl"),
                                    output.resolve("implant.nrrd"),
                                    output.resolve("completed_skull.nrrd"),
                                    output.resolve("report.json"),
                                    output.resolve("preview.png")),
                            stage -> p.message("design: " + stage));
            files.commit();
            p.step();
            MaskVolume implant = r.design().implant();
            long both = implant.intersectionCount(truth);
            double dice = 2.0 * both / (implant.cardinality() + truth.cardinality());
            double errorRate = 100.0 * (implant.cardinality() + truth.cardinality() - 2 * both) / truth.cardinality();
            DesignReport rep = r.report();
            p.close();
            out().println("demo written to " + output.toAbsolutePath());
            for (String f : OUTPUT_NAMES) {
                out().println("  " + output.resolve(f));
            }
            out().println(rep.summary());
            out().printf(
                            Locale.ROOT,
                            "defect: %s, %.1f%% of the upper cranium; against the removed bone:"
                                    + " Dice %.3f, volumetric error rate %.1f%%%n",
                            type.cliName(),
                            100 * defect.achievedFraction(),
                            dice,
                            errorRate);
            out().println("seconds per stage: " + rep.secondsPerStage());
        }
    }
}
