package org.calvaria.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.calvaria.Progress;
import org.calvaria.dataset.JsonFiles;
import org.calvaria.io.NrrdIO;
import org.calvaria.synth.SyntheticSkull;
import org.calvaria.volume.MaskVolume;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DefectsCommandTest {
    @TempDir
    static Path dir;

    static Path skullFile;
    static MaskVolume skull;

    @BeforeAll
    static void writeSkull() {
        Progress.enabled(false);
        skull = new SyntheticSkull(21).rasterize(2.0, 2.0);
        skullFile = dir.resolve("head.nrrd");
        NrrdIO.write(skull, skullFile);
    }

    @Test
    @SuppressWarnings("unchecked")
    void writesDefectsImplantsJsonAndPreviewsReproducibly() {
        Path a = dir.resolve("a"), b = dir.resolve("b");
        for (Path out : List.of(a, b)) {
            int rc = Main.run(
                    "defects",
                    skullFile.toString(),
                    "-o",
                    out.toString(),
                    "--count",
                    "3",
                    "--type",
                    "cylinder,cube",
                    "--fraction",
                    "0.2",
                    "--seed",
                    "4",
                    "--preview",
                    "--threads",
                    "2",
                    "-q");
            assertEquals(0, rc);
        }
        Map<String, Object> doc = JsonFiles.readMap(a.resolve("head_defects.json"));
        List<Map<String, Object>> defects = (List<Map<String, Object>>) doc.get("defects");
        assertEquals(3, defects.size());
        assertEquals(
                List.of("cylinder", "cube", "cylinder"),
                defects.stream().map(d -> d.get("type")).toList());
        for (Map<String, Object> d : defects) {
            String name = (String) d.get("name");
            MaskVolume def = MaskVolume.requireBinary(NrrdIO.read(a.resolve("defective_skull/" + name + ".nrrd")), "d");
            MaskVolume imp = MaskVolume.requireBinary(NrrdIO.read(a.resolve("implant/" + name + ".nrrd")), "i");
            assertTrue(def.geometry().sameGrid(skull.geometry(), 1e-9), "source grid kept");
            assertEquals(0, def.intersectionCount(imp));
            assertTrue(def.copy().or(imp).sameVoxels(skull));
            assertFalse(imp.isEmpty());
            assertEquals(0.2, ((Number) d.get("achieved_fraction")).doubleValue(), 0.02);
            assertTrue(Files.isRegularFile(a.resolve("preview/" + name + ".png")));
            MaskVolume again = MaskVolume.requireBinary(NrrdIO.read(b.resolve("implant/" + name + ".nrrd")), "i");
            assertTrue(again.sameVoxels(imp), "same seed, same implant");
        }
    }

    @Test
    void badInputsFailWithOneLineAndNoOutput() {
        Path out = dir.resolve("bad");
        assertFailure(
                2, "unknown defect type", "defects", skullFile.toString(), "-o", out.toString(), "--type", "banana");
        assertFailure(1, "out of range", "defects", skullFile.toString(), "-o", out.toString(), "--fraction", "2");
        assertFailure(
                2,
                "fraction range",
                "defects",
                skullFile.toString(),
                "-o",
                out.toString(),
                "--fraction-range",
                "0.4,0.1");
        assertFailure(2, "placement", "defects", skullFile.toString(), "-o", out.toString(), "--placement", "top");
        assertFailure(1, "", "defects", dir.resolve("missing.nrrd").toString(), "-o", out.toString());
        assertFailure(2, "", "defects", skullFile.toString());
        assertFalse(Files.exists(out) && hasFiles(out), "no partial output");
    }

    static void assertFailure(int code, String text, String... args) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        picocli.CommandLine cl = Main.commandLine();
        cl.setErr(new PrintWriter(err, true));
        int rc = cl.execute(args);
        assertEquals(code, rc, String.join(" ", args) + ": " + err);
        assertTrue(err.toString().contains(text), err.toString());
    }

    static boolean hasFiles(Path p) {
        try (Stream<Path> s = Files.walk(p)) {
            return s.anyMatch(Files::isRegularFile);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }
}
