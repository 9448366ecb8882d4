package org.calvaria.io;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.Deflater;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipException;
import org.junit.jupiter.api.Test;

/** Gzip data is accepted only whole: checksum, length, truncation and trailing bytes are all checked. */
class StrictGzipInputStreamTest {
    /** Gzip of {@code data}; level 0 writes stored deflate blocks, whose payload stays decodable when a bit flips. */
    static byte[] gzip(byte[] data, int level) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bytes, 1 << 16) {
            {
                def.setLevel(level);
            }
        }) {
            gz.write(data);
        }
        return bytes.toByteArray();
    }

    static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static byte[] readAll(byte[] gz) throws IOException {
        try (InputStream in = new StrictGzipInputStream(new ByteArrayInputStream(gz))) {
            return in.readAllBytes();
        }
    }

    private static String failure(byte[] gz) {
        return assertThrows(StrictGzipInputStream.CorruptGzipException.class, () -> readAll(gz))
                .getMessage();
    }

    @Test
    void wholeStreamsAndConcatenatedMembersRead() throws IOException {
        byte[] a = randomBytes(300_000, 1);
        byte[] b = new byte[70_000];
        assertArrayEquals(a, readAll(gzip(a, Deflater.DEFAULT_COMPRESSION)));
        assertArrayEquals(a, readAll(gzip(a, Deflater.NO_COMPRESSION)));
        byte[] both = concat(gzip(a, 6), gzip(b, 9));
        byte[] expected = concat(a, b);
        assertArrayEquals(expected, readAll(both));
        assertArrayEquals(new byte[0], readAll(gzip(new byte[0], 6)));
        // single-byte reads give the same bytes
        try (InputStream in = new StrictGzipInputStream(new ByteArrayInputStream(gzip(b, 1)))) {
            for (byte x : b) assertEquals(x & 0xff, in.read());
            assertEquals(-1, in.read());
        }
    }

    @Test
    void aFlippedBitThatStillDecodesFailsTheChecksum() throws IOException {
        byte[] gz = gzip(randomBytes(200_000, 2), Deflater.NO_COMPRESSION);
        gz[gz.length / 2] ^= 0x10;
        // The JDK's own reader decodes it and only its trailer check notices, which a reader that stops early skips.
        ZipException jdk = assertThrows(ZipException.class, () -> {
            try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
                in.readAllBytes();
            }
        });
        assertTrue(jdk.getMessage().contains("trailer"), jdk.getMessage());
        assertEquals("gzip checksum mismatch", failure(gz));
    }

    @Test
    void damagedTruncatedAndTrailingBytesAreErrors() throws IOException {
        byte[] gz = gzip(randomBytes(100_000, 3), 6);
        byte[] flipped = gz.clone();
        flipped[flipped.length / 2] ^= 0x01;
        String m = failure(flipped);
        assertTrue(m.equals("gzip checksum mismatch") || m.startsWith("invalid compressed data"), m);

        assertEquals("gzip data ends early (truncated)", failure(Arrays.copyOf(gz, gz.length - 4)));
        assertEquals("gzip data ends early (truncated)", failure(Arrays.copyOf(gz, gz.length / 2)));
        assertEquals("gzip data ends early (truncated)", failure(Arrays.copyOf(gz, 5)));
        byte[] wrongLength = gz.clone();
        wrongLength[wrongLength.length - 1] ^= 0x01;
        assertEquals("gzip length mismatch", failure(wrongLength));

        assertEquals("unexpected bytes after the end of the gzip data", failure(concat(gz, new byte[] {0, 0, 0, 0})));
        assertEquals("unexpected bytes after the end of the gzip data", failure(concat(gz, "junk".getBytes())));
        assertEquals("the gzip data is empty", failure(new byte[0]));
        assertEquals("not gzip data (no gzip magic bytes)", failure("NRRD0004".getBytes()));
    }

    @Test
    void readToEndCountsWhatIsLeft() throws IOException {
        try (InputStream in = new StrictGzipInputStream(new ByteArrayInputStream(gzip(new byte[1000], 6)))) {
            assertEquals(400, in.readNBytes(400).length);
            assertEquals(600, StrictGzipInputStream.readToEnd(in));
        }
    }

    static byte[] gunzip(byte[] gz) throws IOException {
        return readAll(gz);
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
