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

    /** Decoded voxel values: exactly one of the arrays is set.  */
    record Values(short[] shorts, float[] floats, boolean binary) {}

    /** Reads {@code count} binary voxels; throws EOFException when the stream ends early. */
    static Values readBinary(InputStream in, int count, VoxelType type, ByteOrder order, Path path) throws IOException {
        int bytes = type.bytes();
        byte[] chunk = new byte[(1 << 20) / bytes * bytes];
        ByteBuffer bb = ByteBuffer.wrap(chunk).order(order);
        boolean toShort = type.fitsShort();
        short[] s = toShort ? new short[count] : null;
        float[] f = toShort ? null : new float[count];
        boolean binary = true;
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
            if (type == VoxelType.FLOAT32) {
                // floats are never a mask (only integer 0/1 data is), so they are copied in bulk
                bb.asFloatBuffer().get(f, done, n);
                binary = false;
                done += n;
                continue;
            }
            for (int i = 0; i < n; i++) {
                double v;
                switch (type) {
                    case INT8:
                        v = bb.get(i);
                        break;
                    case UINT8:
                        v = bb.get(i) & 0xff;
                        break;
                    case INT16:
                        v = bb.getShort(2 * i);
                        break;
                    case UINT16:
                        v = bb.getShort(2 * i) & 0xffff;
                        break;
                    case INT32:
                        v = bb.getInt(4 * i);
                        break;
                    case UINT32:
                        v = bb.getInt(4 * i) & 0xffffffffL;
                        break;
                    case FLOAT32:
                        v = bb.getFloat(4 * i);
                        break;
                    default:
                        v = bb.getDouble(8 * i);
                        break;
                }
                if (binary && v != 0 && v != 1) binary = false;
                if (toShort) s[done + i] = (short) v;
                else f[done + i] = (float) v;
            }
            done += n;
        }
        return new Values(s, f, binary);
    }

    /** Integer 0/1 data becomes a mask, types that fit a short a ShortVolume, the rest floats. */
    static Volume toVolume(Values v, Geometry g, VoxelType type) {
        Volume out;
        if (v.binary() && type.isInteger()) {
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
