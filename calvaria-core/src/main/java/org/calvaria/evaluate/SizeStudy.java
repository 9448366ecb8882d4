package org.calvaria.evaluate;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.calvaria.CalvariaException;
import org.calvaria.Progress;
import org.calvaria.Provenance;
import org.calvaria.defects.Defect;
import org.calvaria.defects.DefectGenerator;
import org.calvaria.defects.DefectType;
import org.calvaria.files.Outputs;
import org.calvaria.volume.MaskVolume;

/**
 * The defect-size study of Wu et al. (2022): for defects removing 5 % to 45 % of the upper cranium, of each mask type,
 * how well are they filled? Defects are cut from complete skulls, the implant is designed from the defective skull
 * alone, and Dice and the volumetric error rate r are measured against the removed bone on the skull's own grid.
 * The model counts as satisfactory up to the largest size at which the mean Dice (over types) is at least a stated
 * bar and every smaller size passes too.
 */
public final class SizeStudy {
    /** One designed defect. */
    public record Row(
            String skull,
            String type,
            double targetFraction,
            double achievedFraction,
            double dice,
            double errorRatePct,
            double seconds) {}

    /** The study's results and the size limit found. */
    public record Result(
            List<Row> rows,
            List<Double> fractions,
            List<DefectType> types,
            double satisfactoryDice,
            double satisfactoryUpTo) {
        /** Mean of a metric over rows of one type (null = all types) and one target fraction. */
        public double mean(String type, double fraction, boolean dice) {
            double sum = 0;
            int n = 0;
            for (Row r : rows) {
                if (Math.abs(r.targetFraction() - fraction) > 1e-9) continue;
                if (type != null && !r.type().equals(type)) continue;
                sum += dice ? r.dice() : r.errorRatePct();
                n++;
            }
            return n == 0 ? Double.NaN : sum / n;
        }
    }

    private SizeStudy() {}

    /**
     * Runs the study. {@code designer} turns a defective skull into an implant on the same grid.
     *
     * @param skulls complete skulls by name
     */
    public static Result run(
            Map<String, MaskVolume> skulls,
            List<DefectType> types,
            List<Double> fractions,
            Function<MaskVolume, MaskVolume> designer,
            long seed,
            double satisfactoryDice) {
        if (skulls.isEmpty()) throw new CalvariaException("the size study needs at least one complete skull");
        List<Row> rows = new ArrayList<>();
        try (Progress p = Progress.start("size study", (long) skulls.size() * types.size() * fractions.size())) {
            int skullIndex = 0;
            for (Map.Entry<String, MaskVolume> e : skulls.entrySet()) {
                for (int ti = 0; ti < types.size(); ti++) {
                    for (int fi = 0; fi < fractions.size(); fi++) {
                        DefectType type = types.get(ti);
                        double f = fractions.get(fi);
                        long cellSeed = seed * 1_000_003L + skullIndex * 10_007L + ti * 101L + fi;
                        long t0 = System.nanoTime();
                        Defect d = new DefectGenerator(cellSeed).cut(e.getValue(), type, f);
                        MaskVolume implant = designer.apply(d.defective());
                        double seconds = (System.nanoTime() - t0) / 1e9;
                        rows.add(new Row(
                                e.getKey(),
                                type.cliName(),
                                f,
                                d.achievedFraction(),
                                Metrics.dice(implant, d.implant()),
                                Metrics.volumetricErrorRatePct(implant, d.implant()),
                                seconds));
                        p.message(String.format(Locale.ROOT, "%s %s %.0f%%", e.getKey(), type.cliName(), 100 * f));
                        p.step();
                    }
                }
                skullIndex++;
            }
        }
        Result partial = new Result(rows, fractions, types, satisfactoryDice, Double.NaN);
        double upTo = Double.NaN;
        for (double f : fractions.stream().sorted().toList()) {
            if (partial.mean(null, f, true) >= satisfactoryDice) upTo = f;
            else break;
        }
        return new Result(rows, fractions, types, satisfactoryDice, upTo);
    }

