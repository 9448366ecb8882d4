package org.calvaria.io;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import org.calvaria.volume.FloatVolume;
import org.calvaria.volume.Geometry;
import org.calvaria.volume.MaskVolume;
import org.calvaria.volume.ShortVolume;
import org.calvaria.volume.Volume;
import org.calvaria.volume.VoxelType;

/**
 * Raw voxel coding shared by the volume formats (NRRD, NIfTI): binary values of any {@link VoxelType} in either byte
 * order, read into a {@link Volume} or written from one, and skipping to where the voxels start.
 */
final class VoxelCodec {
    private VoxelCodec() {}

    /**
     * Decoded voxel values: exactly one of {@code shorts}, {@code floats} and {@code mask} is set. {@code mask} holds
     * integer data of only 0s and 1s as the words of a {@link MaskVolume}.
     */
    record Values(short[] shorts, float[] floats, long[] mask, boolean binary) {
        Values(short[] shorts, float[] floats, boolean binary) {
            this(shorts, floats, null, binary);
        }
    }

    /**
     * Reads {@code count} binary voxels; throws EOFException when the stream ends early. With {@code maskIfBinary},
     * integer data of only 0s and 1s comes back as a mask (no value array is made for it).
     */
    static Values readBinary(
            InputStream in, int count, VoxelType type, ByteOrder order, Path path, boolean maskIfBinary)
            throws IOException {
        int bytes = type.bytes();
        byte[] chunk = new byte[(1 << 20) / bytes * bytes];
        ByteBuffer bb = ByteBuffer.wrap(chunk).order(order);
        Decoder d = new Decoder(count, type, maskIfBinary && type.isInteger(), chunk.length / bytes);
        int done = 0;
        while (done < count) {
            // long: (count - done) * bytes passes 2^31 for more than 2 GiB of voxel data
            int want = (int) Math.min(chunk.length, (long) (count - done) * bytes);
            int got = 0;
            while (got < want) {
                int r = in.read(chunk, got, want - got);
                if (r < 0) throw new EOFException();
                got += r;
            }
            int n = want / bytes;
            bb.clear();
            d.decode(chunk, bb, n, done);
            done += n;
        }
        return d.values();
    }

    /** Reads {@code count} binary voxels into a value array (never a mask); EOFException when the stream ends early. */
    static Values readBinary(InputStream in, int count, VoxelType type, ByteOrder order, Path path) throws IOException {
        return readBinary(in, count, type, order, path, false);
    }

    /**
     * Decodes chunks of one type with a loop per type (the voxels of a scan are many, and the loops run cold). Integer
     * data goes straight into mask bits while every value is 0 or 1; the first other value turns the bits set so far
     * into values and decoding goes on into the value array.
     */
    private static final class Decoder {
        private final VoxelType type;
        private final int count;
        private long[] mask;
        private short[] shorts;
        private float[] floats;
        private boolean binary = true;
        private final short[] shortChunk;
        private final int[] intChunk;
        private final double[] doubleChunk;

        Decoder(int count, VoxelType type, boolean mask, int chunkValues) {
            this.type = type;
            this.count = count;
            if (mask) this.mask = new long[(count + 63) >>> 6];
            else if (type.fitsShort()) shorts = new short[count];
            else floats = new float[count];
            int bytes = type.bytes();
            shortChunk = bytes == 2 ? new short[chunkValues] : null;
            intChunk = bytes == 4 && type.isInteger() ? new int[chunkValues] : null;
            doubleChunk = bytes == 8 ? new double[chunkValues] : null;
        }

        Values values() {
            return new Values(shorts, floats, mask, binary);
        }

