package org.calvaria.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.calvaria.CalvariaException;
import org.calvaria.evaluate.Dataset;
import org.calvaria.evaluate.Evaluator;
import org.calvaria.evaluate.FilePredictions;
import org.calvaria.evaluate.FloorBaselines;
import org.calvaria.evaluate.ImplantPredictor;
import org.calvaria.evaluate.MirrorBaseline;
import org.calvaria.evaluate.Report;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code calvaria evaluate}: metrics, summary and an HTML report of predicted implants against the truth. */
@Command(
        name = "evaluate",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Evaluate predicted implants against the true ones of a SkullFix-style dataset"
                    + " (defective_skull/, implant/, optionally complete_skull/ and manifest.json).",
            "Metrics on the scan's own grid in mm: DSC, boundary DSC, HD95, HD, ASSD, volumetric error rate,"
                    + " volume, components, overlap with the skull. Writes metrics.csv, summary.json and a"
                    + " self-contained report.html; per-case results are cached in OUT/cases so a rerun resumes."
        })
public final class EvaluateCommand extends CalvariaCommand implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(EvaluateCommand.class);
    /** Margin around the true implant's bounding box for the mirror-box reference, mm. */
    static final double MIRROR_BOX_MARGIN_MM = 10;

    @Mixin
    CommonOptions common;

    @Parameters(index = "0", paramLabel = "DATASET", description = "Dataset folder (SkullFix layout).")
    Path dataset;

    @Option(
            names = "--pred",
            paramLabel = "PRED_DIR",
            description = "Folder of predicted implants named like the dataset's files (NRRD or NIfTI). Predictions"
                    + " on another grid are resampled (nearest neighbour) onto the true implant's grid.")
    Path predictions;

    @Option(
            names = "--name",
            paramLabel = "NAME",
            description = "Method name of the --pred predictions in the report (default: the folder's name).")
    String predictionName;

    @Option(
            names = "--model",
            paramLabel = "MODEL",
            description = "Design implants with this completion model ('default' = the bundled one) and score them.")
    String model;

    @Option(
            names = "--threshold",
            paramLabel = "P",
            description = "With --model: probability threshold (default: the model's).")
    Double threshold;

    @Option(
            names = "--baseline",
            paramLabel = "B",
            split = ",",
            description = "Baselines to generate and evaluate (comma-separated or repeated): mirror (automatic"
                    + " mirroring), mirror-box (mirroring inside the true defect's box + 10 mm, the best case for"
                    + " mirroring), empty, hull (filled envelope inside the true defect's box), oracle-grid (the"
                    + " true complete skull put through the hole-oriented grids and mapped back: the ceiling of that"
                    + " geometry).")
    List<String> baselines = new ArrayList<>();

    @Option(
            names = {"-o", "--output"},
            paramLabel = "OUT_DIR",
            description = "Output folder (default: ${DEFAULT-VALUE}).")
    Path out = Path.of("evaluation");

    @Option(
            names = "--cases",
            paramLabel = "IDS",
            split = ",",
            description = "Evaluate only these cases, e.g. 060,061 or a range 060-069.")
    List<String> cases = new ArrayList<>();

    @Option(
            names = "--threads",
            paramLabel = "N",
            description =
                    "Cases evaluated at once (default: ${DEFAULT-VALUE}; each 512x512x240 case needs up to ~1 GB).")
    int threads = Evaluator.defaultThreads();

    @Option(names = "--band", paramLabel = "MM", description = "Boundary band of bDSC, mm (default: ${DEFAULT-VALUE}).")
    double bandMm = 10;

    @Option(names = "--no-images", description = "Skip the preview pictures (faster).")
    boolean noImages;

    @Override
    public void run() {
        Dataset ds = Dataset.open(dataset);
        if (!cases.isEmpty()) ds = ds.select(parsed(() -> expandCaseIds(cases)));
        requireOutputApart(out, dataset, predictions);

        Map<String, ImplantPredictor> methods = new LinkedHashMap<>();
        if (predictions != null) {
            FilePredictions files = FilePredictions.open(predictions);
            List<String> missing = files.missing(ds);
            if (!missing.isEmpty()) {
                throw new CalvariaException("no predicted implant in " + predictions + " for case(s) "
                        + String.join(", ", missing.subList(0, Math.min(10, missing.size())))
                        + (missing.size() > 10 ? " and " + (missing.size() - 10) + " more" : "")
                        + "; name files like the dataset's (e.g. " + missing.get(0)
                        + ".nrrd) or pick cases with --cases");
            }
            String name = predictionName != null
                    ? predictionName
                    : predictions.toAbsolutePath().normalize().getFileName().toString();
            methods.put(name, files);
        }
        org.calvaria.complete.CompletionModel completion = null;
        if (model != null) {
            completion = org.calvaria.complete.CompletionModel.open(Path.of(model));
            org.calvaria.implant.ImplantDesigner designer = new org.calvaria.implant.ImplantDesigner(
                    completion,
                    org.calvaria.implant.ImplantDesigner.Options.withThreshold(
                            threshold != null ? threshold : completion.threshold()));
            String fingerprint =
                    "model " + model + " created " + completion.modelFile().created();
            String name = model.equals("default")
                    ? "calvaria"
                    : Path.of(model).getFileName().toString().replace(org.calvaria.complete.ModelFile.EXTENSION, "");
            methods.put(
                    name,
                    ImplantPredictor.of(
                            fingerprint + (threshold == null ? "" : " " + threshold),
                            v -> designer.design(
                                            org.calvaria.volume.MaskVolume.requireBinary(v, "defective skull"), s -> {})
                                    .implant()));
        }
        for (String b : baselines) {
            String key = b.trim().toLowerCase(Locale.ROOT);
            ImplantPredictor p = switch (key) {
                case "mirror" -> new MirrorBaseline();
                case "mirror-box" -> new MirrorBaseline().withDefectBox(MIRROR_BOX_MARGIN_MM);
                case "empty" -> FloorBaselines.empty();
                case "hull" -> FloorBaselines.hull();
                case "oracle-grid" -> FloorBaselines.perfectCompletionOnHoleGrids();
                default ->
                    throw badOption(
                            "unknown --baseline '" + b + "'; use mirror, mirror-box, empty, hull or oracle-grid");
            };
            if (methods.containsKey(key)) {
                throw badOption("method name '" + key + "' is given twice; rename the predictions with --name");
            }
            methods.put(key, p);
        }
        if (methods.isEmpty()) {
            throw badOption(
                    "nothing to evaluate: give --model M, --pred PRED_DIR and/or --baseline" + " mirror,empty,hull");
        }
        Evaluator.Options options = new Evaluator.Options(out, threads, bandMm, noImages ? 0 : 180);
        LOG.info(
                "evaluating {} on {} cases of {} ({} at once)",
                methods.keySet(),
                ds.cases().size(),
                dataset,
                threads);
        Evaluator.Evaluation ev;
        try {
            ev = Evaluator.evaluate(ds, methods, options);
        } finally {
            if (completion != null) completion.close();
        }
        List<Path> files = Report.write(ev, commandLine());
        for (String m : ev.methods()) {
            Report.Stats dice = Report.Stats.of(valuesOf(ev, m, "dice"));
            Report.Stats hd95 = Report.Stats.of(valuesOf(ev, m, "hd95_mm"));
            Report.Stats bdsc = Report.Stats.of(valuesOf(ev, m, "boundary_dice"));
            Report.Stats r = Report.Stats.of(valuesOf(ev, m, "error_rate_pct"));
            out().printf(
                            Locale.ROOT,
                            "%-10s DSC %.3f +- %.3f  bDSC %.3f +- %.3f  HD95 %s  r %.1f %%  (n=%d)%n",
                            m,
                            dice.mean(),
                            dice.std(),
                            bdsc.mean(),
                            bdsc.std(),
                            hd95.n() == 0
                                    ? "undefined"
                                    : String.format(Locale.ROOT, "%.2f +- %.2f mm", hd95.mean(), hd95.std()),
                            r.mean(),
                            dice.n());
        }
        LOG.info("wrote {} in {} s", files, String.format(Locale.ROOT, "%.1f", ev.seconds()));
    }

    private static List<Double> valuesOf(Evaluator.Evaluation ev, String method, String metric) {
        List<Double> v = new ArrayList<>();
        for (Evaluator.CaseResult r : ev.results())
            if (r.method().equals(method)) v.add(r.metrics().get(metric));
        return v;
    }

    private String commandLine() {
        StringBuilder sb = new StringBuilder("calvaria evaluate");
        if (model != null) sb.append(" --model ").append(model);
        if (threshold != null) sb.append(" --threshold ").append(threshold);
        if (predictions != null) sb.append(" --pred ").append(predictions);
        if (!baselines.isEmpty()) sb.append(" --baseline ").append(String.join(",", baselines));
        if (!cases.isEmpty()) sb.append(" --cases ").append(String.join(",", cases));
        sb.append(" --band ")
                .append(bandMm)
                .append(' ')
                .append(dataset)
                .append(" -o ")
                .append(out);
        return sb.toString();
    }

    /** "060-069" expands to 060, 061, ... 069 (keeping the zero padding); other ids pass through. */
    static List<String> expandCaseIds(List<String> ids) {
        List<String> out = new ArrayList<>();
        for (String raw : ids) {
            String id = raw.trim();
            if (id.isEmpty()) continue;
            int dash = id.indexOf('-');
            if (dash > 0
                    && id.substring(0, dash).matches("\\d+")
                    && id.substring(dash + 1).matches("\\d+")) {
                String a = id.substring(0, dash), b = id.substring(dash + 1);
                int from = Integer.parseInt(a), to = Integer.parseInt(b);
                if (to < from || to - from > 100000) {
                    throw new CalvariaException("case range '" + id + "' is empty or too long; write it as FIRST-LAST");
                }
                for (int i = from; i <= to; i++) out.add(String.format(Locale.ROOT, "%0" + a.length() + "d", i));
            } else {
                out.add(id);
            }
        }
        return out;
    }

    /** The output folder must not be (or hold) an input folder, so no input file can be overwritten. */
    static void requireOutputApart(Path out, Path... inputs) {
        Path o = out.toAbsolutePath().normalize();
        for (Path in : inputs) {
            if (in == null) continue;
            Path i = in.toAbsolutePath().normalize();
            if (o.equals(i) || i.startsWith(o) || o.startsWith(i)) {
                throw new CalvariaException("output folder " + out + " overlaps the input folder " + in
                        + "; choose an output folder outside it");
            }
        }
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new CalvariaException("output " + out + " is a file; give a folder");
        }
    }
}
