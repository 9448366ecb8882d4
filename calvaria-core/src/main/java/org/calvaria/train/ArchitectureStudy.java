package org.calvaria.train;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.calvaria.CalvariaException;
import org.calvaria.complete.Architecture;
import org.calvaria.complete.GridSpec;
import org.calvaria.complete.ModelFile;
import org.calvaria.files.Outputs;

/**
 * Compares training runs of different architectures at equal compute: the validation implant Dice each run had reached
 * (best so far, as the trainer keeps the best model) when it had used the same CPU time as the shortest run.
 *
 * <p>CPU time ({@code cpu_seconds} in the log) rather than wall-clock time, because runs trained side by side on a
 * shared machine get unequal and changing shares of it; with one TensorFlow thread per run, a CPU second is a second of
 * one core, so equal CPU time is equal wall-clock time on an otherwise idle single core.
 */
public final class ArchitectureStudy {
    /** One finished epoch of a run. */
    public record Epoch(int epoch, long step, double valImplantDice, double seconds, double cpuSeconds) {}

    /** One training run: its folder name, its network and its epochs. */
    public record Run(String name, Architecture architecture, GridSpec grid, List<Epoch> epochs) {
        public Epoch last() {
            return epochs.get(epochs.size() - 1);
        }

        /** Best validation implant Dice among epochs that ended within {@code cpuBudget} seconds (NaN if none). */
        public double bestDiceWithin(double cpuBudget) {
            double best = Double.NaN;
            for (Epoch e : epochs) {
                if (e.cpuSeconds() > cpuBudget * (1 + 1e-9)) break;
                if (Double.isFinite(e.valImplantDice()) && !(e.valImplantDice() <= best)) best = e.valImplantDice();
            }
            return best;
        }

        /** Steps done within {@code cpuBudget} seconds. */
        public long stepsWithin(double cpuBudget) {
            long steps = 0;
            for (Epoch e : epochs) {
                if (e.cpuSeconds() > cpuBudget * (1 + 1e-9)) break;
                steps = e.step();
            }
            return steps;
        }

        /** CPU seconds per optimizer step, validation included (the whole run). */
        public double cpuSecondsPerStep() {
            return last().cpuSeconds() / Math.max(1, last().step());
        }
    }

    /** The study: its runs and the common CPU budget (the shortest run's CPU time). */
    public record Result(List<Run> runs, double cpuBudget) {}

    private ArchitectureStudy() {}

