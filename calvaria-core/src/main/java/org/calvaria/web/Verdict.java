package org.calvaria.web;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The verdict shown next to a design: was a defect found, how much of each hole the implant closes, in how many
 * pieces, and the pipeline's warnings. Read from the design's report, so it says exactly what the report says.
 *
 * <p>The state is {@code "ok"} only when the report names at least one hole, every hole is closed to at least
 * {@link #MIN_CLOSED} and there are no warnings; otherwise it is {@code "review"}. A report without holes (a model
 * that places one grid at the vertex and does not look for holes) is {@code "review"} too: nothing in it says whether
 * the implant closes the defect.
 */
final class Verdict {
    /** Share of a hole's directions the implant must close (the pipeline's own limit). */
    static final double MIN_CLOSED = 0.95;

    private Verdict() {}

    static Map<String, Object> of(JsonNode report) {
        Map<String, Object> v = new LinkedHashMap<>();
        List<String> reasons = new ArrayList<>();
        List<Map<String, Object>> holes = new ArrayList<>();
        JsonNode hs = report == null ? null : report.get("holes");
        boolean holesKnown = hs != null && hs.isArray();
        if (holesKnown) {
            for (JsonNode h : hs) {
                Map<String, Object> one = new LinkedHashMap<>();
                String region = h.path("region").asText("unknown region");
                one.put("region", region);
                if (h.has("area_mm2")) one.put("areaMm2", h.get("area_mm2").asDouble());
                if (h.has("designed")) one.put("designed", h.get("designed").asBoolean());
                if (h.has("closedFraction")) {
                    double c = h.get("closedFraction").asDouble();
                    one.put("closedFraction", c);
                    if (c < MIN_CLOSED) {
                        reasons.add(String.format(
                                Locale.ROOT, "the implant closes only %.0f%% of the %s hole", 100 * c, region));
                    }
                } else {
                    reasons.add("the report does not say how much of the " + region + " hole the implant closes");
                }
                holes.add(one);
            }
        }
        String defect;
        if (!holesKnown) {
            defect = "not checked: this model does not look for holes";
            reasons.add("this model does not locate the defect, so nothing checks that the implant closes it");
        } else if (holes.isEmpty()) {
            defect = "no hole found";
            reasons.add("no hole was found in the skull");
        } else {
            defect = holes.size()
                    + (holes.size() == 1 ? " hole: " : " holes: ")
                    + String.join(
                            ", ",
                            holes.stream().map(h -> (String) h.get("region")).toList());
        }
        Integer pieces = null;
        JsonNode implant = report == null ? null : report.get("implant");
        if (implant != null && implant.has("components")) {
            pieces = implant.get("components").asInt();
            if (pieces > 1 && (!holesKnown || pieces > Math.max(1, holes.size()))) {
                reasons.add("the implant is in " + pieces + " pieces");
            }
        }
        List<String> warnings = new ArrayList<>();
        JsonNode ws = report == null ? null : report.get("warnings");
        if (ws != null && ws.isArray()) for (JsonNode w : ws) warnings.add(w.asText());
        boolean ok = holesKnown && !holes.isEmpty() && reasons.isEmpty() && warnings.isEmpty();
        v.put("state", ok ? "ok" : "review");
        v.put("headline", ok ? "Defect found and closed" : "Review needed");
        v.put("defect", defect);
        v.put("holes", holes);
        v.put("pieces", pieces);
        v.put("warnings", warnings);
        v.put("reasons", reasons);
        return v;
    }
}
