package org.calvaria.evaluate;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/** The figures behind the report: metric values per method, case order by Dice, midline rank correlation. */
final class ReportStatistics {
    private ReportStatistics() {}

    static List<Double> values(
            Evaluator.Evaluation ev, String method, String metric, Predicate<Evaluator.CaseInfo> which) {
        List<Double> out = new ArrayList<>();
        for (Evaluator.CaseResult r : ev.results()) {
            if (!r.method().equals(method) || !which.test(ev.info(r.caseId()))) continue;
            Double v = r.metrics().get(metric);
            if (v != null) out.add(v);
        }
        return out;
    }

    static Set<String> metricNames(Evaluator.Evaluation ev) {
        Set<String> names = new LinkedHashSet<>(Report.ALL.keySet());
        for (Evaluator.CaseResult r : ev.results()) names.addAll(r.metrics().keySet());
        return names;
    }

    static List<String> defectTypes(Evaluator.Evaluation ev) {
        Set<String> t = new LinkedHashSet<>();
        for (Evaluator.CaseInfo c : ev.cases()) t.add(c.defectType());
        return List.copyOf(t);
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

    static List<Evaluator.CaseInfo> casesByDice(Evaluator.Evaluation ev) {
        String first = ev.methods().get(0);
        List<Evaluator.CaseInfo> order = new ArrayList<>(ev.cases());
        order.sort(Comparator.comparingDouble((Evaluator.CaseInfo c) -> {
                    Evaluator.CaseResult r = result(ev, c.id(), first);
                    double d = r == null ? Double.NaN : r.metrics().getOrDefault("dice", Double.NaN);
                    return Double.isNaN(d) ? Double.POSITIVE_INFINITY : -d;
                })
                .thenComparing(Evaluator.CaseInfo::id));
        return order;
    }

    static Evaluator.CaseResult result(Evaluator.Evaluation ev, String caseId, String method) {
        for (Evaluator.CaseResult r : ev.results()) {
            if (r.caseId().equals(caseId) && r.method().equals(method)) return r;
        }
        return null;
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
        double ma = Arrays.stream(a).average().orElse(0),
                mb = Arrays.stream(b).average().orElse(0);
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
}
