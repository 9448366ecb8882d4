package org.calvaria.train;

import org.calvaria.complete.GridSpec;

/**
 * Training pairs on the network grid: {@code count} defective inputs and their complete targets, each [z][y][x]
 * (x fastest) with 1 = bone and 0 = background, samples one after another.
 */
public record Batch(GridSpec grid, int count, float[] defective, float[] complete) {
    public Batch {
        long n = (long) count * grid.voxelCount();
        if (count < 1 || defective.length != n || complete.length != n) {
            throw new IllegalArgumentException("batch of " + count + " on grid " + grid + " needs " + n
                    + " values per array, got " + defective.length + " and " + complete.length);
        }
    }

    /** Sample {@code i}'s defective input (a copy). */
    public float[] defective(int i) {
        int v = grid.voxelCount();
        return java.util.Arrays.copyOfRange(defective, i * v, (i + 1) * v);
    }

    /** Sample {@code i}'s complete target (a copy). */
    public float[] complete(int i) {
        int v = grid.voxelCount();
        return java.util.Arrays.copyOfRange(complete, i * v, (i + 1) * v);
    }
}
