package org.calvaria.spark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.calvaria.CalvariaException;
import org.calvaria.Json;
import org.calvaria.evaluate.Dataset;
import org.calvaria.evaluate.Evaluator;
import org.calvaria.evaluate.ImplantPredictor;
import org.calvaria.evaluate.Report;
import org.calvaria.files.Outputs;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code calvaria-spark batch evaluate DATASET -o OUT}: {@code calvaria evaluate}, one Spark task per case. */
@Command(
        name = "evaluate",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Evaluate implants against the truth of a SkullFix-style dataset, as 'calvaria evaluate' does,"
                    + " one case per Spark task. The dataset and OUT must be on a file system the driver and the"
                    + " executors both mount (local disk in local mode, NFS or similar on a cluster).",
            "Writes what 'evaluate' writes (metrics.csv, summary.json, report.html, OUT/cases/CASE/) plus"
                    + " results.parquet and results.csv with one row per case; summary.json gains a 'batch' part."
        })
public final class EvaluateBatch implements Callable<Integer> {
    @Mixin
    BatchOptions batch;

    @Parameters(index = "0", paramLabel = "DATASET", description = "Dataset folder (SkullFix layout).")
    Path dataset;

    @Option(
            names = "--pred",
            paramLabel = "PRED_DIR",
            description = "Folder of predicted implants named like the" + " dataset's files.")
    Path predictions;

    @Option(names = "--name", paramLabel = "NAME", description = "Method name of the --pred predictions.")
    String predictionName;

    @Option(
            names = "--model",
            paramLabel = "MODEL",
            description = "Design implants with this completion model ('default' = the bundled one) and score them.")
    String model;

    @Option(names = "--threshold", paramLabel = "P", description = "With --model: probability threshold.")
    Double threshold;

    @Option(
            names = "--baseline",
            paramLabel = "B",
            split = ",",
            description = "Baselines: mirror, mirror-box, empty, hull, oracle-grid.")
    List<String> baselines = new ArrayList<>();

    @Option(
            names = {"-o", "--output"},
            paramLabel = "OUT_DIR",
            description = "Output folder (default: ${DEFAULT-VALUE}).")
    Path out = Path.of("evaluation");

    @Option(names = "--cases", paramLabel = "IDS", split = ",", description = "Only these cases (060,061 or 060-069).")
    List<String> cases = new ArrayList<>();

    @Option(names = "--band", paramLabel = "MM", description = "Boundary band of bDSC, mm (default: ${DEFAULT-VALUE}).")
    double bandMm = 10;

    @Option(names = "--no-images", description = "Skip the preview pictures (faster).")
    boolean noImages;

    /** The methods' settings, as each task needs them. */
    record Settings(
            String predictions,
            String predictionName,
            String model,
            Double threshold,
            List<String> baselines,
            double bandMm,
            int imageHeightPx)
            implements Serializable {}

    @Override
    public Integer call() throws Exception {
        SparkMain.configureLogging(batch);
        Dataset ds = Dataset.open(dataset);
        if (!cases.isEmpty()) ds = ds.select(expand(cases));
        requireOutputApart(out, dataset, predictions);
        if (predictions == null && model == null && baselines.isEmpty()) {
            throw new CalvariaException(
                    "nothing to evaluate: give --model M, --pred PRED_DIR and/or --baseline" + " mirror,empty,hull");
        }
        byte[] modelBytes = model == null || model.equals("default") ? null : DesignBatch.readModel(Path.of(model));
        Settings s = new Settings(
                predictions == null ? null : predictions.toAbsolutePath().toString(),
                predictionName,
                model,
                threshold,
                List.copyOf(baselines),
                bandMm,
                noImages ? 0 : 180);
        methods(s, null, null); // checks names and baselines before Spark starts
        SparkSession spark = Batch.session(batch, "calvaria batch evaluate");
        long t0 = System.nanoTime();
        List<CaseSpec> specs = new ArrayList<>();
        for (Dataset.Case c : ds.cases())
            specs.add(new CaseSpec(c.id(), dataset.toAbsolutePath().toString()));
        Files.createDirectories(out);
        CaseFolders folders = new CaseFolders(
                out.toAbsolutePath().toString(),
                Batch.jobId(spark),
                spark.sparkContext().hadoopConfiguration());
        Batch.Job job = new Batch.Job(
                folders,
                batch.resume,
                batch.failFast,
                batch.simulateKill,
                Batch.tfThreads(spark, batch),
                modelBytes == null
                        ? null
                        : spark.sparkContext()
                                .broadcast(modelBytes, scala.reflect.ClassTag$.MODULE$.apply(byte[].class)));
        List<Map<String, Object>> rows = Batch.run(
                spark, specs, batch.partitions, job, (c, in, staging, folder) -> evaluateCase(s, job, c, in, staging));
        double seconds = (System.nanoTime() - t0) / 1e9;

        // The evaluation as 'evaluate' would have it, from the rows, and its report files.
        List<Evaluator.CaseInfo> infos = new ArrayList<>();
        List<Evaluator.CaseResult> results = new ArrayList<>();
        Map<String, String> descriptions = new LinkedHashMap<>();
        List<String> done = new ArrayList<>();
        for (Map<String, Object> r : rows) {
            if (!"done".equals(r.get("status"))) continue;
            done.add((String) r.get("case_id"));
            readEvaluation((String) r.get("evaluation_json"), infos, results, descriptions);
        }
        List<String> written = new ArrayList<>(Results.write(spark, folders, rows));
        if (!done.isEmpty()) {
            Evaluator.Evaluation ev = new Evaluator.Evaluation(
                    ds.select(done),
                    new Evaluator.Options(out, 1, bandMm, s.imageHeightPx()),
                    List.copyOf(descriptions.keySet()),
                    descriptions,
                    infos,
                    results,
                    seconds,
                    (int) rows.stream()
                            .filter(r -> Boolean.TRUE.equals(r.get("resumed")))
                            .count());
            for (Path p : Report.write(ev, commandLine())) written.add(p.toString());
            addBatchPart(out.resolve("summary.json"), rows, spark.sparkContext().master(), seconds);
            printMethods(ev);
        } else {
            written.add(Results.writeSummary(
                    folders, rows, commandLine(), spark.sparkContext().master(), seconds, null));
        }
        return Batch.finish(rows, "batch evaluate", seconds, written);
    }

