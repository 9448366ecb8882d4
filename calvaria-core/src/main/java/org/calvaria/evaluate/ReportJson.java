package org.calvaria.evaluate;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.function.Predicate;
import org.calvaria.Json;
import org.calvaria.Provenance;

/** {@code summary.json}: statistics per method and metric, per defect type and per midline group. */
final class ReportJson {
    private ReportJson() {}

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
        for (String type : ReportStatistics.defectTypes(ev)) {
            ObjectNode t = byType.putObject(type);
            for (String m : ev.methods())
                statsNode(t.putObject(m), ev, m, c -> c.defectType().equals(type));
        }
        ObjectNode spearman = root.putObject("midline_share_dice_spearman");
        for (String m : ev.methods()) Evaluator.putNumber(spearman, m, ReportStatistics.midlineSpearman(ev, m));
        ObjectNode byMidline = root.putObject("by_midline");
        for (boolean crosses : new boolean[] {true, false}) {
            ObjectNode g = byMidline.putObject(crosses ? "crosses_midline" : "one_side");
            for (String m : ev.methods()) statsNode(g.putObject(m), ev, m, c -> c.crossesMidline() == crosses);
        }
        return root;
    }

    private static void statsNode(
            ObjectNode node, Evaluator.Evaluation ev, String method, Predicate<Evaluator.CaseInfo> which) {
        for (String metric : ReportStatistics.metricNames(ev)) {
            List<Double> v = ReportStatistics.values(ev, method, metric, which);
            if (v.isEmpty()) continue;
            Report.Stats s = Report.Stats.of(v);
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
}