    /** Reads a run folder written by {@code calvaria train} (its model file and training log). */
    public static Run read(Path dir) {
        Path model = dir.resolve(Trainer.MODEL), log = dir.resolve(Trainer.LOG);
        if (!Files.isRegularFile(model) || !Files.isRegularFile(log)) {
            throw new CalvariaException(dir + " is not a training run (needs " + Trainer.MODEL + " and " + Trainer.LOG
                    + "); give folders that 'calvaria train -o' wrote, after their first epoch");
        }
        ModelFile m = ModelFile.read(model);
        List<String> lines;
        try {
            lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new CalvariaException("cannot read " + log + ": " + e.getMessage(), e);
        }
        List<Epoch> epochs = new ArrayList<>();
        for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
            String[] f = line.split(",", -1);
            if (f.length < 9 || f[8].isBlank()) continue;
            try {
                epochs.add(new Epoch(
                        Integer.parseInt(f[0]),
                        Long.parseLong(f[1]),
                        f[5].isBlank() ? Double.NaN : Double.parseDouble(f[5]),
                        Double.parseDouble(f[7]),
                        Double.parseDouble(f[8])));
            } catch (NumberFormatException e) {
                // a half-written row
            }
        }
        if (epochs.isEmpty()) {
            throw new CalvariaException(log + " has no epoch with CPU time (cpu_seconds); runs logged before that"
                    + " column existed cannot be compared at equal compute");
        }
        return new Run(dir.getFileName().toString(), m.architecture(), m.grid(), epochs);
    }

    /** The runs in folders {@code dirs}, compared at the shortest run's CPU time. */
    public static Result of(List<Path> dirs) {
        if (dirs.size() < 2) throw new CalvariaException("give at least two training runs to compare");
        List<Run> runs = new ArrayList<>();
        for (Path d : dirs) runs.add(read(d));
        double budget =
                runs.stream().mapToDouble(r -> r.last().cpuSeconds()).min().orElseThrow();
        return new Result(runs, budget);
    }

    /** A Markdown table: one row per run. */
    public static String table(Result r) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(
                Locale.ROOT,
                "Compared at equal compute: %.2f CPU hours each (one TensorFlow thread per"
                        + " run; the shortest run's total).%n%n",
                r.cpuBudget() / 3600));
        b.append("| run | widths / dilations | parameters | forward GFLOP | CPU s per step | steps at equal CPU"
                + " | val implant Dice at equal CPU | best val implant Dice (steps, CPU h) |\n");
        b.append("|---|---|---:|---:|---:|---:|---:|---|\n");
        for (Run run : r.runs()) {
            Architecture a = run.architecture();
            double bestAll = run.bestDiceWithin(Double.POSITIVE_INFINITY);
            b.append(String.format(
                    Locale.ROOT,
                    "| %s | %s / %s | %,d | %.1f | %.1f | %d | %.3f | %.3f (%d, %.2f) |%n",
                    run.name(),
                    join(a.widths()),
                    join(a.dilations()),
                    a.parameterCount(),
                    a.forwardFlops(run.grid()) / 1e9,
                    run.cpuSecondsPerStep(),
                    run.stepsWithin(r.cpuBudget()),
                    run.bestDiceWithin(r.cpuBudget()),
                    bestAll,
                    run.last().step(),
                    run.last().cpuSeconds() / 3600));
        }
        return b.toString();
    }

    /** The curves: validation implant Dice against CPU hours, one line per run, as a 900 x 480 PNG. */
    public static void writePng(Result r, Path png) {
        int w = 900, h = 480, left = 70, right = 30, top = 40, bottom = 50;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        double maxCpu = r.runs().stream()
                        .mapToDouble(run -> run.last().cpuSeconds())
                        .max()
                        .orElse(1)
                / 3600;
        double lo = 1, hi = 0;
        for (Run run : r.runs()) {
            for (Epoch e : run.epochs()) {
                if (!Double.isFinite(e.valImplantDice())) continue;
                lo = Math.min(lo, e.valImplantDice());
                hi = Math.max(hi, e.valImplantDice());
            }
        }
        lo = Math.max(0, Math.floor(lo * 10) / 10);
        hi = Math.min(1, Math.ceil(hi * 10) / 10);
        if (hi <= lo) hi = lo + 0.1;
        int pw = w - left - right, ph = h - top - bottom;
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        for (int i = 0; i <= 5; i++) {
            int y = top + ph - ph * i / 5;
            g.setColor(new Color(230, 230, 230));
            g.drawLine(left, y, left + pw, y);
            g.setColor(Color.DARK_GRAY);
            g.drawString(String.format(Locale.ROOT, "%.2f", lo + (hi - lo) * i / 5), left - 40, y + 4);
            int x = left + pw * i / 5;
            g.drawString(String.format(Locale.ROOT, "%.2f", maxCpu * i / 5), x - 12, top + ph + 18);
        }
        g.drawRect(left, top, pw, ph);
        int budgetX = left + (int) (pw * r.cpuBudget() / 3600 / maxCpu);
        g.setColor(new Color(160, 160, 160));
        g.drawLine(budgetX, top, budgetX, top + ph);
        g.setColor(Color.DARK_GRAY);
        g.drawString("CPU hours (one thread per run); grey line: equal compute", left + pw / 2 - 150, h - 12);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        g.drawString("Validation implant Dice against compute", left, 24);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        Color[] colours = {
            new Color(200, 30, 30),
            new Color(30, 120, 200),
            new Color(40, 160, 60),
            new Color(150, 60, 180),
            new Color(230, 140, 20),
            new Color(60, 60, 60)
        };
        for (int k = 0; k < r.runs().size(); k++) {
            Run run = r.runs().get(k);
            g.setColor(colours[k % colours.length]);
            g.setStroke(new BasicStroke(2f));
            int px = -1, py = -1;
            for (Epoch e : run.epochs()) {
                if (!Double.isFinite(e.valImplantDice())) continue;
                int x = left + (int) (pw * e.cpuSeconds() / 3600 / maxCpu);
                int y = top + ph - (int) (ph * Math.max(0, Math.min(1, (e.valImplantDice() - lo) / (hi - lo))));
                if (px >= 0) g.drawLine(px, py, x, y);
                px = x;
                py = y;
            }
            g.fillRect(left + 12, top + 12 + k * 18, 14, 4);
            g.setColor(Color.BLACK);
            g.drawString(run.name() + " (" + join(run.architecture().widths()) + ")", left + 32, top + 18 + k * 18);
        }
        g.dispose();
        Outputs.writeAtomically(png, out -> {
            if (!ImageIO.write(img, "png", out)) throw new IOException("no PNG writer");
        });
    }

    private static String join(int[] a) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < a.length; i++) b.append(i == 0 ? "" : ",").append(a[i]);
        return b.toString();
    }
}
