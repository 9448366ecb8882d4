package org.calvaria.io;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.calvaria.CalvariaException;
import org.calvaria.volume.FloatVolume;
import org.calvaria.volume.Geometry;
import org.calvaria.volume.MaskVolume;
import org.calvaria.volume.Volume;
import org.calvaria.volume.VoxelType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReadAheadInputStreamTest {
    @TempDir
    Path tmp;

    private static byte[] readAll(InputStream in, Random r) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] b = new byte[1 << 21];
        while (true) {
            if (r.nextInt(10) == 0) {
                int c = in.read();
                if (c < 0) break;
                out.write(c);
            } else {
                int n = in.read(b, 0, 1 + r.nextInt(b.length));
                if (n < 0) break;
                out.write(b, 0, n);
            }
        }
        return out.toByteArray();
    }

    @Test
    void givesTheSourceBytesInOrder() throws IOException {
        Random r = new Random(2);
        for (int size : new int[] {0, 1, ReadAheadInputStream.CHUNK_BYTES, 5 * ReadAheadInputStream.CHUNK_BYTES + 17}) {
            byte[] data = new byte[size];
            r.nextBytes(data);
            try (InputStream in = new ReadAheadInputStream(new ByteArrayInputStream(data))) {
                assertArrayEquals(data, readAll(in, r), "size " + size);
                assertEquals(-1, in.read());
            }
        }
    }

    /** A failing source: its exception comes after every byte read before it, and again on later reads. */
    @Test
    void passesTheSourcesFailureOnAfterItsBytes() throws IOException {
        byte[] data = new byte[3 * ReadAheadInputStream.CHUNK_BYTES + 5];
        new Random(4).nextBytes(data);
        IOException broken = new IOException("disk on fire");
        InputStream failing = new InputStream() {
            private int at;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (at == data.length) throw broken;
                int n = Math.min(len, Math.min(1000, data.length - at));
                System.arraycopy(data, at, b, off, n);
                at += n;
                return n;
            }
        };
        try (InputStream in = new ReadAheadInputStream(failing)) {
            byte[] got = in.readNBytes(data.length);
            assertArrayEquals(data, got);
            assertSame(broken, assertThrows(IOException.class, in::read));
            assertSame(broken, assertThrows(IOException.class, () -> in.read(new byte[10], 0, 10)));
        }
    }

    /** Closing early stops the reading thread and closes the source. */
    @Test
    void closingEarlyClosesTheSource() throws IOException {
        boolean[] closed = {false};
        InputStream endless = new InputStream() {
            @Override
            public int read() {
                return 7;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                Arrays.fill(b, off, off + len, (byte) 7);
                return len;
            }

            @Override
            public void close() {
                closed[0] = true;
            }
        };
        InputStream in = new ReadAheadInputStream(endless);
        assertEquals(7, in.read());
        in.close();
        assertTrue(closed[0]);
        assertThrows(IOException.class, in::read);
    }

    /** A gzip NRRD of int32 0/1 voxels (as SkullFix ships) reads as the same mask as its raw twin. */
    @Test
    void gzipInt32MaskReadsLikeRaw() throws IOException {
        Geometry g = Geometry.axisAligned(130, 120, 70, 0.5);
        MaskVolume m = new MaskVolume(g);
        Random r = new Random(6);
        for (int i = 0; i < m.voxelCount(); i++) if (r.nextInt(5) == 0) m.set(i, true);
        Path gz = tmp.resolve("m.nrrd"), raw = tmp.resolve("m-raw.nrrd");
        NrrdIO.write(m, gz, VoxelType.INT32, NrrdIO.Encoding.GZIP);
        NrrdIO.write(m, raw, VoxelType.INT32, NrrdIO.Encoding.RAW);
        Volume a = NrrdIO.read(gz), b = NrrdIO.read(raw);
        assertInstanceOf(MaskVolume.class, a);
        assertTrue(((MaskVolume) a).sameVoxels(m));
        assertTrue(((MaskVolume) b).sameVoxels(m));
        assertEquals(VoxelType.INT32, a.sourceType());
    }

    /** A CT in HU as gzip int32: values, not a mask, equal to the written ones. */
    @Test
    void gzipInt32CtReadsAsValues() throws IOException {
        Geometry g = Geometry.axisAligned(100, 90, 60, 0.5);
        FloatVolume ct = new FloatVolume(g);
        Random r = new Random(8);
        // air first, as in a scan's first slices, then tissue and bone
        for (int i = g.voxelCount() / 2; i < g.voxelCount(); i++) ct.set(i, r.nextInt(3000) - 1024);
        Path p = tmp.resolve("ct.nrrd");
        NrrdIO.write(ct, p, VoxelType.INT32, NrrdIO.Encoding.GZIP);
        Volume back = NrrdIO.read(p);
        assertFalse(back instanceof MaskVolume);
        for (int i = 0; i < g.voxelCount(); i++) assertEquals(ct.get(i), back.get(i), 0, "voxel " + i);
    }

    /** A gzip NRRD cut short: the same one-line error as before, and no reading thread left behind. */
    @Test
    void truncatedGzipFailsWithOneLine() throws Exception {
        Geometry g = Geometry.axisAligned(128, 128, 64, 0.5);
        MaskVolume m = new MaskVolume(g);
        for (int i = 0; i < m.voxelCount(); i += 3) m.set(i, true);
        Path p = tmp.resolve("cut.nrrd");
        NrrdIO.write(m, p, VoxelType.INT32, NrrdIO.Encoding.GZIP);
        byte[] all = Files.readAllBytes(p);
        Files.write(p, Arrays.copyOf(all, all.length * 2 / 3));
        CalvariaException e = assertThrows(CalvariaException.class, () -> NrrdIO.read(p));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals("calvaria-read-ahead")) t.join(5000);
        }
        assertTrue(
                Thread.getAllStackTraces().keySet().stream()
                        .noneMatch(t -> t.getName().equals("calvaria-read-ahead") && t.isAlive()),
                "reading thread still running");
    }

    @Test
    void bigEndianInt16ReadsTheSameThroughTheDecoder() throws IOException {
        short[] values = {-32768, -1, 0, 1, 2, 32767};
        java.nio.ByteBuffer bb = java.nio.ByteBuffer.allocate(12).order(ByteOrder.BIG_ENDIAN);
        for (short v : values) bb.putShort(v);
        VoxelCodec.Values v = VoxelCodec.readBinary(
                new ByteArrayInputStream(bb.array()), 6, VoxelType.INT16, ByteOrder.BIG_ENDIAN, tmp, true);
        assertArrayEquals(values, v.shorts());
        assertFalse(v.binary());
    }
}
