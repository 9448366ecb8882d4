package org.calvaria.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import org.calvaria.CalvariaException;
import org.calvaria.complete.Architecture;
import org.calvaria.complete.GridSpec;
import org.calvaria.complete.TensorFlowSupport;
import org.calvaria.dataset.SampleOptions;
import org.calvaria.defects.DefectType;
import org.calvaria.normalise.NetworkGrid;
import org.calvaria.train.LossKind;
import org.calvaria.train.Optimizer;
import org.calvaria.train.SkullTrainingData;
import org.calvaria.train.SyntheticTrainingData;
import org.calvaria.train.Trainer;
import org.calvaria.train.TrainerOptions;
import org.calvaria.train.TrainingData;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code calvaria train}: trains the completion network and writes a model file. */
@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        description = "Train the skull-completion network (Wu et al. 2022) on (defective, complete) pairs. Writes"
                + " OUT/model.calvaria-model (best validation implant Dice), OUT/checkpoint.calvaria-model (every epoch,"
                + " with optimizer state, for --resume) and OUT/training-log.csv.")
public final class TrainCommand extends CalvariaCommand implements Runnable {
    @Mixin
    CommonOptions common;

    @Option(
            names = "--data",
            required = true,
            paramLabel = "DATA",
            description = "Training skulls: a SkullFix-style folder (complete_skull/ with optional defective_skull/)"
                    + " or a folder of complete skull volumes; pairs are made on the fly (augmentation, the paper's six"
                    + " defect types, real defects where present). Or 'synthetic' for built-in synthetic skulls.")
    String data;

    @Option(
            names = "--data-licence",
            paramLabel = "TEXT",
            description = "Licence of the training skulls, recorded in the model (e.g. 'CC BY-NC-SA 4.0 (SkullFix)').")
    String dataLicence;

    @Option(
            names = "--cache",
            paramLabel = "DIR",
            description = "Folder caching the skulls mapped to the grid (default: OUT/skull-cache).")
    Path cache;

    @Option(
            names = "--sample-threads",
            paramLabel = "N",
            defaultValue = "1",
            description = "Threads making training pairs while the network trains (default: ${DEFAULT-VALUE}).")
    int sampleThreads;

    @Option(
            names = {"-o", "--output"},
            required = true,
            paramLabel = "DIR",
            description = "Output folder.")
    Path output;

    @Option(
            names = "--epochs",
            defaultValue = "100",
            paramLabel = "N",
            description = "Epochs (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(
            names = "--steps-per-epoch",
            defaultValue = "100",
            paramLabel = "N",
            description = "Optimizer steps per epoch (default: ${DEFAULT-VALUE}).")
    int stepsPerEpoch;

    @Option(
            names = "--batch",
            defaultValue = "10",
            paramLabel = "N",
            description = "Pairs per step (default: ${DEFAULT-VALUE}, as in the paper).")
    int batch;

    @Option(
            names = "--optimizer",
            defaultValue = "adadelta",
            paramLabel = "NAME",
            description = "adadelta (paper; rho 0.95, eps 1e-7) or adam (default: ${DEFAULT-VALUE}).")
    String optimizer;

    @Option(
            names = "--lr",
            paramLabel = "RATE",
            description = "Learning rate (default: 1.0 for adadelta, 0.001 for adam). With --resume: continue at this"
                    + " rate instead of the checkpoint's (a step decay), which later resumes then keep.")
    Double lr;

    @Option(
            names = "--loss",
            defaultValue = "bce-dice",
            paramLabel = "NAME",
            description = "bce-dice (BCE plus a soft Dice of the part the input lacks; held-out implant Dice 0.65 vs"
                    + " 0.13 for bce after the same 320 steps) or bce (the paper's) (default: ${DEFAULT-VALUE}).")
    String loss;

    @Option(
            names = "--seed",
            defaultValue = "1",
            paramLabel = "N",
            description = "Seed of weight initialisation, data order and split (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(
            names = "--val-split",
            defaultValue = "0.15",
            paramLabel = "F",
            description = "Fraction of skulls held out for validation (default: ${DEFAULT-VALUE}).")
    double valSplit;

    @Option(
            names = "--val-samples",
            defaultValue = "20",
            paramLabel = "N",
            description = "Size of the fixed validation set (default: ${DEFAULT-VALUE}).")
    int valSamples;

    @Option(names = "--resume", description = "Continue the run in the output folder from its last checkpoint.")
    boolean resume;

    @Option(
            names = "--arch",
            defaultValue = "wu2022",
            paramLabel = "NAME",
            description = "wu2022 (paper, 8269 parameters), wide16, or widths like 12,12,8,8[/2,4,8,16]"
                    + " (default: ${DEFAULT-VALUE}).")
    String arch;

    @Option(
            names = "--grid",
            defaultValue = "112x112x40",
            paramLabel = "XxYxZ",
            description = "Network grid, each size divisible by 8 (default: ${DEFAULT-VALUE}).")
    String grid;

    @Option(
            names = "--height-mm",
            paramLabel = "MM",
            description =
                    "Height of the grid (how far below the vertex it reaches; default: 1.75 mm per z voxel, 70 for"
                            + " 40 slices).")
    Double heightMm;

    @Option(
            names = "--placement",
            defaultValue = "vertex",
            paramLabel = "WHERE",
            description =
                    "vertex: the grid under the vertex (the paper's); defect: grids turned to random places on"
                            + " the whole vault and to real holes, for designs anywhere on the vault (default: ${DEFAULT-VALUE}).")
    String placement;

    @Option(
            names = "--defects",
            paramLabel = "TYPES",
            description = "Defect types to cut: wu2022 (the paper's six), all, or a comma-separated list"
                    + " (default: wu2022 with --placement vertex, all with --placement defect).")
    String defects;

