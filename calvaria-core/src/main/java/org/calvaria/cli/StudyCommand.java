package org.calvaria.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.calvaria.CalvariaException;
import org.calvaria.complete.CompletionModel;
import org.calvaria.dataset.SkullFiles;
import org.calvaria.defects.DefectType;
import org.calvaria.evaluate.SizeStudy;
import org.calvaria.files.Outputs;
import org.calvaria.implant.ImplantDesigner;
import org.calvaria.io.VolumeIO;
import org.calvaria.train.ArchitectureStudy;
import org.calvaria.volume.MaskVolume;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code calvaria study size}: the defect-size study of Wu et al. (2022). */
@Command(
        name = "study",
        mixinStandardHelpOptions = true,
        description = "Studies of a model's limits.",
        subcommands = {StudyCommand.Size.class, StudyCommand.Arch.class, CommandLine.HelpCommand.class})
public final class StudyCommand extends CalvariaCommand implements Runnable {

    @Override
    public void run() {
        spec.commandLine().usage(out());
    }

    /** Defect fractions 5-45 % by type: Dice and error rate, table and plot, and the size limit. */
    @Command(
            name = "size",
            mixinStandardHelpOptions = true,
            description = {
                "Cut defects of growing size (share of the upper cranium removed) and of each type from"
                        + " complete skulls, design each implant with the model, and measure Dice and the volumetric error"
                        + " rate r against the removed bone on the skull's own grid.",
                "Writes size-study.csv, size-study.md (tables) and size-study.svg (plot) and says up to which size the"
                        + " model is satisfactory."
            })
    public static final class Size extends CalvariaCommand implements Runnable {
        @Mixin
        CommonOptions common;

        @Parameters(
                paramLabel = "SKULLS",
                description =
                        "Complete skulls: one file, a folder of volumes, or a SkullFix" + " folder (complete_skull/).")
        Path skulls;

        @Option(
                names = "--model",
                paramLabel = "MODEL",
                defaultValue = "default",
                description = "Completion model file, or 'default' for the bundled one (default: ${DEFAULT-VALUE}).")
        String model;

        @Option(names = "--cases", paramLabel = "IDS", split = ",", description = "Only these skulls (e.g. 069,001).")
        List<String> cases = new ArrayList<>();

        @Option(
                names = "--types",
                paramLabel = "TYPES",
                defaultValue = "wu2022",
                description = "Defect types: 'wu2022' (the paper's six, default), 'all', or a comma-separated list.")
        String types;

        @Option(
                names = "--fractions",
                paramLabel = "F",
                split = ",",
                description = "Defect sizes as shares of the upper cranium (default 0.05,0.10,...,0.45).")
        List<Double> fractions;

        @Option(
                names = "--satisfactory-dice",
                paramLabel = "D",
                defaultValue = "0.8",
                description = "Mean implant Dice that counts as satisfactory (default: ${DEFAULT-VALUE}).")
        double satisfactoryDice;

        @Option(names = "--seed", paramLabel = "N", defaultValue = "1", description = "Defect seed (default 1).")
        long seed;

        @Option(
                names = {"-o", "--output"},
                paramLabel = "DIR",
                defaultValue = "size-study",
                description = "Output folder (default: ${DEFAULT-VALUE}).")
        Path out;

        @Override
        public void run() {
            List<DefectType> typeList = DefectType.parseList(types);
            List<Double> f = fractions == null || fractions.isEmpty() ? SizeStudy.defaultFractions() : fractions;
            for (double x : f) {
                if (!(x >= 0.01 && x <= 0.6)) {
                    throw badOption("--fractions must lie in 0.01..0.6 (shares of the upper cranium), got " + x);
                }
            }
            List<SkullFiles> files =
                    Files.isRegularFile(skulls) ? SkullFiles.of(List.of(skulls)) : SkullFiles.scan(skulls);
            if (!cases.isEmpty()) {
                files = files.stream().filter(s -> cases.contains(s.id())).toList();
                if (files.isEmpty()) throw new CalvariaException("none of --cases " + cases + " is in " + skulls);
            }
            EvaluateCommand.requireOutputApart(out, skulls);
            try (CompletionModel m = CompletionModel.open(Path.of(model))) {
                ImplantDesigner designer = new ImplantDesigner(m, ImplantDesigner.Options.defaults(m));
                Map<String, MaskVolume> complete = SizeStudy.named();
                for (SkullFiles s : files) {
                    complete.put(
                            s.id(),
                            MaskVolume.requireBinary(
                                    VolumeIO.read(s.complete()), s.complete().toString()));
                }
                SizeStudy.Result r = SizeStudy.run(
                        complete, typeList, f, d -> designer.design(d, st -> {}).implant(), seed, satisfactoryDice);
                String description =
                        "model " + model + ", skulls " + String.join(", ", complete.keySet()) + ", seed " + seed;
                List<Path> written = SizeStudy.write(r, out, description);
                out().print(SizeStudy.table(r, description));
                out().println("wrote " + written);
            }
        }
    }

    /** Training runs of different networks compared at equal compute (CPU time), as a table and a plot. */
    @Command(
            name = "arch",
            mixinStandardHelpOptions = true,
            description = {
                "Compare training runs of different architectures at equal compute: for each run, its"
                        + " parameters, forward GFLOP on its grid, CPU seconds per step, and the best validation implant"
                        + " Dice it had reached when it had used as much CPU time as the shortest run.",
                "Prints a Markdown table; with -o also writes it (arch-study.md) and the curves (arch-study.png)."
            })
    public static final class Arch extends CalvariaCommand implements Runnable {
        @Mixin
        CommonOptions common;

        @Parameters(paramLabel = "RUN", arity = "2..*", description = "Folders written by 'calvaria train -o'.")
        List<Path> runs;

        @Option(
                names = {"-o", "--output"},
                paramLabel = "DIR",
                description = "Also write arch-study.md and .png here.")
        Path out;

        @Override
        public void run() {
            ArchitectureStudy.Result r = ArchitectureStudy.of(runs);
            String table = ArchitectureStudy.table(r);
            out().print(table);
            if (out != null) {
                Path md = out.resolve("arch-study.md"), png = out.resolve("arch-study.png");
                Outputs.requireDistinct(runs, List.of(md, png));
                try {
                    Files.createDirectories(out);
                } catch (java.io.IOException e) {
                    throw new CalvariaException("cannot create " + out + ": " + e.getMessage(), e);
                }
                Outputs.writeAtomically(md, o -> o.write(table.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
                ArchitectureStudy.writePng(r, png);
                out().println("wrote " + List.of(md, png));
            }
        }
    }
}
