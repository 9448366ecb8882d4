package org.calvaria.volume;

/**
 * 32-bit float voxels: probabilities, resampled intensities, and file types that do not fit a short (uint16, int32,
 * uint32, double). Integers are exact up to 2^24 in magnitude.
 */
public final class FloatVolume extends Volume {
    private final float[] data;

    public FloatVolume(Geometry geometry) {
        this(geometry, new float[geometry.voxelCount()], VoxelType.FLOAT32);
    }

    public FloatVolume(Geometry geometry, float[] data, VoxelType sourceType) {
        super(geometry, sourceType);
        if (data.length != geometry.voxelCount()) {
            throw new IllegalArgumentException(
                    "data length " + data.length + " != voxel count " + geometry.voxelCount());
        }
        this.data = data;
    }

    /** Direct access to the backing array (x fastest), for fast loops. */
    public float[] data() {
        return data;
    }

    @Override
    public double get(int index) {
        return data[index];
    }

    @Override
    public void set(int index, double value) {
        data[index] = (float) value;
    }

    @Override
    public FloatVolume emptyLike(Geometry g) {
        return new FloatVolume(g, new float[g.voxelCount()], sourceType());
    }

    @Override
    public FloatVolume copy() {
        FloatVolume v = new FloatVolume(geometry, data.clone(), sourceType());
        v.inheritMetadata(this);
        return v;
    }

    /** Copies any volume's values into floats on the same grid. */
    public static FloatVolume of(Volume v) {
        if (v instanceof FloatVolume f) return f;
        FloatVolume f = new FloatVolume(v.geometry());
        int n = v.voxelCount();
        float[] d = f.data;
        for (int i = 0; i < n; i++) d[i] = (float) v.get(i);
        f.inheritMetadata(v);
        return f;
    }
}