        /** Decodes the {@code n} values at the start of {@code chunk} (also seen as {@code bb}), voxels from {@code at}. */
        void decode(byte[] chunk, ByteBuffer bb, int n, int at) {
            int from = 0;
            switch (type) {
                case INT8, UINT8 -> {
                    if (mask != null) from = maskBytes(chunk, n, at);
                    if (from < n) {
                        if (type == VoxelType.INT8) signedBytes(chunk, from, n, at);
                        else unsignedBytes(chunk, from, n, at);
                    }
                }
                case INT16, UINT16 -> {
                    bb.asShortBuffer().get(shortChunk, 0, n);
                    if (mask != null) from = maskShorts(shortChunk, n, at);
                    if (from < n) {
                        if (type == VoxelType.INT16) signedShorts(shortChunk, from, n, at);
                        else unsignedShorts(shortChunk, from, n, at);
                    }
                }
                case INT32, UINT32 -> {
                    bb.asIntBuffer().get(intChunk, 0, n);
                    if (mask != null) from = maskInts(intChunk, n, at);
                    if (from < n) {
                        if (type == VoxelType.INT32) signedInts(intChunk, from, n, at);
                        else unsignedInts(intChunk, from, n, at);
                    }
                }
                case FLOAT32 -> {
                    // floats are never a mask (only integer 0/1 data is), so they are copied in bulk
                    bb.asFloatBuffer().get(floats, at, n);
                    binary = false;
                }
                case FLOAT64 -> {
                    bb.asDoubleBuffer().get(doubleChunk, 0, n);
                    doubles(doubleChunk, n, at);
                }
            }
        }

        /** Sets mask bits while the values are 0 or 1: returns where the first other value is (n when none). */
        private int maskBytes(byte[] v, int n, int at) {
            long[] m = mask;
            for (int i = 0; i < n; i++) {
                int x = v[i];
                if (x == 0) continue;
                if (x != 1) return leaveMask(i, at);
                int k = at + i;
                m[k >>> 6] |= 1L << k;
            }
            return n;
        }

        private int maskShorts(short[] v, int n, int at) {
            long[] m = mask;
            for (int i = 0; i < n; i++) {
                int x = v[i];
                if (x == 0) continue;
                if (x != 1) return leaveMask(i, at);
                int k = at + i;
                m[k >>> 6] |= 1L << k;
            }
            return n;
        }

        private int maskInts(int[] v, int n, int at) {
            long[] m = mask;
            for (int i = 0; i < n; i++) {
                int x = v[i];
                if (x == 0) continue;
                if (x != 1) return leaveMask(i, at);
                int k = at + i;
                m[k >>> 6] |= 1L << k;
            }
            return n;
        }

        /** The data is not a mask: its voxels before {@code at + i}, all 0 or 1, become values. */
        private int leaveMask(int i, int at) {
            int end = at + i;
            if (type.fitsShort()) {
                shorts = new short[count];
                for (int k = 0; k < end; k++) if ((mask[k >>> 6] & (1L << k)) != 0) shorts[k] = 1;
            } else {
                floats = new float[count];
                for (int k = 0; k < end; k++) if ((mask[k >>> 6] & (1L << k)) != 0) floats[k] = 1;
            }
            mask = null;
            binary = false;
            return i;
        }

        private void signedBytes(byte[] v, int from, int n, int at) {
            short[] s = shorts;
            boolean b = binary;
            for (int i = from; i < n; i++) {
                int x = v[i];
                if (b && x != 0 && x != 1) b = false;
                s[at + i] = (short) x;
            }
            binary = b;
        }

        private void unsignedBytes(byte[] v, int from, int n, int at) {
            short[] s = shorts;
            boolean b = binary;
            for (int i = from; i < n; i++) {
                int x = v[i] & 0xff;
                if (b && x != 0 && x != 1) b = false;
                s[at + i] = (short) x;
            }
            binary = b;
        }

        private void signedShorts(short[] v, int from, int n, int at) {
            short[] s = shorts;
            boolean b = binary;
            for (int i = from; i < n; i++) {
                short x = v[i];
                if (b && x != 0 && x != 1) b = false;
                s[at + i] = x;
            }
            binary = b;
        }

