package org.calvaria.volume;

import java.util.Arrays;
import java.util.function.IntConsumer;

/** A binary volume stored as one bit per voxel (a 512x512x240 skull takes 7.5 MB). */
public final class MaskVolume extends Volume {
    private final long[] bits;

    public MaskVolume(Geometry geometry) {
        super(geometry, VoxelType.UINT8);
        this.bits = new long[(geometry.voxelCount() + 63) >>> 6];
    }

    private MaskVolume(Geometry geometry, long[] bits, VoxelType type) {
        super(geometry, type);
        this.bits = bits;
    }

    /**
     * Direct access to the backing words, for fast loops: voxel {@code i} is bit {@code i & 63} of word
     * {@code i >>> 6}. Bits past the last voxel must stay zero.
     */
    public long[] words() {
        return bits;
    }

    public boolean isSet(int index) {
        return (bits[index >>> 6] & (1L << index)) != 0;
    }

    public boolean isSet(int x, int y, int z) {
        return isSet(geometry.index(x, y, z));
    }

    /** False outside the grid. */
    public boolean isSetSafe(int x, int y, int z) {
        return geometry.contains(x, y, z) && isSet(geometry.index(x, y, z));
    }

    public void set(int index, boolean on) {
        if (on) bits[index >>> 6] |= 1L << index;
        else bits[index >>> 6] &= ~(1L << index);
    }

    public void set(int x, int y, int z, boolean on) {
        set(geometry.index(x, y, z), on);
    }

    @Override
    public double get(int index) {
        return isSet(index) ? 1 : 0;
    }

    /** Any non-zero value sets the voxel. */
    @Override
    public void set(int index, double value) {
        set(index, value != 0);
    }

    public long cardinality() {
        long c = 0;
        for (long w : bits) c += Long.bitCount(w);
        return c;
    }

    @Override
    public long countNonZero() {
        return cardinality();
    }

    @Override
    public boolean isBinary() {
        return true;
    }

    @Override
    public double[] valueRange() {
        long c = cardinality();
        return new double[] {c == voxelCount() ? 1 : 0, c > 0 ? 1 : 0};
    }

    public boolean isEmpty() {
        for (long w : bits) if (w != 0) return false;
        return true;
    }

    /**
     * Physical bounding box of the set voxels' centres, {minX, minY, minZ, maxX, maxY, maxZ} in mm (any grid
     * orientation); null for an empty mask.
     */
    public double[] physicalBoundsOfSet() {
        Geometry g = geometry();
        int nx = g.nx(), ny = g.ny(), nz = g.nz();
        double[] m = g.matrix(), o = g.origin();
        double[] b = {
            Double.POSITIVE_INFINITY,
            Double.POSITIVE_INFINITY,
            Double.POSITIVE_INFINITY,
            Double.NEGATIVE_INFINITY,
            Double.NEGATIVE_INFINITY,
            Double.NEGATIVE_INFINITY
        };
        // Along a row each coordinate is a monotone function of x (every rounding step is), so its extremes lie at
        // the row's first and last set voxels: only those two are evaluated, in the order of the voxels.
        for (int z = 0; z < nz; z++) {
            for (int y = 0; y < ny; y++) {
                int row = nx * (y + ny * z);
                int first = nextSet(row, row + nx);
                if (first < 0) continue;
                int last = previousSet(row, row + nx);
                extendBounds(b, m, o, first - row, y, z);
                if (last != first) extendBounds(b, m, o, last - row, y, z);
            }
        }
        return b[0] == Double.POSITIVE_INFINITY ? null : b;
    }

    private static void extendBounds(double[] b, double[] m, double[] o, int x, int y, int z) {
        for (int a = 0; a < 3; a++) {
            double p = o[a] + m[3 * a] * x + m[3 * a + 1] * y + m[3 * a + 2] * z;
            if (p < b[a]) b[a] = p;
            if (p > b[a + 3]) b[a + 3] = p;
        }
    }

    /** First set voxel in [from, to), or -1. */
    private int nextSet(int from, int to) {
        if (from >= to) return -1;
        int w = from >>> 6, lastWord = (to - 1) >>> 6;
        long word = bits[w] & (-1L << from);
        while (true) {
            if (word != 0) {
                int i = (w << 6) + Long.numberOfTrailingZeros(word);
                return i < to ? i : -1;
            }
            if (++w > lastWord) return -1;
            word = bits[w];
        }
    }

