package org.calvaria.web;

import java.io.IOException;
import java.nio.file.Files;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.calvaria.Provenance;

/**
 * A printable HTML page for one finished design: the case's name (as the user named the file), the threshold, the
 * figures, the verdict with its reasons, and the preview picture, embedded so that the saved page stands alone. Every
 * value is escaped; the page has no scripts.
 */
final class RunReport {
    private RunReport() {}

    static String html(DesignJob job, DesignOutcome o, Map<String, Object> verdict, Map<String, Object> jobJson) {
        StringBuilder b = new StringBuilder(8192);
        String title = "Implant design: " + job.forCase.name + ", threshold " + job.threshold;
        b.append("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>")
                .append(esc(title))
                .append("</title><style>")
                .append(
                        "body{font-family:system-ui,sans-serif;max-width:780px;margin:24px auto;color:#111;line-height:1.4}")
                .append("h1{font-size:20px}h2{font-size:16px;margin-top:20px}table{border-collapse:collapse}")
                .append("th{text-align:left;font-weight:normal;color:#555;padding:3px 16px 3px 0;vertical-align:top}")
                .append("td{padding:3px 0}.ok{border-left:5px solid #2a8a4a;padding-left:8px}")
                .append(
                        ".review{border-left:5px solid #d08a1c;padding-left:8px}img{max-width:100%;border:1px solid #ccc}")
                .append("footer{margin-top:24px;color:#666;font-size:12px}@media print{body{margin:0}}")
                .append("</style></head><body>\n");
        b.append("<h1>").append(esc(title)).append("</h1>\n<table>");
        row(b, "Case", job.forCase.name);
        row(b, "Format", job.forCase.format);
        if (job.forCase.sizes != null) {
            row(
                    b,
                    "Voxels",
                    job.forCase.sizes[0] + " × " + job.forCase.sizes[1] + " × " + job.forCase.sizes[2]
                            + String.format(
                                    Locale.ROOT,
                                    " of %.2f × %.2f × %.2f mm",
                                    job.forCase.spacingMm[0],
                                    job.forCase.spacingMm[1],
                                    job.forCase.spacingMm[2]));
        }
        Map<String, String> id = job.forCase.identity;
        if (id != null) {
            for (String k :
                    List.of("studyDate", "seriesDescription", "sliceThicknessMm", "sliceSpacingMm", "gantryTiltDeg")) {
                if (id.get(k) != null) row(b, k, id.get(k));
            }
        }
        row(b, "Threshold", String.valueOf(job.threshold));
        var made = job.request.manufacture();
        row(b, "Clearance", made.clearanceMm() + " mm");
        row(
                b,
                "Thickness",
                made.thicknessMm() != null
                        ? "uniform plate of " + made.thicknessMm() + " mm"
                        : made.minThicknessMm() > 0 ? "at least " + made.minThicknessMm() + " mm" : "as designed");
        row(
                b,
                "Mould, fit check",
                (job.request.mould() ? "mould" : "no mould") + ", "
                        + (job.request.fitCheck() ? "fit check" : "no fit check"));
        row(b, "Designed", String.valueOf(jobJson.get("finishedAt")));
        b.append("</table>\n");

        String state = String.valueOf(verdict.get("state"));
        b.append("<h2>Verdict</h2>\n<div class=\"")
                .append("ok".equals(state) ? "ok" : "review")
                .append("\"><p><b>")
                .append(esc(String.valueOf(verdict.get("headline"))))
                .append("</b></p><table>");
        row(b, "Defect", String.valueOf(verdict.get("defect")));
        Object holes = verdict.get("holes");
        if (holes instanceof List<?> hs) {
            for (Object h : hs) {
                if (h instanceof Map<?, ?> m) {
                    Object c = m.get("closedFraction");
                    row(
                            b,
                            "Closed: " + m.get("region"),
                            c instanceof Number n
                                    ? String.format(Locale.ROOT, "%.0f %%", 100 * n.doubleValue())
                                    : "not measured");
                }
            }
        }
        row(b, "Implant pieces", String.valueOf(verdict.get("pieces")));
        b.append("</table>");
        for (String key : List.of("warnings", "reasons")) {
            if (verdict.get(key) instanceof List<?> l && !l.isEmpty()) {
                b.append("<ul>");
                for (Object r : l)
                    b.append("<li>").append(esc(String.valueOf(r))).append("</li>");
                b.append("</ul>");
            }
        }
        b.append("</div>\n<h2>Implant</h2>\n<table>");
        DesignOutcome.Figures f = o.figures();
        row(b, "Volume", String.format(Locale.ROOT, "%.2f ml", f.implantVolumeMl()));
        row(b, "Surface area", String.format(Locale.ROOT, "%,.0f mm²", f.surfaceAreaMm2()));
        double[] bb = f.boundingBoxMm();
        row(b, "Bounding box", String.format(Locale.ROOT, "%.1f × %.1f × %.1f mm", bb[0], bb[1], bb[2]));
        row(b, "Time taken", String.format(Locale.ROOT, "%.1f s", f.seconds()));
        b.append("</table>\n");
        if (o.previewPng() != null && Files.isRegularFile(o.previewPng())) {
            try {
                byte[] png = Files.readAllBytes(o.previewPng());
                b.append(
                                "<h2>Pictures</h2>\n<img alt=\"Preview of the implant on the skull\" src=\"data:image/png;base64,")
                        .append(Base64.getEncoder().encodeToString(png))
                        .append("\">\n");
            } catch (IOException e) {
                b.append("<p>(the preview picture could not be read)</p>");
            }
        }
        b.append("<footer>calvaria ")
                .append(esc(Provenance.version()))
                .append(", run ")
                .append(esc(job.id))
                .append(". A design aid: every implant must be reviewed by a qualified person before use.</footer>\n");
        b.append("</body></html>\n");
        return b.toString();
    }

    private static void row(StringBuilder b, String k, String v) {
        b.append("<tr><th>").append(esc(k)).append("</th><td>").append(esc(v)).append("</td></tr>");
    }

    static String esc(String s) {
        if (s == null) return "";
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
