package org.calvaria.dataset;

import java.util.Arrays;

/**
 * Training pairs as network tensors: {@code count} defective inputs and their complete targets, each [z][y][x]
 * (x fastest) with 1 = bone and 0 = background, samples one after another. The one batch type of the project: the
 * sample sources make it and the trainer consumes it.
 *
 * @param defective    inputs, {@code count * sampleSize()} floats
 * @param complete     targets, same layout
 * @param count        number of samples (at least 1)
 * @param descriptions one line per sample (skull, augmentation, defect); empty strings where nothing is known
 */
public record Batch(float[] defective, float[] complete, int count, String[] descriptions) {
    public Batch {
        if (count < 1
                || defective.length != complete.length
                || defective.length % count != 0
                || descriptions.length != count) {
            throw new IllegalArgumentException("batch of " + count + " samples needs the same multiple of " + count
                    + " values per array and one description per sample, got " + defective.length + " and "
                    + complete.length + " values, " + descriptions.length + " descriptions");
        }
    }

    /** A batch without descriptions. */
    public Batch(float[] defective, float[] complete, int count) {
        this(defective, complete, count, blank(count));
    }

    private static String[] blank(int count) {
        String[] d = new String[Math.max(0, count)];
        Arrays.fill(d, "");
        return d;
    }

    /** Voxels per sample. */
    public int sampleSize() {
        return defective.length / count;
    }

    /** Sample {@code i}'s defective input (a copy). */
    public float[] defective(int i) {
        int v = sampleSize();
        return Arrays.copyOfRange(defective, i * v, (i + 1) * v);
    }

    /** Sample {@code i}'s complete target (a copy). */
    public float[] complete(int i) {
        int v = sampleSize();
        return Arrays.copyOfRange(complete, i * v, (i + 1) * v);
    }
}
