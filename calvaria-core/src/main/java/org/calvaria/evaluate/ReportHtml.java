package org.calvaria.evaluate;

import static org.calvaria.evaluate.Report.ALL;
import static org.calvaria.evaluate.Report.HEADLINE;
import static org.calvaria.evaluate.ReportStatistics.casesByDice;
import static org.calvaria.evaluate.ReportStatistics.midlineSpearman;
import static org.calvaria.evaluate.ReportStatistics.result;
import static org.calvaria.evaluate.ReportStatistics.values;
import static org.calvaria.evaluate.ReportStatistics.worstCases;
import static org.calvaria.evaluate.SvgCharts.COLOURS;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.calvaria.CalvariaException;
import org.calvaria.Provenance;
import org.calvaria.evaluate.Report.Stats;

/** The self-contained {@code report.html}: inline CSS, tables, SVG charts and preview pictures as data URIs. */
final class ReportHtml {
    private ReportHtml() {}

    static String html(Evaluator.Evaluation ev, String command) {
        StringBuilder h = new StringBuilder(1 << 16);
        head(h, ev, command);
        summaryTable(h, ev);
        midlineSection(h, ev);
        distributions(h, ev);
        worstSection(h, ev);
        List<Evaluator.CaseInfo> order = casesByDice(ev);
        caseTable(h, ev, order);
        pictures(h, ev, order);
        h.append("</body></html>\n");
        return h.toString();
    }

    /** The page head with its inline CSS, provenance, method descriptions and the metric definitions. */
    private static void head(StringBuilder h, Evaluator.Evaluation ev, String command) {
        h.append(
                "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Calvaria evaluation</title>\n");
        h.append("<style>body{font-family:system-ui,sans-serif;margin:24px;color:#222;max-width:1400px}"
                + "table{border-collapse:collapse;margin:8px 0 20px}th,td{border:1px solid #ccc;padding:3px 7px;"
                + "text-align:right;font-size:13px}th{background:#f2f2f2}td.l,th.l{text-align:left}"
                + "figure{display:inline-block;margin:4px 10px 10px 0}figcaption{font-size:12px;color:#444}"
                + ".note{font-size:13px;color:#444}.sw{display:inline-block;width:12px;height:12px;margin:0 4px 0 10px;"
                + "vertical-align:middle}svg{margin:4px 12px 12px 0}</style></head><body>\n");
        h.append("<h1>Implant evaluation</h1>\n<p class=\"note\">")
                .append(esc(Provenance.line("evaluate")))
                .append("<br>command: <code>")
                .append(esc(command))
                .append("</code><br>dataset: ")
                .append(esc(ev.dataset().root().toString()))
                .append(", ")
                .append(ev.cases().size())
                .append(" cases; wall time ")
                .append(String.format(Locale.ROOT, "%.1f", ev.seconds()))
                .append(" s (")
                .append(ev.reusedResults())
                .append(" case results reused from an earlier run)</p>\n");
        h.append("<p class=\"note\">Methods: ");
        for (String m : ev.methods()) {
            h.append("<b>")
                    .append(esc(m))
                    .append("</b> = <code>")
                    .append(esc(ev.descriptions().get(m)))
                    .append("</code>; ");
        }
        h.append("</p>\n");
        definitions(h, ev);
    }

    /** Mean, spread and percentiles of every metric per method. */
    private static void summaryTable(StringBuilder h, Evaluator.Evaluation ev) {
        h.append("<h2>Summary</h2>\n<table><tr><th class=\"l\">method</th>");
        for (String label : ALL.values()) h.append("<th>").append(esc(label)).append("</th>");
        h.append("</tr>\n");
        for (String m : ev.methods()) {
            h.append("<tr><td class=\"l\">").append(esc(m)).append("</td>");
            for (String metric : ALL.keySet()) {
                Stats s = Stats.of(values(ev, m, metric, c -> true));
                h.append("<td title=\"median ")
                        .append(fmt(s.median()))
                        .append(", p5 ")
                        .append(fmt(s.p5()))
                        .append(", p95 ")
                        .append(fmt(s.p95()))
                        .append(", n ")
                        .append(s.n())
                        .append("\">")
                        .append(fmt(s.mean()))
                        .append(" &plusmn; ")
                        .append(fmt(s.std()))
                        .append("<br><small>median ")
                        .append(fmt(s.median()))
                        .append(" [")
                        .append(fmt(s.p5()))
                        .append(", ")
                        .append(fmt(s.p95()))
                        .append("]")
                        .append(s.undefined() > 0 ? "; " + s.undefined() + " undefined" : "")
                        .append("</small></td>");
            }
            h.append("</tr>\n");
        }
        h.append("</table>\n<p class=\"note\">mean &plusmn; sample standard deviation; median [5th, 95th percentile]"
                + " over cases. \"undefined\": surface distances of an empty prediction (not averaged).</p>\n");
    }

