package org.calvaria.io;

import static org.junit.jupiter.api.Assertions.*;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.calvaria.CalvariaException;
import org.calvaria.Progress;
import org.calvaria.testing.DicomFixtures;
import org.calvaria.testing.SharedData;
import org.calvaria.volume.FloatVolume;
import org.calvaria.volume.Geometry;
import org.calvaria.volume.ShortVolume;
import org.calvaria.volume.Volume;
import org.calvaria.volume.VoxelType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** Reads the DICOM fixtures made by src/test/resources/dicom/make-fixtures.sh; expected values follow its formulas. */
class DicomSeriesReaderTest {
    @TempDir
    Path tmp;

    @BeforeAll
    static void quiet() {
        Progress.enabled(false);
    }

    static Path fixture(String name) {
        return DicomFixtures.path(name);
    }

    private static void assertObliqueCt(Volume v) {
        assertInstanceOf(ShortVolume.class, v);
        assertEquals(VoxelType.INT16, v.sourceType());
        Geometry expected = DicomFixtures.obliqueCtGrid();
        assertTrue(v.geometry().sameGrid(expected, 1e-4), v.geometry() + " vs " + expected);
        assertFalse(v.geometry().isAxisAligned(1e-6));
        for (int k = 0; k < 6; k++) {
            for (int y = 0; y < 12; y++) {
                for (int x = 0; x < 16; x++) {
                    assertEquals(DicomFixtures.obliqueCtHu(x, y, k), v.get(x, y, k), "HU at " + x + "," + y + "," + k);
                }
            }
        }
        // the slice's own series UID, not the one nested in its ReferencedSeriesSequence
        assertEquals("2.25.31415926535897932384626433832795.7", v.metadata().get("dicom_series_uid"));
        assertEquals("oblique tilted", v.metadata().get("dicom_series_description"));
        assertEquals("CT", v.metadata().get("dicom_modality"));
    }

    @Test
    void obliqueTiltedShuffledSeriesIsSortedByPositionAndPlacedExactly() {
        assertObliqueCt(DicomSeriesReader.read(fixture("oblique-ct")));
    }

    @Test
    void otherEncodingsWithUndefinedLengthSequencesReadTheSame() {
        assertObliqueCt(DicomSeriesReader.read(fixture("big-endian"))); // explicit VR big endian
        assertObliqueCt(DicomSeriesReader.read(fixture("implicit"))); // implicit VR little endian
    }

    @Test
    void aSingleFileReadsItsSeries() {
        assertObliqueCt(VolumeIO.read(fixture("oblique-ct/slice_e.dcm")));
        assertEquals(VolumeFormat.DICOM_FILE, VolumeFormat.detect(fixture("oblique-ct/slice_e.dcm")));
    }