    /** Writes size-study.csv, size-study.md (tables) and size-study.svg (Dice and r against defect size). */
    public static List<Path> write(Result r, Path outDir, String description) {
        StringBuilder csv =
                new StringBuilder("skull,type,target_fraction,achieved_fraction,dice,error_rate_pct,seconds\n");
        for (Row row : r.rows()) {
            csv.append(String.format(
                    Locale.ROOT,
                    "%s,%s,%.3f,%.4f,%.5f,%.3f,%.2f%n",
                    row.skull(),
                    row.type(),
                    row.targetFraction(),
                    row.achievedFraction(),
                    row.dice(),
                    row.errorRatePct(),
                    row.seconds()));
        }
        Path csvPath = outDir.resolve("size-study.csv");
        Path mdPath = outDir.resolve("size-study.md");
        Path svgPath = outDir.resolve("size-study.svg");
        Outputs.writeAtomically(csvPath, o -> o.write(csv.toString().getBytes(StandardCharsets.UTF_8)));
        Outputs.writeAtomically(mdPath, o -> o.write(table(r, description).getBytes(StandardCharsets.UTF_8)));
        Outputs.writeAtomically(svgPath, o -> o.write(svg(r).getBytes(StandardCharsets.UTF_8)));
        return List.of(csvPath, mdPath, svgPath);
    }

    /** Markdown: mean Dice and mean r per size (rows) and type (columns), and the size limit. */
    public static String table(Result r, String description) {
        StringBuilder sb = new StringBuilder();
        sb.append("<!-- ").append(Provenance.line("study size")).append(" -->\n");
        sb.append("Defect-size study: ").append(description).append("\n\n");
        for (boolean dice : new boolean[] {true, false}) {
            sb.append(dice ? "Implant Dice" : "Volumetric error rate r (%)")
                    .append(" by share of the upper cranium removed\n\n");
            sb.append("| size |");
            for (DefectType t : r.types()) sb.append(' ').append(t.cliName()).append(" |");
            sb.append(" all |\n|---|");
            for (int i = 0; i <= r.types().size(); i++) sb.append("---|");
            sb.append('\n');
            for (double f : r.fractions()) {
                sb.append(String.format(Locale.ROOT, "| %.0f %% |", 100 * f));
                for (DefectType t : r.types())
                    sb.append(' ')
                            .append(fmt(r.mean(t.cliName(), f, dice), dice))
                            .append(" |");
                sb.append(' ').append(fmt(r.mean(null, f, dice), dice)).append(" |\n");
            }
            sb.append('\n');
        }
        sb.append(
                Double.isNaN(r.satisfactoryUpTo())
                        ? String.format(Locale.ROOT, "No size reaches a mean Dice of %.2f.%n", r.satisfactoryDice())
                        : String.format(
                                Locale.ROOT,
                                "Satisfactory (mean Dice >= %.2f at this size and every smaller one) up to"
                                        + " %.0f %% of the upper cranium.%n",
                                r.satisfactoryDice(),
                                100 * r.satisfactoryUpTo()));
        return sb.toString();
    }

    private static String fmt(double v, boolean dice) {
        if (Double.isNaN(v)) return "-";
        return String.format(Locale.ROOT, dice ? "%.3f" : "%.1f", v);
    }

    private static final String[] COLOURS = {
        "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"
    };

