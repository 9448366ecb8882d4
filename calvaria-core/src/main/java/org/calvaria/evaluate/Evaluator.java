package org.calvaria.evaluate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Pattern;
import org.calvaria.CalvariaException;
import org.calvaria.Json;
import org.calvaria.Progress;
import org.calvaria.files.Outputs;
import org.calvaria.io.VolumeIO;
import org.calvaria.render.ProjectionRenderer;
import org.calvaria.volume.Geometry;
import org.calvaria.volume.MaskVolume;
import org.calvaria.volume.Resampler;
import org.calvaria.volume.Volume;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Evaluates implant predictors on a dataset: per case it reads the defective skull and the true implant, asks every
 * predictor for an implant, resamples it (nearest neighbour) onto the true implant's grid when it lies elsewhere,
 * computes {@link Metrics} on that original grid, renders a preview and caches the result as JSON under
 * {@code OUT/cases/ID/}. Cases run in parallel on a bounded pool; a rerun reuses cached results whose predictor
 * fingerprint and settings match, so an interrupted evaluation resumes. {@link Report} turns the result into
 * metrics.csv, summary.json and report.html.
 */
public final class Evaluator {
    private static final Logger LOG = LoggerFactory.getLogger(Evaluator.class);
    /** Bumped whenever a metric's definition changes, so old caches are recomputed. */
    static final int CACHE_VERSION = 1;
    /** A defect "crosses the midline" when at least this share of the true implant lies on each side of the plane. */
    public static final double MIDLINE_CROSSING_SHARE = 0.05;

    private static final Pattern METHOD_NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    private Evaluator() {}

    /**
     * Settings of one evaluation.
     *
     * @param outDir where per-case caches (and the report) go
     * @param threads cases evaluated at once (each SkullFix case needs up to about 1 GB)
     * @param bandMm band width of boundary Dice
     * @param imageHeightPx height of the preview pictures; 0 for none
     */
    public record Options(Path outDir, int threads, double bandMm, int imageHeightPx) {
        public Options {
            Objects.requireNonNull(outDir);
            if (threads < 1) throw new CalvariaException("--threads must be at least 1, got " + threads);
            if (!(bandMm > 0)) throw new CalvariaException("the boundary band must be positive, got " + bandMm);
        }

        public static Options defaults(Path outDir) {
            return new Options(outDir, defaultThreads(), Metrics.DEFAULT_BAND_MM, 180);
        }

        public Options withThreads(int n) {
            return new Options(outDir, n, bandMm, imageHeightPx);
        }
    }

    /** Up to 3 cases at once (memory), never more than the processors. */
    public static int defaultThreads() {
        return Math.max(1, Math.min(3, Runtime.getRuntime().availableProcessors()));
    }

    /**
     * Facts about a case that do not depend on the method.
     *
     * @param midlineShare share of the true implant's volume on the smaller side of the mid-sagittal plane estimated
     *                     from the defective skull ({@link SymmetryPlaneEstimator#estimate}); 0 = one-sided, 0.5 = centred
     */
    public record CaseInfo(String id, String defectType, double trueVolumeMl, double midlineShare, String grid) {
        public boolean crossesMidline() {
            return midlineShare >= MIDLINE_CROSSING_SHARE;
        }
    }

    /**
     * One method on one case.
     *
     * @param metrics {@link Metrics.ImplantMetrics#toMap()} plus {@code predict_seconds}; NaN = undefined
     * @param image preview PNG path relative to the output folder, or null
     * @param note how the prediction was treated (for example resampled), or ""
     */
    public record CaseResult(String caseId, String method, Map<String, Double> metrics, String image, String note) {}

    /** Everything one evaluation produced. */
    public record Evaluation(
            Dataset dataset,
            Options options,
            List<String> methods,
            Map<String, String> descriptions,
            List<CaseInfo> cases,
            List<CaseResult> results,
            double seconds,
            int reusedResults) {
        public CaseInfo info(String caseId) {
            for (CaseInfo c : cases) if (c.id().equals(caseId)) return c;
            return null;
        }
    }