    @Test
    void largestSeriesIsReadAndTheOtherIsNamedInAWarning() {
        Logger logger = (Logger) LoggerFactory.getLogger(DicomSeriesReader.class);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        Volume a;
        try {
            a = VolumeIO.read(fixture("two-series"));
        } finally {
            logger.detachAppender(appender);
        }
        assertInstanceOf(ShortVolume.class, a);
        assertEquals("head A", a.metadata().get("dicom_series_description"));
        // Implicit VR, signed pixels, intercept -1024; z rises with k while InstanceNumber falls.
        Geometry g = a.geometry();
        assertTrue(
                g.sameGrid(
                        new Geometry(
                                10, 8, 5, new double[] {-30, -20, -20}, new double[] {0.6, 0, 0, 0, 0.8, 0, 0, 0, 2.5}),
                        1e-9),
                g.toString());
        for (int k = 0; k < 5; k++) {
            for (int y = 0; y < 8; y++) {
                for (int x = 0; x < 10; x++) assertEquals(50 * k + x + 10 * y - 200 - 1024, a.get(x, y, k));
            }
        }
        List<String> warnings = appender.list.stream()
                .filter(ev -> ev.getLevel() == Level.WARN)
                .map(ILoggingEvent::getFormattedMessage)
                .collect(Collectors.toList());
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("scout B") && warnings.get(0).contains(".3,"), warnings.get(0));
    }

    @Test
    void fractionalRescaleGivesFloatsForTheSeriesOfTheGivenFile() {
        Volume b = DicomSeriesReader.read(fixture("two-series/b1.dcm"));
        assertInstanceOf(FloatVolume.class, b);
        assertEquals(VoxelType.FLOAT32, b.sourceType());
        assertEquals("scout B", b.metadata().get("dicom_series_description"));
        assertArrayEquals(new int[] {10, 8, 2}, b.geometry().sizes());
        assertArrayEquals(new double[] {0, 0, 3}, b.geometry().axisVector(2), 1e-9);
        for (int k = 0; k < 2; k++) {
            for (int y = 0; y < 8; y++) {
                for (int x = 0; x < 10; x++) assertEquals(0.25 * (3 * x + 5 * y + 7 * k) - 3, b.get(x, y, k), 1e-6);
            }
        }
    }

    /** What {@code read} logged at WARN level. */
    private static List<String> warnings(java.util.function.Supplier<Volume> read, Volume[] out) {
        Logger logger = (Logger) LoggerFactory.getLogger(DicomSeriesReader.class);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        try {
            out[0] = read.get();
        } finally {
            logger.detachAppender(appender);
        }
        return appender.list.stream()
                .filter(ev -> ev.getLevel() == Level.WARN)
                .map(ILoggingEvent::getFormattedMessage)
                .collect(Collectors.toList());
    }

    @Test
    void unevenGapsAreResampledOntoTheMedianSpacingUnlessAGapIsTooLarge() {
        // slices at z = 0, 1, 2, 4.5 holding x + y + k: gaps 1, 1, 2.5 (median 1, largest 2.5 < 3 x median)
        Volume[] v = new Volume[1];
        List<String> warned = warnings(() -> DicomSeriesReader.read(fixture("uneven")), v);
        assertEquals(1, warned.size(), warned.toString());
        assertTrue(warned.get(0).contains("largest 2.5 mm between u2.dcm and u3.dcm"), warned.get(0));
        // 4.5 mm span / median 1 mm -> 5 intervals of 0.9 mm: the first and last slices are kept where they were
        Geometry g = v[0].geometry();
        assertTrue(
                g.sameGrid(
                        new Geometry(8, 8, 6, new double[] {0, 0, 0}, new double[] {1, 0, 0, 0, 1, 0, 0, 0, 0.9}),
                        1e-9),
                g.toString());
        // linear along z, rounded to whole HU: z = 0, .9, 1.8 follow k = z; above z = 2 the value climbs 1 per 2.5 mm
        int[] expected = {0, 1, 2, 2, 3, 3};
        for (int k = 0; k < 6; k++) {
            for (int y = 0; y < 8; y++) {
                for (int x = 0; x < 8; x++) assertEquals(x + y + expected[k], v[0].get(x, y, k), "z index " + k);
            }
        }
        assertTrue(
                v[0].metadata()
                        .get("dicom_resampled")
                        .startsWith("uneven slice gaps of 1 to 2.5 mm (median 1 mm,"
                                + " largest 2.5 mm between u2.dcm and u3.dcm): 4 slices resampled by linear interpolation onto 6"
                                + " slices 0.9 mm apart"),
                v[0].metadata().toString());
        assertEquals("2.5", v[0].metadata().get("dicom_largest_slice_gap_mm"));

        CalvariaException e = assertThrows(
                CalvariaException.class,
                () -> DicomSeriesReader.read(
                        fixture("uneven"), ReadOptions.defaults().withMaxSliceGapRatio(2)));
        assertTrue(
                e.getMessage()
                        .contains("the gap between u2.dcm and u3.dcm is 2.5 mm, 2.5 times the median gap of 1"
                                + " mm (more than --max-slice-gap-ratio 2)"),
                e.getMessage());
    }

    @Test
    void aSkippedMiddleSliceLeavesAGapThatIsResampled() throws IOException {
        Path dir = copyOf("oblique-ct");
        Files.write(dir.resolve("slice_e.dcm"), Arrays.copyOf(Files.readAllBytes(dir.resolve("slice_e.dcm")), 250));
        Volume v = DicomSeriesReader.read(dir, ReadOptions.defaults().withAllowGaps(true));
        // k = 3 is gone: the 2 x 1.25 mm gap is bridged, the grid is the original one again
        assertTrue(
                v.geometry().sameGrid(DicomFixtures.obliqueCtGrid(), 1e-4),
                v.geometry().toString());
        for (int k = 0; k < 6; k++) assertEquals(DicomFixtures.obliqueCtHu(5, 7, k), v.get(5, 7, k), "k " + k);
        assertEquals("slice_e.dcm", v.metadata().get("dicom_skipped_files"));
        assertNotNull(v.metadata().get("dicom_resampled"));
    }

    @Test
    void realGeSeriesWithUnevenGapsIsResampledKeepingItsEnds() throws IOException {
        Path ge = SharedData.dcmQaCt("GE");
        Volume[] out = new Volume[1];
        List<String> warned = warnings(() -> DicomSeriesReader.read(ge), out);
        Volume v = out[0];
        assertEquals(1, warned.size(), warned.toString());
        assertTrue(warned.get(0).contains("largest 6.9986 mm"), warned.get(0));
        assertEquals("6.9986", v.metadata().get("dicom_largest_slice_gap_mm"));
        assertEquals("28", v.metadata().get("dicom_slices"));
        // 144.1 mm along the normal at the median 4 mm gap: 37 slices, axial rows, the tilted column direction kept
        Geometry g = v.geometry();
        assertArrayEquals(new int[] {512, 512, 37}, g.sizes());
        assertArrayEquals(new double[] {-125, -123.5404569, 5.8360586}, g.origin(), 1e-6);
        assertArrayEquals(new double[] {-125, -123.5404569, 157.7760586}, g.indexToPhysical(0, 0, 36), 1e-6);
        double norm = Math.hypot(0.9483237, 0.3173047);
        assertArrayEquals(
                new double[] {0, 0.9483237 / norm * 0.4882812, -0.3173047 / norm * 0.4882812}, g.axisVector(1), 1e-12);
        double[] z = g.axisVector(2);
        assertEquals(0, z[0], 1e-9);
        assertEquals(0, z[1], 1e-9); // the table moves along z: the stack leans like the gantry
        // the first and last slices are the source slices themselves: compare with the even parts read alone
        Path first = Files.createDirectories(tmp.resolve("ge-first"));
        Path last = Files.createDirectories(tmp.resolve("ge-last"));
        for (int i = 1; i <= 28; i++) {
            String name = String.format(java.util.Locale.ROOT, "%02d.dcm", i);
            Files.copy(ge.resolve(name), (i <= 14 ? first : last).resolve(name));
        }
        Volume a = DicomSeriesReader.read(first);
        Volume b = DicomSeriesReader.read(last);
        assertNull(a.metadata().get("dicom_resampled"));
        for (int y = 0; y < 512; y += 3) {
            for (int x = 0; x < 512; x += 3) {
                assertEquals(a.get(x, y, 0), v.get(x, y, 0));
                assertEquals(b.get(x, y, 13), v.get(x, y, 36));
                double lo = Math.min(a.get(x, y, 4), a.get(x, y, 5)), hi = Math.max(a.get(x, y, 4), a.get(x, y, 5));
                assertTrue(v.get(x, y, 4) >= lo - 0.5 && v.get(x, y, 4) <= hi + 0.5, "interpolated between sources");
            }
        }
    }

    @Test
    void realPhilipsGantryTiltSeriesMatchesItsHeadersExactly() {
        Volume v = DicomSeriesReader.read(SharedData.dcmQaCt("Philips-S21610-S2010"));
        assertNull(v.metadata().get("dicom_resampled"), "evenly spaced: read as it is");
        Geometry g = v.geometry();
        assertArrayEquals(new int[] {512, 512, 54}, g.sizes());
        // I10 (first along the normal): ImagePositionPatient -123.5\-15.64097\742.345191756896
        assertArrayEquals(new double[] {-123.5, -15.64097, 742.345191756896}, g.origin(), 1e-9);
        double ps = 0.482421875;
        assertArrayEquals(new double[] {ps, 0, 0}, g.axisVector(0), 1e-12);
        // ImageOrientationPatient's column direction 0\\0.9483237\\-0.3173047, made unit length, times the spacing
        double norm = Math.hypot(0.9483237, 0.3173047);
        assertArrayEquals(new double[] {0, 0.9483237 / norm * ps, -0.3173047 / norm * ps}, g.axisVector(1), 1e-12);
        assertArrayEquals(new double[] {0, 0, 2.5}, g.axisVector(2), 1e-9); // table steps, not the slice normal
        assertArrayEquals(
                new double[] {-123.5, -15.64097, 742.345191756896 + 53 * 2.5}, g.indexToPhysical(0, 0, 53), 1e-6);
        assertFalse(g.isAxisAligned(1e-6));
    }

    @Test
    void compressedSliceIsRefusedNamingItsTransferSyntax() {
        CalvariaException e =
                assertThrows(CalvariaException.class, () -> DicomSeriesReader.read(fixture("compressed")));
        assertTrue(e.getMessage().contains("1.2.840.10008.1.2.4.70"), e.getMessage());
        assertTrue(e.getMessage().contains("c1.dcm"), e.getMessage());
    }

    @Test
    void duplicateSliceIsRefused() throws IOException {
        Path dir = copyOf("oblique-ct");
        Files.copy(dir.resolve("slice_b.dcm"), dir.resolve("copy_of_b.dcm"));
        CalvariaException e = assertThrows(CalvariaException.class, () -> DicomSeriesReader.read(dir));
        assertTrue(e.getMessage().contains("same position"), e.getMessage());
    }

    @Test
    void truncatedSliceIsRefused() throws IOException {
        Path dir = copyOf("oblique-ct");
        byte[] all = Files.readAllBytes(dir.resolve("slice_d.dcm"));
        Files.write(dir.resolve("slice_d.dcm"), Arrays.copyOf(all, all.length - 100));
        CalvariaException e = assertThrows(CalvariaException.class, () -> DicomSeriesReader.read(dir));
        assertTrue(e.getMessage().contains("slice_d.dcm") && e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void aHeaderLengthOfFourGigabytesIsADamagedFileNotAnInternalError() throws IOException {
        Path dir = copyOf("oblique-ct");
        Path victim = dir.resolve("slice_a.dcm");
        byte[] bytes = Files.readAllBytes(victim);
        // OB elements carry a 4-byte length: make the meta group's OB (0002,0001) claim nearly 4 GB
        int ob = indexOf(bytes, new byte[] {2, 0, 1, 0, 'O', 'B'});
        assertTrue(ob > 0);
        java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(ob + 8, 0xfffffff0);
        Files.write(victim, bytes);
        CalvariaException e = assertThrows(CalvariaException.class, () -> DicomSeriesReader.read(victim));
        assertEquals(
                victim + " is a damaged DICOM file (file meta element (0002,0001) claims 4294967280 bytes)",
                e.getMessage());
        assertFalse(e.getMessage().contains("len < 0"), e.getMessage());
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) if (hay[i + j] != needle[j]) continue outer;
            return i;
        }
        return -1;
    }

    @Test
    void aDamagedSliceIsAnErrorNamingItUnlessGapsAreAllowed() throws IOException {
        Path dir = copyOf("oblique-ct");
        // slice_d is the last slice along the normal: without it the rest is still evenly spaced
        byte[] all = Files.readAllBytes(dir.resolve("slice_d.dcm"));
        Files.write(dir.resolve("slice_d.dcm"), Arrays.copyOf(all, 200)); // DICM marker kept, header cut
        CalvariaException e = assertThrows(CalvariaException.class, () -> DicomSeriesReader.read(dir));
        assertEquals(
                dir.resolve("slice_d.dcm").toAbsolutePath().normalize() + " is a damaged DICOM file (the file"
                        + " ends inside its header (truncated)), so the series would miss a slice; re-export the series, or"
                        + " give --allow-gaps to read it without this file",
                e.getMessage());

        Logger logger = (Logger) LoggerFactory.getLogger(DicomSeriesReader.class);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        Volume v;
        try {
            v = DicomSeriesReader.read(dir, ReadOptions.defaults().withAllowGaps(true));
        } finally {
            logger.detachAppender(appender);
        }
        assertArrayEquals(new int[] {16, 12, 5}, v.geometry().sizes());
        assertEquals("slice_d.dcm", v.metadata().get("dicom_skipped_files"));
        assertTrue(
                appender.list.stream()
                        .anyMatch(ev -> ev.getLevel() == Level.WARN
                                && ev.getFormattedMessage()
                                        .startsWith("skipping slice_d.dcm: damaged DICOM file (the file ends"
                                                + " inside its header")),
                appender.list.toString());
        for (int k = 0; k < 5; k++) assertEquals(DicomFixtures.obliqueCtHu(3, 4, k), v.get(3, 4, k));
    }

    /**
     * Found by the malformed-file campaign: a slice file emptied, overwritten with text, or stripped of its DICM
     * marker was taken for a stray non-DICOM file, and the series was read without it (exit 0). A file named like a
     * slice (.dcm, .dicom, .ima) is a damaged slice; other files in the folder are still ignored.
     */
    @Test
    void aSliceFileThatIsNoLongerDicomIsADamagedSlice() throws IOException {
        byte[][] damage = {new byte[0], "not a dicom file\n".repeat(20).getBytes(StandardCharsets.US_ASCII), null};
        for (int i = 0; i < damage.length; i++) {
            Path dir = copyOf("oblique-ct");
            byte[] all = Files.readAllBytes(dir.resolve("slice_d.dcm"));
            byte[] bad = damage[i];
            if (bad == null) {
                bad = all.clone();
                bad[128] = 'X'; // no DICM marker
            }
            Files.write(dir.resolve("slice_d.dcm"), bad);
            CalvariaException e = assertThrows(CalvariaException.class, () -> DicomSeriesReader.read(dir));
            assertTrue(
                    e.getMessage().contains("slice_d.dcm is a damaged DICOM file")
                            && e.getMessage().contains("--allow-gaps"),
                    e.getMessage());
            Volume v = DicomSeriesReader.read(dir, ReadOptions.defaults().withAllowGaps(true));
            assertEquals("slice_d.dcm", v.metadata().get("dicom_skipped_files"));
            try (Stream<Path> s = Files.walk(dir)) {
                for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
            }
        }
        Path dir = copyOf("oblique-ct");
        Files.write(dir.resolve("notes.txt"), new byte[0]);
        Files.write(dir.resolve("README"), "exported by a scanner\n".getBytes(StandardCharsets.US_ASCII));
        assertEquals(6, DicomSeriesReader.read(dir).geometry().nz()); // other files are not slices
    }

    @Test
    void truncatedPixelDataIsSkippedOnlyWhenGapsAreAllowed() throws IOException {
        Path dir = copyOf("oblique-ct");
        byte[] all = Files.readAllBytes(dir.resolve("slice_c.dcm")); // the first slice
        Files.write(dir.resolve("slice_c.dcm"), Arrays.copyOf(all, all.length - 10));
        CalvariaException e = assertThrows(CalvariaException.class, () -> DicomSeriesReader.read(dir));
        assertTrue(e.getMessage().contains("slice_c.dcm") && e.getMessage().contains("--allow-gaps"), e.getMessage());
        Volume v = DicomSeriesReader.read(dir, ReadOptions.defaults().withAllowGaps(true));
        assertEquals(5, v.geometry().nz());
        assertEquals(DicomFixtures.obliqueCtHu(0, 0, 1), v.get(0, 0, 0));
    }

    @Test
    void foldersWithoutImagesAndFilesWithoutPixelsFailClearly() throws IOException {
        Path empty = Files.createDirectories(tmp.resolve("nothing"));
        Files.writeString(empty.resolve("readme.txt"), "no images here");
        CalvariaException e = assertThrows(CalvariaException.class, () -> DicomSeriesReader.read(empty));
        assertTrue(e.getMessage().startsWith("no DICOM images found"), e.getMessage());
        e = assertThrows(CalvariaException.class, () -> DicomSeriesReader.read(fixture("oblique-ct/report.dcm")));
        assertTrue(e.getMessage().contains("without an image"), e.getMessage());
        e = assertThrows(CalvariaException.class, () -> DicomSeriesReader.read(tmp.resolve("missing")));
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
    }

    @Test
    void bitsAboveBitsStoredAreIgnoredAndSignExtended() {
        assertEquals(-1, DicomPixels.fromStoredBits(0x0FFF, 12, true));
        assertEquals(-2048, DicomPixels.fromStoredBits(0xF800, 12, true));
        assertEquals(2047, DicomPixels.fromStoredBits(0x07FF, 12, true));
        assertEquals(0x123, DicomPixels.fromStoredBits(0xF123, 12, false));
    }

    private Path copyOf(String fixtureName) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve(fixtureName));
        try (Stream<Path> files = Files.list(fixture(fixtureName))) {
            for (Path f : (Iterable<Path>) files::iterator)
                Files.copy(f, dir.resolve(f.getFileName().toString()));
        }
        return dir;
    }
}
