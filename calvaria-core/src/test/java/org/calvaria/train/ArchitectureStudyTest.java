package org.calvaria.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.calvaria.CalvariaException;
import org.calvaria.complete.Architecture;
import org.calvaria.complete.GridSpec;
import org.calvaria.complete.ModelFile;
import org.calvaria.complete.Weights;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArchitectureStudyTest {
    static final GridSpec GRID = new GridSpec(112, 112, 40, 70);

    @TempDir
    Path tmp;

    private Path run(String name, Architecture arch, String... rows) throws IOException {
        Path dir = tmp.resolve(name);
        Files.createDirectories(dir);
        ModelFile.of(arch, GRID, Weights.glorotUniform(arch, 1)).write(dir.resolve(Trainer.MODEL));
        Files.writeString(dir.resolve(Trainer.LOG), Trainer.CSV_HEADER + "\n" + String.join("\n", rows) + "\n");
        return dir;
    }

    @Test
    void comparesAtTheShortestRunsCpuTimeWithBestSoFarDice() throws IOException {
        // the cheap run: 3 epochs in 300 CPU s; the wide run: slower per step but better at equal CPU time
        Path cheap = run(
                "cheap",
                Architecture.wu2022(),
                "1,25,0.9,0.8,0.8,0.50,0.9,50.0,100.0",
                "2,50,0.8,0.7,0.8,0.55,0.8,100.0,200.0",
                "3,75,0.7,0.7,0.8,0.54,0.8,150.0,300.0");
        Path wide = run(
                "wide",
                Architecture.named("8,16,32,64"),
                "1,25,0.9,0.8,0.8,0.52,0.9,80.0,150.0",
                "2,50,0.8,0.7,0.8,0.60,0.8,160.0,300.0",
                "3,75,0.7,0.7,0.8,0.70,0.8,240.0,450.0",
                "4,100,0.7,0.7,0.8,,,320.0,");
        ArchitectureStudy.Result r = ArchitectureStudy.of(List.of(cheap, wide));
        assertEquals(300.0, r.cpuBudget(), 1e-9, "the shortest run's CPU time; a row without cpu_seconds is ignored");
        ArchitectureStudy.Run c = r.runs().get(0), w = r.runs().get(1);
        assertEquals(0.55, c.bestDiceWithin(r.cpuBudget()), 1e-12, "best so far, not the last epoch's 0.54");
        assertEquals(0.60, w.bestDiceWithin(r.cpuBudget()), 1e-12, "the epoch at 450 CPU s is past the budget");
        assertEquals(75, c.stepsWithin(r.cpuBudget()));
        assertEquals(50, w.stepsWithin(r.cpuBudget()));
        assertEquals(4.0, c.cpuSecondsPerStep(), 1e-12);
        assertEquals(6.0, w.cpuSecondsPerStep(), 1e-12);

        String table = ArchitectureStudy.table(r);
        assertTrue(table.contains("| cheap | 8,8,4,4 / 2,4,8,16 | 8,269 |"), table);
        assertTrue(table.contains("| 0.550 |") && table.contains("| 0.600 |"), table);
        assertTrue(table.contains("0.700 (75, 0.13)"), table);
        // forward GFLOP from the architecture: the wide network costs about 3x the paper's
        double ratio = Architecture.named("8,16,32,64").forwardFlops(GRID)
                / Architecture.wu2022().forwardFlops(GRID);
        assertTrue(ratio > 2.5 && ratio < 4, "FLOP ratio " + ratio);

        Path png = tmp.resolve("study.png");
        ArchitectureStudy.writePng(r, png);
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(900, img.getWidth());
    }

    @Test
    void logsWithoutCpuTimeAndTooFewRunsAreRefused() throws IOException {
        Path old = run("old", Architecture.wu2022(), "1,25,0.9,0.8,0.8,0.50,0.9,50.0");
        Path ok = run("ok", Architecture.wu2022(), "1,25,0.9,0.8,0.8,0.50,0.9,50.0,100.0");
        CalvariaException e = assertThrows(CalvariaException.class, () -> ArchitectureStudy.of(List.of(old, ok)));
        assertTrue(e.getMessage().contains("cpu_seconds"), e.getMessage());
        assertThrows(CalvariaException.class, () -> ArchitectureStudy.of(List.of(ok)));
        assertThrows(CalvariaException.class, () -> ArchitectureStudy.read(tmp.resolve("missing")));
    }
}
