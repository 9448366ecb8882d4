package org.calvaria.io;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.calvaria.CalvariaException;
import org.calvaria.Progress;
import org.calvaria.testing.DicomFixtures;
import org.calvaria.volume.Geometry;
import org.calvaria.volume.ShortVolume;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damaged headers, made by seeded random mutation of small valid files: every read must give a volume or one
 * {@link CalvariaException} whose message is one short line without Java exception names, and must end quickly.
 */
class ReaderFuzzTest {
    @TempDir
    Path tmp;

    @BeforeAll
    static void quiet() {
        Progress.enabled(false);
    }

    private static final String[] VALUES = {
        "",
        "-1",
        "-2",
        "0",
        "99999999999",
        "2147483648",
        "nan",
        "inf",
        "-inf",
        "1e400",
        "abc",
        "(1,2)",
        "(,,)",
        "(1,2,3)",
        "(1,2,3) (4,5,6)",
        "none",
        "LIST",
        "../x.raw",
        "/etc/passwd",
        "%d 1 2 3",
        "%d 1 99999999 1",
        "0x10",
        "1,2,3",
        "little",
        "big",
        "gzip",
        "raw",
        "ascii",
        "bzip2",
        "double",
        "1 1 1",
        "0 0 0",
        "-1 2 3",
        "2 2",
        "2 2 2 2",
        "999999999",
        "\u00e9\u00e8",
        "x".repeat(3000)
    };

