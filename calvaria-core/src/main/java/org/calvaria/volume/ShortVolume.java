package org.calvaria.volume;

/** 16-bit signed integer voxels (CT in Hounsfield units, uint8/int8/int16 files). */
public final class ShortVolume extends Volume {
    private final short[] data;

    public ShortVolume(Geometry geometry) {
        this(geometry, new short[geometry.voxelCount()], VoxelType.INT16);
    }

    public ShortVolume(Geometry geometry, short[] data, VoxelType sourceType) {
        super(geometry, sourceType);
        if (data.length != geometry.voxelCount()) {
            throw new IllegalArgumentException(
                    "data length " + data.length + " != voxel count " + geometry.voxelCount());
        }
        this.data = data;
    }

    /** Direct access to the backing array (x fastest), for fast loops. */
    public short[] data() {
        return data;
    }

    @Override
    public double get(int index) {
        return data[index];
    }

    @Override
    public void set(int index, double value) {
        data[index] = (short) Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, Math.round(value)));
    }

    @Override
    public ShortVolume emptyLike(Geometry g) {
        return new ShortVolume(g, new short[g.voxelCount()], sourceType());
    }

    @Override
    public ShortVolume copy() {
        ShortVolume v = new ShortVolume(geometry, data.clone(), sourceType());
        v.inheritMetadata(this);
        return v;
    }
}
