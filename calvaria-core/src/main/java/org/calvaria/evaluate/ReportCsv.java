package org.calvaria.evaluate;

import java.util.Locale;
import java.util.Map;

/** {@code metrics.csv}: one row per case, method and metric (NaN = undefined). */
final class ReportCsv {
    private ReportCsv() {}

    static String csv(Evaluator.Evaluation ev) {
        StringBuilder sb = new StringBuilder("case,method,metric,value\n");
        for (Evaluator.CaseResult r : ev.results()) {
            for (Map.Entry<String, Double> e : r.metrics().entrySet()) {
                sb.append(csvField(r.caseId()))
                        .append(',')
                        .append(csvField(r.method()))
                        .append(',')
                        .append(e.getKey())
                        .append(',')
                        .append(number(e.getValue()))
                        .append('\n');
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
}
