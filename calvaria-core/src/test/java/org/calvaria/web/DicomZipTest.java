package org.calvaria.web;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.calvaria.CalvariaException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Unpacking zipped DICOM folders: generated names only, limits on what is inflated. */
class DicomZipTest {
    @TempDir
    Path tmp;

    private Path zip(String... namesAndSizes) throws IOException {
        Path zip = tmp.resolve("in.zip");
        try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zip))) {
            for (int i = 0; i < namesAndSizes.length; i += 2) {
                out.putNextEntry(new ZipEntry(namesAndSizes[i]));
                out.write(new byte[Integer.parseInt(namesAndSizes[i + 1])]);
                out.closeEntry();
            }
        }
        return zip;
    }

    private List<String> unpacked(Path folder) throws IOException {
        try (Stream<Path> s = Files.list(folder)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void entriesGetGeneratedNamesInOneFolderWhateverTheyAreCalled() throws IOException {
        Path out = Files.createDirectories(tmp.resolve("out"));
        Path zip = zip(
                "../../../evil.dcm",
                "10",
                "/abs/path.dcm",
                "20",
                "a/b/c/d.dcm",
                "30",
                "dir/",
                "0",
                "__MACOSX/a/._d.dcm",
                "5",
                "a/.DS_Store",
                "5");
        assertEquals(3, DicomZip.extract(zip, out, 1 << 20));
        assertEquals(List.of("f000001.dcm", "f000002.dcm", "f000003.dcm"), unpacked(out));
        assertEquals(30, Files.size(out.resolve("f000003.dcm")));
        try (Stream<Path> all = Files.walk(tmp)) {
            assertTrue(all.noneMatch(p -> p.getFileName().toString().equals("evil.dcm")));
        }
        assertTrue(DicomZip.looksLikeZip(zip));
        assertFalse(DicomZip.looksLikeZip(out.resolve("f000001.dcm")));
    }

    @Test
    void aZipBombStopsAtTheLimitCountingInflatedBytes() throws IOException {
        Path out = Files.createDirectories(tmp.resolve("out"));
        // 8 MB of zeros deflate to a few KB: the limit must count what comes out, not what the header claims.
        Path zip = zip("slice1.dcm", String.valueOf(4 << 20), "slice2.dcm", String.valueOf(4 << 20));
        assertTrue(Files.size(zip) < 64 * 1024, "the zip itself is small: " + Files.size(zip));
        CalvariaException e = assertThrows(CalvariaException.class, () -> DicomZip.extract(zip, out, 5L << 20));
        assertEquals("the zip unpacks to more than 5 MB; zip only the folder of one CT series", e.getMessage());
        long written = 0;
        for (String name : unpacked(out)) written += Files.size(out.resolve(name));
        assertTrue(written <= 5L << 20, "stopped at the limit: " + written);
    }

    @Test
    void aRefusedZipLeavesNothingOfWhatItWrote() throws IOException {
        Path out = Files.createDirectories(tmp.resolve("out"));
        Path zip = zip("slice1.dcm", String.valueOf(3 << 20), "slice2.dcm", String.valueOf(3 << 20));
        assertThrows(CalvariaException.class, () -> DicomZip.extract(zip, out, 5L << 20));
        assertEquals(List.of(), unpacked(out), "the slices written before the limit was reached are deleted");
    }

    @Test
    void tooManyEntriesAreRefusedBeforeAnythingIsWritten() throws IOException {
        Path out = Files.createDirectories(tmp.resolve("out"));
        Path zip = tmp.resolve("many.zip");
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(zip))) {
            for (int i = 0; i <= DicomZip.MAX_FILES; i++) {
                z.putNextEntry(new ZipEntry("s" + i + ".dcm"));
                z.write(1);
                z.closeEntry();
            }
        }
        CalvariaException e = assertThrows(CalvariaException.class, () -> DicomZip.extract(zip, out, 1L << 30));
        assertTrue(e.getMessage().startsWith("the zip holds more than 20000 files"), e.getMessage());
        assertEquals(0, unpacked(out).size(), "nothing was written");
    }

    @Test
    void sizesTheZipDeclaresAreNotTrusted() throws IOException {
        Path out = Files.createDirectories(tmp.resolve("out"));
        byte[] bytes =
                Files.readAllBytes(zip("slice1.dcm", String.valueOf(4 << 20), "slice2.dcm", String.valueOf(4 << 20)));
        // Claim 1000 bytes per entry wherever the zip states an uncompressed size.
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        int patched = 0;
        for (int i = 0; i + 4 <= bytes.length; i++) {
            int sig = b.getInt(i);
            int at = sig == 0x02014b50 ? i + 24 : sig == 0x08074b50 ? i + 12 : -1;
            if (at > 0 && at + 4 <= bytes.length) {
                b.putInt(at, 1000);
                patched++;
            }
        }
        assertTrue(patched >= 2, "patched " + patched);
        Path lying = tmp.resolve("lying.zip");
        Files.write(lying, bytes);
        CalvariaException e = assertThrows(CalvariaException.class, () -> DicomZip.extract(lying, out, 5L << 20));
        // refused either by the entry's own length check or by the unpacked-size limit, never trusted
        assertTrue(
                e.getMessage().equals("the zip unpacks to more than 5 MB; zip only the folder of one CT series")
                        || e.getMessage().contains("fails its length check"),
                e.getMessage());
        assertEquals(List.of(), unpacked(out));
    }

    @Test
    void theUnpackLimitFollowsTheZipsOwnSize() {
        assertEquals(64L << 20, DicomZip.unpackLimit(100_000, 1L << 30).bytes(), "small zips: the floor");
        assertEquals(
                20L * (50L << 20), DicomZip.unpackLimit(50L << 20, 1L << 30).bytes(), "20 times the zip");
        assertEquals(2L << 30, DicomZip.unpackLimit(900L << 20, 1L << 30).bytes(), "never more than twice the limit");
        assertNull(DicomZip.unpackLimit(900L << 20, 1L << 30).why());
    }

    @Test
    void aFlippedBitInAnEntryFailsItsChecksum() throws IOException {
        byte[] data = new byte[50_000];
        new java.util.Random(8).nextBytes(data);
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(data);
        for (int method : new int[] {ZipEntry.STORED, ZipEntry.DEFLATED}) {
            Path zip = tmp.resolve("m" + method + ".zip");
            try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zip))) {
                out.setLevel(0); // deflated entries in stored blocks: a flipped bit still decodes
                ZipEntry e = new ZipEntry("slice.dcm");
                e.setMethod(method);
                e.setSize(data.length);
                e.setCrc(crc.getValue());
                out.putNextEntry(e);
                out.write(data);
                out.closeEntry();
            }
            Path out = Files.createDirectories(tmp.resolve("out" + method));
            assertEquals(1, DicomZip.extract(zip, out, 1 << 20));
            byte[] bytes = Files.readAllBytes(zip);
            bytes[30 + "slice.dcm".length() + 25_000] ^= 0x08; // the middle of the entry's data
            Files.write(zip, bytes);
            Path again = Files.createDirectories(tmp.resolve("again" + method));
            CalvariaException e = assertThrows(CalvariaException.class, () -> DicomZip.extract(zip, again, 1 << 20));
            assertEquals(
                    "the zip file is damaged: entry 1 (slice.dcm) fails its CRC-32 check; zip the DICOM folder"
                            + " again",
                    e.getMessage());
        }
    }

    @Test
    void emptyAndDamagedZipsAreRefusedWithAMessage() throws IOException {
        Path out = Files.createDirectories(tmp.resolve("out"));
        Path empty = zip("only/a/folder/", "0");
        assertEquals(
                "the zip file holds no files; zip the folder of one CT series",
                assertThrows(CalvariaException.class, () -> DicomZip.extract(empty, out, 1 << 20))
                        .getMessage());
        Path damaged = tmp.resolve("damaged.zip");
        byte[] whole = Files.readAllBytes(zip("a.dcm", "100000"));
        try (OutputStream o = Files.newOutputStream(damaged)) {
            o.write(whole, 0, whole.length / 2);
        }
        assertTrue(assertThrows(CalvariaException.class, () -> DicomZip.extract(damaged, out, 1 << 20))
                .getMessage()
                .startsWith("the zip file is damaged"));
    }

    /** Found by UploadFuzzTest: a zip whose entry data ends early was refused as "cannot unpack ...: EOFException". */
    @Test
    void aZipEndingInsideAnEntryIsDamagedInWords() throws IOException {
        Path zip;
        try (var in = DicomZipTest.class.getResourceAsStream(
                "/org/calvaria/web/UploadFuzzTestInputs/upload/crash-d468558dc5e390512d5a681586524e4498e399a2")) {
            zip = Files.write(tmp.resolve("early.zip"), in.readAllBytes());
        }
        Path out = Files.createDirectories(tmp.resolve("early"));
        CalvariaException e = assertThrows(CalvariaException.class, () -> DicomZip.extract(zip, out, 5L << 20));
        assertFalse(e.getMessage().contains("Exception"), e.getMessage());
        try (Stream<Path> s = Files.list(out)) {
            assertEquals(0, s.count());
        }
    }
}