    /** The headline metrics for defects that cross the midline and those on one side, with the scatter plot. */
    private static void midlineSection(StringBuilder h, Evaluator.Evaluation ev) {
        h.append("<h2>Defects crossing the midline</h2>\n<p class=\"note\">A defect crosses the mid-sagittal plane"
                        + " (estimated from the defective skull) when at least ")
                .append(fmt(100 * Evaluator.MIDLINE_CROSSING_SHARE))
                .append(" % of the true implant lies on each side. Mirroring cannot fill the part of such a defect"
                        + " whose mirror image is missing too.</p>\n<table><tr><th class=\"l\">method</th>");
        for (String g : new String[] {"crosses midline", "one side"}) {
            for (String label : HEADLINE.values())
                h.append("<th>").append(esc(label)).append("<br>").append(g).append("</th>");
        }
        h.append("</tr>\n");
        for (String m : ev.methods()) {
            h.append("<tr><td class=\"l\">").append(esc(m)).append("</td>");
            for (boolean crosses : new boolean[] {true, false}) {
                for (String metric : HEADLINE.keySet()) {
                    Stats s = Stats.of(values(ev, m, metric, c -> c.crossesMidline() == crosses));
                    h.append("<td>")
                            .append(
                                    s.n() + s.undefined() == 0
                                            ? "no cases"
                                            : fmt(s.mean()) + " <small>(n=" + s.n() + ")</small>")
                            .append("</td>");
                }
            }
            h.append("</tr>\n");
        }
        h.append("</table>\n");
        h.append(SvgCharts.midlineScatter(ev));
        h.append("<p class=\"note\">Spearman rank correlation between midline share and DSC: ");
        for (String m : ev.methods()) {
            h.append(esc(m)).append(" ").append(fmt(midlineSpearman(ev, m))).append("; ");
        }
        h.append("(negative: the more the defect straddles the midline, the worse).</p>\n");
    }

    /** A legend and one box plot per headline metric. */
    private static void distributions(StringBuilder h, Evaluator.Evaluation ev) {
        h.append("<h2>Distributions per defect type</h2>\n<p class=\"note\">");
        for (int i = 0; i < ev.methods().size(); i++) {
            h.append("<span class=\"sw\" style=\"background:")
                    .append(COLOURS[i % COLOURS.length])
                    .append("\"></span>")
                    .append(esc(ev.methods().get(i)));
        }
        h.append(" &nbsp; box: quartiles, line: median, whiskers: 5th-95th percentile, dots: cases.</p>\n");
        for (Map.Entry<String, String> metric : HEADLINE.entrySet())
            h.append(SvgCharts.boxPlot(ev, metric.getKey(), metric.getValue()));
    }

    /** The five worst cases of the first method, with their pictures. */
    private static void worstSection(StringBuilder h, Evaluator.Evaluation ev) {
        List<Evaluator.CaseInfo> worst = worstCases(ev, 5);
        h.append("<h2 id=\"worst\">Worst ")
                .append(worst.size())
                .append(" cases</h2>\n<p class=\"note\">By the first" + " method's implant Dice (")
                .append(esc(ev.methods().get(0)))
                .append("), worst first; failed cases come first.</p>\n");
        for (Evaluator.CaseInfo c : worst) appendCasePictures(h, ev, c, "worst-");
    }

