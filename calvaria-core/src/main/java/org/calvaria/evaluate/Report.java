package org.calvaria.evaluate;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.calvaria.files.Outputs;

/**
 * Writes an {@link Evaluator.Evaluation} as {@code metrics.csv} (case, method, metric, value; NaN = undefined),
 * {@code summary.json} (per method and metric: mean, median, std, p5, p95, n over the cases where the metric is
 * defined, plus n_undefined; also per defect type and per midline group) and a self-contained {@code report.html}
 * (inline CSS, SVG box plots, preview pictures as data URIs).
 *
 * <p>Each file has its own class ({@link ReportCsv}, {@link ReportJson}, {@link ReportHtml} with {@link SvgCharts});
 * the figures they share come from {@link ReportStatistics}.
 */
public final class Report {
    /** The metrics of the summary table and box plots, with their labels. */
    static final Map<String, String> HEADLINE = new LinkedHashMap<>();

    static final Map<String, String> ALL = new LinkedHashMap<>();

    static {
        HEADLINE.put("dice", "DSC");
        HEADLINE.put("boundary_dice", "bDSC");
        HEADLINE.put("hd95_mm", "HD95 (mm)");
        HEADLINE.put("error_rate_pct", "r (%)");
        ALL.putAll(HEADLINE);
        ALL.put("hausdorff_mm", "HD (mm)");
        ALL.put("assd_mm", "ASSD (mm)");
        ALL.put("volume_ml", "volume (ml)");
        ALL.put("true_volume_ml", "true volume (ml)");
        ALL.put("components", "components");
        ALL.put("skull_overlap_voxels", "skull overlap (voxels)");
        ALL.put("predict_seconds", "prediction time (s)");
    }

    private Report() {}

    /** Summary statistics of one metric over cases; NaN values (undefined) are counted, not averaged. */
    public record Stats(double mean, double median, double std, double p5, double p95, int n, int undefined) {
        public static Stats of(List<Double> values) {
            double[] v = values.stream()
                    .filter(x -> !Double.isNaN(x))
                    .mapToDouble(Double::doubleValue)
                    .sorted()
                    .toArray();
            int undefined = values.size() - v.length;
            if (v.length == 0)
                return new Stats(Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, 0, undefined);
            double mean = Arrays.stream(v).sum() / v.length;
            double ss = 0;
            for (double x : v) ss += (x - mean) * (x - mean);
            double std = v.length > 1 ? Math.sqrt(ss / (v.length - 1)) : 0;
            return new Stats(
                    mean,
                    Metrics.percentileSorted(v, 50),
                    std,
                    Metrics.percentileSorted(v, 5),
                    Metrics.percentileSorted(v, 95),
                    v.length,
                    undefined);
        }
    }

    /** Writes the three report files into the evaluation's output folder; returns their paths. */
    public static List<Path> write(Evaluator.Evaluation ev, String command) {
        Path out = ev.options().outDir();
        Path csv = out.resolve("metrics.csv"), json = out.resolve("summary.json"), html = out.resolve("report.html");
        String csvText = ReportCsv.csv(ev);
        Outputs.writeAtomically(csv, o -> o.write(csvText.getBytes(StandardCharsets.UTF_8)));
        Evaluator.writeJson(json, ReportJson.summary(ev, command));
        String page = ReportHtml.html(ev, command);
        Outputs.writeAtomically(html, o -> o.write(page.getBytes(StandardCharsets.UTF_8)));
        return List.of(csv, json, html);
    }
}
