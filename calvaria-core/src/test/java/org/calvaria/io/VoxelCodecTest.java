package org.calvaria.io;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.calvaria.volume.FloatVolume;
import org.calvaria.volume.Geometry;
import org.calvaria.volume.MaskVolume;
import org.calvaria.volume.ShortVolume;
import org.calvaria.volume.Volume;
import org.calvaria.volume.VoxelType;
import org.junit.jupiter.api.Test;

/** The type-specialised decoder against a plain one-value-at-a-time reading of the same bytes. */
class VoxelCodecTest {
    private static final Path NAME = Path.of("test.nrrd");
    /** More voxels than one decoding chunk of any type holds, so chunk boundaries are crossed. */
    private static final int COUNT = 700_001;

    /** The values as stored, one per voxel, read the plain way. */
    private static double[] reference(byte[] data, VoxelType type, ByteOrder order) {
        ByteBuffer bb = ByteBuffer.wrap(data).order(order);
        double[] v = new double[data.length / type.bytes()];
        for (int i = 0; i < v.length; i++) {
            v[i] = switch (type) {
                case INT8 -> bb.get(i);
                case UINT8 -> bb.get(i) & 0xff;
                case INT16 -> bb.getShort(2 * i);
                case UINT16 -> bb.getShort(2 * i) & 0xffff;
                case INT32 -> bb.getInt(4 * i);
                case UINT32 -> bb.getInt(4 * i) & 0xffffffffL;
                case FLOAT32 -> bb.getFloat(4 * i);
                case FLOAT64 -> bb.getDouble(8 * i);
            };
        }
        return v;
    }

    private static byte[] encode(double[] values, VoxelType type, ByteOrder order) {
        ByteBuffer bb = ByteBuffer.allocate(values.length * type.bytes()).order(order);
        for (double x : values) {
            switch (type) {
                case INT8, UINT8 -> bb.put((byte) (long) x);
                case INT16, UINT16 -> bb.putShort((short) (long) x);
                case INT32, UINT32 -> bb.putInt((int) (long) x);
                case FLOAT32 -> bb.putFloat((float) x);
                case FLOAT64 -> bb.putDouble(x);
            }
        }
        return bb.array();
    }

    private static Volume decode(byte[] data, VoxelType type, ByteOrder order, boolean masks) throws IOException {
        int n = data.length / type.bytes();
        VoxelCodec.Values v = VoxelCodec.readBinary(new ByteArrayInputStream(data), n, type, order, NAME, masks);
        return VoxelCodec.toVolume(v, Geometry.axisAligned(n, 1, 1, 1), type);
    }

    /** What the reader made before: a mask for integer 0/1 data, shorts for small types, floats otherwise. */
    private static void assertSameAsReference(double[] ref, Volume got, VoxelType type, boolean binary) {
        if (binary && type.isInteger()) {
            assertInstanceOf(MaskVolume.class, got, type.toString());
        } else if (type.fitsShort()) {
            assertInstanceOf(ShortVolume.class, got, type.toString());
        } else {
            assertInstanceOf(FloatVolume.class, got, type.toString());
        }
        assertEquals(type, got.sourceType());
        for (int i = 0; i < ref.length; i++) {
            double expected = type.fitsShort() || got instanceof MaskVolume ? ref[i] : (float) ref[i];
            if (expected != got.get(i)) fail(type + " voxel " + i + ": expected " + expected + ", got " + got.get(i));
        }
    }

    @Test
    void binaryIntegerDataBecomesTheSameMaskInEitherByteOrder() throws IOException {
        Random r = new Random(3);
        double[] values = new double[COUNT];
        for (int i = 0; i < COUNT; i++) values[i] = r.nextInt(10) == 0 ? 1 : 0;
        for (VoxelType type : VoxelType.values()) {
            for (ByteOrder order : new ByteOrder[] {ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN}) {
                byte[] data = encode(values, type, order);
                double[] ref = reference(data, type, order);
                assertSameAsReference(ref, decode(data, type, order, true), type, true);
                // decoded into values first (as NIfTI does when it scales them), the same volume
                Volume plain = decode(data, type, order, false);
                for (int i = 0; i < ref.length; i += 997) assertEquals(ref[i], plain.get(i), type + " voxel " + i);
            }
        }
    }

    /** A CT: mostly 0 and 1 at first (air, the mask-like start), then other values late, past the first chunk. */
    @Test
    void nonBinaryDataFoundLateKeepsEveryValueBeforeIt() throws IOException {
        Random r = new Random(5);
        for (VoxelType type : VoxelType.values()) {
            for (int firstOther : new int[] {0, 1, 63, 64, 262_144, 600_000, COUNT - 1}) {
                double[] values = new double[COUNT];
                for (int i = 0; i < COUNT; i++) values[i] = r.nextInt(7) == 0 ? 1 : 0;
                for (int i = firstOther; i < COUNT; i += 1 + r.nextInt(50)) values[i] = someValue(type, r);
                values[firstOther] = someValue(type, r);
                ByteOrder order = r.nextBoolean() ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN;
                byte[] data = encode(values, type, order);
                assertSameAsReference(reference(data, type, order), decode(data, type, order, true), type, false);
            }
        }
    }

    /** A value of the type other than 0 and 1, from its whole range (large int32 and uint32 round as floats). */
    private static double someValue(VoxelType type, Random r) {
        double v;
        do {
            v = switch (type) {
                case INT8 -> r.nextInt(256) - 128;
                case UINT8 -> r.nextInt(256);
                case INT16 -> r.nextInt(65536) - 32768;
                case UINT16 -> r.nextInt(65536);
                case INT32 -> r.nextInt();
                case UINT32 -> r.nextInt() & 0xffffffffL;
                case FLOAT32, FLOAT64 -> r.nextGaussian() * 1000;
            };
        } while (v == 0 || v == 1);
        return v;
    }

    @Test
    void shortDataEndsWithEof() {
        byte[] data = new byte[4 * 1000 - 1];
        assertThrows(
                EOFException.class,
                () -> VoxelCodec.readBinary(
                        new ByteArrayInputStream(data), 1000, VoxelType.INT32, ByteOrder.LITTLE_ENDIAN, NAME, true));
        assertThrows(
                EOFException.class,
                () -> VoxelCodec.readBinary(
                        new ByteArrayInputStream(Arrays.copyOf(data, 2 * 2_000_000 - 1)),
                        2_000_000,
                        VoxelType.INT16,
                        ByteOrder.BIG_ENDIAN,
                        NAME,
                        true));
    }
}