    /** One row per case (in {@code order}) with every method's headline metrics. */
    private static void caseTable(StringBuilder h, Evaluator.Evaluation ev, List<Evaluator.CaseInfo> order) {
        h.append("<h2>Cases</h2>\n");
        h.append("<p class=\"note\">Sorted by ")
                .append(esc(ev.methods().get(0)))
                .append("'s DSC, best first.</p>\n<table><tr><th class=\"l\">case</th><th class=\"l\">type</th>"
                        + "<th class=\"l\">grid</th><th>midline share</th><th>true ml</th>");
        for (String m : ev.methods()) {
            for (String label : HEADLINE.values())
                h.append("<th>")
                        .append(esc(m))
                        .append("<br>")
                        .append(esc(label))
                        .append("</th>");
        }
        h.append("</tr>\n");
        for (Evaluator.CaseInfo c : order) {
            h.append("<tr><td class=\"l\"><a href=\"#case-")
                    .append(esc(c.id()))
                    .append("\">")
                    .append(esc(c.id()))
                    .append("</a></td><td class=\"l\">")
                    .append(esc(c.defectType()))
                    .append("</td><td class=\"l\">")
                    .append(esc(c.grid()))
                    .append("</td><td>")
                    .append(fmt(c.midlineShare()))
                    .append("</td><td>")
                    .append(fmt(c.trueVolumeMl()))
                    .append("</td>");
            for (String m : ev.methods()) {
                Evaluator.CaseResult r = result(ev, c.id(), m);
                for (String metric : HEADLINE.keySet()) {
                    h.append("<td>")
                            .append(r == null ? "" : fmt(r.metrics().getOrDefault(metric, Double.NaN)))
                            .append("</td>");
                }
            }
            h.append("</tr>\n");
        }
        h.append("</table>\n");
    }

    /** Every case's pictures, in {@code order}. */
    private static void pictures(StringBuilder h, Evaluator.Evaluation ev, List<Evaluator.CaseInfo> order) {
        h.append("<h2>Pictures</h2>\n<p class=\"note\">Defective skull depth-shaded from above, the side and the front;"
                + " implant footprints:<span class=\"sw\" style=\"background:rgb(40,110,255)\"></span>true only"
                + "<span class=\"sw\" style=\"background:rgb(235,50,40)\"></span>predicted only"
                + "<span class=\"sw\" style=\"background:rgb(40,200,80)\"></span>both.</p>\n");
        for (Evaluator.CaseInfo c : order) appendCasePictures(h, ev, c, "case-");
    }

    private static void definitions(StringBuilder h, Evaluator.Evaluation ev) {
        h.append("<details><summary>How the numbers are computed</summary><ul class=\"note\">"
                        + "<li>All metrics are computed on the true implant's own grid (the scan grid), in millimetres,"
                        + " correct for anisotropic, oblique and sheared voxels. Predictions on another grid are resampled"
                        + " onto it by nearest neighbour.</li>"
                        + "<li>DSC = 2|P&cap;T| / (|P| + |T|). r = |P &minus; T|<sub>1</sub> / |T|<sub>1</sub> &times; 100 %"
                        + " (voxels in exactly one mask over true voxels; Wu et al. 2022).</li>"
                        + "<li>bDSC: DSC restricted to voxels within ")
                .append(fmt(ev.options().bandMm()))
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
    private static void appendCasePictures(
            StringBuilder h, Evaluator.Evaluation ev, Evaluator.CaseInfo c, String anchor) {
        h.append("<h3 id=\"")
                .append(anchor)
                .append(esc(c.id()))
                .append("\">")
                .append(esc(c.id()))
                .append(" <small>(")
                .append(esc(c.defectType()))
                .append(", midline share ")
                .append(fmt(c.midlineShare()))
                .append(")</small></h3>\n");
        for (String m : ev.methods()) {
            Evaluator.CaseResult r = result(ev, c.id(), m);
            if (r == null) continue;
            h.append("<figure>");
            if (r.image() != null) {
                h.append("<img alt=\"")
                        .append(esc(c.id() + " " + m))
                        .append("\" src=\"data:image/png;base64,")
                        .append(base64(ev.options().outDir().resolve(r.image())))
                        .append("\">");
            }
            h.append("<figcaption><b>")
                    .append(esc(m))
                    .append("</b>: DSC ")
                    .append(fmt(r.metrics().get("dice")))
                    .append(", bDSC ")
                    .append(fmt(r.metrics().get("boundary_dice")))
                    .append(", HD95 ")
                    .append(fmt(r.metrics().get("hd95_mm")))
                    .append(" mm, r ")
                    .append(fmt(r.metrics().get("error_rate_pct")))
                    .append(" %")
                    .append(r.note().isEmpty() ? "" : "<br>" + esc(r.note()))
                    .append("</figcaption></figure>\n");
        }
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
