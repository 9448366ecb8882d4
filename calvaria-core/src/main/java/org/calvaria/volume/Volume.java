package org.calvaria.volume;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.calvaria.Provenance;

/**
 * A 3-D image on a {@link Geometry}: storage is separate from placement. Three storages exist: compact binary masks,
 * 16-bit integers (CT in HU) and 32-bit floats (probabilities, resampled intensities).
 *
 * <p>Voxels are addressed by linear index {@code x + nx*(y + ny*z)} or by (x, y, z). Free-form key/value metadata
 * travels with the volume and is written to file headers, so outputs record how they were made.
 */
public abstract sealed class Volume implements Provenance.Stamped permits MaskVolume, ShortVolume, FloatVolume {
    protected final Geometry geometry;
    private final Map<String, String> metadata = new LinkedHashMap<>();
    private VoxelType sourceType;

    protected Volume(Geometry geometry, VoxelType sourceType) {
        this.geometry = Objects.requireNonNull(geometry);
        this.sourceType = sourceType;
    }

    public final Geometry geometry() {
        return geometry;
    }

    public final int nx() {
        return geometry.nx();
    }

    public final int ny() {
        return geometry.ny();
    }

    public final int nz() {
        return geometry.nz();
    }

    public final int voxelCount() {
        return geometry.voxelCount();
    }

    /** The voxel type this volume had in the file it was read from (or should be written as by default). */
    public final VoxelType sourceType() {
        return sourceType;
    }

    public final void setSourceType(VoxelType type) {
        this.sourceType = Objects.requireNonNull(type);
    }

    /** Mutable, ordered key/value metadata written into file headers. */
    @Override
    public final Map<String, String> metadata() {
        return metadata;
    }

    public abstract double get(int index);

    public abstract void set(int index, double value);

    public final double get(int x, int y, int z) {
        return get(geometry.index(x, y, z));
    }

    public final void set(int x, int y, int z, double value) {
        set(geometry.index(x, y, z), value);
    }

    /** Voxel value, or {@code outside} when (x, y, z) is off the grid. */
    public final double getOr(int x, int y, int z, double outside) {
        return geometry.contains(x, y, z) ? get(geometry.index(x, y, z)) : outside;
    }

    /** A zero-filled volume of the same storage on another grid. */
    public abstract Volume emptyLike(Geometry g);

    public abstract Volume copy();

    /** {min, max} over all voxels. */
    public double[] valueRange() {
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        int n = voxelCount();
        for (int i = 0; i < n; i++) {
            double v = get(i);
            if (v < lo) lo = v;
            if (v > hi) hi = v;
        }
        return new double[] {lo, hi};
    }

    /** Number of voxels whose value is not zero. */
    public long countNonZero() {
        long c = 0;
        int n = voxelCount();
        for (int i = 0; i < n; i++) if (get(i) != 0) c++;
        return c;
    }

    /** True when every voxel is 0 or 1. */
    public boolean isBinary() {
        int n = voxelCount();
        for (int i = 0; i < n; i++) {
            double v = get(i);
            if (v != 0 && v != 1) return false;
        }
        return true;
    }

    /** Copies metadata and source type from another volume (for derived results). */
    public final Volume inheritMetadata(Volume from) {
        metadata.putAll(from.metadata);
        return this;
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + geometry + "]";
    }
}
