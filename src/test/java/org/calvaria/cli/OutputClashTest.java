package org.calvaria.cli;

import org.calvaria.io.NrrdIO;
import org.calvaria.testing.CliRun.Result;
import org.calvaria.testing.SharedData;
import org.calvaria.volume.Geometry;
import org.calvaria.volume.ShortVolume;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

import static org.calvaria.testing.CliRun.run;
import static org.junit.jupiter.api.Assertions.*;

/**
 * No command writes over a file it reads (including a detached header's data file) or writes two of its outputs to
 * one file: it fails before any work with one line, exit 1, and leaves every file as it was.
 */
class OutputClashTest {
    @TempDir
    Path tmp;

    @BeforeAll
    static void noProgressBars() {
        System.setProperty("calvaria.noprogress", "true");
    }

    @Test
    void convertNeverOverwritesTheDataFileOfTheInputHeader() throws Exception {
        Path shared = SharedData.invesaliusCt();
        Path d = Files.createDirectories(tmp.resolve("d"));
        Files.copy(shared, d.resolve("cranium.nhdr"));
        Files.copy(shared.resolveSibling("cranium_matrix.raw.gz"), d.resolve("cranium_matrix.raw.gz"));
        String before = sha256(d.resolve("cranium_matrix.raw.gz"));

        Result r = run("convert", d.resolve("cranium.nhdr").toString(), d.resolve("cranium_matrix.nhdr").toString(),
                "--type", "float");

        assertOneLineFailure(r, "cranium_matrix.raw.gz");
        assertTrue(r.err().contains("data file of input"), r.err());
        assertEquals(before, sha256(d.resolve("cranium_matrix.raw.gz")), "the input's data file was overwritten");
        assertEquals(List.of("cranium.nhdr", "cranium_matrix.raw.gz"), names(d), "no output may appear");
    }

    @Test
    void convertNeverOverwritesADetachedDataFileSynthetic() throws Exception {
        // in.nhdr keeps its voxels in out.raw.gz, the very file 'out.nhdr' would write its own voxels to
        Path d = Files.createDirectories(tmp.resolve("syn"));
        NrrdIO.write(volume(), d.resolve("out.nhdr"));
        Files.move(d.resolve("out.nhdr"), d.resolve("in.nhdr"));
        String before = sha256(d.resolve("out.raw.gz"));

        Result r = run("convert", d.resolve("in.nhdr").toString(), d.resolve("out.nhdr").toString(), "--type",
                "int16");

        assertOneLineFailure(r, "out.raw.gz");
        assertEquals(before, sha256(d.resolve("out.raw.gz")));
        assertEquals(List.of("in.nhdr", "out.raw.gz"), names(d));
        // a detached output beside it that writes other files is fine
        assertEquals(0, run("convert", d.resolve("in.nhdr").toString(), d.resolve("copy.nhdr").toString()).exitCode());
        assertEquals(before, sha256(d.resolve("out.raw.gz")));
    }

    @Test
    void segmentAndMeshCheckTheInputsDataFileToo() throws Exception {
        Path d = Files.createDirectories(tmp.resolve("seg"));
        NrrdIO.write(volume(), d.resolve("skull.nhdr"));
        Files.move(d.resolve("skull.nhdr"), d.resolve("ct.nhdr"));
        // ct.nhdr's data is skull.raw.gz: 'segment -o skull.nhdr' would write over it
        Result r = run("segment", d.resolve("ct.nhdr").toString(), "-o", d.resolve("skull.nhdr").toString());
        assertOneLineFailure(r, "skull.raw.gz");
        r = run("voxelize", d.resolve("x.stl").toString(), "--like", d.resolve("ct.nhdr").toString(), "-o",
                d.resolve("skull.nhdr").toString());
        assertOneLineFailure(r, "skull.raw.gz");
        assertEquals(List.of("ct.nhdr", "skull.raw.gz"), names(d));
    }

    private static void assertOneLineFailure(Result r, String messagePart) {
        assertEquals(1, r.exitCode(), "exit code; stderr: " + r.err());
        assertEquals(1, r.errLines().size(), "one error line: " + r.err());
        assertTrue(r.err().startsWith("error: ") && r.err().contains(messagePart),
                "message should mention '" + messagePart + "': " + r.err());
    }

    private static ShortVolume volume() {
        ShortVolume v = new ShortVolume(Geometry.axisAligned(6, 5, 4, 1));
        for (int i = 0; i < v.voxelCount(); i++) v.set(i, (i % 7 == 0) ? 1200 : -1000);
        return v;
    }

    private static List<String> names(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static String sha256(Path p) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
    }
}
