package org.calvaria.evaluate;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.calvaria.CalvariaException;
import org.calvaria.Json;
import org.calvaria.Provenance;
import org.calvaria.io.Outputs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Writes an {@link Evaluator.Evaluation} as {@code metrics.csv} (case, method, metric, value; NaN = undefined),
 * {@code summary.json} (per method and metric: mean, median, std, p5, p95, n over the cases where the metric is
 * defined, plus n_undefined; also per defect type and per midline group) and a self-contained {@code report.html}
 * (inline CSS, SVG box plots, preview pictures as data URIs).
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

    private static final String[] COLOURS = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"};

    private Report() {}

    /** Summary statistics of one metric over cases; NaN values (undefined) are counted, not averaged. */
    public record Stats(double mean, double median, double std, double p5, double p95, int n, int undefined) {
        public static Stats of(List<Double> values) {
            double[] v = values.stream().filter(x -> !Double.isNaN(x)).mapToDouble(Double::doubleValue).sorted()
                    .toArray();
            int undefined = values.size() - v.length;
            if (v.length == 0) return new Stats(Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, 0, undefined);
            double mean = Arrays.stream(v).sum() / v.length;
            double ss = 0;
            for (double x : v) ss += (x - mean) * (x - mean);
            double std = v.length > 1 ? Math.sqrt(ss / (v.length - 1)) : 0;
            return new Stats(mean, Metrics.percentileSorted(v, 50), std, Metrics.percentileSorted(v, 5),
                    Metrics.percentileSorted(v, 95), v.length, undefined);
        }
    }

    /** Writes the three report files into the evaluation's output folder; returns their paths. */
    public static List<Path> write(Evaluator.Evaluation ev, String command) {
        Path out = ev.options().outDir();
        Path csv = out.resolve("metrics.csv"), json = out.resolve("summary.json"), html = out.resolve("report.html");
        String csvText = csv(ev);
        Outputs.writeAtomically(csv, o -> o.write(csvText.getBytes(StandardCharsets.UTF_8)));
        Evaluator.writeJson(json, summary(ev, command));
        String page = html(ev, command);
        Outputs.writeAtomically(html, o -> o.write(page.getBytes(StandardCharsets.UTF_8)));
        return List.of(csv, json, html);
    }

    // ------------------------------------------------------------------ CSV

    static String csv(Evaluator.Evaluation ev) {
        StringBuilder sb = new StringBuilder("case,method,metric,value\n");
        for (Evaluator.CaseResult r : ev.results()) {
            for (Map.Entry<String, Double> e : r.metrics().entrySet()) {
                sb.append(csvField(r.caseId())).append(',').append(csvField(r.method())).append(',')
                        .append(e.getKey()).append(',').append(number(e.getValue())).append('\n');
            }
        }
        return sb.toString();
    }

    private static String csvField(String s) {
        return s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }

    private static String number(double v) {
        if (Double.isNaN(v)) return "NaN";
        if (v == Math.rint(v) && Math.abs(v) < 1e15) return Long.toString((long) v);
        return String.format(Locale.ROOT, "%.8g", v);
    }

    // ------------------------------------------------------------------ JSON

    static List<Double> values(Evaluator.Evaluation ev, String method, String metric,
                               Predicate<Evaluator.CaseInfo> which) {
        List<Double> out = new ArrayList<>();
        for (Evaluator.CaseResult r : ev.results()) {
            if (!r.method().equals(method) || !which.test(ev.info(r.caseId()))) continue;
            Double v = r.metrics().get(metric);
            if (v != null) out.add(v);
        }
        return out;
    }

    static Set<String> metricNames(Evaluator.Evaluation ev) {
        Set<String> names = new LinkedHashSet<>(ALL.keySet());
        for (Evaluator.CaseResult r : ev.results()) names.addAll(r.metrics().keySet());
        return names;
    }

    static ObjectNode summary(Evaluator.Evaluation ev, String command) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("provenance", Provenance.line("evaluate"));
        root.put("command", command);
        root.put("dataset", ev.dataset().root().toString());
        root.put("cases", ev.cases().size());
        root.put("band_mm", ev.options().bandMm());
        root.put("midline_crossing_share", Evaluator.MIDLINE_CROSSING_SHARE);
        root.put("seconds", ev.seconds());
        ObjectNode desc = root.putObject("method_descriptions");
        ev.descriptions().forEach(desc::put);
        ObjectNode methods = root.putObject("methods");
        for (String m : ev.methods()) statsNode(methods.putObject(m), ev, m, c -> true);
        ObjectNode byType = root.putObject("by_defect_type");
        for (String type : defectTypes(ev)) {
            ObjectNode t = byType.putObject(type);
            for (String m : ev.methods()) statsNode(t.putObject(m), ev, m, c -> c.defectType().equals(type));
        }
        ObjectNode spearman = root.putObject("midline_share_dice_spearman");
        for (String m : ev.methods()) Evaluator.putNumber(spearman, m, midlineSpearman(ev, m));
        ObjectNode byMidline = root.putObject("by_midline");
        for (boolean crosses : new boolean[] {true, false}) {
            ObjectNode g = byMidline.putObject(crosses ? "crosses_midline" : "one_side");
            for (String m : ev.methods()) statsNode(g.putObject(m), ev, m, c -> c.crossesMidline() == crosses);
        }
        return root;
    }

    private static void statsNode(ObjectNode node, Evaluator.Evaluation ev, String method,
                                  Predicate<Evaluator.CaseInfo> which) {
        for (String metric : metricNames(ev)) {
            List<Double> v = values(ev, method, metric, which);
            if (v.isEmpty()) continue;
            Stats s = Stats.of(v);
            ObjectNode n = node.putObject(metric);
            Evaluator.putNumber(n, "mean", s.mean());
            Evaluator.putNumber(n, "median", s.median());
            Evaluator.putNumber(n, "std", s.std());
            Evaluator.putNumber(n, "p5", s.p5());
            Evaluator.putNumber(n, "p95", s.p95());
            n.put("n", s.n());
            n.put("n_undefined", s.undefined());
        }
    }

    static List<String> defectTypes(Evaluator.Evaluation ev) {
        Set<String> t = new LinkedHashSet<>();
        for (Evaluator.CaseInfo c : ev.cases()) t.add(c.defectType());
        return List.copyOf(t);
    }

    // ------------------------------------------------------------------ HTML

    static String html(Evaluator.Evaluation ev, String command) {
        StringBuilder h = new StringBuilder(1 << 16);
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Calvaria evaluation</title>\n");
        h.append("<style>body{font-family:system-ui,sans-serif;margin:24px;color:#222;max-width:1400px}"
                + "table{border-collapse:collapse;margin:8px 0 20px}th,td{border:1px solid #ccc;padding:3px 7px;"
                + "text-align:right;font-size:13px}th{background:#f2f2f2}td.l,th.l{text-align:left}"
                + "figure{display:inline-block;margin:4px 10px 10px 0}figcaption{font-size:12px;color:#444}"
                + ".note{font-size:13px;color:#444}.sw{display:inline-block;width:12px;height:12px;margin:0 4px 0 10px;"
                + "vertical-align:middle}svg{margin:4px 12px 12px 0}</style></head><body>\n");
        h.append("<h1>Implant evaluation</h1>\n<p class=\"note\">").append(esc(Provenance.line("evaluate")))
                .append("<br>command: <code>").append(esc(command)).append("</code><br>dataset: ")
                .append(esc(ev.dataset().root().toString())).append(", ").append(ev.cases().size())
                .append(" cases; wall time ").append(String.format(Locale.ROOT, "%.1f", ev.seconds()))
                .append(" s (").append(ev.reusedResults()).append(" case results reused from an earlier run)</p>\n");
        h.append("<p class=\"note\">Methods: ");
        for (String m : ev.methods()) {
            h.append("<b>").append(esc(m)).append("</b> = <code>").append(esc(ev.descriptions().get(m)))
                    .append("</code>; ");
        }
        h.append("</p>\n");
        definitions(h, ev);

        h.append("<h2>Summary</h2>\n<table><tr><th class=\"l\">method</th>");
        for (String label : ALL.values()) h.append("<th>").append(esc(label)).append("</th>");
        h.append("</tr>\n");
        for (String m : ev.methods()) {
            h.append("<tr><td class=\"l\">").append(esc(m)).append("</td>");
            for (String metric : ALL.keySet()) {
                Stats s = Stats.of(values(ev, m, metric, c -> true));
                h.append("<td title=\"median ").append(fmt(s.median())).append(", p5 ").append(fmt(s.p5()))
                        .append(", p95 ").append(fmt(s.p95())).append(", n ").append(s.n()).append("\">")
                        .append(fmt(s.mean())).append(" &plusmn; ").append(fmt(s.std()))
                        .append("<br><small>median ").append(fmt(s.median())).append(" [")
                        .append(fmt(s.p5())).append(", ").append(fmt(s.p95())).append("]")
                        .append(s.undefined() > 0 ? "; " + s.undefined() + " undefined" : "")
                        .append("</small></td>");
            }
            h.append("</tr>\n");
        }
        h.append("</table>\n<p class=\"note\">mean &plusmn; sample standard deviation; median [5th, 95th percentile]"
                + " over cases. \"undefined\": surface distances of an empty prediction (not averaged).</p>\n");

        h.append("<h2>Defects crossing the midline</h2>\n<p class=\"note\">A defect crosses the mid-sagittal plane"
                + " (estimated from the defective skull) when at least ")
                .append(fmt(100 * Evaluator.MIDLINE_CROSSING_SHARE))
                .append(" % of the true implant lies on each side. Mirroring cannot fill the part of such a defect"
                        + " whose mirror image is missing too.</p>\n<table><tr><th class=\"l\">method</th>");
        for (String g : new String[] {"crosses midline", "one side"}) {
            for (String label : HEADLINE.values()) h.append("<th>").append(esc(label)).append("<br>").append(g).append("</th>");
        }
        h.append("</tr>\n");
        for (String m : ev.methods()) {
            h.append("<tr><td class=\"l\">").append(esc(m)).append("</td>");
            for (boolean crosses : new boolean[] {true, false}) {
                for (String metric : HEADLINE.keySet()) {
                    Stats s = Stats.of(values(ev, m, metric, c -> c.crossesMidline() == crosses));
                    h.append("<td>").append(s.n() + s.undefined() == 0 ? "no cases"
                            : fmt(s.mean()) + " <small>(n=" + s.n() + ")</small>").append("</td>");
                }
            }
            h.append("</tr>\n");
        }
        h.append("</table>\n");
        h.append(midlineScatter(ev));
        h.append("<p class=\"note\">Spearman rank correlation between midline share and DSC: ");
        for (String m : ev.methods()) {
            h.append(esc(m)).append(" ").append(fmt(midlineSpearman(ev, m))).append("; ");
        }
        h.append("(negative: the more the defect straddles the midline, the worse).</p>\n");

        h.append("<h2>Distributions per defect type</h2>\n<p class=\"note\">");
        for (int i = 0; i < ev.methods().size(); i++) {
            h.append("<span class=\"sw\" style=\"background:").append(COLOURS[i % COLOURS.length]).append("\"></span>")
                    .append(esc(ev.methods().get(i)));
        }
        h.append(" &nbsp; box: quartiles, line: median, whiskers: 5th-95th percentile, dots: cases.</p>\n");
        for (Map.Entry<String, String> metric : HEADLINE.entrySet()) h.append(boxPlot(ev, metric.getKey(), metric.getValue()));

        List<Evaluator.CaseInfo> worst = worstCases(ev, 5);
        h.append("<h2 id=\"worst\">Worst ").append(worst.size()).append(" cases</h2>\n<p class=\"note\">By the first"
                + " method's implant Dice (")
                .append(esc(ev.methods().get(0))).append("), worst first; failed cases come first.</p>\n");
        for (Evaluator.CaseInfo c : worst) appendCasePictures(h, ev, c, "worst-");
        h.append("<h2>Cases</h2>\n");
        List<Evaluator.CaseInfo> order = casesByDice(ev);
        h.append("<p class=\"note\">Sorted by ").append(esc(ev.methods().get(0)))
                .append("'s DSC, best first.</p>\n<table><tr><th class=\"l\">case</th><th class=\"l\">type</th>"
                        + "<th class=\"l\">grid</th><th>midline share</th><th>true ml</th>");
        for (String m : ev.methods()) {
            for (String label : HEADLINE.values()) h.append("<th>").append(esc(m)).append("<br>").append(esc(label)).append("</th>");
        }
        h.append("</tr>\n");
        for (Evaluator.CaseInfo c : order) {
            h.append("<tr><td class=\"l\"><a href=\"#case-").append(esc(c.id())).append("\">").append(esc(c.id()))
                    .append("</a></td><td class=\"l\">").append(esc(c.defectType())).append("</td><td class=\"l\">")
                    .append(esc(c.grid())).append("</td><td>").append(fmt(c.midlineShare())).append("</td><td>")
                    .append(fmt(c.trueVolumeMl())).append("</td>");
            for (String m : ev.methods()) {
                Evaluator.CaseResult r = result(ev, c.id(), m);
                for (String metric : HEADLINE.keySet()) {
                    h.append("<td>").append(r == null ? "" : fmt(r.metrics().getOrDefault(metric, Double.NaN))).append("</td>");
                }
            }
            h.append("</tr>\n");
        }
        h.append("</table>\n");

        h.append("<h2>Pictures</h2>\n<p class=\"note\">Defective skull depth-shaded from above, the side and the front;"
                + " implant footprints:<span class=\"sw\" style=\"background:rgb(40,110,255)\"></span>true only"
                + "<span class=\"sw\" style=\"background:rgb(235,50,40)\"></span>predicted only"
                + "<span class=\"sw\" style=\"background:rgb(40,200,80)\"></span>both.</p>\n");
        for (Evaluator.CaseInfo c : order) appendCasePictures(h, ev, c, "case-");
        h.append("</body></html>\n");
        return h.toString();
    }

    private static void definitions(StringBuilder h, Evaluator.Evaluation ev) {
        h.append("<details><summary>How the numbers are computed</summary><ul class=\"note\">"
                + "<li>All metrics are computed on the true implant's own grid (the scan grid), in millimetres,"
                + " correct for anisotropic, oblique and sheared voxels. Predictions on another grid are resampled"
                + " onto it by nearest neighbour.</li>"
                + "<li>DSC = 2|P&cap;T| / (|P| + |T|). r = |P &minus; T|<sub>1</sub> / |T|<sub>1</sub> &times; 100 %"
                + " (voxels in exactly one mask over true voxels; Wu et al. 2022).</li>"
                + "<li>bDSC: DSC restricted to voxels within ").append(fmt(ev.options().bandMm()))
                .append(" mm of the defective skull's surface.</li>"
                + "<li>Surface voxels: foreground voxels with a 6-neighbour in background. Distances between surface"
                + " voxel centres, exact (separable distance transform on orthogonal grids, k-d tree on sheared ones)."
                + " HD95: 95th percentile of both directions' distances pooled; HD: their maximum; ASSD: mean of the two"
                + " directed mean distances.</li>"
                + "<li>Volume from |det| of the direction matrix; components: 26-connected; skull overlap: implant"
                + " voxels that are bone in the defective skull (should be 0).</li>"
                + "<li>The <i>hull</i> and <i>mirror-box</i> references are told the true implant's bounding box (as a"
                + " designer marking the defect would); they are references for comparison, not methods.</li>"
                + "</ul></details>\n");
    }

    /** One case's heading and a picture with its figures per method. */
    private static void appendCasePictures(StringBuilder h, Evaluator.Evaluation ev, Evaluator.CaseInfo c,
                                           String anchor) {
        h.append("<h3 id=\"").append(anchor).append(esc(c.id())).append("\">").append(esc(c.id())).append(" <small>(")
                .append(esc(c.defectType())).append(", midline share ").append(fmt(c.midlineShare()))
                .append(")</small></h3>\n");
        for (String m : ev.methods()) {
            Evaluator.CaseResult r = result(ev, c.id(), m);
            if (r == null) continue;
            h.append("<figure>");
            if (r.image() != null) {
                h.append("<img alt=\"").append(esc(c.id() + " " + m)).append("\" src=\"data:image/png;base64,")
                        .append(base64(ev.options().outDir().resolve(r.image()))).append("\">");
            }
            h.append("<figcaption><b>").append(esc(m)).append("</b>: DSC ")
                    .append(fmt(r.metrics().get("dice"))).append(", bDSC ")
                    .append(fmt(r.metrics().get("boundary_dice"))).append(", HD95 ")
                    .append(fmt(r.metrics().get("hd95_mm"))).append(" mm, r ")
                    .append(fmt(r.metrics().get("error_rate_pct"))).append(" %")
                    .append(r.note().isEmpty() ? "" : "<br>" + esc(r.note())).append("</figcaption></figure>\n");
        }
    }

    /**
     * The {@code n} worst cases of the first method, worst first: failures (no result or no Dice) before the lowest
     * Dice, so a reader sees where the method fails without scrolling through every case.
     */
    static List<Evaluator.CaseInfo> worstCases(Evaluator.Evaluation ev, int n) {
        List<Evaluator.CaseInfo> order = new ArrayList<>(casesByDice(ev));
        java.util.Collections.reverse(order);
        return order.subList(0, Math.min(n, order.size()));
    }

    private static List<Evaluator.CaseInfo> casesByDice(Evaluator.Evaluation ev) {
        String first = ev.methods().get(0);
        List<Evaluator.CaseInfo> order = new ArrayList<>(ev.cases());
        order.sort(Comparator.comparingDouble((Evaluator.CaseInfo c) -> {
            Evaluator.CaseResult r = result(ev, c.id(), first);
            double d = r == null ? Double.NaN : r.metrics().getOrDefault("dice", Double.NaN);
            return Double.isNaN(d) ? Double.POSITIVE_INFINITY : -d;
        }).thenComparing(Evaluator.CaseInfo::id));
        return order;
    }

    static Evaluator.CaseResult result(Evaluator.Evaluation ev, String caseId, String method) {
        for (Evaluator.CaseResult r : ev.results()) {
            if (r.caseId().equals(caseId) && r.method().equals(method)) return r;
        }
        return null;
    }

    /** An SVG box plot of one metric: one group per defect type, one box per method. */
    static String boxPlot(Evaluator.Evaluation ev, String metric, String label) {
        List<String> types = defectTypes(ev);
        List<String> methods = ev.methods();
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (String m : methods) {
            for (double v : values(ev, m, metric, c -> true)) {
                if (Double.isNaN(v)) continue;
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
        }
        if (metric.equals("dice") || metric.equals("boundary_dice")) {
            lo = 0;
            hi = 1;
        }
        if (!(lo <= hi)) {
            lo = 0;
            hi = 1;
        }
        lo = Math.min(lo, 0);
        if (hi - lo < 1e-9) hi = lo + 1;
        int boxW = 26, gapM = 8, gapG = 30, left = 56, top = 24, plotH = 180;
        int groupW = methods.size() * (boxW + gapM);
        int width = left + types.size() * (groupW + gapG) + 10;
        int height = top + plotH + 40;
        final double ylo = lo, yhi = hi;
        java.util.function.DoubleUnaryOperator y = v -> top + plotH - (v - ylo) / (yhi - ylo) * plotH;
        StringBuilder s = new StringBuilder();
        s.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(width).append("\" height=\"")
                .append(height).append("\" font-family=\"sans-serif\" font-size=\"11\">");
        s.append("<text x=\"4\" y=\"14\" font-size=\"13\" font-weight=\"bold\">").append(esc(label)).append("</text>");
        for (int t = 0; t <= 4; t++) {
            double v = lo + (hi - lo) * t / 4;
            double yy = y.applyAsDouble(v);
            s.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>",
                    left, width - 10, yy, yy));
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>", left - 4,
                    yy + 4, esc(fmt(v))));
        }
        for (int gi = 0; gi < types.size(); gi++) {
            String type = types.get(gi);
            int gx = left + gi * (groupW + gapG) + gapG / 2;
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>",
                    gx + groupW / 2, top + plotH + 16, esc(type)));
            for (int mi = 0; mi < methods.size(); mi++) {
                List<Double> v = values(ev, methods.get(mi), metric, c -> c.defectType().equals(type));
                double[] d = v.stream().filter(x -> !Double.isNaN(x)).mapToDouble(Double::doubleValue).sorted().toArray();
                if (d.length == 0) continue;
                String col = COLOURS[mi % COLOURS.length];
                int x0 = gx + mi * (boxW + gapM);
                double q1 = y.applyAsDouble(Metrics.percentileSorted(d, 25));
                double q3 = y.applyAsDouble(Metrics.percentileSorted(d, 75));
                double med = y.applyAsDouble(Metrics.percentileSorted(d, 50));
                double p5 = y.applyAsDouble(Metrics.percentileSorted(d, 5));
                double p95 = y.applyAsDouble(Metrics.percentileSorted(d, 95));
                int cx = x0 + boxW / 2;
                s.append(String.format(Locale.ROOT,
                        "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"/>", cx, cx, p5, p95, col));
                s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%.1f\" fill=\"%s\""
                        + " fill-opacity=\"0.25\" stroke=\"%s\"/>", x0, q3, boxW, Math.max(0.5, q1 - q3), col, col));
                s.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"%s\""
                        + " stroke-width=\"2\"/>", x0, x0 + boxW, med, med, col));
                for (int k = 0; k < d.length; k++) {
                    double jitter = ((k * 7919) % 13 - 6) * boxW / 30.0;
                    s.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2\" fill=\"%s\"/>",
                            cx + jitter, y.applyAsDouble(d[k]), col));
                }
            }
        }
        s.append("</svg>\n");
        return s.toString();
    }

    /**
     * Spearman rank correlation between each case's midline share and the method's DSC (ties get average ranks);
     * NaN with fewer than 3 cases or no variation.
     */
    static double midlineSpearman(Evaluator.Evaluation ev, String method) {
        List<double[]> pairs = new ArrayList<>();
        for (Evaluator.CaseResult r : ev.results()) {
            Double d = r.metrics().get("dice");
            if (r.method().equals(method) && d != null && !d.isNaN()) {
                pairs.add(new double[] {ev.info(r.caseId()).midlineShare(), d});
            }
        }
        if (pairs.size() < 3) return Double.NaN;
        double[] a = ranks(pairs, 0), b = ranks(pairs, 1);
        double ma = Arrays.stream(a).average().orElse(0), mb = Arrays.stream(b).average().orElse(0);
        double sab = 0, saa = 0, sbb = 0;
        for (int i = 0; i < a.length; i++) {
            sab += (a[i] - ma) * (b[i] - mb);
            saa += (a[i] - ma) * (a[i] - ma);
            sbb += (b[i] - mb) * (b[i] - mb);
        }
        return saa == 0 || sbb == 0 ? Double.NaN : sab / Math.sqrt(saa * sbb);
    }

    private static double[] ranks(List<double[]> pairs, int column) {
        int n = pairs.size();
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        Arrays.sort(order, Comparator.comparingDouble(i -> pairs.get(i)[column]));
        double[] rank = new double[n];
        for (int i = 0; i < n; ) {
            int j = i;
            while (j + 1 < n && pairs.get(order[j + 1])[column] == pairs.get(order[i])[column]) j++;
            for (int k = i; k <= j; k++) rank[order[k]] = (i + j) / 2.0;
            i = j + 1;
        }
        return rank;
    }

    /** DSC of every case against the share of its defect beyond the midline, one colour per method. */
    static String midlineScatter(Evaluator.Evaluation ev) {
        int left = 50, top = 24, w = 420, hgt = 200;
        StringBuilder s = new StringBuilder();
        s.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(left + w + 20).append("\" height=\"")
                .append(top + hgt + 44).append("\" font-family=\"sans-serif\" font-size=\"11\">");
        s.append("<text x=\"4\" y=\"14\" font-size=\"13\" font-weight=\"bold\">DSC against midline share</text>");
        for (int t = 0; t <= 4; t++) {
            double yy = top + hgt - hgt * t / 4.0, xx = left + w * t / 4.0;
            s.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                    + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%.2f</text>", left, left + w, yy, yy, left - 4,
                    yy + 4, t / 4.0));
            s.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" stroke=\"#ddd\"/>"
                    + "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%.3f</text>", xx, xx, top, top + hgt, xx,
                    top + hgt + 14, 0.5 * t / 4.0));
        }
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">share of the true implant"
                + " on the far side of the mid-sagittal plane (0 = one side, 0.5 = centred)</text>", left + w / 2,
                top + hgt + 32));
        for (int mi = 0; mi < ev.methods().size(); mi++) {
            String col = COLOURS[mi % COLOURS.length];
            for (Evaluator.CaseResult r : ev.results()) {
                if (!r.method().equals(ev.methods().get(mi))) continue;
                Double d = r.metrics().get("dice");
                if (d == null || d.isNaN()) continue;
                double share = ev.info(r.caseId()).midlineShare();
                s.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\""
                        + " fill-opacity=\"0.8\"><title>%s %s: DSC %.3f, share %.3f</title></circle>",
                        left + w * Math.min(share, 0.5) / 0.5, top + hgt - hgt * Math.max(0, Math.min(1, d)), col,
                        esc(r.caseId()), esc(r.method()), d, share));
            }
        }
        s.append("</svg>\n");
        return s.toString();
    }

    private static String base64(Path png) {
        try {
            return Base64.getEncoder().encodeToString(Files.readAllBytes(png));
        } catch (IOException e) {
            throw new CalvariaException("cannot read preview " + png + ": " + e.getMessage(), e);
        }
    }

    static String fmt(Double v) {
        if (v == null || v.isNaN()) return "&ndash;";
        double a = Math.abs(v);
        if (v == Math.rint(v) && a < 1e9) return Long.toString(Math.round(v));
        if (a >= 100) return String.format(Locale.ROOT, "%.1f", v);
        if (a >= 1) return String.format(Locale.ROOT, "%.2f", v);
        return String.format(Locale.ROOT, "%.3f", v);
    }

    static String esc(String s) {
        if (s == null) return "";
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
