package org.calvaria.evaluate;

import static org.calvaria.evaluate.ReportHtml.esc;
import static org.calvaria.evaluate.ReportHtml.fmt;
import static org.calvaria.evaluate.ReportStatistics.defectTypes;
import static org.calvaria.evaluate.ReportStatistics.values;

import java.util.List;
import java.util.Locale;

/** The report's SVG charts: box plots per defect type and the DSC-against-midline-share scatter. */
final class SvgCharts {
    /** One colour per method, in the order of the evaluation's methods (also the HTML legend's swatches). */
    static final String[] COLOURS = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"};

    private SvgCharts() {}

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
        s.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"")
                .append(width)
                .append("\" height=\"")
                .append(height)
                .append("\" font-family=\"sans-serif\" font-size=\"11\">");
        s.append("<text x=\"4\" y=\"14\" font-size=\"13\" font-weight=\"bold\">")
                .append(esc(label))
                .append("</text>");
        for (int t = 0; t <= 4; t++) {
            double v = lo + (hi - lo) * t / 4;
            double yy = y.applyAsDouble(v);
            s.append(String.format(
                    Locale.ROOT,
                    "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>",
                    left,
                    width - 10,
                    yy,
                    yy));
            s.append(String.format(
                    Locale.ROOT,
                    "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>",
                    left - 4,
                    yy + 4,
                    esc(fmt(v))));
        }
        for (int gi = 0; gi < types.size(); gi++) {
            String type = types.get(gi);
            int gx = left + gi * (groupW + gapG) + gapG / 2;
            s.append(String.format(
                    Locale.ROOT,
                    "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>",
                    gx + groupW / 2,
                    top + plotH + 16,
                    esc(type)));
            for (int mi = 0; mi < methods.size(); mi++) {
                List<Double> v =
                        values(ev, methods.get(mi), metric, c -> c.defectType().equals(type));
                double[] d = v.stream()
                        .filter(x -> !Double.isNaN(x))
                        .mapToDouble(Double::doubleValue)
                        .sorted()
                        .toArray();
                if (d.length == 0) continue;
                String col = COLOURS[mi % COLOURS.length];
                int x0 = gx + mi * (boxW + gapM);
                double q1 = y.applyAsDouble(Metrics.percentileSorted(d, 25));
                double q3 = y.applyAsDouble(Metrics.percentileSorted(d, 75));
                double med = y.applyAsDouble(Metrics.percentileSorted(d, 50));
                double p5 = y.applyAsDouble(Metrics.percentileSorted(d, 5));
                double p95 = y.applyAsDouble(Metrics.percentileSorted(d, 95));
                int cx = x0 + boxW / 2;
                s.append(String.format(
                        Locale.ROOT,
                        "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"/>",
                        cx,
                        cx,
                        p5,
                        p95,
                        col));
                s.append(String.format(
                        Locale.ROOT,
                        "<rect x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%.1f\" fill=\"%s\""
                                + " fill-opacity=\"0.25\" stroke=\"%s\"/>",
                        x0,
                        q3,
                        boxW,
                        Math.max(0.5, q1 - q3),
                        col,
                        col));
                s.append(String.format(
                        Locale.ROOT,
                        "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"" + " stroke-width=\"2\"/>",
                        x0,
                        x0 + boxW,
                        med,
                        med,
                        col));
                for (int k = 0; k < d.length; k++) {
                    double jitter = ((k * 7919) % 13 - 6) * boxW / 30.0;
                    s.append(String.format(
                            Locale.ROOT,
                            "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2\" fill=\"%s\"/>",
                            cx + jitter,
                            y.applyAsDouble(d[k]),
                            col));
                }
            }
        }
        s.append("</svg>\n");
        return s.toString();
    }

    /** DSC of every case against the share of its defect beyond the midline, one colour per method. */
    static String midlineScatter(Evaluator.Evaluation ev) {
        int left = 50, top = 24, w = 420, hgt = 200;
        StringBuilder s = new StringBuilder();
        s.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"")
                .append(left + w + 20)
                .append("\" height=\"")
                .append(top + hgt + 44)
                .append("\" font-family=\"sans-serif\" font-size=\"11\">");
        s.append("<text x=\"4\" y=\"14\" font-size=\"13\" font-weight=\"bold\">DSC against midline share</text>");
        for (int t = 0; t <= 4; t++) {
            double yy = top + hgt - hgt * t / 4.0, xx = left + w * t / 4.0;
            s.append(String.format(
                    Locale.ROOT,
                    "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                            + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%.2f</text>",
                    left,
                    left + w,
                    yy,
                    yy,
                    left - 4,
                    yy + 4,
                    t / 4.0));
            s.append(String.format(
                    Locale.ROOT,
                    "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" stroke=\"#ddd\"/>"
                            + "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%.3f</text>",
                    xx,
                    xx,
                    top,
                    top + hgt,
                    xx,
                    top + hgt + 14,
                    0.5 * t / 4.0));
        }
        s.append(String.format(
                Locale.ROOT,
                "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">share of the true implant"
                        + " on the far side of the mid-sagittal plane (0 = one side, 0.5 = centred)</text>",
                left + w / 2,
                top + hgt + 32));
        for (int mi = 0; mi < ev.methods().size(); mi++) {
            String col = COLOURS[mi % COLOURS.length];
            for (Evaluator.CaseResult r : ev.results()) {
                if (!r.method().equals(ev.methods().get(mi))) continue;
                Double d = r.metrics().get("dice");
                if (d == null || d.isNaN()) continue;
                double share = ev.info(r.caseId()).midlineShare();
                s.append(String.format(
                        Locale.ROOT,
                        "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\""
                                + " fill-opacity=\"0.8\"><title>%s %s: DSC %.3f, share %.3f</title></circle>",
                        left + w * Math.min(share, 0.5) / 0.5,
                        top + hgt - hgt * Math.max(0, Math.min(1, d)),
                        col,
                        esc(r.caseId()),
                        esc(r.method()),
                        d,
                        share));
            }
        }
        s.append("</svg>\n");
        return s.toString();
    }
}
