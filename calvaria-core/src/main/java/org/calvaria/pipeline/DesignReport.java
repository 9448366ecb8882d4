package org.calvaria.pipeline;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How an implant was made and what it measures: the design report, written as {@code report.json} and read by the
 * console, the web app and batch runs. Jackson writes the components in the order declared here; a part marked
 * {@link JsonInclude.Include#NON_NULL} is left out when absent (a mask input has no segmentation, a single grid no
 * holes, a run without extra outputs no fit check), every other null is written as {@code null}.
 *
 * <p>The manufacturing parts ({@code thickness} to {@code threeMf}) are the entries that
 * {@link org.calvaria.manufacture.Manufacture} reports, kept as it writes them.
 */
public record DesignReport(
        String tool,
        String created,
        String input,
        String inputGrid,
        @JsonInclude(JsonInclude.Include.NON_NULL) Segmentation segmentation,
        Model model,
        String device,
        double threshold,
        int smoothIterations,
        NetworkGrid networkGrid,
        @JsonInclude(JsonInclude.Include.NON_NULL) List<HoleReport> holes,
        Implant implant,
        Map<String, Double> secondsPerStage,
        @JsonInclude(JsonInclude.Include.NON_NULL) Map<String, Object> thickness,
        @JsonInclude(JsonInclude.Include.NON_NULL) Map<String, Object> clearance,
        @JsonInclude(JsonInclude.Include.NON_NULL) Map<String, Object> manufacture,
        @JsonInclude(JsonInclude.Include.NON_NULL) Map<String, Object> fitCheck,
        @JsonInclude(JsonInclude.Include.NON_NULL) Map<String, Object> thicknessMap,
        @JsonInclude(JsonInclude.Include.NON_NULL) Map<String, Object> mould,
        @JsonInclude(JsonInclude.Include.NON_NULL) Map<String, Object> threeMf,
        List<String> warnings,
        List<OutputFile> outputs) {

    /** How a CT was turned into a skull mask. */
    public record Segmentation(String settings, long boneVoxels, int componentsBeforeCleaning) {}

    /** The completion model used. */
    public record Model(
            String name,
            String architecture,
            String grid,
            String trainingData,
            String licence,
            Map<String, Object> metrics,
            String created) {}

    /**
     * Where the network's grid lay: with one grid for the whole vault, the implant's share inside it; with one grid
     * per hole, the placement and the worst share of a hole's rim inside its grid.
     */
    public record NetworkGrid(
            String geometry,
            double[] vertexMm,
            @JsonInclude(JsonInclude.Include.NON_NULL) Double implantFractionInsideGrid,
            @JsonInclude(JsonInclude.Include.NON_NULL) String placement,
            @JsonInclude(JsonInclude.Include.NON_NULL) Double holeRimFractionInsideGrids) {}

    /** One hole found: where it is ({@link org.calvaria.normalise.Hole.Report}) and how the design met it. */
    public record HoleReport(
            @JsonUnwrapped org.calvaria.normalise.Hole.Report hole,
            boolean designed,
            double rimFractionInsideGrid,
            double closedFraction,
            @JsonInclude(JsonInclude.Include.NON_NULL) String grid) {}

    /** The implant's measurements: voxels on the input grid, and its mesh (millimetres, LPS). */
    public record Implant(
            long voxels,
            double volumeMl,
            double meshVolumeMl,
            double surfaceAreaMm2,
            double[] boundingBoxMinMm,
            double[] boundingBoxMaxMm,
            double[] boundingBoxSizeMm,
            int components,
            int triangles,
            boolean watertight,
            long overlapWithDefectiveVoxels) {}

    /** One file written, named relative to the report's folder, with its SHA-256 and size. */
    public record OutputFile(String file, String sha256, long bytes) {}

    /** The manufacturing entries' names, in the order they are written. */
    static final List<String> MANUFACTURE_KEYS =
            List.of("thickness", "clearance", "manufacture", "fitCheck", "thicknessMap", "mould", "threeMf");

    /** This report with the manufacturing entries (named as in {@link #MANUFACTURE_KEYS}) of {@code entries}. */
    @SuppressWarnings("unchecked")
    DesignReport withManufacturing(Map<String, Object> entries) {
        for (String k : entries.keySet()) {
            if (!MANUFACTURE_KEYS.contains(k)) {
                throw new IllegalStateException("the design report has no place for the manufacturing entry '" + k
                        + "'; add it to DesignReport");
            }
        }
        java.util.function.Function<String, Map<String, Object>> get = k -> (Map<String, Object>) entries.get(k);
        return new DesignReport(
                tool,
                created,
                input,
                inputGrid,
                segmentation,
                model,
                device,
                threshold,
                smoothIterations,
                networkGrid,
                holes,
                implant,
                secondsPerStage,
                get.apply("thickness"),
                get.apply("clearance"),
                get.apply("manufacture"),
                get.apply("fitCheck"),
                get.apply("thicknessMap"),
                get.apply("mould"),
                get.apply("threeMf"),
                warnings,
                outputs);
    }

    /** This report with its warnings and output files. */
    DesignReport withWarningsAndOutputs(List<String> w, List<OutputFile> o) {
        return new DesignReport(
                tool,
                created,
                input,
                inputGrid,
                segmentation,
                model,
                device,
                threshold,
                smoothIterations,
                networkGrid,
                holes,
                implant,
                secondsPerStage,
                thickness,
                clearance,
                manufacture,
                fitCheck,
                thicknessMap,
                mould,
                threeMf,
                w,
                o);
    }

    /** One line summarising the implant, for the console. */
    public String summary() {
        double[] size = implant.boundingBoxSizeMm();
        return String.format(
                Locale.ROOT,
                "implant %.2f ml, %.0f mm^2, %.1f x %.1f x %.1f mm, %s component(s), %s",
                implant.volumeMl(),
                implant.surfaceAreaMm2(),
                size[0],
                size[1],
                size[2],
                implant.components(),
                implant.watertight() ? "watertight" : "NOT watertight");
    }
}