    /** Last set voxel in [from, to), or -1. */
    private int previousSet(int from, int to) {
        if (from >= to) return -1;
        int w = (to - 1) >>> 6, firstWord = from >>> 6;
        long word = bits[w] & (-1L >>> (63 - ((to - 1) & 63)));
        while (true) {
            if (word != 0) {
                int i = (w << 6) + 63 - Long.numberOfLeadingZeros(word);
                return i >= from ? i : -1;
            }
            if (--w < firstWord) return -1;
            word = bits[w];
        }
    }

    /** Calls {@code action} with the linear index of every set voxel, in increasing order. */
    public void forEachSet(IntConsumer action) {
        for (int w = 0; w < bits.length; w++) {
            long word = bits[w];
            while (word != 0) {
                int b = Long.numberOfTrailingZeros(word);
                action.accept((w << 6) + b);
                word &= word - 1;
            }
        }
    }

    private void requireSameGrid(MaskVolume o) {
        if (o.geometry.nx() != geometry.nx() || o.geometry.ny() != geometry.ny() || o.geometry.nz() != geometry.nz()) {
            throw new IllegalArgumentException("masks have different grids: " + geometry + " vs " + o.geometry);
        }
    }

    /** this = this AND other. */
    public MaskVolume and(MaskVolume o) {
        requireSameGrid(o);
        for (int i = 0; i < bits.length; i++) bits[i] &= o.bits[i];
        return this;
    }

    /** this = this OR other. */
    public MaskVolume or(MaskVolume o) {
        requireSameGrid(o);
        for (int i = 0; i < bits.length; i++) bits[i] |= o.bits[i];
        return this;
    }

    /** this = this AND NOT other. */
    public MaskVolume andNot(MaskVolume o) {
        requireSameGrid(o);
        for (int i = 0; i < bits.length; i++) bits[i] &= ~o.bits[i];
        return this;
    }

    /** this = this XOR other. */
    public MaskVolume xor(MaskVolume o) {
        requireSameGrid(o);
        for (int i = 0; i < bits.length; i++) bits[i] ^= o.bits[i];
        return this;
    }

    /** this = NOT this (only voxels on the grid). */
    public MaskVolume invert() {
        for (int i = 0; i < bits.length; i++) bits[i] = ~bits[i];
        int tail = voxelCount() & 63;
        if (tail != 0) bits[bits.length - 1] &= (1L << tail) - 1;
        return this;
    }

    /** Number of voxels set in both masks. */
    public long intersectionCount(MaskVolume o) {
        requireSameGrid(o);
        long c = 0;
        for (int i = 0; i < bits.length; i++) c += Long.bitCount(bits[i] & o.bits[i]);
        return c;
    }

    /** Same voxels set (geometry not compared). */
    public boolean sameVoxels(MaskVolume o) {
        return geometry.voxelCount() == o.geometry.voxelCount() && Arrays.equals(bits, o.bits);
    }

    /** Mask of voxels with value &gt;= threshold. */
    public static MaskVolume threshold(Volume v, double threshold) {
        MaskVolume m = new MaskVolume(v.geometry());
        int n = v.voxelCount();
        for (int i = 0; i < n; i++) if (v.get(i) >= threshold) m.set(i, true);
        m.inheritMetadata(v);
        return m;
    }

    /**
     * The volume as a mask, requiring it to be binary (0/1). Fails with a clear message otherwise, because a mask
     * silently made from intensities would give nonsense implants.
     */
    public static MaskVolume requireBinary(Volume v, String what) {
        if (v instanceof MaskVolume m) return m;
        MaskVolume m = new MaskVolume(v.geometry());
        m.setSourceType(v.sourceType());
        int n = v.voxelCount();
        for (int i = 0; i < n; i++) {
            double x = v.get(i);
            if (x == 1) m.set(i, true);
            else if (x != 0) {
                throw new org.calvaria.CalvariaException(what + " is not a binary mask (found value " + x
                        + "); give a 0/1 segmentation, or segment a CT first with 'calvaria segment'");
            }
        }
        m.inheritMetadata(v);
        return m;
    }

    @Override
    public MaskVolume emptyLike(Geometry g) {
        MaskVolume m = new MaskVolume(g);
        m.setSourceType(sourceType());
        return m;
    }

    @Override
    public MaskVolume copy() {
        MaskVolume m = new MaskVolume(geometry, bits.clone(), sourceType());
        m.inheritMetadata(this);
        return m;
    }

    /** A copy of this mask's voxels placed on another grid of identical sizes (geometry replaced). */
    public MaskVolume withGeometry(Geometry g) {
        if (g.voxelCount() != voxelCount() || g.nx() != nx() || g.ny() != ny()) {
            throw new IllegalArgumentException("sizes differ: " + g + " vs " + geometry);
        }
        MaskVolume m = new MaskVolume(g, bits.clone(), sourceType());
        m.inheritMetadata(this);
        return m;
    }
}
