package org.calvaria.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.calvaria.CalvariaException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingCurveTest {
    @TempDir
    Path tmp;

    @Test
    void readsTheLogSkipsAHalfWrittenRowAndDrawsIt() throws Exception {
        Path log = tmp.resolve("training-log.csv");
        Files.writeString(
                log,
                Trainer.CSV_HEADER + "\n"
                        + "1,25,1.3,1.1,0.79,0.02,1.8,70.0\n"
                        + "2,50,1.1,1.0,0.80,0.35,1.7,3600.0\n"
                        + "3,75,0.9,0.8");
        List<TrainingCurve.Point> points = TrainingCurve.read(log);
        assertEquals(2, points.size());
        assertEquals(50, points.get(1).step());
        assertEquals(0.35, points.get(1).valImplantDice(), 1e-12);
        assertEquals(1.0, points.get(1).hours(), 1e-12);
        Path png = tmp.resolve("curve.png");
        TrainingCurve.writePng(points, "test", png);
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(900, img.getWidth());
        // the implant Dice line is drawn in red somewhere
        boolean red = false;
        for (int y = 0; y < img.getHeight() && !red; y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int rgb = img.getRGB(x, y);
                if (((rgb >> 16) & 255) > 180 && ((rgb >> 8) & 255) < 60 && (rgb & 255) < 60) {
                    red = true;
                    break;
                }
            }
        }
        assertTrue(red, "no implant Dice line");
    }

    /** A log of {@code epochs} epochs whose validation implant Dice is {@code dice.applyAsDouble(epoch)}. */
    private Path log(int epochs, java.util.function.IntToDoubleFunction dice) throws Exception {
        StringBuilder b = new StringBuilder(Trainer.CSV_HEADER).append('\n');
        for (int e = 1; e <= epochs; e++) {
            b.append(String.format(
                    java.util.Locale.ROOT,
                    "%d,%d,0.3,0.3,0.93,%.6f,0.4,%d.0%n",
                    e,
                    25 * e,
                    dice.applyAsDouble(e),
                    60 * e));
        }
        return Files.writeString(tmp.resolve("log-" + epochs + ".csv"), b.toString());
    }

    @Test
    void windowMeansAverageConsecutiveEpochsFromTheFirstGiven() throws Exception {
        List<TrainingCurve.Point> points = TrainingCurve.read(log(25, e -> e / 100.0));
        assertEquals(25, points.get(24).epoch());
        List<TrainingCurve.WindowMean> m = TrainingCurve.windowMeans(points, 6, 10);
        assertEquals(2, m.size());
        assertEquals(6, m.get(0).first());
        assertEquals(15, m.get(0).last());
        assertEquals(0.105, m.get(0).mean(), 1e-12); // mean of 0.06..0.15
        assertEquals(16, m.get(1).first());
        assertEquals(25, m.get(1).last());
        assertEquals(0.205, m.get(1).mean(), 1e-12);
        assertEquals(3, TrainingCurve.windowMeans(points, 1, 10).size()); // 1-10, 11-20, 21-25
        assertEquals(0.23, TrainingCurve.windowMeans(points, 1, 10).get(2).mean(), 1e-12);
        assertThrows(CalvariaException.class, () -> TrainingCurve.windowMeans(points, 1, 0));
    }

    @Test
    void theDetailPictureDrawsEachWindowMeanAtItsHeight() throws Exception {
        // two flat windows, 0.800 and 0.820, with noise of +-0.002 around them
        List<TrainingCurve.Point> points =
                TrainingCurve.read(log(20, e -> (e <= 10 ? 0.800 : 0.820) + (e % 2 == 0 ? 0.002 : -0.002)));
        Path png = tmp.resolve("detail.png");
        TrainingCurve.writeDetailPng(points, 1, 10, "detail", png);
        BufferedImage img = ImageIO.read(png.toFile());
        // the thick mean steps are dark red (150, 0, 0): find their rows in the left and the right third
        int leftRow = meanRow(img, 100, 300), rightRow = meanRow(img, 650, 850);
        assertTrue(leftRow > 0 && rightRow > 0, "mean steps not found: " + leftRow + ", " + rightRow);
        // axis 0.795-0.825 over 330 px: 0.02 apart is 220 px; the later, higher mean is drawn higher up
        assertEquals(220, leftRow - rightRow, 6, "rows " + leftRow + " and " + rightRow);
        assertThrows(
                CalvariaException.class,
                () -> TrainingCurve.writeDetailPng(points, 20, 10, "one epoch", tmp.resolve("one.png")));
        assertTrue(Files.notExists(tmp.resolve("one.png")));
    }

    private static int meanRow(BufferedImage img, int x0, int x1) {
        for (int y = 0; y < img.getHeight(); y++) {
            int n = 0;
            for (int x = x0; x < x1; x++) {
                int rgb = img.getRGB(x, y);
                if (((rgb >> 16) & 255) > 120 && ((rgb >> 16) & 255) < 180 && ((rgb >> 8) & 255) < 40) n++;
            }
            if (n > (x1 - x0) / 2) return y + 1; // the middle row of a 3 px line
        }
        return -1;
    }

    @Test
    void plotTrainingPrintsTheMeansAndRefusesADetailPastTheLog() throws Exception {
        Path log = log(20, e -> 0.8 + e / 1000.0);
        Path png = tmp.resolve("c.png"), detail = tmp.resolve("d.png");
        java.io.StringWriter out = new java.io.StringWriter();
        String[] plot = {"plot-training", log.toString(), "-o", png.toString(), "--detail", detail.toString()};
        assertEquals(2, plotTraining(out, plot, "--detail-from-epoch", "21"));
        assertTrue(Files.notExists(png) && Files.notExists(detail), "nothing written for a bad option");
        int rc = plotTraining(out, plot, "--detail-from-epoch", "1", "--window", "5");
        assertEquals(0, rc);
        String text = out.toString();
        assertTrue(text.contains("epochs 1-5: 0.8030"), text); // mean of 0.801..0.805
        assertTrue(text.contains("epochs 16-20: 0.8180"), text);
        assertEquals(900, ImageIO.read(detail.toFile()).getWidth());
    }

    /** Runs the command line {@code args} then {@code more}, its output into {@code out}; the exit code. */
    private static int plotTraining(java.io.StringWriter out, String[] args, String... more) {
        picocli.CommandLine cl = org.calvaria.cli.Main.commandLine();
        cl.setOut(new java.io.PrintWriter(out));
        cl.setErr(new java.io.PrintWriter(new java.io.StringWriter()));
        String[] all = java.util.Arrays.copyOf(args, args.length + more.length);
        System.arraycopy(more, 0, all, args.length, more.length);
        return cl.execute(all);
    }

    @Test
    void somethingElseIsRefused() throws Exception {
        Path notLog = tmp.resolve("x.csv");
        Files.writeString(notLog, "a,b\n1,2\n");
        CalvariaException e = assertThrows(CalvariaException.class, () -> TrainingCurve.read(notLog));
        assertTrue(e.getMessage().contains("is not a training log"), e.getMessage());
    }
}
