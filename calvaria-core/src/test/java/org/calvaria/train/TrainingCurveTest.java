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

    @Test
    void somethingElseIsRefused() throws Exception {
        Path notLog = tmp.resolve("x.csv");
        Files.writeString(notLog, "a,b\n1,2\n");
        CalvariaException e = assertThrows(CalvariaException.class, () -> TrainingCurve.read(notLog));
        assertTrue(e.getMessage().contains("is not a training log"), e.getMessage());
    }
}
