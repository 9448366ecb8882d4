package org.calvaria.io;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.calvaria.CalvariaException;
import org.calvaria.files.Outputs;
import org.calvaria.testing.DicomFixtures;
import org.calvaria.volume.Geometry;
import org.calvaria.volume.ShortVolume;
import org.calvaria.volume.VoxelType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Formats are recognised by content; names only matter for outputs. */
class VolumeFormatTest {
    @TempDir
    Path tmp;

    private ShortVolume small() {
        ShortVolume v = new ShortVolume(Geometry.axisAligned(4, 3, 2, 1.5));
        for (int i = 0; i < v.voxelCount(); i++) v.set(i, i * 11 - 40);
        return v;
    }

    @Test
    void volumesAreRecognisedByContentWhateverTheirName() throws IOException {
        Path nrrd = tmp.resolve("a.nrrd");
        NrrdIO.write(small(), nrrd);
        Path nii = tmp.resolve("a.nii");
        NiftiIO.write(small(), nii, VoxelType.INT16);
        Path niiGz = tmp.resolve("a.nii.gz");
        NiftiIO.write(small(), niiGz, VoxelType.INT16);
        assertEquals(VolumeFormat.NRRD, VolumeFormat.detect(nrrd));
        assertEquals(VolumeFormat.NIFTI, VolumeFormat.detect(nii));
        assertEquals(VolumeFormat.NIFTI, VolumeFormat.detect(niiGz));
        // misleading names: content wins
        Path niftiNamedNrrd = Files.copy(niiGz, tmp.resolve("really-nifti.nrrd"));
        Path nrrdNamedNii = Files.copy(nrrd, tmp.resolve("really-nrrd.nii"));
        Path niftiNoExtension = Files.copy(nii, tmp.resolve("scan"));
        assertEquals(VolumeFormat.NIFTI, VolumeFormat.detect(niftiNamedNrrd));
        assertEquals(VolumeFormat.NRRD, VolumeFormat.detect(nrrdNamedNii));
        assertEquals(VolumeFormat.NIFTI, VolumeFormat.detect(niftiNoExtension));
        for (Path p : new Path[] {niftiNamedNrrd, nrrdNamedNii, niftiNoExtension}) {
            assertArrayEquals(new double[] {-40, 213}, VolumeIO.read(p).valueRange(), 0, p.toString());
        }
    }

    @Test
    void dicomFoldersAndFilesAreRecognised() {
        assertEquals(VolumeFormat.DICOM_SERIES, VolumeFormat.detect(DicomFixtures.path("oblique-ct")));
        assertEquals(VolumeFormat.DICOM_FILE, VolumeFormat.detect(DicomFixtures.path("two-series/a1.dcm")));
    }

    @Test
    void meshesAreRecognisedAndRefusedAsVolumes() throws IOException {
        ByteBuffer stl = ByteBuffer.allocate(84 + 50 * 2).order(ByteOrder.LITTLE_ENDIAN);
        stl.put("binary stl written by a test".getBytes(StandardCharsets.US_ASCII));
        stl.putInt(80, 2);
        Path binary = Files.write(tmp.resolve("mesh.stl"), stl.array());
        Path ascii = Files.writeString(
                tmp.resolve("mesh2.stl"),
                "solid s\n facet normal 0 0 1\n  outer loop\n"
                        + "   vertex 0 0 0\n   vertex 1 0 0\n   vertex 0 1 0\n  endloop\n endfacet\nendsolid s\n");
        assertEquals(VolumeFormat.STL, VolumeFormat.detect(binary));
        assertEquals(VolumeFormat.STL, VolumeFormat.detect(ascii));
        CalvariaException e = assertThrows(CalvariaException.class, () -> VolumeIO.read(binary));
        assertTrue(e.getMessage().contains("mesh (STL)"), e.getMessage());
    }

    @Test
    void unknownContentFailsClearly() throws IOException {
        Path text = Files.writeString(tmp.resolve("notes.nii"), "this is not an image, whatever its name says");
        assertEquals(VolumeFormat.UNKNOWN, VolumeFormat.detect(text));
        CalvariaException e = assertThrows(CalvariaException.class, () -> VolumeIO.read(text));
        assertTrue(e.getMessage().contains("not a supported volume"), e.getMessage());

        Path gz =
                Files.write(tmp.resolve("notes.nii.gz"), gzip("plain text, gzipped".getBytes(StandardCharsets.UTF_8)));
        assertEquals(VolumeFormat.UNKNOWN, VolumeFormat.detect(gz));
        e = assertThrows(CalvariaException.class, () -> VolumeIO.read(gz));
        assertTrue(e.getMessage().contains("gzip-compressed but holds no NIfTI-1"), e.getMessage());
    }

