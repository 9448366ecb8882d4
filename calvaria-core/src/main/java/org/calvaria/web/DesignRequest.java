package org.calvaria.web;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.calvaria.CalvariaException;
import org.calvaria.manufacture.Manufacture;
import org.calvaria.manufacture.Mould;

/**
 * What the page asks of one design: the threshold, and the manufacturing settings {@code design} takes on the command
 * line ({@code --clearance}, {@code --min-thickness}, {@code --thickness}) as the same {@link Manufacture.Options}
 * object, plus whether to make the casting mould ({@code --mould}) and the fit-check model ({@code --fit-check}).
 * The output paths of those options are not part of the request: the service puts them in the job's own folder under
 * fixed names ({@link #manufactureIn(Path)}).
 *
 * @param threshold   the completion threshold, within the service's {@link ThresholdSetting}
 * @param manufacture clearance, minimum or uniform thickness and rim rounding; no output paths
 * @param mould       make the two-part casting mould
 * @param fitCheck    make the fit-check model
 */
public record DesignRequest(double threshold, Manufacture.Options manufacture, boolean mould, boolean fitCheck) {
    /** Names in the job's folder of what the manufacturing options write (fixed: never from the request). */
    public static final String MOULD_FOLDER = "mould", FIT_CHECK_STL = "fit-check.stl", ALL_PARTS_3MF = "implant.3mf";

    public DesignRequest {
        Objects.requireNonNull(manufacture, "manufacture");
    }

    /** The command line's defaults: 0.5 mm clearance, at least 2 mm thick, rim rounded; no mould or fit check. */
    public static DesignRequest defaults(double threshold) {
        return new DesignRequest(threshold, Manufacture.Options.defaults(), false, false);
    }

    /** The manufacturing options with this job's output files: mould folder, fit-check STL and 3MF of all parts. */
    public Manufacture.Options manufactureIn(Path outputFolder) {
        Manufacture.Options m = manufacture;
        return new Manufacture.Options(
                m.clearanceMm(),
                m.minThicknessMm(),
                m.thicknessMm(),
                fitCheck ? outputFolder.resolve(FIT_CHECK_STL) : null,
                outputFolder.resolve(ALL_PARTS_3MF),
                m.fitCheckMarginMm(),
                m.rimRadiusMm(),
                null,
                null,
                mould ? outputFolder.resolve(MOULD_FOLDER) : null,
                m.mould() != null ? m.mould() : Mould.Options.defaults());
    }

    /** The settings as the page and the workspace record show them. */
    public Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("clearanceMm", manufacture.clearanceMm());
        m.put("minThicknessMm", manufacture.minThicknessMm());
        m.put("thicknessMm", manufacture.thicknessMm());
        m.put("mould", mould);
        m.put("fitCheck", fitCheck);
        return m;
    }

    /** The page's controls for the manufacturing settings: defaults and ranges as {@code design} checks them. */
    static Map<String, Object> settingsForPage() {
        Manufacture.Options d = Manufacture.Options.defaults();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put(
                "clearanceMm",
                control(
                        d.clearanceMm(),
                        0,
                        5,
                        0.1,
                        "Gap left between the implant's edge and the bone,"
                                + " so the cast part drops into the hole (only bone-facing surfaces move; 0 keeps the designed shape)."));
        m.put(
                "minThicknessMm",
                control(
                        d.minThicknessMm(),
                        0,
                        10,
                        0.5,
                        "Places thinner than this are thickened"
                                + " inward, towards the brain, never outward (0 = off; 2 mm suits PMMA)."));
        m.put(
                "thicknessMm",
                control(
                        null,
                        1,
                        15,
                        0.5,
                        "A plate of this constant thickness following the outer"
                                + " surface instead (e.g. 4 or 5 mm); empty keeps the designed thickness."));
        return m;
    }

    private static Map<String, Object> control(Double value, double min, double max, double step, String help) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("default", value);
        m.put("min", min);
        m.put("max", max);
        m.put("step", step);
        m.put("help", help);
        return m;
    }

    /**
     * Reads the design request's JSON body: {@code {"threshold": 0.5, "clearanceMm": 0.5, "minThicknessMm": 2,
     * "thicknessMm": null, "mould": true, "fitCheck": true}}; every field may be left out (defaults as
     * {@code design}'s: no mould or fit check unless asked for). A value that is not a number, or one {@code design} would refuse, is a 400 with one line.
     */
    static DesignRequest parse(JsonNode json, ThresholdSetting setting) {
        if (json == null || !json.isObject()) {
            throw HttpError.badRequest("the request body must be a JSON object like {\"threshold\": 0.5}");
        }
        double threshold = number(json, "threshold", setting.defaultValue());
        if (!setting.accepts(threshold)) {
            throw HttpError.badRequest(String.format(
                    Locale.ROOT,
                    "threshold %s is outside %s..%s",
                    fmt(threshold),
                    fmt(setting.min()),
                    fmt(setting.max())));
        }
        Manufacture.Options d = Manufacture.Options.defaults();
        double clearance = number(json, "clearanceMm", d.clearanceMm());
        double minThickness = number(json, "minThicknessMm", d.minThicknessMm());
        Double thickness = json.hasNonNull("thicknessMm") ? number(json, "thicknessMm", 0) : null;
        Manufacture.Options m = new Manufacture.Options(
                clearance,
                minThickness,
                thickness,
                null,
                null,
                d.fitCheckMarginMm(),
                d.rimRadiusMm(),
                null,
                null,
                null,
                d.mould());
        try {
            m.validate();
        } catch (CalvariaException e) {
            // The command line's message, in the page's words: "clearance must be 0..5 mm, got 7.0"
            throw HttpError.badRequest(e.getMessage()
                    .replace("--clearance", "clearance")
                    .replace("--min-thickness", "minimum thickness")
                    .replace("--thickness", "thickness"));
        }
        return new DesignRequest(threshold, m, flag(json, "mould"), flag(json, "fitCheck"));
    }

    /**
     * The request saved in a workspace's run record; a record without settings is from before the page had them,
     * when designs were made without clearance, thickening, mould or fit check.
     */
    static DesignRequest fromRecord(double threshold, JsonNode settings) {
        if (settings == null || !settings.isObject()) {
            return new DesignRequest(threshold, Manufacture.Options.none(), false, false);
        }
        try {
            ThresholdSetting any = new ThresholdSetting("Threshold", 0.5, 0, 1, 0.05, "");
            com.fasterxml.jackson.databind.node.ObjectNode o = settings.deepCopy();
            o.put("threshold", Math.max(0, Math.min(1, threshold)));
            DesignRequest r = parse(o, any);
            return new DesignRequest(threshold, r.manufacture(), r.mould(), r.fitCheck());
        } catch (HttpError e) {
            return new DesignRequest(threshold, Manufacture.Options.none(), false, false);
        }
    }

    private static double number(JsonNode json, String field, double otherwise) {
        if (!json.has(field) || json.get(field).isNull()) return otherwise;
        JsonNode v = json.get(field);
        if (!v.isNumber()) throw HttpError.badRequest(field + " must be a number");
        return v.asDouble();
    }

    private static boolean flag(JsonNode json, String field) {
        if (!json.has(field) || json.get(field).isNull()) return false;
        if (!json.get(field).isBoolean()) throw HttpError.badRequest(field + " must be true or false");
        return json.get(field).asBoolean();
    }

    static String fmt(double v) {
        String s = String.format(Locale.ROOT, "%.4f", v).replaceAll("0+$", "");
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }
}
