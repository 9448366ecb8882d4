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
import org.calvaria.files.Outputs;

/**
 * The training curve as a picture: validation implant Dice and skull Dice (left axis) and the training and validation
 * losses (right axis) against optimizer steps, read from a {@value Trainer#LOG}.
 */
public final class TrainingCurve {
    /** One row of the log. */
    public record Point(
            int epoch,
            long step,
            double trainLoss,
            double valLoss,
            double valDice,
            double valImplantDice,
            double hours) {}

    /** The mean validation implant Dice of epochs {@code first..last} (epochs without a value are left out). */
    public record WindowMean(int first, int last, double mean) {}

    private TrainingCurve() {}

    /** Reads the rows of a training log; rows that do not parse (a half-written last row) are skipped. */
    public static List<Point> read(Path log) {
        List<String> lines;
        try {
            lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new CalvariaException("cannot read " + log + ": " + e.getMessage(), e);
        }
        if (lines.isEmpty() || !lines.get(0).startsWith("epoch,step,")) {
            throw new CalvariaException(log + " is not a training log (no 'epoch,step,...' header); give the"
                    + " training-log.csv a train run wrote");
        }
        List<Point> points = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",", -1);
            if (f.length < 8) continue;
            try {
                points.add(new Point(
                        Integer.parseInt(f[0]),
                        Long.parseLong(f[1]),
                        num(f[2]),
                        num(f[3]),
                        num(f[4]),
                        num(f[5]),
                        Double.parseDouble(f[7]) / 3600));
            } catch (NumberFormatException e) {
                // a half-written row
            }
        }
        if (points.isEmpty()) throw new CalvariaException(log + " has no finished epoch yet");
        return points;
    }

    private static double num(String s) {
        return s.isBlank() ? Double.NaN : Double.parseDouble(s);
    }

    /** Writes the curve as a PNG of 900 x 480 pixels. */
    public static void writePng(List<Point> points, String title, Path png) {
        int w = 900, h = 480, left = 70, right = 70, top = 40, bottom = 50;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        long maxStep = points.get(points.size() - 1).step();
        double maxLoss = 0;
        for (Point p : points) {
            if (Double.isFinite(p.trainLoss())) maxLoss = Math.max(maxLoss, p.trainLoss());
            if (Double.isFinite(p.valLoss())) maxLoss = Math.max(maxLoss, p.valLoss());
        }
        maxLoss = maxLoss <= 0 ? 1 : maxLoss * 1.05;
        int pw = w - left - right, ph = h - top - bottom;
        g.setColor(new Color(230, 230, 230));
        for (int i = 0; i <= 10; i++) {
            int y = top + ph - ph * i / 10;
            g.drawLine(left, y, left + pw, y);
        }
        g.setColor(Color.DARK_GRAY);
        g.drawRect(left, top, pw, ph);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        for (int i = 0; i <= 10; i += 2) {
            int y = top + ph - ph * i / 10;
            g.drawString(String.format(Locale.ROOT, "%.1f", i / 10.0), left - 30, y + 4);
            g.drawString(String.format(Locale.ROOT, "%.2f", maxLoss * i / 10), left + pw + 8, y + 4);
        }
        for (int i = 0; i <= 5; i++) {
            long s = maxStep * i / 5;
            int x = left + (int) (pw * (double) s / Math.max(1, maxStep));
            g.drawString(Long.toString(s), x - 10, top + ph + 18);
        }
        g.drawString(
                "optimizer steps (batch of 10 pairs each); "
                        + String.format(
                                Locale.ROOT,
                                "%.1f h of training",
                                points.get(points.size() - 1).hours()),
                left + pw / 2 - 160,
                h - 12);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        g.drawString(title, left, 24);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        series(
                g,
                points,
                Point::valImplantDice,
                1,
                maxStep,
                left,
                top,
                pw,
                ph,
                new Color(200, 30, 30),
                "validation implant Dice (left)",
                0);
        series(
                g,
                points,
                Point::valDice,
                1,
                maxStep,
                left,
                top,
                pw,
                ph,
                new Color(30, 120, 200),
                "validation skull Dice (left)",
                1);
        series(
                g,
                points,
                Point::trainLoss,
                maxLoss,
                maxStep,
                left,
                top,
                pw,
                ph,
                new Color(150, 150, 150),
                "training loss (right)",
                2);
        series(
                g,
                points,
                Point::valLoss,
                maxLoss,
                maxStep,
                left,
                top,
                pw,
                ph,
                new Color(60, 60, 60),
                "validation loss (right)",
                3);
        g.dispose();
        Outputs.writeAtomically(png, out -> {
            if (!ImageIO.write(img, "png", out)) throw new IOException("no PNG writer");
        });
    }

    /**
     * Means of the validation implant Dice over consecutive windows of {@code window} epochs, the first starting at
     * {@code fromEpoch}; the last window may be shorter. Windows with no value are left out.
     */
    public static List<WindowMean> windowMeans(List<Point> points, int fromEpoch, int window) {
        if (window < 1) throw new CalvariaException("the window must be at least 1 epoch, got " + window);
        List<WindowMean> means = new ArrayList<>();
        int lastEpoch = points.get(points.size() - 1).epoch();
        for (int first = fromEpoch; first <= lastEpoch; first += window) {
            int last = Math.min(first + window - 1, lastEpoch);
            double sum = 0;
            int n = 0;
            for (Point p : points) {
                if (p.epoch() >= first && p.epoch() <= last && Double.isFinite(p.valImplantDice())) {
                    sum += p.valImplantDice();
                    n++;
                }
            }
            if (n > 0) means.add(new WindowMean(first, last, sum / n));
        }
        return means;
    }

    /**
     * The epochs a detail picture from {@code fromEpoch} shows (those with a validation implant Dice); refused when
     * fewer than two, which draw no line.
     */
    public static List<Point> detailPoints(List<Point> points, int fromEpoch) {
        List<Point> shown = new ArrayList<>();
        for (Point p : points) {
            if (p.epoch() >= fromEpoch && Double.isFinite(p.valImplantDice())) shown.add(p);
        }
        if (shown.size() < 2) {
            throw new CalvariaException("fewer than 2 epochs with a validation implant Dice from epoch " + fromEpoch
                    + "; give an earlier --detail-from-epoch");
        }
        return shown;
    }

    /**
     * The validation implant Dice alone from {@code fromEpoch} on, against epochs, on an axis fitted to its range:
     * each epoch (thin) and the means of {@code window} epochs (thick steps). On the full curve's 0-1 axis the last
     * hundred epochs are a flat line whatever they do; this shows whether they still rise.
     */
    public static void writeDetailPng(List<Point> points, int fromEpoch, int window, String title, Path png) {
        List<Point> shown = detailPoints(points, fromEpoch);
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (Point p : shown) {
            lo = Math.min(lo, p.valImplantDice());
            hi = Math.max(hi, p.valImplantDice());
        }
        // a grid line every 0.005 (0.01 for a wide range); the axis runs between the grid lines at or beyond the data
        double tick = hi - lo > 0.08 ? 0.01 : 0.005;
        lo = Math.floor(lo / tick - 1e-9) * tick;
        hi = Math.ceil(hi / tick + 1e-9) * tick;
        if (hi - lo < 2 * tick) hi = lo + 2 * tick;
        int firstEpoch = shown.get(0).epoch(),
                lastEpoch = shown.get(shown.size() - 1).epoch();
        int w = 900, h = 420, left = 70, right = 30, top = 40, bottom = 50;
        int pw = w - left - right, ph = h - top - bottom;
        double yLo = lo, ySpan = hi - lo;
        java.util.function.IntUnaryOperator xOf =
                e -> left + (int) Math.round(pw * (e - firstEpoch) / (double) Math.max(1, lastEpoch - firstEpoch));
        java.util.function.DoubleToIntFunction yOf = v -> top + ph - (int) Math.round(ph * (v - yLo) / ySpan);
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        int lines = (int) Math.round(ySpan / tick);
        for (int i = 0; i <= lines; i++) {
            double v = lo + i * tick;
            int y = yOf.applyAsInt(v);
            g.setColor(new Color(230, 230, 230));
            g.drawLine(left, y, left + pw, y);
            g.setColor(Color.DARK_GRAY);
            g.drawString(String.format(Locale.ROOT, "%.3f", v), left - 45, y + 4);
        }
        g.drawRect(left, top, pw, ph);
        int xStep = Math.max(1, (int) Math.ceil((lastEpoch - firstEpoch) / 10.0 / 10.0) * 10);
        for (int e = (firstEpoch + xStep - 1) / xStep * xStep; e <= lastEpoch; e += xStep) {
            int x = xOf.applyAsInt(e);
            g.drawString(Integer.toString(e), x - 10, top + ph + 18);
        }
        g.drawString("epoch (" + window + "-epoch means as thick steps)", left + pw / 2 - 100, h - 12);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        g.drawString(title, left, 24);
        g.setColor(new Color(235, 130, 130));
        g.setStroke(new BasicStroke(1f));
        for (int i = 1; i < shown.size(); i++) {
            Point a = shown.get(i - 1), b = shown.get(i);
            g.drawLine(
                    xOf.applyAsInt(a.epoch()),
                    yOf.applyAsInt(a.valImplantDice()),
                    xOf.applyAsInt(b.epoch()),
                    yOf.applyAsInt(b.valImplantDice()));
        }
        g.setColor(new Color(150, 0, 0));
        g.setStroke(new BasicStroke(3f));
        for (WindowMean m : windowMeans(points, firstEpoch, window)) {
            int y = yOf.applyAsInt(m.mean());
            g.drawLine(xOf.applyAsInt(m.first()), y, xOf.applyAsInt(m.last()), y);
        }
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.fillRect(left + 12, top + 12, 14, 4);
        g.setColor(new Color(235, 130, 130));
        g.fillRect(left + 12, top + 30, 14, 2);
        g.setColor(Color.BLACK);
        g.drawString("validation implant Dice, mean of " + window + " epochs", left + 32, top + 18);
        g.drawString("validation implant Dice, each epoch", left + 32, top + 36);
        g.dispose();
        Outputs.writeAtomically(png, out -> {
            if (!ImageIO.write(img, "png", out)) throw new IOException("no PNG writer");
        });
    }

    private static void series(
            Graphics2D g,
            List<Point> points,
            java.util.function.ToDoubleFunction<Point> value,
            double max,
            long maxStep,
            int left,
            int top,
            int pw,
            int ph,
            Color color,
            String label,
            int row) {
        g.setColor(color);
        g.setStroke(new BasicStroke(2f));
        int px = -1, py = -1;
        for (Point p : points) {
            double v = value.applyAsDouble(p);
            if (!Double.isFinite(v)) continue;
            int x = left + (int) (pw * (double) p.step() / Math.max(1, maxStep));
            int y = top + ph - (int) (ph * Math.max(0, Math.min(1, v / max)));
            if (px >= 0) g.drawLine(px, py, x, y);
            px = x;
            py = y;
        }
        g.fillRect(left + 12, top + 12 + row * 18, 14, 4);
        g.setColor(Color.BLACK);
        g.drawString(label, left + 32, top + 18 + row * 18);
    }
}