    @Test
    void emptyMissingAndTruncatedFilesFailClearly() throws IOException {
        Path empty = Files.write(tmp.resolve("empty.nrrd"), new byte[0]);
        assertTrue(assertThrows(CalvariaException.class, () -> VolumeFormat.detect(empty))
                .getMessage()
                .contains("empty (0 bytes)"));
        Path missing = tmp.resolve("missing.nii");
        assertTrue(assertThrows(CalvariaException.class, () -> VolumeFormat.detect(missing))
                .getMessage()
                .contains("does not exist"));
        Path full = tmp.resolve("full.nii.gz");
        NiftiIO.write(small(), full, VoxelType.INT16);
        Path cut = Files.write(tmp.resolve("cut.nii.gz"), Arrays.copyOf(Files.readAllBytes(full), 20));
        String m = assertThrows(CalvariaException.class, () -> VolumeFormat.detect(cut))
                .getMessage();
        assertTrue(m.contains("damaged or truncated"), m);
    }

    @Test
    void niftiTwoIsRoutedToAClearRefusal() throws IOException {
        byte[] header = new byte[560];
        ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN).putInt(0, 540);
        header[4] = 'n';
        header[5] = '+';
        header[6] = '2';
        Path p = Files.write(tmp.resolve("two.nii"), header);
        assertEquals(VolumeFormat.NIFTI, VolumeFormat.detect(p));
        String m = assertThrows(CalvariaException.class, () -> VolumeIO.read(p)).getMessage();
        assertTrue(m.contains("NIfTI-2"), m);
    }

    @Test
    void outputNamesPickTheFormatAndFoldersAreNotFiles() throws IOException {
        assertEquals(VolumeFormat.NRRD, VolumeIO.formatForName(Path.of("x.NRRD")));
        assertEquals(VolumeFormat.NRRD, VolumeIO.formatForName(Path.of("x.nhdr")));
        assertEquals(VolumeFormat.NIFTI, VolumeIO.formatForName(Path.of("x.nii")));
        assertEquals(VolumeFormat.NIFTI, VolumeIO.formatForName(Path.of("x.nii.gz")));
        assertThrows(CalvariaException.class, () -> VolumeIO.formatForName(Path.of("x.gz")));
        assertThrows(CalvariaException.class, () -> VolumeIO.formatForName(Path.of("x.stl")));
        Path folder = Files.createDirectories(tmp.resolve("out.nii"));
        String m = assertThrows(CalvariaException.class, () -> Outputs.requireFileTarget(folder))
                .getMessage();
        assertTrue(m.contains("is a folder"), m);
        m = assertThrows(CalvariaException.class, () -> VolumeIO.write(small(), folder))
                .getMessage();
        assertTrue(m.contains("is a folder"), m);
        Path file = Files.writeString(tmp.resolve("plain"), "x");
        m = assertThrows(CalvariaException.class, () -> Outputs.requireFileTarget(file.resolve("out.nii")))
                .getMessage();
        assertTrue(m.contains("is a file, not a folder"), m);
    }

    static byte[] gzip(byte[] raw) throws IOException {
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(bo)) {
            out.write(raw);
        }
        return bo.toByteArray();
    }

    /** Found by NiftiFuzzTest: a gzip stream that ends early has no message, and "(null)" was printed. */
    @Test
    void aGzipFileEndingEarlySaysSoInWords() throws IOException {
        byte[] full = gz("not an image at all\n".getBytes(StandardCharsets.ISO_8859_1));
        for (byte[] cut : new byte[][] {
            Arrays.copyOf(full, 2),
            Arrays.copyOf(full, 10),
            Arrays.copyOf(full, 14),
            Arrays.copyOf(full, full.length - 4)
        }) {
            Path p = Files.write(tmp.resolve("cut.nii.gz"), cut);
            CalvariaException e = assertThrows(CalvariaException.class, () -> VolumeIO.read(p));
            assertFalse(e.getMessage().contains("null"), e.getMessage());
        }
    }

    private static byte[] gz(byte[] raw) throws IOException {
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(bo)) {
            out.write(raw);
        }
        return bo.toByteArray();
    }
}