    /** Two panels: mean Dice and mean r against defect size, one line per type. */
    static String svg(Result r) {
        int w = 420, h = 300, left = 50, top = 30, pw = 340, ph = 220;
        StringBuilder sb = new StringBuilder();
        sb.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"")
                .append(2 * w + 160)
                .append("\" height=\"")
                .append(h + 20)
                .append("\" font-family=\"sans-serif\" font-size=\"11\">\n");
        double maxR = 10;
        for (Row row : r.rows()) maxR = Math.max(maxR, row.errorRatePct());
        maxR = Math.ceil(maxR / 20) * 20;
        double fMin =
                r.fractions().stream().mapToDouble(Double::doubleValue).min().orElse(0);
        double fMax =
                r.fractions().stream().mapToDouble(Double::doubleValue).max().orElse(1);
        if (fMax <= fMin) fMax = fMin + 0.01;
        for (int panel = 0; panel < 2; panel++) {
            boolean dice = panel == 0;
            int ox = panel * w;
            double yMax = dice ? 1 : maxR;
            sb.append(String.format(
                    Locale.ROOT,
                    "<text x=\"%d\" y=\"18\" font-size=\"13\">%s</text>%n",
                    ox + left,
                    dice ? "implant Dice vs defect size" : "error rate r (%) vs defect size"));
            sb.append(String.format(
                    Locale.ROOT,
                    "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#888\"/>%n",
                    ox + left,
                    top,
                    pw,
                    ph));
            for (int k = 0; k <= 4; k++) {
                double v = yMax * k / 4;
                double y = top + ph - ph * k / 4.0;
                sb.append(String.format(
                        Locale.ROOT,
                        "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n",
                        ox + left - 4,
                        y + 4,
                        dice ? String.format(Locale.ROOT, "%.2f", v) : String.format(Locale.ROOT, "%.0f", v)));
            }
            for (double f : r.fractions()) {
                double x = ox + left + pw * (f - fMin) / (fMax - fMin);
                sb.append(String.format(
                        Locale.ROOT,
                        "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%.0f%%</text>%n",
                        x,
                        top + ph + 14,
                        100 * f));
            }
            if (dice && !Double.isNaN(r.satisfactoryDice())) {
                double y = top + ph - ph * r.satisfactoryDice();
                sb.append(String.format(
                        Locale.ROOT,
                        "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#aaa\""
                                + " stroke-dasharray=\"4,3\"/>%n",
                        ox + left,
                        y,
                        ox + left + pw,
                        y));
            }
            for (int ti = 0; ti <= r.types().size(); ti++) {
                String type = ti < r.types().size() ? r.types().get(ti).cliName() : null;
                String colour = type == null ? "#000" : COLOURS[ti % COLOURS.length];
                StringBuilder pts = new StringBuilder();
                for (double f : r.fractions()) {
                    double v = r.mean(type, f, dice);
                    if (Double.isNaN(v)) continue;
                    double x = ox + left + pw * (f - fMin) / (fMax - fMin);
                    double y = top + ph - ph * Math.min(v, yMax) / yMax;
                    pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
                }
                sb.append(String.format(
                        Locale.ROOT,
                        "<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"%s\"/>%n",
                        pts.toString().trim(),
                        colour,
                        type == null ? "2.5" : "1.2"));
            }
        }
        for (int ti = 0; ti <= r.types().size(); ti++) {
            String name = ti < r.types().size() ? r.types().get(ti).cliName() : "all types (mean)";
            String colour = ti < r.types().size() ? COLOURS[ti % COLOURS.length] : "#000";
            int y = top + 14 * ti;
            sb.append(String.format(
                    Locale.ROOT,
                    "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"2\"/>"
                            + "<text x=\"%d\" y=\"%d\">%s</text>%n",
                    2 * w,
                    y,
                    2 * w + 16,
                    y,
                    colour,
                    2 * w + 20,
                    y + 4,
                    name));
        }
        sb.append("</svg>\n");
        return sb.toString();
    }

    /** Default sizes: 5 % to 45 % in steps of 5 %. */
    public static List<Double> defaultFractions() {
        List<Double> f = new ArrayList<>();
        for (int p = 5; p <= 45; p += 5) f.add(p / 100.0);
        return f;
    }

    /** Keeps insertion order of skull names. */
    public static Map<String, MaskVolume> named() {
        return new LinkedHashMap<>();
    }
}