        private void unsignedShorts(short[] v, int from, int n, int at) {
            float[] f = floats;
            boolean b = binary;
            for (int i = from; i < n; i++) {
                int x = v[i] & 0xffff;
                if (b && x != 0 && x != 1) b = false;
                f[at + i] = x;
            }
            binary = b;
        }

        private void signedInts(int[] v, int from, int n, int at) {
            float[] f = floats;
            boolean b = binary;
            for (int i = from; i < n; i++) {
                int x = v[i];
                if (b && x != 0 && x != 1) b = false;
                // int to float rounds to nearest, as the int's exact double to float did
                f[at + i] = x;
            }
            binary = b;
        }

        private void unsignedInts(int[] v, int from, int n, int at) {
            float[] f = floats;
            boolean b = binary;
            for (int i = from; i < n; i++) {
                long x = v[i] & 0xffffffffL;
                if (b && x != 0 && x != 1) b = false;
                f[at + i] = x;
            }
            binary = b;
        }

        private void doubles(double[] v, int n, int at) {
            float[] f = floats;
            boolean b = binary;
            for (int i = 0; i < n; i++) {
                double x = v[i];
                if (b && x != 0 && x != 1) b = false;
                f[at + i] = (float) x;
            }
            binary = b;
        }
    }

    /** Integer 0/1 data becomes a mask, types that fit a short a ShortVolume, the rest floats. */
    static Volume toVolume(Values v, Geometry g, VoxelType type) {
        Volume out;
        if (v.mask() != null) {
            MaskVolume m = new MaskVolume(g);
            System.arraycopy(v.mask(), 0, m.words(), 0, v.mask().length);
            m.setSourceType(type);
            out = m;
        } else if (v.binary() && type.isInteger()) {
            MaskVolume m = new MaskVolume(g);
            int n = g.voxelCount();
            if (v.shorts() != null) {
                short[] s = v.shorts();
                for (int i = 0; i < n; i++) if (s[i] != 0) m.set(i, true);
            } else {
                float[] f = v.floats();
                for (int i = 0; i < n; i++) if (f[i] != 0) m.set(i, true);
            }
            m.setSourceType(type);
            out = m;
        } else if (v.shorts() != null) {
            out = new ShortVolume(g, v.shorts(), type);
        } else {
            out = new FloatVolume(g, v.floats(), type);
        }
        return out;
    }

    /** Writes all voxel values in x-fastest order, converted to {@code type} (clamped and rounded for integers). */
    static void writeValues(Volume v, OutputStream out, VoxelType type, ByteOrder order) throws IOException {
        int n = v.voxelCount();
        int bytes = type.bytes();
        byte[] chunk = new byte[(1 << 20) / bytes * bytes];
        ByteBuffer bb = ByteBuffer.wrap(chunk).order(order);
        int perChunk = chunk.length / bytes;
        for (int start = 0; start < n; start += perChunk) {
            int end = Math.min(n, start + perChunk);
            for (int i = start; i < end; i++) {
                double x = v.get(i);
                int p = (i - start) * bytes;
                if (type.isInteger()) {
                    x = Math.rint(Math.max(type.min(), Math.min(type.max(), x)));
                }
                switch (type) {
                    case INT8:
                    case UINT8:
                        bb.put(p, (byte) (long) x);
                        break;
                    case INT16:
                    case UINT16:
                        bb.putShort(p, (short) (long) x);
                        break;
                    case INT32:
                    case UINT32:
                        bb.putInt(p, (int) (long) x);
                        break;
                    case FLOAT32:
                        bb.putFloat(p, (float) x);
                        break;
                    default:
                        bb.putDouble(p, x);
                        break;
                }
            }
            out.write(chunk, 0, (end - start) * bytes);
        }
    }

    /** Skips exactly {@code n} bytes; throws EOFException when the stream ends first. */
    static void skipFully(InputStream in, long n) throws IOException {
        while (n > 0) {
            long s = in.skip(n);
            if (s <= 0) {
                if (in.read() == -1) throw new EOFException();
                s = 1;
            }
            n -= s;
        }
    }
}
