package org.calvaria.spark;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.calvaria.CalvariaException;
import org.calvaria.Json;
import org.calvaria.evaluate.Dataset;
import org.calvaria.evaluate.Evaluator;
import org.calvaria.evaluate.FilePredictions;
import org.calvaria.evaluate.FloorBaselines;
import org.calvaria.evaluate.ImplantPredictor;
import org.calvaria.evaluate.MirrorBaseline;
import org.calvaria.implant.ImplantDesigner;
import org.calvaria.volume.MaskVolume;

/** The per-case work of {@link EvaluateBatch}: the methods, one case's evaluation, and its row's JSON. */
final class EvaluateCase {
    private EvaluateCase() {}

    /** Evaluates one case into {@code staging} with the core's evaluator; returns the row's figures. */
    static Map<String, Object> evaluateCase(
            EvaluateBatch.Settings s, Batch.Job job, CaseSpec c, Path datasetRoot, Path staging) throws Exception {
        Dataset one = Dataset.open(datasetRoot).select(List.of(c.id()));
        Evaluator.Evaluation ev;
        try (Models.Lease lease = s.model() == null ? null : Models.borrow(job.modelBytes(), job.tfThreads())) {
            Map<String, ImplantPredictor> methods = methods(s, lease, job);
            ev = Evaluator.evaluate(one, methods, new Evaluator.Options(staging, 1, s.bandMm(), s.imageHeightPx()));
        }
        // The evaluator wrote STAGING/cases/ID/...; the case folder is that folder's content.
        Path inner = staging.resolve("cases").resolve(c.id());
        try (Stream<Path> files = Files.list(inner)) {
            for (Path p : files.toList()) Files.move(p, staging.resolve(p.getFileName()));
        }
        CaseFolders.deleteTree(staging.resolve("cases"));
        Map<String, Object> row = new LinkedHashMap<>();
        Evaluator.CaseInfo info = ev.cases().get(0);
        row.put("defect_type", info.defectType());
        row.put("true_volume_ml", info.trueVolumeMl());
        row.put("midline_share", info.midlineShare());
        row.put("grid", info.grid());
        for (Evaluator.CaseResult r : ev.results()) {
            for (Map.Entry<String, Double> e : r.metrics().entrySet()) {
                row.put(Results.snake(r.method()) + "_" + e.getKey(), e.getValue());
            }
            if (r.image() != null) row.put(Results.snake(r.method()) + "_image", r.image());
            if (!r.note().isEmpty()) row.put(Results.snake(r.method()) + "_note", r.note());
        }
        row.put("evaluation_json", writeEvaluation(ev));
        return row;
    }

    /** The methods, as 'evaluate' makes them; {@code lease} null checks the settings only. */
    static Map<String, ImplantPredictor> methods(EvaluateBatch.Settings s, Models.Lease lease, Batch.Job job) {
        Map<String, ImplantPredictor> methods = new LinkedHashMap<>();
        if (s.predictions() != null) {
            Path pred = Path.of(s.predictions());
            String name = s.predictionName() != null
                    ? s.predictionName()
                    : pred.toAbsolutePath().normalize().getFileName().toString();
            methods.put(
                    name, lease == null && job == null ? ImplantPredictor.of(v -> null) : FilePredictions.open(pred));
        }
        if (s.model() != null) {
            String name = s.model().equals("default")
                    ? "calvaria"
                    : Path.of(s.model())
                            .getFileName()
                            .toString()
                            .replace(org.calvaria.complete.ModelFile.EXTENSION, "");
            if (lease == null) {
                methods.put(name, ImplantPredictor.of(v -> null));
            } else {
                ImplantDesigner designer = new ImplantDesigner(
                        lease.model(),
                        ImplantDesigner.Options.withThreshold(
                                s.threshold() != null
                                        ? s.threshold()
                                        : lease.model().threshold()));
                String fingerprint = "model " + s.model() + " created "
                        + lease.model().modelFile().created();
                methods.put(
                        name,
                        ImplantPredictor.of(
                                fingerprint + (s.threshold() == null ? "" : " " + s.threshold()),
                                v -> designer.design(MaskVolume.requireBinary(v, "defective skull"), st -> {})
                                        .implant()));
            }
        }
        for (String b : s.baselines()) {
            String key = b.trim().toLowerCase(Locale.ROOT);
            ImplantPredictor p = switch (key) {
                case "mirror" -> new MirrorBaseline();
                case "mirror-box" -> new MirrorBaseline().withDefectBox(10);
                case "empty" -> FloorBaselines.empty();
                case "hull" -> FloorBaselines.hull();
                case "oracle-grid" -> FloorBaselines.perfectCompletionOnHoleGrids();
                default ->
                    throw new CalvariaException(
                            "unknown --baseline '" + b + "'; use mirror, mirror-box, empty, hull or oracle-grid");
            };
            if (methods.containsKey(key)) {
                throw new CalvariaException(
                        "method name '" + key + "' is given twice; rename the predictions with --name");
            }
            methods.put(key, p);
        }
        return methods;
    }

    static String writeEvaluation(Evaluator.Evaluation ev) throws java.io.IOException {
        ObjectNode root = Json.MAPPER.createObjectNode();
        Evaluator.CaseInfo i = ev.cases().get(0);
        ObjectNode info = root.putObject("info");
        info.put("id", i.id());
        info.put("defect_type", i.defectType());
        info.put("true_volume_ml", i.trueVolumeMl());
        info.put("midline_share", i.midlineShare());
        info.put("grid", i.grid());
        ObjectNode desc = root.putObject("descriptions");
        ev.descriptions().forEach(desc::put);
        var results = root.putArray("results");
        for (Evaluator.CaseResult r : ev.results()) {
            ObjectNode n = results.addObject();
            n.put("method", r.method());
            n.put("image", r.image());
            n.put("note", r.note());
            ObjectNode m = n.putObject("metrics");
            for (Map.Entry<String, Double> e : r.metrics().entrySet()) {
                if (Double.isFinite(e.getValue())) m.put(e.getKey(), e.getValue());
                else m.put(e.getKey(), e.getValue().isNaN() ? "NaN" : e.getValue() > 0 ? "Infinity" : "-Infinity");
            }
        }
        return Json.compact().writeValueAsString(root);
    }
}
