package org.calvaria.cli;

import static org.calvaria.testing.CliRun.run;
import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import org.calvaria.complete.ModelFile;
import org.calvaria.testing.CliRun.Result;
import org.calvaria.train.Trainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NetworkCommandsTest {
    @TempDir
    Path tmp;

    @Test
    void trainOnSyntheticDataThenResume() throws Exception {
        Path dir = tmp.resolve("run");
        Result r = run(
                "train",
                "--data",
                "synthetic",
                "-o",
                dir.toString(),
                "--grid",
                "16x16x8",
                "--height-mm",
                "70",
                "--epochs",
                "1",
                "--steps-per-epoch",
                "2",
                "--batch",
                "2",
                "--val-samples",
                "2",
                "--synthetic-skulls",
                "4",
                "--optimizer",
                "adam",
                "-q");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("model: "), r.out());
        ModelFile m = ModelFile.read(dir.resolve(Trainer.MODEL));
        assertEquals("wu2022", m.architecture().name());
        assertEquals(70, m.grid().heightMm());
        assertEquals("adam", m.training().get("optimizer"));
        r = run(
                "train",
                "--data",
                "synthetic",
                "-o",
                dir.toString(),
                "--grid",
                "16x16x8",
                "--height-mm",
                "70",
                "--epochs",
                "2",
                "--val-samples",
                "2",
                "--synthetic-skulls",
                "4",
                "--resume",
                "-q");
        assertEquals(0, r.exitCode(), r.err());
        assertEquals(3, Files.readAllLines(dir.resolve(Trainer.LOG)).size());
        // the same folder again without --resume is refused, exit 1, one line
        r = run("train", "--data", "synthetic", "-o", dir.toString(), "--grid", "16x16x8", "--height-mm", "70", "-q");
        assertEquals(1, r.exitCode());
        assertTrue(r.err().startsWith("error: ") && r.err().contains("--resume"), r.err());
    }

    @Test
    void badArgumentsFailClearly() {
        Result r = run("train", "--data", "synthetic", "-o", tmp.resolve("x").toString(), "--arch", "resnet", "-q");
        assertEquals(2, r.exitCode(), "bad usage");
        assertTrue(r.err().contains("unknown architecture"), r.err());
        assertTrue(r.err().contains("Usage: calvaria train"), "picocli's usage follows: " + r.err());
        r = run("train", "--data", "synthetic", "-o", tmp.resolve("x").toString(), "--grid", "20x16x8", "-q");
        assertEquals(2, r.exitCode(), "bad usage");
        assertTrue(r.err().contains("divisible by 8"), r.err());
        assertTrue(r.err().contains("Usage: calvaria train"), "picocli's usage follows: " + r.err());
        r = run("train", "--data", "synthetic", "-o", tmp.resolve("x").toString(), "--optimizer", "sgd", "-q");
        assertEquals(2, r.exitCode(), "bad usage");
        assertTrue(r.err().contains("adadelta or adam"), r.err());
        assertTrue(r.err().contains("Usage: calvaria train"), "picocli's usage follows: " + r.err());
        r = run(
                "train",
                "--data",
                tmp.resolve("nowhere").toString(),
                "-o",
                tmp.resolve("x").toString(),
                "-q");
        assertEquals(1, r.exitCode());
        assertTrue(r.err().contains("is not a folder"), r.err());
        r = run("train", "--data", "synthetic", "--bogus");
        assertEquals(2, r.exitCode());
        assertFalse(Files.exists(tmp.resolve("x")), "no output for failed runs");
    }

    @Test
    void benchNetIsSpelledOneWayInTheHelp() {
        Result top = run("--help");
        assertEquals(0, top.exitCode(), top.err());
        assertFalse(top.out().contains("bench-net"), "the old spelling is hidden: " + top.out());
        Result bench = run("bench", "--help");
        assertEquals(0, bench.exitCode(), bench.err());
        assertTrue(bench.out().lines().anyMatch(l -> l.strip().startsWith("net ")), bench.out());
        Result bad = run("bench", "net", "--batch", "0");
        assertEquals(2, bad.exitCode(), "a bad option value is bad usage: " + bad.err());
        assertTrue(bad.err().contains("--batch must be 1..64, got 0"), bad.err());
        assertTrue(bad.err().contains("Usage: calvaria bench net"), "picocli's usage follows: " + bad.err());
    }

    @Test
    void benchNetPrintsFiguresOnATinyGrid() {
        Result r = run(
                "bench",
                "net",
                "--grid",
                "16x16x8",
                "--batch",
                "2",
                "--repeats",
                "1",
                "--matmul-size",
                "128",
                "--threads",
                "1",
                "--design-case",
                "none",
                "-q");
        assertEquals(0, r.exitCode(), r.err());
        for (String key :
                new String[] {"forward cost:", "forward time:", "train step:", "matmul floor:", "forward / floor:"}) {
            assertTrue(r.out().contains(key), r.out());
        }
        // 16x16x8: 2*27*(8+64+64+8)*2048 + coarser levels
        assertTrue(r.out().contains("forward cost:    0.0"), r.out());
    }

    @Test
    void benchNetTimesTheDesignStagesOfAGivenSkull() throws Exception {
        org.calvaria.volume.MaskVolume skull = new org.calvaria.synth.SyntheticSkull(3).rasterize(2.0, 2.0);
        org.calvaria.defects.Defect d =
                new org.calvaria.defects.DefectGenerator(3).cut(skull, org.calvaria.defects.DefectType.SPHERE, 0.15);
        java.nio.file.Path file = tmp.resolve("defective.nrrd");
        org.calvaria.io.NrrdIO.write(d.defective(), file);
        // 'bench-net', the old spelling, still runs it
        Result r = run(
                "bench-net",
                "--grid",
                "16x16x8",
                "--batch",
                "2",
                "--repeats",
                "1",
                "--matmul-size",
                "128",
                "--threads",
                "1",
                "--design-case",
                file.toString(),
                "-q");
        assertEquals(0, r.exitCode(), r.err());
        for (String stage :
                new String[] {"design stages:", "normalise=", "complete=", "map back=", "implant=", "mesh=", "total="
                }) {
            assertTrue(r.out().contains(stage), r.out());
        }
    }
}
