package org.calvaria.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.calvaria.io.NrrdIO;
import org.calvaria.synth.SyntheticSkull;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's claim for {@code defects}: same seed, same bytes, once {@code SOURCE_DATE_EPOCH} fixes the creation
 * time the headers record. The variable is read from the environment, so each run is a separate JVM.
 */
class DefectsReproducibleTest {
    private static final String EPOCH = "1700000000"; // 2023-11-14T22:13:20Z

    @TempDir
    Path tmp;

    @Test
    void twoRunsWithSourceDateEpochWriteTheSameBytes() throws Exception {
        Path skull = tmp.resolve("head.nrrd");
        NrrdIO.write(new SyntheticSkull(21).rasterize(2.0, 2.0), skull);
        Path out = tmp.resolve("out"), first = tmp.resolve("first");
        run(skull, out);
        Files.move(out, first);
        // wait into the next second, so that a clock-based time would differ between the runs
        Thread.sleep(1100);
        run(skull, out); // the same output path, so that paths recorded in the files are the same too
        List<Path> files = files(first);
        assertFalse(files.isEmpty());
        assertEquals(files, files(out), "the same files");
        for (Path f : files) {
            assertArrayEquals(
                    Files.readAllBytes(first.resolve(f)),
                    Files.readAllBytes(out.resolve(f)),
                    f + " differs between the runs");
        }
        String json = Files.readString(out.resolve("head_defects.json"), StandardCharsets.UTF_8);
        assertTrue(json.contains("2023-11-14T22:13:20Z"), "SOURCE_DATE_EPOCH is the recorded time: " + json);
    }

    private static List<Path> files(Path root) throws Exception {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(Files::isRegularFile).map(root::relativize).sorted().toList();
        }
    }

    private void run(Path skull, Path out) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                "-Dcalvaria.noprogress=true",
                Main.class.getName(),
                "defects",
                skull.toString(),
                "-o",
                out.toString(),
                "--count",
                "2",
                "--type",
                "cylinder,sphere",
                "--fraction",
                "0.2",
                "--seed",
                "4",
                "--preview",
                "-q");
        pb.environment().put("SOURCE_DATE_EPOCH", EPOCH);
        File log = tmp.resolve("log.txt").toFile();
        pb.redirectErrorStream(true).redirectOutput(log);
        Process p = pb.start();
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "defects did not finish");
        assertEquals(0, p.exitValue(), Files.readString(log.toPath()));
    }
}
