package org.calvaria.dataset;

/**
 * A batch of training pairs as network tensors, layout [n][z][y][x] (x fastest), values 0 or 1.
 *
 * @param defective    inputs, {@code count * nz * ny * nx} floats
 * @param complete     targets, same layout
 * @param count        number of samples
 * @param descriptions one line per sample (skull, augmentation, defect)
 */
public record Batch(float[] defective, float[] complete, int count, String[] descriptions) {
    /** Voxels per sample. */
    public int sampleSize() { return count == 0 ? 0 : defective.length / count; }
}