    @Option(
            names = "--sizes",
            paramLabel = "MIN,MAX",
            description =
                    "Share of the bone on the grid a cut removes, drawn uniformly (default: 0.05,0.45 with"
                            + " --placement vertex; 0.05,0.55 with --placement defect, whose upper end is hemicraniectomy-sized).")
    String sizes;

    @Option(
            names = "--real-share",
            paramLabel = "F",
            description = "Probability of using a skull's real defect where it has one (default: 0.2).")
    Double realShare;

    @Option(
            names = "--init",
            paramLabel = "MODEL",
            description = "Start from this model's weights (a model file, or 'default' for the bundled one) instead of"
                    + " random ones; the architecture must match --arch.")
    String init;

    @Option(
            names = "--synthetic-skulls",
            defaultValue = "40",
            paramLabel = "N",
            description = "With --data synthetic: number of distinct skulls (default: ${DEFAULT-VALUE}).")
    int syntheticSkulls;

    @Option(names = "--threads", paramLabel = "N", description = "TensorFlow threads (default: all cores).")
    Integer threads;

    @Override
    public void run() {
        if (!(valSplit > 0 && valSplit < 1)) throw badOption("--val-split must lie between 0 and 1, got " + valSplit);
        if (valSamples < 1 || valSamples > 10_000) throw badOption("--val-samples must be 1..10000");
        TrainerOptions options = new TrainerOptions(
                output,
                parsed(() -> Architecture.named(arch)),
                epochs,
                stepsPerEpoch,
                batch,
                parsed(() -> Optimizer.parse(optimizer)),
                lr == null ? Double.NaN : lr,
                parsed(() -> LossKind.parse(loss)),
                seed,
                resume,
                threads == null ? TensorFlowSupport.defaultThreads() : threads);
        GridSpec g = parsed(() -> parseGrid(grid, heightMm).withPlacement(GridSpec.Placement.parse(placement)));
        try (TrainingData source = openData(g)) {
            Trainer trainer = new Trainer(options).learningRateOnResume(resume ? lr : null);
            if (init != null && !resume) {
                trainer.startingFrom(
                        "default".equals(init)
                                ? org.calvaria.complete.CompletionModel.defaultModelFile()
                                : org.calvaria.complete.ModelFile.read(Path.of(init)),
                        init);
            }
            Trainer.Result r = trainer.train(source);
            out().println("model: " + r.model());
            out().println("checkpoint: " + r.checkpoint());
            out().println("log: " + r.log());
        }
    }

    private TrainingData openData(GridSpec g) {
        if (!"synthetic".equalsIgnoreCase(data)) {
            Path folder = Path.of(data);
            if (!Files.isDirectory(folder)) {
                throw new CalvariaException(
                        "--data " + data + " is not a folder; give a folder of skulls or 'synthetic'");
            }
            if (sampleThreads < 1 || sampleThreads > 256) throw badOption("--sample-threads must be 1..256");
            EvaluateCommand.requireOutputApart(output, folder);
            SampleOptions sampling = sampling(g.placement());
            int loadThreads = threads == null ? TensorFlowSupport.defaultThreads() : threads;
            if (g.placement() == GridSpec.Placement.DEFECT) {
                return SkullTrainingData.vault(
                        folder,
                        g,
                        cache == null ? output.resolve("skull-cache") : cache,
                        valSplit,
                        sampling,
                        valSamples,
                        loadThreads,
                        dataLicence == null ? "unspecified (give --data-licence when training)" : dataLicence);
            }
            return new SkullTrainingData(
                    folder,
                    g,
                    cache == null ? output.resolve("skull-cache") : cache,
                    valSplit,
                    sampling,
                    valSamples,
                    loadThreads,
                    dataLicence == null ? "unspecified (give --data-licence when training)" : dataLicence);
        }
        if (syntheticSkulls < 2 || syntheticSkulls > 100_000) {
            throw badOption("--synthetic-skulls must be 2..100000");
        }
        int validation = Math.max(1, (int) Math.round(syntheticSkulls * valSplit));
        return new SyntheticTrainingData(g, Math.max(1, syntheticSkulls - validation), validation, valSamples, seed);
    }

    private SampleOptions sampling(GridSpec.Placement where) {
        boolean vault = where == GridSpec.Placement.DEFECT;
        SampleOptions o = SampleOptions.defaults(seed).withThreads(sampleThreads, 2 * batch);
        o = o.withTypes(DefectType.parseList(defects == null ? (vault ? "all" : "wu2022") : defects));
        double[] range = vault ? new double[] {0.05, 0.55} : new double[] {0.05, 0.45};
        if (sizes != null) {
            String[] p = sizes.split(",");
            try {
                if (p.length != 2) throw new NumberFormatException();
                range = new double[] {Double.parseDouble(p[0].trim()), Double.parseDouble(p[1].trim())};
            } catch (NumberFormatException e) {
                throw badOption("--sizes '" + sizes + "' must be MIN,MAX, e.g. 0.05,0.55");
            }
        }
        o = o.withFractions(range[0], range[1]);
        if (realShare != null) o = o.withRealDefectShare(realShare);
        return o;
    }

    /** Parses {@code 112x112x40} (x, y, z); without a height, 1.75 mm per z voxel (the NetworkGrid default). */
    static GridSpec parseGrid(String s, Double heightMm) {
        int[] n = NetworkGrid.parseSizes(s);
        if (n == null) throw new CalvariaException("--grid '" + s + "' must look like 112x112x40");
        return new GridSpec(n[0], n[1], n[2], heightMm == null ? NetworkGrid.defaultHeightMm(n[2]) : heightMm);
    }
}
