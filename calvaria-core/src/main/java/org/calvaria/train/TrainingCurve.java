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
            long step, double trainLoss, double valLoss, double valDice, double valImplantDice, double hours) {}

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