    /** Evaluates one case into {@code staging} with the core's evaluator; returns the row's figures. */
    static Map<String, Object> evaluateCase(Settings s, Batch.Job job, CaseSpec c, Path datasetRoot, Path staging)
            throws Exception {
        return EvaluateCase.evaluateCase(s, job, c, datasetRoot, staging);
    }

    /** The methods, as 'evaluate' makes them; {@code lease} null checks the settings only. */
    static Map<String, ImplantPredictor> methods(Settings s, Models.Lease lease, Batch.Job job) {
        return EvaluateCase.methods(s, lease, job);
    }

    private static void readEvaluation(
            String json,
            List<Evaluator.CaseInfo> infos,
            List<Evaluator.CaseResult> results,
            Map<String, String> descriptions)
            throws java.io.IOException {
        JsonNode root = Json.MAPPER.readTree(json);
        JsonNode i = root.get("info");
        String id = i.get("id").asText();
        infos.add(new Evaluator.CaseInfo(
                id,
                i.get("defect_type").asText(),
                i.get("true_volume_ml").asDouble(),
                i.get("midline_share").asDouble(),
                i.get("grid").asText()));
        for (Iterator<Map.Entry<String, JsonNode>> it =
                        root.get("descriptions").properties().iterator();
                it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            descriptions.putIfAbsent(e.getKey(), e.getValue().asText());
        }
        for (JsonNode r : root.get("results")) {
            Map<String, Double> metrics = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it =
                            r.get("metrics").properties().iterator();
                    it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                metrics.put(
                        e.getKey(),
                        e.getValue().isNumber()
                                ? e.getValue().asDouble()
                                : Double.parseDouble(e.getValue().asText()));
            }
            results.add(new Evaluator.CaseResult(
                    id,
                    r.get("method").asText(),
                    metrics,
                    r.get("image").isNull() ? null : r.get("image").asText(),
                    r.get("note").asText("")));
        }
    }

    private static void addBatchPart(Path summary, List<Map<String, Object>> rows, String master, double seconds)
            throws java.io.IOException {
        ObjectNode root = (ObjectNode) Json.MAPPER.readTree(summary.toFile());
        ObjectNode b = root.putObject("batch");
        b.put("master", master);
        b.put("cases", rows.size());
        long failed =
                rows.stream().filter(r -> "failed".equals(r.get("status"))).count();
        b.put("done", rows.size() - failed);
        b.put("failed", failed);
        b.put("seconds", seconds);
        var f = b.putArray("failures");
        for (Map<String, Object> r : rows) {
            if ("failed".equals(r.get("status"))) {
                f.addObject().put("case_id", (String) r.get("case_id")).put("error", (String) r.get("error"));
            }
        }
        byte[] bytes = Json.MAPPER.writeValueAsString(root).getBytes(StandardCharsets.UTF_8);
        Outputs.writeAtomically(summary, o -> o.write(bytes));
    }

    private static void printMethods(Evaluator.Evaluation ev) {
        for (String m : ev.methods()) {
            List<Double> dice = new ArrayList<>();
            for (Evaluator.CaseResult r : ev.results())
                if (r.method().equals(m)) dice.add(r.metrics().get("dice"));
            Report.Stats d = Report.Stats.of(dice);
            System.out.printf(Locale.ROOT, "%-10s DSC %.3f +- %.3f  (n=%d)%n", m, d.mean(), d.std(), d.n());
        }
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

    /** "060-069" expands to 060 ... 069 (zero padding kept); other ids pass through. */
    static List<String> expand(List<String> ids) {
        List<String> out = new ArrayList<>();
        for (String raw : ids) {
            String id = raw.trim();
            int dash = id.indexOf('-');
            if (dash > 0
                    && id.substring(0, dash).matches("\\d+")
                    && id.substring(dash + 1).matches("\\d+")) {
                String a = id.substring(0, dash);
                int from = Integer.parseInt(a), to = Integer.parseInt(id.substring(dash + 1));
                if (to < from || to - from > 100000) throw new CalvariaException("case range '" + id + "' is empty");
                for (int i = from; i <= to; i++) out.add(String.format(Locale.ROOT, "%0" + a.length() + "d", i));
            } else if (!id.isEmpty()) {
                out.add(id);
            }
        }
        return out;
    }

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
    }
}
