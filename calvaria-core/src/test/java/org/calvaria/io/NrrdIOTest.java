package org.calvaria.io;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.calvaria.CalvariaException;
import org.calvaria.testing.SharedData;
import org.calvaria.volume.FloatVolume;
import org.calvaria.volume.Geometry;
import org.calvaria.volume.MaskVolume;
import org.calvaria.volume.ShortVolume;
import org.calvaria.volume.Volume;
import org.calvaria.volume.VoxelType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NrrdIOTest {
    @TempDir
    Path tmp;

    static Geometry sheared() {
        return new Geometry(
                7, 5, 4, new double[] {-12.5, 30.25, 7}, new double[] {0.45, 0, 0, 0, 0.44, 0.099, 0, -0.07, 0.625});
    }

    @Test
    void everyTypeRoundTripsExactlyWithGeometry() {
        Random r = new Random(1);
        for (VoxelType t : VoxelType.values()) {
            for (NrrdIO.Encoding enc : NrrdIO.Encoding.values()) {
                FloatVolume v = new FloatVolume(sheared());
                for (int i = 0; i < v.voxelCount(); i++) {
                    double x = t.isInteger()
                            ? Math.max(t.min(), Math.min(t.max(), r.nextInt(60000) - 20000))
                            : r.nextGaussian() * 100;
                    v.set(i, (float) x);
                }
                v.metadata().put("note", "line one\nline two");
                Path p = tmp.resolve(t + "-" + enc + ".nrrd");
                NrrdIO.write(v, p, t, enc);
                Volume back = NrrdIO.read(p);
                assertEquals(t, back.sourceType(), "type " + t);
                assertTrue(back.geometry().sameGrid(v.geometry(), 1e-12), "geometry " + t);
                for (int i = 0; i < v.voxelCount(); i++) {
                    double expected = t.isInteger() ? Math.rint(v.get(i)) : v.get(i);
                    assertEquals(expected, back.get(i), 0, t + " voxel " + i);
                }
                assertEquals("line one\nline two", back.metadata().get("note"));
            }
        }
    }

    @Test
    void detachedHeaderRoundTrip() {
        ShortVolume v = new ShortVolume(sheared());
        for (int i = 0; i < v.voxelCount(); i++) v.set(i, i * 37 - 500);
        Path p = tmp.resolve("ct.nhdr");
        NrrdIO.write(v, p, VoxelType.INT16, NrrdIO.Encoding.GZIP);
        assertTrue(Files.exists(tmp.resolve("ct.raw.gz")));
        Volume back = NrrdIO.read(p);
        for (int i = 0; i < v.voxelCount(); i++) assertEquals(v.get(i), back.get(i));
    }

    @Test
    void bigEndianAndRasSpaceAreConverted() throws IOException {
        String header = "NRRD0004\ntype: int16\ndimension: 3\nspace: right-anterior-superior\nsizes: 2 1 1\n"
                + "space directions: (2,0,0) (0,3,0) (0,0,4)\nendian: big\nencoding: raw\nspace origin: (10,20,30)\n\n";
        byte[] data = {0x01, 0x02, (byte) 0xff, (byte) 0xfe};
        Path p = tmp.resolve("be.nrrd");
        Files.write(p, concat(header.getBytes(), data));
        Volume v = NrrdIO.read(p);
        assertEquals(0x0102, v.get(0));
        assertEquals(-2, v.get(1));
        double[] o = v.geometry().origin();
        assertArrayEquals(new double[] {-10, -20, 30}, o, 0);
        assertArrayEquals(new double[] {-12, -20, 30}, v.geometry().indexToPhysical(1, 0, 0), 0);
    }

    @Test
    void truncatedGzipFailsClearly() throws IOException {
        MaskVolume m = new MaskVolume(Geometry.axisAligned(40, 40, 40, 1));
        Random r = new Random(3);
        for (int i = 0; i < m.voxelCount(); i++) m.set(i, r.nextBoolean());
        Path p = tmp.resolve("m.nrrd");
        NrrdIO.write(m, p);
        byte[] all = Files.readAllBytes(p);
        Path cut = tmp.resolve("cut.nrrd");
        Files.write(cut, java.util.Arrays.copyOf(all, all.length / 2));
        CalvariaException e = assertThrows(CalvariaException.class, () -> NrrdIO.read(cut));
        assertTrue(e.getMessage().contains("truncated") || e.getMessage().contains("corrupt"), e.getMessage());
    }

    /** A 64x64x64 int16 gzip NRRD, its compressed data written with stored (level 0) deflate blocks. */
    private Path storedGzipNrrd(String name) throws IOException {
        ShortVolume v = new ShortVolume(Geometry.axisAligned(64, 64, 64, 0.5));
        Random r = new Random(5);
        for (int i = 0; i < v.voxelCount(); i++) v.set(i, r.nextInt(3000) - 1000);
        java.io.ByteArrayOutputStream data = new java.io.ByteArrayOutputStream();
        VoxelCodec.writeValues(v, data, VoxelType.INT16, java.nio.ByteOrder.LITTLE_ENDIAN);
        byte[] header = NrrdWriter.header(v, VoxelType.INT16, NrrdIO.Encoding.GZIP, null)
                .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        Path p = tmp.resolve(name);
        Files.write(p, concat(header, StrictGzipInputStreamTest.gzip(data.toByteArray(), 0)));
        assertEquals(v.get(12345), NrrdIO.read(p).get(12345));
        return p;
    }

    @Test
    void aFlippedBitInGzipDataIsCaughtByTheChecksum() throws IOException {
        Path p = storedGzipNrrd("flip.nrrd");
        byte[] all = Files.readAllBytes(p);
        all[all.length / 2] ^= 0x04; // inside a stored block: still decodes, only the CRC-32 can tell
        Files.write(p, all);
        CalvariaException e = assertThrows(CalvariaException.class, () -> NrrdIO.read(p));
        assertEquals(
                p + " is corrupt: gzip checksum mismatch; the file is damaged, re-export or re-download it",
                e.getMessage());

        // a flip in ordinary deflate data: caught one way or the other
        MaskVolume m = new MaskVolume(Geometry.axisAligned(60, 60, 60, 1));
        Random r = new Random(4);
        for (int i = 0; i < m.voxelCount(); i++) m.set(i, r.nextInt(5) == 0);
        Path q = tmp.resolve("mask.nrrd");
        NrrdIO.write(m, q);
        byte[] bytes = Files.readAllBytes(q);
        bytes[bytes.length / 2] ^= 0x01;
        Files.write(q, bytes);
        String msg = assertThrows(CalvariaException.class, () -> NrrdIO.read(q)).getMessage();
        assertTrue(msg.startsWith(q + " is corrupt: "), msg);
    }

    @Test
    void gzipTrailerAndTrailingBytesAreChecked() throws IOException {
        Path p = storedGzipNrrd("whole.nrrd");
        byte[] all = Files.readAllBytes(p);
        Path garbage = tmp.resolve("garbage.nrrd");
        Files.write(garbage, concat(all, "trailing junk".getBytes()));
        assertEquals(
                garbage + " is corrupt: unexpected bytes after the end of the gzip data; the file is damaged,"
                        + " re-export or re-download it",
                assertThrows(CalvariaException.class, () -> NrrdIO.read(garbage))
                        .getMessage());
        Path noTrailer = tmp.resolve("no-trailer.nrrd");
        Files.write(noTrailer, java.util.Arrays.copyOf(all, all.length - 8));
        assertTrue(assertThrows(CalvariaException.class, () -> NrrdIO.read(noTrailer))
                .getMessage()
                .contains("truncated"));
        // more voxels compressed than the header declares
        String text = new String(all, java.nio.charset.StandardCharsets.ISO_8859_1)
                .replaceFirst("sizes: 64 64 64", "sizes: 64 64 63");
        Path extra = tmp.resolve("extra.nrrd");
        Files.write(extra, text.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        String msg =
                assertThrows(CalvariaException.class, () -> NrrdIO.read(extra)).getMessage();
        assertTrue(msg.contains("8192 bytes more than"), msg);
    }

    @Test
    void concatenatedGzipMembersRead() throws IOException {
        Path p = storedGzipNrrd("one.nrrd");
        Volume one = NrrdIO.read(p);
        byte[] all = Files.readAllBytes(p);
        int headerEnd = new String(all, java.nio.charset.StandardCharsets.ISO_8859_1).indexOf("\n\n") + 2;
        byte[] data = StrictGzipInputStreamTest.gunzip(java.util.Arrays.copyOfRange(all, headerEnd, all.length));
        int half = data.length / 2;
        byte[] twoMembers = concat(
                StrictGzipInputStreamTest.gzip(java.util.Arrays.copyOf(data, half), 6),
                StrictGzipInputStreamTest.gzip(java.util.Arrays.copyOfRange(data, half, data.length), 1));
        Path two = tmp.resolve("two.nrrd");
        Files.write(two, concat(java.util.Arrays.copyOf(all, headerEnd), twoMembers));
        Volume back = NrrdIO.read(two);
        for (int i = 0; i < one.voxelCount(); i++) assertEquals(one.get(i), back.get(i));
    }

    /** A detached header in {@code folder} for 2x2x2 uint8 raw data in the named data file(s). */
    private Path detached(Path folder, String name, String dataFileLine) throws IOException {
        Files.createDirectories(folder);
        return Files.writeString(
                folder.resolve(name),
                "NRRD0004\ntype: uint8\ndimension: 3\nsizes: 2 2 2\n" + "encoding: raw\n" + dataFileLine + "\n");
    }

    private static String refusal(Path header) {
        String m =
                assertThrows(CalvariaException.class, () -> NrrdIO.read(header)).getMessage();
        assertFalse(m.contains("\n"), m);
        return m;
    }

    @Test
    void detachedDataOutsideTheHeadersFolderIsRefused() throws IOException {
        byte[] eight = {1, 2, 3, 4, 5, 6, 7, 8};
        Path secret = Files.write(tmp.resolve("secret.raw"), eight);
        Path dir = tmp.resolve("case");
        Files.createDirectories(dir.resolve("data"));
        Files.write(dir.resolve("data/ct.raw"), eight);
        Files.write(dir.resolve("ct.raw"), eight);

        // inside the folder or a subfolder: read
        assertEquals(
                8,
                NrrdIO.read(detached(dir, "a.nhdr", "data file: data/ct.raw")).get(7));
        assertEquals(
                8,
                NrrdIO.read(detached(dir, "b.nhdr", "data file: data/../ct.raw"))
                        .get(7));
        assertEquals(
                List.of(dir.resolve("data/ct.raw").toAbsolutePath().normalize()),
                NrrdIO.dataFiles(dir.resolve("a.nhdr")));

        // outside: refused, also when the file exists, for every form of the field
        String m = refusal(detached(dir, "c.nhdr", "data file: ../secret.raw"));
        assertTrue(
                m.contains("data file '../secret.raw' lies outside the header's folder")
                        && m.contains("move the data file there"),
                m);
        m = refusal(detached(dir, "d.nhdr", "data file: " + secret.toAbsolutePath()));
        assertTrue(m.contains("is an absolute path"), m);
        m = refusal(detached(dir, "e.nhdr", "data file: data/../../secret.raw"));
        assertTrue(m.contains("lies outside"), m);
        m = refusal(detached(dir, "f.nhdr", "datafile: ../secret.raw"));
        assertTrue(m.contains("lies outside"), m);
        m = refusal(detached(dir, "g.nhdr", "data file: LIST\nct.raw\n../secret.raw"));
        assertTrue(m.contains("data file '../secret.raw' lies outside"), m);
        m = refusal(detached(dir, "h.nhdr", "data file: ../slice%03d.raw 1 3 1"));
        assertTrue(m.contains("data file '../slice001.raw' lies outside"), m);
        assertThrows(CalvariaException.class, () -> NrrdIO.dataFiles(dir.resolve("g.nhdr")));

        // multi-file data inside the folder passes the check and is then refused as unsupported
        Path list = detached(dir, "i.nhdr", "data file: LIST\nct.raw\ndata/ct.raw");
        assertEquals(2, NrrdIO.dataFiles(list).size());
        assertTrue(refusal(list).contains("multi-file NRRD data (2 data files) is not supported"));
        Path format = detached(dir, "j.nhdr", "data file: data/slice%03d.raw 1 9 2");
        assertEquals(
                dir.resolve("data/slice009.raw").toAbsolutePath().normalize(),
                NrrdIO.dataFiles(format).get(4));

        // printf-style formats Java cannot take are refused by name, not thrown as a formatter exception (fuzz find)
        for (String bad : new String[] {"slice%00d.raw", "slice%0d.raw", "slice%-3d.raw", "s%d%d.raw"}) {
            m = refusal(detached(dir, "f2.nhdr", "data file: " + bad + " 1 2 1"));
            assertTrue(m.contains("must hold one integer conversion such as %03d"), bad + ": " + m);
        }
        assertEquals(
                dir.resolve("s7.raw").toAbsolutePath().normalize(),
                NrrdIO.dataFiles(detached(dir, "f3.nhdr", "data file: s%i.raw 7 8 1"))
                        .get(0));
        assertEquals(
                dir.resolve("s0012.raw").toAbsolutePath().normalize(),
                NrrdIO.dataFiles(detached(dir, "f4.nhdr", "data file: s%04u.raw 12 13 1"))
                        .get(0));

        // a long name is quoted in part
        m = refusal(detached(dir, "k.nhdr", "data file: /" + "x".repeat(5000)));
        assertTrue(m.length() < 600 && m.contains("(5001 characters)"), m);
    }

    @Test
    void moreThanTwoGibibytesOfVoxelsAreReadOrRefusedQuickly() throws IOException {
        // float 1024 x 1024 x 600 = 2.5 GB of voxel data (more than 2^31 bytes): 150 identical gzip members of 16 MiB,
        // voxel i holding i % 4096, so the file is small and every voxel's value is known.
        int perMember = 1 << 22;
        java.nio.ByteBuffer member =
                java.nio.ByteBuffer.allocate(4 * perMember).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < perMember; i++) member.putFloat(i % 4096);
        byte[] gz = StrictGzipInputStreamTest.gzip(member.array(), 6);
        Path p = tmp.resolve("big.nrrd");
        try (java.io.OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(p))) {
            out.write(("NRRD0004\ntype: float\ndimension: 3\nsizes: 1024 1024 600\nendian: little\nencoding: gzip\n"
                            + "spacings: 0.5 0.5 0.5\n\n")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            for (int m = 0; m < 150; m++) out.write(gz);
        }
        Volume v;
        try {
            v = assertTimeoutPreemptively(java.time.Duration.ofSeconds(120), () -> NrrdIO.read(p));
        } catch (CalvariaException e) {
            // a JVM without 2.5 GB to spare refuses before allocating, with advice
            assertTrue(e.getMessage().contains("JAVA_OPTS=-Xmx"), e.getMessage());
            return;
        }
        assertEquals(1024 * 1024 * 600, v.voxelCount());
        for (int i : new int[] {0, 4095, 4097, (1 << 29) + 7, v.voxelCount() - 1}) {
            assertEquals(i % 4096, v.get(i), 0, "voxel " + i);
        }
    }

    @Test
    void aTinyFileDeclaringGigabytesFailsAtOnce() throws IOException {
        for (String enc : new String[] {"raw", "gzip", "ascii"}) {
            byte[] file = java.util.Arrays.copyOf(
                    ("NRRD0004\ntype: double\ndimension: 3\nsizes: 1000 1000 1400\n" + "encoding: " + enc + "\n\n")
                            .getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                    136);
            Path p = Files.write(tmp.resolve("tiny-" + enc + ".nrrd"), file);
            long t0 = System.nanoTime();
            CalvariaException e = assertThrows(CalvariaException.class, () -> NrrdIO.read(p));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(e.getMessage().contains("too short for its declared size"), e.getMessage());
            assertTrue(ms < 1000, enc + " took " + ms + " ms");
        }
        Path p = tmp.resolve("tiny.nrrd");
        Files.writeString(p, "NRRD0004\ntype: double\ndimension: 3\nsizes: 1000 1000 1400\nencoding: raw\n\n");
        assertTrue(assertThrows(CalvariaException.class, () -> NrrdIO.read(p))
                .getMessage()
                .contains("1000x1000x1400 double (11200000000 bytes) but the file holds 0 bytes"));
    }

    @Test
    void aHugeLineSkipIsCheckedAgainstTheFileSize() throws IOException {
        Path p = tmp.resolve("skip.nrrd");
        Files.writeString(
                p,
                "NRRD0004\ntype: uint8\ndimension: 3\nsizes: 2 2 2\nencoding: raw\n"
                        + "line skip: 999999999\n\n12345678");
        long t0 = System.nanoTime();
        CalvariaException e = assertThrows(CalvariaException.class, () -> NrrdIO.read(p));
        assertTrue((System.nanoTime() - t0) < 1_000_000_000L, "took too long");
        assertTrue(e.getMessage().contains("'line skip: 999999999' asks to skip more lines"), e.getMessage());
        // a line skip that the file can satisfy in bytes but not in lines
        Files.writeString(
                p,
                "NRRD0004\ntype: uint8\ndimension: 3\nsizes: 2 2 2\nencoding: raw\n" + "line skip: 3\n\none\n12345678");
        assertTrue(assertThrows(CalvariaException.class, () -> NrrdIO.read(p))
                .getMessage()
                .contains("line skip"));
        // and a good one
        Files.writeString(
                p,
                "NRRD0004\ntype: uint8\ndimension: 3\nsizes: 2 2 2\nencoding: raw\n"
                        + "line skip: 2\n\none\ntwo\n12345678");
        assertEquals('8', NrrdIO.read(p).get(7));
    }

    @Test
    void rawDataMustMatchTheDeclaredSizeExactly() throws IOException {
        Path p = tmp.resolve("long.nrrd");
        Files.writeString(p, "NRRD0004\ntype: uint8\ndimension: 3\nsizes: 2 2 2\nencoding: raw\n\n123456789");
        String m = assertThrows(CalvariaException.class, () -> NrrdIO.read(p)).getMessage();
        assertTrue(m.contains("holds 9 bytes of data, 1 more than its header's 2x2x2 uint8 (8 bytes)"), m);
        // byte skip -1: the data is the end of the file
        Files.writeString(
                p,
                "NRRD0004\ntype: uint8\ndimension: 3\nsizes: 2 2 2\nencoding: raw\nbyte skip: -1\n\n" + "xx12345678");
        assertEquals('1', NrrdIO.read(p).get(0));
    }

    @Test
    void memoryIsCheckedBeforeAllocating() throws IOException {
        // 256x256x256 int16 = 32 MiB of voxels; with a 16 MiB heap assumed the reader must refuse before allocating
        Path p = tmp.resolve("mem.nrrd");
        byte[] gz = StrictGzipInputStreamTest.gzip(new byte[256 * 256 * 256 * 2], 1);
        Files.write(
                p,
                concat(
                        ("NRRD0004\ntype: int16\ndimension: 3\nsizes: 256 256 256\nendian: little\n"
                                        + "encoding: gzip\n\n")
                                .getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                        gz));
        ReadLimits.heapLimitForTests = 16L << 20;
        try {
            String m =
                    assertThrows(CalvariaException.class, () -> NrrdIO.read(p)).getMessage();
            assertEquals(
                    p + ": reading its 256x256x256 int16 voxels needs 32 MiB of memory but Java may use only"
                            + " 16 MiB more (maximum heap 16 MiB); run with JAVA_OPTS=-Xmx16g, or crop the scan first",
                    m);
        } finally {
            ReadLimits.heapLimitForTests = 0;
        }
        assertEquals(256 * 256 * 256, NrrdIO.read(p).voxelCount());
    }

    /** The message of reading an attached 2x2x2 uint8 raw NRRD with {@code fields} added to its header. */
    private String failure(String fields) throws IOException {
        return failure(fields, "12345678");
    }

    private String failure(String fields, String data) throws IOException {
        Path p = tmp.resolve("f.nrrd");
        Files.writeString(
                p, "NRRD0004\ntype: uint8\ndimension: 3\nsizes: 2 2 2\nencoding: raw\n" + fields + "\n" + data);
        String m = assertThrows(CalvariaException.class, () -> NrrdIO.read(p)).getMessage();
        assertFalse(m.contains("\n"), m);
        assertFalse(m.contains("Exception"), m);
        return m;
    }

    @Test
    void unusableSpacingsEndiansSkipsAndPlacementsAreErrorsNotDefaults() throws IOException {
        for (String bad : new String[] {"nan 1 1", "1 0 1", "1 1 -0.5", "inf 1 1", "1 1 1e400"}) {
            String m = failure("spacings: " + bad + "\n");
            assertTrue(m.contains("spacings must be positive numbers of mm"), m);
        }
        assertTrue(failure("endian: middle\n").contains("'endian' must be little or big, got 'middle'"));
        assertTrue(failure("byte skip: -5\n").contains("'byte skip: -5' is not allowed"));
        assertTrue(failure("line skip: -1\n").contains("'line skip: -1' must be 0 or more"));
        String sp = "space: left-posterior-superior\n";
        assertTrue(failure(sp + "space directions: (0,0,0) (0,1,0) (0,0,1)\n")
                .contains("voxel spacing of axis 0 is 0 mm"));
        assertTrue(failure(sp + "space directions: (1,0,0) (0,2e6,0) (0,0,1)\n")
                .contains("voxel spacing of axis 1 is 2000000 mm"));
        assertTrue(failure(sp + "space directions: (1,0,0) (0,1,0) (nan,0,1)\n")
                .contains("direction of axis 2 is not finite"));
        assertTrue(failure(sp + "space directions: (1,0,0) (0,1,0) (0,0,1)\nspace origin: (0,3e6,0)\n")
                .contains("more than 1 km from the scanner's centre"));
        assertTrue(failure(sp + "space directions: (1,0,0) (0,1,0) (0,0,1)\nspace origin: (0,nan,0)\n")
                .contains("origin (0, NaN, 0) mm is not finite"));

        // byte skip -1 is raw-only
        Path gz = tmp.resolve("gz.nrrd");
        Files.write(
                gz,
                concat(
                        "NRRD0004\ntype: uint8\ndimension: 3\nsizes: 2 2 2\nencoding: gzip\nbyte skip: -1\n\n"
                                .getBytes(),
                        StrictGzipInputStreamTest.gzip(new byte[8], 6)));
        assertTrue(assertThrows(CalvariaException.class, () -> NrrdIO.read(gz))
                .getMessage()
                .contains("works only for raw data"));

        // space units other than mm are converted
        Path p = tmp.resolve("metres.nrrd");
        Files.writeString(
                p,
                "NRRD0004\ntype: uint8\ndimension: 3\nsizes: 2 2 2\nencoding: raw\n" + sp
                        + "space units: \"m\" \"m\" \"m\"\nspace directions: (0.001,0,0) (0,0.001,0) (0,0,0.002)\n"
                        + "space origin: (0.1,0,0)\n\n12345678");
        Geometry g = NrrdIO.read(p).geometry();
        assertArrayEquals(new double[] {1, 1, 2}, g.spacing(), 1e-12);
        assertArrayEquals(new double[] {100, 0, 0}, g.origin(), 1e-12);
        assertTrue(failure(sp + "space units: \"furlong\" \"mm\" \"mm\"\n").contains("unsupported NRRD space units"));
    }

    @Test
    void headerFieldsThatDoNotParseAreSentencesNamingTheField() throws IOException {
        Path p = tmp.resolve("d.nrrd");
        Files.writeString(p, "NRRD0004\ntype: uint8\ndimension: three\nsizes: 2 2 2\nencoding: raw\n\n12345678");
        String m = assertThrows(CalvariaException.class, () -> NrrdIO.read(p)).getMessage();
        assertEquals(p + ": NRRD field 'dimension' must be a whole number, got 'three'; the header is damaged", m);
        assertTrue(failure("line skip: lots\n").contains("NRRD field 'line skip' must be a whole number, got 'lots'"));
        assertTrue(failure("byte skip: 1.5\n").contains("NRRD field 'byte skip' must be a whole number"));
        assertTrue(failure("space directions: (1,0) (0,1,0) (0,0,1)\n")
                .contains("'space directions' needs vectors of 3 numbers"));
        assertTrue(failure("space directions: (1,0,0) (0,x,0) (0,0,1)\n")
                .contains("'x' in NRRD field 'space directions' is not a number"));
        Files.writeString(p, "NRRD0004\ntype: uint8\ndimension: 3\nsizes: 2 2 99999999999\nencoding: raw\n\n");
        assertTrue(assertThrows(CalvariaException.class, () -> NrrdIO.read(p))
                .getMessage()
                .contains("must be whole numbers below 2^31"));
        Files.writeString(p, "NRRD0004\ntype: uint8\ndimension: 3\nsizes: 2 2 2\nencoding: ascii\n\n1 2 3 4 5 6 x 8");
        assertTrue(assertThrows(CalvariaException.class, () -> NrrdIO.read(p))
                .getMessage()
                .contains("ASCII value 7, 'x', is not a number"));
        // quoted header text is capped
        String m2 = failure("type: " + "y".repeat(10_000) + "\n");
        assertTrue(m2.length() < 500 && m2.contains("(10000 characters)"), m2);
        String m3 = failure("z".repeat(10_000) + "\n");
        assertTrue(m3.length() < 500 && m3.contains("malformed NRRD header line"), m3);
    }

    @Test
    void unknownTypeAndWrongSizesFailClearly() throws IOException {
        Path p = tmp.resolve("bad.nrrd");
        Files.writeString(p, "NRRD0004\ntype: complex\ndimension: 3\nsizes: 2 2 2\nencoding: raw\n\n12345678");
        assertTrue(assertThrows(CalvariaException.class, () -> NrrdIO.read(p))
                .getMessage()
                .contains("type"));
        Files.writeString(p, "NRRD0004\ntype: uint8\ndimension: 3\nsizes: 2 2 2\nencoding: raw\n\n1234");
        assertTrue(assertThrows(CalvariaException.class, () -> NrrdIO.read(p))
                .getMessage()
                .contains("truncated"));
        Files.writeString(p, "NRRD0004\ntype: uint8\ndimension: 3\nsizes: 2 -2 2\nencoding: raw\n\n1234");
        assertTrue(assertThrows(CalvariaException.class, () -> NrrdIO.read(p))
                .getMessage()
                .contains("positive"));
    }

    @Test
    void readsSkullFixWithShearAndKnownCounts() {
        Volume complete = NrrdIO.read(SharedData.skullfix("complete_skull", "000"));
        assertInstanceOf(MaskVolume.class, complete);
        assertEquals(VoxelType.INT32, complete.sourceType());
        assertEquals(3_588_832, complete.countNonZero());
        assertFalse(complete.geometry().isAxisAligned(1e-6), "case 000 has gantry tilt");
        Volume implant = NrrdIO.read(SharedData.skullfix("implant", "000"));
        assertEquals(281_767, implant.countNonZero());
    }

    @Test
    void realFilesRoundTripVoxelExact() {
        for (Path p : new Path[] {SharedData.seg3dSkull(), SharedData.invesaliusCt()}) {
            Volume v = NrrdIO.read(p);
            Path out = tmp.resolve(p.getFileName() + ".nrrd");
            NrrdIO.write(v, out);
            Volume back = NrrdIO.read(out);
            assertTrue(back.geometry().sameGrid(v.geometry(), 1e-9));
            for (int i = 0; i < v.voxelCount(); i++) assertEquals(v.get(i), back.get(i), p + " voxel " + i);
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