    private static void check(Path p, String what) {
        long t0 = System.nanoTime();
        try {
            VolumeIO.read(p);
        } catch (CalvariaException e) {
            String m = e.getMessage();
            assertNotNull(m, what);
            assertFalse(m.contains("\n"), what + ": " + m);
            assertTrue(m.length() < 1200, () -> what + ": " + m.length() + " characters: " + m.substring(0, 300));
            for (String leak : new String[] {"Exception", "len < 0", "(null)", ": null", "Index ", "out of bounds"}) {
                assertFalse(m.contains(leak), what + ": " + m);
            }
        } catch (Throwable t) {
            throw new AssertionError(what + " threw " + t, t);
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(ms < 5000, what + " took " + ms + " ms");
    }

    @Test
    void damagedNrrdHeaders() throws IOException {
        ShortVolume v = new ShortVolume(
                new Geometry(5, 4, 3, new double[] {1, 2, 3}, new double[] {0.5, 0, 0, 0, 0.5, 0.1, 0, 0, 2}));
        for (int i = 0; i < v.voxelCount(); i++) v.set(i, i * 3 - 20);
        Path good = tmp.resolve("good.nrrd");
        for (NrrdIO.Encoding enc : NrrdIO.Encoding.values()) {
            NrrdIO.write(v, good, null, enc);
            byte[] all = Files.readAllBytes(good);
            String text = new String(all, StandardCharsets.ISO_8859_1);
            int headerEnd = text.indexOf("\n\n") + 2;
            List<String> lines = new ArrayList<>(
                    Arrays.asList(text.substring(0, headerEnd - 1).split("\n")));
            byte[] data = Arrays.copyOfRange(all, headerEnd, all.length);
            Random r = new Random(enc.ordinal());
            for (int n = 0; n < 400; n++) {
                List<String> l = new ArrayList<>(lines);
                int edits = 1 + r.nextInt(3);
                for (int e = 0; e < edits; e++) {
                    int i = 1 + r.nextInt(l.size() - 1);
                    String line = l.get(i);
                    int colon = line.indexOf(": ");
                    switch (r.nextInt(6)) {
                        case 0:
                            l.remove(i);
                            break;
                        case 1:
                            l.add(i, line);
                            break;
                        case 2:
                            l.add(
                                    i,
                                    (r.nextBoolean() ? "line skip: " : "byte skip: ")
                                            + VALUES[r.nextInt(VALUES.length)]);
                            break;
                        case 3:
                            l.add(i, (r.nextBoolean() ? "endian: " : "spacings: ") + VALUES[r.nextInt(VALUES.length)]);
                            break;
                        default:
                            if (colon > 0) l.set(i, line.substring(0, colon + 2) + VALUES[r.nextInt(VALUES.length)]);
                    }
                }
                byte[] head = (String.join("\n", l) + "\n\n").getBytes(StandardCharsets.ISO_8859_1);
                byte[] body = data;
                if (r.nextInt(4) == 0) body = Arrays.copyOf(data, r.nextInt(data.length + 8));
                byte[] file = Arrays.copyOf(head, head.length + body.length);
                System.arraycopy(body, 0, file, head.length, body.length);
                if (r.nextInt(5) == 0) file[r.nextInt(file.length)] ^= (byte) (1 << r.nextInt(8));
                Path p = Files.write(tmp.resolve("m.nrrd"), file);
                check(p, enc + " mutation " + n + ":\n" + new String(head, StandardCharsets.ISO_8859_1));
            }
        }
    }

    @Test
    void damagedNiftiHeaders() throws IOException {
        ShortVolume v = new ShortVolume(Geometry.axisAligned(5, 4, 3, 0.5, 0.5, 2, new double[] {1, 2, 3}));
        for (int i = 0; i < v.voxelCount(); i++) v.set(i, i * 3 - 20);
        v.metadata().put("note", "kept");
        Path good = tmp.resolve("good.nii");
        NiftiIO.write(v, good, null);
        byte[] all = Files.readAllBytes(good);
        // offsets of the fields a reader interprets: dims, datatype, bitpix, pixdim, vox_offset, scl, units, codes,
        // quaternion and sform, magic, extension flag
        int[] shorts = {40, 42, 44, 46, 48, 70, 72, 252, 254};
        int[] floats = {
            76, 80, 84, 88, 108, 112, 116, 256, 260, 264, 268, 272, 276, 280, 284, 288, 292, 296, 300, 304, 308, 312,
            316, 320, 324
        };
        float[] fvals = {
            0, -1, 1, 348, 351, 352, 1e30f, -1e30f, Float.NaN, Float.POSITIVE_INFINITY, 1e7f, 0.5f, (float) (1L << 40)
        };
        short[] svals = {0, -1, 1, 2, 3, 4, 7, 8, 16, 32, 64, 128, 512, 768, 1024, 2304, 32767, -32768};
        Random r = new Random(7);
        for (int n = 0; n < 600; n++) {
            byte[] file = all.clone();
            ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
            int edits = 1 + r.nextInt(3);
            for (int e = 0; e < edits; e++) {
                int kind = r.nextInt(5);
                if (file.length < 368 && kind < 4) continue; // cut already: leave it so
                switch (kind) {
                    case 0:
                        b.putShort(shorts[r.nextInt(shorts.length)], svals[r.nextInt(svals.length)]);
                        break;
                    case 1:
                        b.putFloat(floats[r.nextInt(floats.length)], fvals[r.nextInt(fvals.length)]);
                        break;
                    case 2:
                        file[r.nextInt(file.length)] ^= (byte) (1 << r.nextInt(8));
                        break;
                    case 3:
                        b.putInt(352 + 8 * r.nextInt(2), r.nextBoolean() ? -16 : r.nextInt());
                        break;
                    default:
                        file = Arrays.copyOf(file, r.nextInt(file.length + 16));
                }
                b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
            }
            Path p = Files.write(
                    tmp.resolve(r.nextBoolean() ? "m.nii" : "m.nii.gz"),
                    r.nextBoolean() ? file : StrictGzipInputStreamTest.gzip(file, 6));
            check(p, "NIfTI mutation " + n);
        }
    }

    @Test
    void damagedDicomSlices() throws IOException {
        Path src = DicomFixtures.path("oblique-ct");
        List<Path> files;
        try (Stream<Path> s = Files.list(src)) {
            files = s.filter(f -> f.toString().endsWith(".dcm")).sorted().toList();
        }
        Random r = new Random(11);
        for (int n = 0; n < 200; n++) {
            Path dir = Files.createDirectories(tmp.resolve("d" + n));
            for (Path f : files) Files.copy(f, dir.resolve(f.getFileName()));
            Path victim = dir.resolve(files.get(r.nextInt(files.size())).getFileName());
            byte[] bytes = Files.readAllBytes(victim);
            int edits = 1 + r.nextInt(4);
            for (int e = 0; e < edits; e++) {
                int at = 128 + r.nextInt(Math.min(bytes.length - 128, 1200));
                switch (r.nextInt(4)) {
                    case 0:
                        bytes[at] ^= (byte) (1 << r.nextInt(8));
                        break;
                    case 1:
                        bytes[at] = (byte) 0xff;
                        break;
                    case 2: // a length field claiming nearly 4 GB, wherever it lands
                        if (at + 4 <= bytes.length)
                            ByteBuffer.wrap(bytes, at, 4).putInt(0xfffffff0);
                        break;
                    default:
                        bytes = Arrays.copyOf(bytes, at);
                }
                if (bytes.length <= 132) break;
            }
            Files.write(victim, bytes);
            check(dir, "DICOM mutation " + n + " of " + victim.getFileName());
        }
    }
}
