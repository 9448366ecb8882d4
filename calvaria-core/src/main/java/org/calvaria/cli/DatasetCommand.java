package org.calvaria.cli;

import java.nio.file.Path;
import java.util.Locale;
import org.calvaria.dataset.DatasetBuilder;
import org.calvaria.defects.DefectPlacement;
import org.calvaria.defects.DefectType;
import org.calvaria.normalise.NetworkGrid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code calvaria dataset ...}: training data tools. */
@Command(
        name = "dataset",
        mixinStandardHelpOptions = true,
        description = "Training data: build a SkullFix-style set of defective skulls, implants and complete skulls.",
        subcommands = {DatasetCommand.Build.class})
public final class DatasetCommand extends CalvariaCommand implements Runnable {

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "give a subcommand: build");
    }

    /** {@code calvaria dataset build SKULLS_DIR -o DATASET}. */
    @Command(
            name = "build",
            mixinStandardHelpOptions = true,
            description = {
                "Write a training set from a folder of complete skulls (NRRD/NIfTI/DICOM folders, or a"
                        + " SkullFix folder with complete_skull/): per sample an (augmented) complete skull, a defective"
                        + " skull and its implant in complete_skull/, defective_skull/, implant/ on the network grid"
                        + " and/or under original/ on each skull's own grid, plus samples/NAME.json and manifest.json.",
                "Resumable: samples already written are kept; run the same command again to finish."
            })
    public static final class Build extends CalvariaCommand implements Runnable {
        private static final Logger LOG = LoggerFactory.getLogger(Build.class);

        @Mixin
        CommonOptions common;

        @Parameters(paramLabel = "SKULLS_DIR", description = "Folder of complete skulls.")
        Path skulls;

        @Option(
                names = {"-o", "--output"},
                required = true,
                paramLabel = "DATASET",
                description = "Output folder.")
        Path output;

        @Option(
                names = "--per-skull",
                paramLabel = "N",
                defaultValue = "10",
                description = "Samples per skull (default 10).")
        int perSkull;

        @Option(names = "--augment", description = "Apply one of the 98 rotation/tilt/shift variants per sample.")
        boolean augment;

        @Option(
                names = "--grid",
                paramLabel = "NXxNYxNZ|none",
                defaultValue = "112x112x40",
                description = "Network grid (1.75 mm voxels; default 112x112x40); 'none' writes no grid version"
                        + " (needs --original-grid).")
        String gridSpec;

        @Option(
                names = "--original-grid",
                description = "Also write each sample on the skull's own grid under" + " original/ (slower, large).")
        boolean originalGrid;

        @Option(
                names = "--type",
                paramLabel = "TYPES",
                defaultValue = "wu2022",
                description = "Defect types: comma-separated names, 'wu2022' (default, the paper's six) or 'all'.")
        String types;

        @Option(
                names = "--fraction-range",
                paramLabel = "MIN,MAX",
                defaultValue = "0.05,0.45",
                description = "Share of the upper cranium removed, drawn uniformly (default 0.05,0.45).")
        String fractionRange;

        @Option(
                names = "--placement",
                paramLabel = "WHERE",
                description = "midline, off-midline or random (default: each type's own).")
        String placement;

        @Option(names = "--seed", paramLabel = "N", defaultValue = "1", description = "Random seed (default 1).")
        long seed;

        @Option(names = "--threads", paramLabel = "N", description = "Skulls processed at once (default: all cores).")
        Integer threads;

        @Option(
                names = "--cache",
                paramLabel = "DIR",
                description = "Keep skulls mapped to the grid here; later runs skip the full-resolution read.")
        Path cache;

        @Option(
                names = "--val-fraction",
                paramLabel = "F",
                defaultValue = "0",
                description = "Record this share of skulls as validation skulls in manifest.json (default 0).")
        double valFraction;

        @Override
        public void run() {
            boolean none = gridSpec.trim().toLowerCase(Locale.ROOT).equals("none");
            NetworkGrid grid = none ? NetworkGrid.wu2022() : NetworkGrid.parse(gridSpec);
            double[] range = parsed(() -> DefectsCommand.parseRange(fractionRange));
            int n = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
            if (n < 1) throw badOption("--threads must be at least 1");
            DatasetBuilder.Options o = new DatasetBuilder.Options(
                    perSkull,
                    augment,
                    grid,
                    !none,
                    originalGrid,
                    DefectType.parseList(types),
                    range[0],
                    range[1],
                    placement == null ? null : DefectPlacement.fromName(placement),
                    seed,
                    n,
                    cache,
                    valFraction);
            EvaluateCommand.requireOutputApart(output, skulls);
            DatasetBuilder.Result r = DatasetBuilder.build(skulls, output, o);
            LOG.info(String.format(
                    Locale.ROOT,
                    "%d samples (%d written, %d already there) in %.1f s: %.2f samples/s;" + " manifest %s",
                    r.samples(),
                    r.written(),
                    r.skipped(),
                    r.seconds(),
                    r.samplesPerSecond(),
                    r.manifest()));
        }
    }
}
