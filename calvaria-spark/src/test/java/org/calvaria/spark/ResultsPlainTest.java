package org.calvaria.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.calvaria.Json;
import org.junit.jupiter.api.Test;

/**
 * A design report reaches the results table through its JSON tree ({@link Results#plain}): the row must be the one the
 * report's former {@code Map} gave, with the same column names, value types (int, long, double) and cells.
 */
class ResultsPlainTest {
    @Test
    void theJsonTreeFlattensLikeTheMapItCameFrom() {
        Map<String, Object> implant = new LinkedHashMap<>();
        implant.put("voxels", 20836L);
        implant.put("volumeMl", 36.004608);
        implant.put("boundingBoxSizeMm", new double[] {71.98, 64.41, 48.13});
        implant.put("components", 1);
        implant.put("watertight", true);
        Map<String, Object> fit = new LinkedHashMap<>();
        fit.put("boundingBoxSizeMm", new double[] {Double.NaN, Double.NaN, Double.NaN});
        fit.put("scaleMm", new double[] {0, 10});
        Map<String, Object> seconds = new LinkedHashMap<>();
        seconds.put("map back", 0.39);
        seconds.put("total", 1.4);
        Map<String, Object> hole = new LinkedHashMap<>();
        hole.put("region", "frontal");
        hole.put("centre_mm", new double[] {0.889, -51.374, 60.2});
        hole.put("area_mm2", 4373L);
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("threshold", 0.5);
        report.put("smoothIterations", 10);
        report.put("implant", implant);
        report.put("fitCheck", fit);
        report.put("secondsPerStage", seconds);
        report.put("holes", List.of(hole));
        report.put("uniformThicknessMm", null);
        report.put("objects", List.of("implant", "fit-check"));

        Map<String, Object> fromMap = new LinkedHashMap<>(), fromTree = new LinkedHashMap<>();
        Results.flatten("", report, fromMap);
        Results.flatten("", Results.plain(Json.MAPPER.valueToTree(report)), fromTree);
        assertEquals(
                fromMap.keySet().stream().toList(), fromTree.keySet().stream().toList());
        for (String k : fromMap.keySet()) {
            Object a = fromMap.get(k), b = fromTree.get(k);
            assertEquals(a == null ? null : a.getClass(), b == null ? null : b.getClass(), k);
            assertEquals(a, b, k);
        }
    }
}