    /** Evaluates one predictor under the given method name. */
    public static Evaluation evaluate(Dataset dataset, ImplantPredictor predictor, String method, Options options) {
        Map<String, ImplantPredictor> m = new LinkedHashMap<>();
        m.put(method, predictor);
        return evaluate(dataset, m, options);
    }

    /** Evaluates several predictors (method name to predictor, in report order) on every case of the dataset. */
    public static Evaluation evaluate(Dataset dataset, Map<String, ImplantPredictor> methods, Options options) {
        if (methods.isEmpty()) throw new CalvariaException("nothing to evaluate: give predictions or a baseline");
        for (String name : methods.keySet()) {
            if (!METHOD_NAME.matcher(name).matches()) {
                throw new CalvariaException("method name '" + name + "' may only hold letters, digits, '.', '_' and"
                        + " '-' (it names files)");
            }
        }
        long start = System.nanoTime();
        List<Dataset.Case> cases = dataset.cases();
        List<CaseOutcome> outcomes = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(options.threads(), cases.size()), r -> {
            Thread t = new Thread(r, "evaluate");
            t.setDaemon(true);
            return t;
        });
        try (Progress progress = Progress.start("evaluate", cases.size())) {
            List<Future<CaseOutcome>> futures = new ArrayList<>();
            for (Dataset.Case c : cases) {
                futures.add(pool.submit(() -> {
                    CaseOutcome o = evaluateCase(c, methods, options);
                    progress.step();
                    return o;
                }));
            }
            for (int i = 0; i < futures.size(); i++) {
                try {
                    outcomes.add(futures.get(i).get());
                } catch (ExecutionException e) {
                    pool.shutdownNow();
                    throw failure(cases.get(i).id(), e.getCause());
                } catch (InterruptedException e) {
                    pool.shutdownNow();
                    Thread.currentThread().interrupt();
                    throw new CalvariaException("evaluation interrupted; rerun the same command to resume");
                }
            }
        } finally {
            pool.shutdownNow();
        }
        List<CaseInfo> infos = new ArrayList<>();
        List<CaseResult> results = new ArrayList<>();
        int reused = 0;
        for (CaseOutcome o : outcomes) {
            infos.add(o.info);
            results.addAll(o.results);
            reused += o.reused;
        }
        Map<String, String> descriptions = new LinkedHashMap<>();
        for (Map.Entry<String, ImplantPredictor> e : methods.entrySet()) {
            descriptions.put(e.getKey(), e.getValue().description());
        }
        return new Evaluation(
                dataset,
                options,
                List.copyOf(methods.keySet()),
                descriptions,
                infos,
                results,
                (System.nanoTime() - start) / 1e9,
                reused);
    }

    private static CalvariaException failure(String caseId, Throwable cause) {
        if (cause instanceof OutOfMemoryError) {
            return new CalvariaException("out of memory while evaluating case " + caseId + "; use fewer --threads or"
                    + " give Java more memory (JAVA_OPTS=-Xmx12g); finished cases are kept and a rerun resumes");
        }
        String msg = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        return new CalvariaException("case " + caseId + ": " + msg, cause);
    }

    private record CaseOutcome(CaseInfo info, List<CaseResult> results, int reused) {}

    private static CaseOutcome evaluateCase(Dataset.Case c, Map<String, ImplantPredictor> methods, Options o)
            throws IOException {
        Path dir = o.outDir().resolve("cases").resolve(c.id());
        CaseInfo info = loadInfo(dir.resolve("case.json"), c);
        Map<String, CaseResult> done = new LinkedHashMap<>();
        for (Map.Entry<String, ImplantPredictor> m : methods.entrySet()) {
            CaseResult r = loadResult(dir, c.id(), m.getKey(), m.getValue().fingerprint(c.id()), o);
            if (r != null) done.put(m.getKey(), r);
        }
        if (info != null && done.size() == methods.size()) {
            return new CaseOutcome(info, List.copyOf(done.values()), done.size());
        }
        Volume defective = VolumeIO.read(c.defectiveSkull());
        MaskVolume skull = MaskVolume.requireBinary(defective, "defective skull " + c.defectiveSkull());
        MaskVolume truth = MaskVolume.requireBinary(VolumeIO.read(c.implant()), "true implant " + c.implant());
        if (truth.isEmpty()) {
            throw new CalvariaException("the true implant " + c.implant() + " is empty; no metric is defined for"
                    + " this case (remove it from the evaluation with --cases)");
        }
        Geometry g = truth.geometry();
        MaskVolume skullOnTruth = skull;
        if (!skull.geometry().sameGrid(g, 1e-3)) {
            LOG.warn(
                    "case {}: defective skull and implant are on different grids; the skull is resampled (nearest)"
                            + " onto the implant's grid",
                    c.id());
            skullOnTruth = (MaskVolume) Resampler.nearest(skull, g, 0);
        }
        if (info == null) {
            info = caseInfo(c, skull, truth);
            writeJson(dir.resolve("case.json"), infoJson(info));
        }
        List<CaseResult> results = new ArrayList<>();
        for (Map.Entry<String, ImplantPredictor> m : methods.entrySet()) {
            CaseResult r = done.get(m.getKey());
            if (r == null) r = runMethod(c, m.getKey(), m.getValue(), defective, skullOnTruth, truth, dir, o);
            results.add(r);
        }
        return new CaseOutcome(info, results, done.size());
    }

    private static CaseResult runMethod(
            Dataset.Case c,
            String method,
            ImplantPredictor predictor,
            Volume defective,
            MaskVolume skull,
            MaskVolume truth,
            Path dir,
            Options o) {
        long t0 = System.nanoTime();
        MaskVolume predicted = predictor instanceof FloorBaselines.TruthInformedPredictor informed
                ? informed.predict(defective, truth)
                : predictor.predict(c.id(), defective);
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (predicted == null) throw new CalvariaException(method + " returned no implant");
        Geometry g = truth.geometry();
        String note = "";
        if (!predicted.geometry().sameGrid(g, 1e-3)) {
            note = "prediction resampled (nearest neighbour) from " + predicted.geometry() + " onto the truth grid";
            predicted = (MaskVolume) Resampler.nearest(predicted, g, 0);
        }
        Metrics.ImplantMetrics m = Metrics.compute(predicted, truth, skull, o.bandMm());
        Map<String, Double> values = new LinkedHashMap<>(m.toMap());
        values.put("predict_seconds", seconds);
        String image = null;
        if (o.imageHeightPx() > 0) {
            byte[] png = ProjectionRenderer.renderPng(skull, truth, predicted, o.imageHeightPx());
            Path file = dir.resolve(method + ".png");
            Outputs.writeAtomically(file, out -> out.write(png));
            image = o.outDir().relativize(file).toString().replace('\\', '/');
        }
        CaseResult r = new CaseResult(c.id(), method, values, image, note);
        ObjectNode json = Json.MAPPER.createObjectNode();
        json.put("cache_version", CACHE_VERSION);
        json.put("case", c.id());
        json.put("method", method);
        json.put("fingerprint", predictor.fingerprint(c.id()));
        json.put("band_mm", o.bandMm());
        json.put("image_height_px", o.imageHeightPx());
        ObjectNode mj = json.putObject("metrics");
        for (Map.Entry<String, Double> e : values.entrySet()) putNumber(mj, e.getKey(), e.getValue());
        if (image != null) json.put("image", image);
        json.put("note", note);
        writeJson(dir.resolve(method + ".json"), json);
        LOG.debug("case {} {}: dice {} in {} s", c.id(), method, m.dice(), seconds);
        return r;
    }

    static CaseInfo caseInfo(Dataset.Case c, MaskVolume skull, MaskVolume truth) {
        SymmetryPlane plane = SymmetryPlaneEstimator.estimate(skull);
        Geometry g = truth.geometry();
        int nx = g.nx(), ny = g.ny();
        long[] side = new long[2];
        double[] p = new double[3];
        truth.forEachSet(i -> {
            g.indexToPhysical(i % nx, (i / nx) % ny, i / (nx * ny), p);
            side[plane.signedDistance(p[0], p[1], p[2]) < 0 ? 0 : 1]++;
        });
        double share = Math.min(side[0], side[1]) / (double) (side[0] + side[1]);
        String grid =
                DistanceTransform.isOrthogonal(g) ? (g.isAxisAligned(1e-6) ? "axis-aligned" : "oblique") : "sheared";
        return new CaseInfo(c.id(), c.defectType(), Metrics.volumeMl(truth), share, grid);
    }

    // ------------------------------------------------------------------ cache files

    private static ObjectNode infoJson(CaseInfo info) {
        ObjectNode j = Json.MAPPER.createObjectNode();
        j.put("cache_version", CACHE_VERSION);
        j.put("case", info.id());
        j.put("defect_type", info.defectType());
        j.put("true_volume_ml", info.trueVolumeMl());
        j.put("midline_share", info.midlineShare());
        j.put("grid", info.grid());
        return j;
    }

    private static CaseInfo loadInfo(Path file, Dataset.Case c) {
        JsonNode j = readJson(file);
        if (j == null
                || j.path("cache_version").asInt() != CACHE_VERSION
                || !c.id().equals(j.path("case").asText())) {
            return null;
        }
        // The defect type comes from the dataset (the manifest may have changed), the rest from the cache.
        return new CaseInfo(
                c.id(),
                c.defectType(),
                j.path("true_volume_ml").asDouble(),
                j.path("midline_share").asDouble(),
                j.path("grid").asText());
    }

    private static CaseResult loadResult(Path dir, String caseId, String method, String fingerprint, Options o) {
        JsonNode j = readJson(dir.resolve(method + ".json"));
        if (j == null
                || j.path("cache_version").asInt() != CACHE_VERSION
                || !fingerprint.equals(j.path("fingerprint").asText())
                || j.path("band_mm").asDouble() != o.bandMm()
                || j.path("image_height_px").asInt() != o.imageHeightPx()) {
            return null;
        }
        String image = j.hasNonNull("image") ? j.get("image").asText() : null;
        if (image != null && !Files.isRegularFile(o.outDir().resolve(image))) return null;
        Map<String, Double> metrics = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it =
                        j.path("metrics").properties().iterator();
                it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            metrics.put(e.getKey(), e.getValue().isNumber() ? e.getValue().asDouble() : Double.NaN);
        }
        if (!metrics.containsKey("dice")) return null;
        return new CaseResult(caseId, method, metrics, image, j.path("note").asText(""));
    }

    /** Writes a number, or null for NaN/infinity (JSON has no such numbers). */
    static void putNumber(ObjectNode n, String key, double v) {
        if (Double.isFinite(v)) n.put(key, v);
        else n.putNull(key);
    }

    private static JsonNode readJson(Path file) {
        if (!Files.isRegularFile(file)) return null;
        try {
            return Json.MAPPER.readTree(file.toFile());
        } catch (IOException e) {
            LOG.warn("ignoring unreadable cached result {} ({}); it is recomputed", file, e.getMessage());
            return null;
        }
    }

    static void writeJson(Path file, JsonNode json) {
        byte[] bytes;
        try {
            bytes = Json.MAPPER.writeValueAsBytes(json);
        } catch (IOException e) {
            throw new CalvariaException("cannot encode " + file + ": " + e.getMessage(), e);
        }
        Outputs.writeAtomically(file, out -> out.write(bytes));
    }
}
