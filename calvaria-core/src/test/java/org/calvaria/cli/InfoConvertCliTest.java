package org.calvaria.cli;

import static org.calvaria.testing.CliRun.run;
import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.calvaria.Provenance;
import org.calvaria.io.NiftiIO;
import org.calvaria.io.NrrdIO;
import org.calvaria.io.VolumeIO;
import org.calvaria.testing.CliRun.Result;
import org.calvaria.testing.DicomFixtures;
import org.calvaria.testing.SharedData;
import org.calvaria.volume.Geometry;
import org.calvaria.volume.MaskVolume;
import org.calvaria.volume.ShortVolume;
import org.calvaria.volume.Volume;
import org.calvaria.volume.VoxelType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code calvaria info}, {@code calvaria convert} and {@code --version}, run through {@link Main#run}. */
class InfoConvertCliTest {
    @TempDir
    Path tmp;

    @BeforeAll
    static void noProgressBars() {
        System.setProperty("calvaria.noprogress", "true");
    }

    @AfterAll
    static void restore() {
        System.clearProperty("calvaria.noprogress");
    }

    /** A small CT-like volume on an oblique grid with known values -40 .. 213. */
    private static ShortVolume ct() {
        double[] rot = Geometry.rotation(new double[] {0, 0, 1}, Math.toRadians(30));
        Geometry g = new Geometry(
                4, 3, 2, new double[] {10, -20, 30}, Geometry.multiply(rot, new double[] {0.5, 0, 0, 0, 0.5, 0, 0, 0, 2
                }));
        ShortVolume v = new ShortVolume(g);
        for (int i = 0; i < v.voxelCount(); i++) v.set(i, i * 11 - 40);
        return v;
    }

    private static String line(String text, String label) {
        return text.lines()
                .filter(l -> l.startsWith(label))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no '" + label + "' line in:\n" + text));
    }

    @Test
    void versionPrintsTheVersionAndExitsZero() {
        Result r = run("--version");
        assertEquals(0, r.exitCode(), r.err());
        assertEquals(
                "calvaria " + Provenance.version(), r.out().lines().findFirst().orElse(""));
        assertTrue(Provenance.version().matches("\\d+\\.\\d+\\.\\d+.*"), Provenance.version());
    }

    @Test
    void infoOnNrrdAndNiftiOfTheSameVolumeAgrees() {
        Path nrrd = tmp.resolve("ct.nrrd");
        NrrdIO.write(ct(), nrrd);
        Path nii = tmp.resolve("ct.nii.gz");
        NiftiIO.write(ct(), nii, null);
        Result a = run("info", nrrd.toString());
        Result b = run("info", nii.toString());
        assertEquals(0, a.exitCode(), a.err());
        assertEquals(0, b.exitCode(), b.err());
        assertEquals("format:      NRRD", line(a.out(), "format:"));
        assertEquals("format:      NIFTI", line(b.out(), "format:"));
        assertEquals("sizes:       4 x 3 x 2", line(a.out(), "sizes:"));
        assertEquals("spacing:     0.5 x 0.5 x 2 mm", line(a.out(), "spacing:"));
        assertEquals("values:      -40 .. 213", line(a.out(), "values:"));
        assertEquals("type:        int16 (stored as ShortVolume)", line(a.out(), "type:"));
        assertEquals(
                "direction:   (0.866025, 0.5, 0) (-0.5, 0.866025, 0) (0, 0, 1)  [oblique grid]",
                line(a.out(), "direction:"));
        assertEquals("origin:      (10.0000, -20.0000, 30.0000) mm LPS", line(a.out(), "origin:"));
        for (String label : new String[] {
            "type:", "sizes:", "spacing:", "direction:", "origin:", "values:", "foreground:", "volume:"
        }) {
            assertEquals(line(a.out(), label), line(b.out(), label), label);
        }
    }

    @Test
    void numbersInInfoAreCompact() {
        assertEquals("0.5", InfoCommand.compact(0.5));
        assertEquals("2", InfoCommand.compact(2.0));
        assertEquals("0", InfoCommand.compact(-0.0));
        assertEquals("-0.433013", InfoCommand.compact(-0.4330127));
        assertEquals("1e-7", InfoCommand.compact(1e-7));
        assertEquals("1.5e12", InfoCommand.compact(1.5e12));
    }

    @Test
    void infoOnDicomFolderAndFile() {
        Path folder = DicomFixtures.path("oblique-ct");
        Result r = run("info", folder.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertEquals("format:      DICOM_SERIES", line(r.out(), "format:"));
        assertEquals("sizes:       16 x 12 x 6", line(r.out(), "sizes:"));
        assertEquals("values:      -1022 .. 3092", line(r.out(), "values:"));
        assertEquals("origin:      (-40.5000, 22.2500, 101.0000) mm LPS", line(r.out(), "origin:"));
        assertTrue(line(r.out(), "direction:").endsWith("[sheared grid: axes not orthogonal, e.g. gantry tilt]"));
        assertEquals("spacing:     0.5 x 0.7 x 1.25897 mm", line(r.out(), "spacing:"));
        assertTrue(r.out().contains("dicom_series_description = oblique tilted"), r.out());
        Result file = run("info", folder.resolve("slice_a.dcm").toString());
        assertEquals(0, file.exitCode(), file.err());
        assertEquals("format:      DICOM_FILE", line(file.out(), "format:"));
        assertEquals(line(r.out(), "origin:"), line(file.out(), "origin:"));
    }

    @Test
    void convertNrrdToNiftiAndBackIsExact() {
        Path nrrd = tmp.resolve("ct.nrrd");
        NrrdIO.write(ct(), nrrd);
        Path nii = tmp.resolve("out/ct.nii");
        Path back = tmp.resolve("out/back.nrrd");
        assertEquals(0, run("convert", nrrd.toString(), nii.toString()).exitCode());
        assertEquals(0, run("convert", nii.toString(), back.toString()).exitCode());
        Volume v = VolumeIO.read(back);
        assertTrue(v.geometry().sameGrid(ct().geometry(), 1e-4));
        assertEquals(VoxelType.INT16, v.sourceType());
        for (int i = 0; i < v.voxelCount(); i++) assertEquals(ct().get(i), v.get(i));
        assertEquals("convert ct.nii", v.metadata().get("calvaria_made_by"), "provenance of the last step");

        if (Files.getFileAttributeView(nii, java.nio.file.attribute.PosixFileAttributeView.class) != null) {
            assertEquals(
                    "rw-r--r--",
                    java.nio.file.attribute.PosixFilePermissions.toString(
                            assertDoesNotThrow(() -> Files.getPosixFilePermissions(nii))),
                    "outputs readable like any file");
        }

        Path asFloat = tmp.resolve("out/ct-float.nii.gz");
        Result r = run("convert", "--type", "float", nrrd.toString(), asFloat.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertEquals(VoxelType.FLOAT32, VolumeIO.read(asFloat).sourceType());
    }

    @Test
    void convertDicomToNrrdKeepsHuAndPlacement() {
        Path out = tmp.resolve("ct.nrrd");
        Result r = run("convert", DicomFixtures.path("oblique-ct").toString(), out.toString());
        assertEquals(0, r.exitCode(), r.err());
        Volume v = VolumeIO.read(out);
        assertTrue(v.geometry().sameGrid(DicomFixtures.obliqueCtGrid(), 1e-4));
        assertEquals(DicomFixtures.obliqueCtHu(3, 4, 5), v.get(3, 4, 5));
    }

    @Test
    void skullFixThroughConvertIsVoxelAndGeometryExact() {
        Path src = SharedData.skullfix("complete_skull", "000");
        Path nii = tmp.resolve("000.nii.gz");
        Path back = tmp.resolve("000.nrrd");
        assertEquals(0, run("convert", "-q", src.toString(), nii.toString()).exitCode());
        assertEquals(0, run("convert", "-q", nii.toString(), back.toString()).exitCode());
        Volume original = VolumeIO.read(src);
        Volume roundTrip = VolumeIO.read(back);
        assertTrue(roundTrip.geometry().sameGrid(original.geometry(), 1e-4));
        assertEquals(VoxelType.INT32, roundTrip.sourceType());
        assertTrue(((MaskVolume) roundTrip).sameVoxels((MaskVolume) original));
    }

    // ---------------------------------------------------------------- bad input: one line, exit 1, nothing written

    private Path freshOutputFolder(String name) throws IOException {
        return Files.createDirectories(tmp.resolve("outputs-" + name));
    }

    private static void assertCleanFailure(Result r, Path outFolder, String expected) throws IOException {
        assertEquals(1, r.exitCode(), "exit code; stderr: " + r.err());
        List<String> lines = r.errLines();
        assertEquals(1, lines.size(), "exactly one line on stderr: " + r.err());
        assertTrue(lines.get(0).startsWith("error: "), lines.get(0));
        assertTrue(lines.get(0).contains(expected), lines.get(0));
        assertEquals("", r.out(), "nothing on stdout");
        try (Stream<Path> left = Files.list(outFolder)) {
            assertEquals(List.of(), left.collect(Collectors.toList()), "leftovers (also hidden .part files)");
        }
    }

    @Test
    void truncatedGzipFailsCleanly() throws IOException {
        Path full = tmp.resolve("full.nii.gz");
        ShortVolume big = new ShortVolume(Geometry.axisAligned(40, 40, 40, 1));
        for (int i = 0; i < big.voxelCount(); i++) big.set(i, (i * 7919) % 3000);
        NiftiIO.write(big, full, null);
        byte[] all = Files.readAllBytes(full);
        Path cut = Files.write(tmp.resolve("cut.nii.gz"), Arrays.copyOf(all, all.length / 2));
        Path out = freshOutputFolder("truncated");
        assertCleanFailure(run("convert", cut.toString(), out.resolve("x.nrrd").toString()), out, "truncated");
        assertCleanFailure(run("info", cut.toString()), out, "truncated");
    }

    /** A NIfTI-1 header claiming 8x8x8 of the given datatype, followed by {@code dataBytes} bytes. */
    private Path handMadeNifti(String name, int datatype, int bitpix, int dataBytes) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(352 + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, 348);
        short[] dim = {3, 8, 8, 8, 1, 1, 1, 1};
        for (int i = 0; i < 8; i++) b.putShort(40 + 2 * i, dim[i]);
        b.putShort(70, (short) datatype).putShort(72, (short) bitpix);
        b.putFloat(80, 1).putFloat(84, 1).putFloat(88, 1).putFloat(108, 352);
        b.put(344, (byte) 'n').put(345, (byte) '+').put(346, (byte) '1');
        return Files.write(tmp.resolve(name), b.array());
    }

    @Test
    void wrongSizesAndUnknownTypeFailCleanly() throws IOException {
        Path out = freshOutputFolder("sizes");
        Path shortData = handMadeNifti("short.nii", 4, 16, 100); // needs 1024 bytes
        assertCleanFailure(
                run("convert", shortData.toString(), out.resolve("x.nrrd").toString()),
                out,
                "truncated or its header is wrong");
        Path complex = handMadeNifti("complex.nii", 32, 64, 8 * 8 * 8 * 8);
        assertCleanFailure(
                run("convert", complex.toString(), out.resolve("x.nrrd").toString()),
                out,
                "unsupported NIfTI datatype 32 (complex64)");
        Path nrrd = tmp.resolve("ct.nrrd");
        NrrdIO.write(ct(), nrrd);
        Result badType = run(
                "convert",
                "--type",
                "int12",
                nrrd.toString(),
                out.resolve("x.nii").toString());
        assertEquals(2, badType.exitCode(), "a bad option value is bad usage: " + badType.err());
        assertTrue(badType.err().startsWith("unknown --type 'int12'"), badType.err());
        assertTrue(badType.err().contains("Usage: calvaria convert"), "picocli's usage follows: " + badType.err());
        assertEquals("", badType.out(), "nothing on stdout");
        try (Stream<Path> left = Files.list(out)) {
            assertEquals(List.of(), left.collect(Collectors.toList()), "no output for a bad option");
        }
    }

    @Test
    void foldersEmptyAndMissingFilesFailCleanly() throws IOException {
        Path out = freshOutputFolder("folders");
        Path emptyFolder = Files.createDirectories(tmp.resolve("not-dicom"));
        assertCleanFailure(
                run("convert", emptyFolder.toString(), out.resolve("x.nii").toString()), out, "no DICOM images found");
        Path nrrd = tmp.resolve("ct.nrrd");
        NrrdIO.write(ct(), nrrd);
        Path folderAsOutput = Files.createDirectories(out.resolve("target.nii"));
        Result r = run("convert", nrrd.toString(), folderAsOutput.toString());
        Files.delete(folderAsOutput);
        assertCleanFailure(r, out, "is a folder; give a file name");
        Path empty = Files.write(tmp.resolve("empty.nii"), new byte[0]);
        assertCleanFailure(
                run("convert", empty.toString(), out.resolve("x.nrrd").toString()), out, "empty (0 bytes)");
        assertCleanFailure(run("info", empty.toString()), out, "empty (0 bytes)");
        Path missing = tmp.resolve("missing.nrrd");
        assertCleanFailure(
                run("convert", missing.toString(), out.resolve("x.nii").toString()), out, "does not exist");
        assertCleanFailure(run("info", missing.toString()), out, "does not exist");
        assertCleanFailure(
                run("convert", nrrd.toString(), out.resolve("x.vtk").toString()), out, "cannot tell the output format");
    }

    @Test
    void detachedHeaderPointingOutsideItsFolderFailsCleanly() throws IOException {
        Path out = freshOutputFolder("detached");
        Files.write(tmp.resolve("elsewhere.raw"), new byte[8]);
        Path dir = Files.createDirectories(tmp.resolve("case"));
        Path header = Files.writeString(
                dir.resolve("ct.nhdr"),
                "NRRD0004\ntype: uint8\ndimension: 3\n" + "sizes: 2 2 2\nencoding: raw\ndata file: ../elsewhere.raw\n");
        assertCleanFailure(
                run("info", header.toString()),
                out,
                "data file '../elsewhere.raw' lies outside the" + " header's folder");
        assertCleanFailure(
                run("convert", header.toString(), out.resolve("x.nii").toString()), out, "lies outside");
    }

    @Test
    void aDamagedDicomSliceFailsUnlessAllowGapsIsGiven() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("series"));
        try (Stream<Path> files = Files.list(DicomFixtures.path("oblique-ct"))) {
            for (Path f : (Iterable<Path>) files::iterator)
                Files.copy(f, dir.resolve(f.getFileName().toString()));
        }
        byte[] all = Files.readAllBytes(dir.resolve("slice_d.dcm"));
        Files.write(dir.resolve("slice_d.dcm"), Arrays.copyOf(all, 300));
        Path out = freshOutputFolder("gaps");
        assertCleanFailure(
                run("convert", dir.toString(), out.resolve("ct.nrrd").toString()),
                out,
                "slice_d.dcm is a damaged DICOM file");
        Result r = run("info", "--allow-gaps", dir.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertEquals("sizes:       16 x 12 x 5", line(r.out(), "sizes:"));
        assertTrue(r.err().contains("skipping slice_d.dcm"), r.err());
        assertTrue(r.out().contains("dicom_skipped_files = slice_d.dcm"), r.out());
    }

    @Test
    void unevenDicomGapsAreResampledAndRecordedUpToTheGivenRatio() throws IOException {
        Path uneven = DicomFixtures.path("uneven");
        Path out = freshOutputFolder("uneven");
        Path nrrd = out.resolve("ct.nrrd");
        Result r = run("convert", uneven.toString(), nrrd.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.err().contains("uneven slice gaps of 1 to 2.5 mm"), r.err());
        Volume v = VolumeIO.read(nrrd);
        assertEquals(6, v.geometry().nz());
        assertTrue(
                v.metadata().get("dicom_resampled").contains("onto 6 slices 0.9 mm apart"),
                v.metadata().toString());
        Files.delete(nrrd);
        assertCleanFailure(
                run("convert", "--max-slice-gap-ratio", "2", uneven.toString(), nrrd.toString()),
                out,
                "more than --max-slice-gap-ratio 2");
        Result bad = run("info", "--max-slice-gap-ratio", "0.5", uneven.toString());
        assertEquals(2, bad.exitCode(), bad.err());
        assertTrue(bad.err().contains("--max-slice-gap-ratio must be at least 1, got 0.5"), bad.err());
    }

    @Test
    void inputIsNeverOverwritten() throws IOException {
        Path nii = tmp.resolve("keep.nii");
        NiftiIO.write(ct(), nii, null);
        byte[] before = Files.readAllBytes(nii);
        Result r = run("convert", nii.toString(), nii.toString());
        assertEquals(1, r.exitCode());
        assertTrue(r.err().startsWith("error: ") && r.err().contains("is the input file"), r.err());
        assertArrayEquals(before, Files.readAllBytes(nii));
    }

    @Test
    void unknownFlagIsBadUsage() throws IOException {
        Path out = freshOutputFolder("usage");
        Path nrrd = tmp.resolve("ct.nrrd");
        NrrdIO.write(ct(), nrrd);
        Result r =
                run("convert", "--bogus", nrrd.toString(), out.resolve("x.nii").toString());
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("Unknown option: '--bogus'"), r.err());
        try (Stream<Path> left = Files.list(out)) {
            assertEquals(0, left.count());
        }
        assertEquals(2, run("info").exitCode(), "missing FILE is bad usage too");
    }
}
