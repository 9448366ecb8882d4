package org.calvaria.cli;

import static org.calvaria.testing.CliRun.run;
import static org.junit.jupiter.api.Assertions.*;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.calvaria.io.NrrdIO;
import org.calvaria.testing.CliRun.Result;
import org.calvaria.testing.SharedData;
import org.calvaria.volume.Geometry;
import org.calvaria.volume.MaskVolume;
import org.calvaria.volume.ShortVolume;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

        Result r = run(
                "convert",
                d.resolve("cranium.nhdr").toString(),
                d.resolve("cranium_matrix.nhdr").toString(),
                "--type",
                "float");

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

        Result r = run(
                "convert",
                d.resolve("in.nhdr").toString(),
                d.resolve("out.nhdr").toString(),
                "--type",
                "int16");

        assertOneLineFailure(r, "out.raw.gz");
        assertEquals(before, sha256(d.resolve("out.raw.gz")));
        assertEquals(List.of("in.nhdr", "out.raw.gz"), names(d));
        // a detached output beside it that writes other files is fine
        assertEquals(
                0,
                run(
                                "convert",
                                d.resolve("in.nhdr").toString(),
                                d.resolve("copy.nhdr").toString())
                        .exitCode());
        assertEquals(before, sha256(d.resolve("out.raw.gz")));
    }

    @Test
    void segmentAndMeshCheckTheInputsDataFileToo() throws Exception {
        Path d = Files.createDirectories(tmp.resolve("seg"));
        NrrdIO.write(volume(), d.resolve("skull.nhdr"));
        Files.move(d.resolve("skull.nhdr"), d.resolve("ct.nhdr"));
        // ct.nhdr's data is skull.raw.gz: 'segment -o skull.nhdr' would write over it
        Result r = run(
                "segment",
                d.resolve("ct.nhdr").toString(),
                "-o",
                d.resolve("skull.nhdr").toString());
        assertOneLineFailure(r, "skull.raw.gz");
        r = run(
                "voxelize",
                d.resolve("x.stl").toString(),
                "--like",
                d.resolve("ct.nhdr").toString(),
                "-o",
                d.resolve("skull.nhdr").toString());
        assertOneLineFailure(r, "skull.raw.gz");
        assertEquals(List.of("ct.nhdr", "skull.raw.gz"), names(d));
    }

    @Test
    void designRefusesTwoOutputsOnOneFile() throws Exception {
        Path d = Files.createDirectories(tmp.resolve("design"));
        Path in = d.resolve("in.nrrd");
        NrrdIO.write(new MaskVolume(Geometry.axisAligned(12, 12, 12, 1)), in);

        Result r = run(
                "design",
                in.toString(),
                "-o",
                d.resolve("b.stl").toString(),
                "--report",
                d.resolve("b.stl").toString());
        assertOneLineFailure(r, "b.stl");
        assertTrue(r.err().contains("given twice"), r.err());

        // the same file under two spellings
        r = run(
                "design",
                in.toString(),
                "-o",
                d.resolve("b.stl").toString(),
                "--preview",
                d.resolve("sub/../b.stl").toString());
        assertOneLineFailure(r, "same file");

        // a detached implant mask writes m.raw.gz beside m.nhdr: the report may not go there
        r = run(
                "design",
                in.toString(),
                "-o",
                d.resolve("b.stl").toString(),
                "--nrrd",
                d.resolve("m.nhdr").toString(),
                "--report",
                d.resolve("m.raw.gz").toString());
        assertOneLineFailure(r, "m.raw.gz");

        // nor over the model it reads
        Path model = d.resolve("model.calvaria-model");
        Files.writeString(model, "not a model");
        r = run(
                "design",
                in.toString(),
                "-o",
                d.resolve("b.stl").toString(),
                "--report",
                model.toString(),
                "--model",
                model.toString());
        assertOneLineFailure(r, "is the input file");
        assertEquals("not a model", Files.readString(model));
        assertEquals(List.of("in.nrrd", "model.calvaria-model"), names(d));
    }

    @Test
    void meshRefusesMeshAndPointsOnOneFile() throws Exception {
        Path d = Files.createDirectories(tmp.resolve("mesh"));
        Path in = d.resolve("in.nrrd");
        NrrdIO.write(new MaskVolume(Geometry.axisAligned(12, 12, 12, 1)), in);
        Result r = run(
                "mesh",
                in.toString(),
                "-o",
                d.resolve("s.ply").toString(),
                "--points",
                d.resolve("s.ply").toString());
        assertOneLineFailure(r, "given twice");
        assertEquals(List.of("in.nrrd"), names(d));
    }

    @Test
    void defectsNeverWriteOverAFileTheSkullIsMadeOf() throws Exception {
        // the skull's header keeps its voxels where 'defects' would write its first implant
        Path d = Files.createDirectories(tmp.resolve("defects"));
        Path implantDir = Files.createDirectories(d.resolve("implant"));
        Files.writeString(
                d.resolve("s.nhdr"),
                "NRRD0004\ntype: uint8\ndimension: 3\nsizes: 4 4 4\nspacings: 1 1 1\n"
                        + "encoding: raw\ndata file: implant/s_00.nrrd\n\n",
                StandardCharsets.ISO_8859_1);
        Files.write(implantDir.resolve("s_00.nrrd"), new byte[64]);
        Result r = run("defects", d.resolve("s.nhdr").toString(), "-o", d.toString(), "--count", "1");
        assertOneLineFailure(r, "s_00.nrrd");
        assertTrue(r.err().contains("would overwrite"), r.err());
        assertArrayEquals(new byte[64], Files.readAllBytes(implantDir.resolve("s_00.nrrd")));
    }

    @Test
    void folderOutputsStayOutOfTheirInputFolders() throws Exception {
        Path skulls = Files.createDirectories(tmp.resolve("data/complete_skull"));
        NrrdIO.write(new MaskVolume(Geometry.axisAligned(12, 12, 12, 1)), skulls.resolve("000.nrrd"));
        // dataset/complete_skull/ of the output would be the input folder itself
        Result r = run(
                "dataset", "build", skulls.toString(), "-o", tmp.resolve("data").toString());
        assertOneLineFailure(r, "overlaps the input folder");
        r = run(
                "train",
                "--data",
                skulls.toString(),
                "-o",
                skulls.resolve("run").toString(),
                "--epochs",
                "1");
        assertOneLineFailure(r, "overlaps the input folder");
        assertEquals(List.of("000.nrrd"), names(skulls));
        assertEquals(List.of("complete_skull"), names(tmp.resolve("data")));
    }

    private static void assertOneLineFailure(Result r, String messagePart) {
        assertEquals(1, r.exitCode(), "exit code; stderr: " + r.err());
        assertEquals(1, r.errLines().size(), "one error line: " + r.err());
        assertTrue(
                r.err().startsWith("error: ") && r.err().contains(messagePart),
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
