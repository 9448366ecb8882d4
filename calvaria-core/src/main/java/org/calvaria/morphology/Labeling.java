package org.calvaria.morphology;

import java.util.Arrays;
import java.util.Comparator;
import java.util.function.IntPredicate;
import java.util.stream.IntStream;
import org.calvaria.volume.Geometry;
import org.calvaria.volume.MaskVolume;

/**
 * Connected components of a mask: labels 1..{@link #count()} numbered in scan order (z, then y, then x of each
 * component's first voxel), 0 for background. Stored per run of voxels along x, not per voxel, so a labelled skull
 * costs a few megabytes. Made by {@link ConnectedComponents#label}.
 */
public final class Labeling {
    private final Geometry geometry;
    final Runs runs;
    /** Label of each run. */
    final int[] runLabel;

    private final int count;
    private final long[] sizes;

    Labeling(Geometry geometry, Runs runs, int[] runLabel, int count) {
        this.geometry = geometry;
        this.runs = runs;
        this.runLabel = runLabel;
        this.count = count;
        this.sizes = new long[count + 1];
        for (int i = 0; i < runLabel.length; i++) sizes[runLabel[i]] += runs.end[i] - runs.start[i];
    }

    /**
     * Labels runs with union-find. Each neighbour row is {dy, dz, touch}: a row earlier in scan order whose runs join
     * a run of the current row when their x ranges overlap ({@code touch == 0}) or overlap or meet diagonally
     * ({@code touch == 1}, one voxel apart in x).
     */
    static Labeling of(Geometry g, Runs runs, int[][] neighbourRows) {
        int n = runs.count();
        int[] parent = new int[n];
        for (int i = 0; i < n; i++) parent[i] = i;
        int ny = runs.ny, nz = runs.nz;
        int[] rs = runs.rowStart, st = runs.start, en = runs.end;
        for (int z = 0; z < nz; z++) {
            for (int y = 0; y < ny; y++) {
                int r = y + ny * z;
                int a0 = rs[r], a1 = rs[r + 1];
                if (a0 == a1) continue;
                for (int[] nb : neighbourRows) {
                    int qy = y + nb[0], qz = z + nb[1];
                    if (qy < 0 || qy >= ny || qz < 0 || qz >= nz) continue;
                    int q = qy + ny * qz;
                    if (rs[q] < rs[q + 1]) joinRows(parent, st, en, a0, a1, rs[q], rs[q + 1], nb[2]);
                }
            }
        }
        // Links always point to a smaller index, so in increasing order each parent is already flattened to its root.
        for (int i = 0; i < n; i++) parent[i] = parent[parent[i]];
        int[] label = parent; // reused: after the pass below it holds compact labels
        int count = 0;
        for (int i = 0; i < n; i++) {
            int root = parent[i];
            // Roots are the smallest run index of their component, so a root is always met before its members.
            label[i] = root == i ? ++count : label[root];
        }
        return new Labeling(g, runs, label, count);
    }

    /** Unions the runs [a0, a1) of one row with the runs [b0, b1) of another where they overlap or touch. */
    private static void joinRows(int[] parent, int[] st, int[] en, int a0, int a1, int b0, int b1, int touch) {
        int i = a0, j = b0;
        while (i < a1 && j < b1) {
            // Overlap, widened by `touch` voxels for diagonal contact.
            if (st[i] < en[j] + touch && st[j] < en[i] + touch) union(parent, i, j);
            if (en[i] < en[j]) i++;
            else j++;
        }
    }

    private static int find(int[] parent, int i) {
        while (parent[i] != i) {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        return i;
    }

    private static void union(int[] parent, int a, int b) {
        int ra = find(parent, a), rb = find(parent, b);
        if (ra < rb) parent[rb] = ra;
        else if (rb < ra) parent[ra] = rb;
    }

    public Geometry geometry() {
        return geometry;
    }

    /** Number of components. */
    public int count() {
        return count;
    }

    /** Voxels in component {@code label} (1..count). */
    public long size(int label) {
        if (label < 1 || label > count) throw new IllegalArgumentException("no component " + label + " of " + count);
        return sizes[label];
    }

    /** Sizes indexed by label; element 0 is unused (0). */
    public long[] sizes() {
        return sizes.clone();
    }

    /** Voxels in all components together. */
    public long totalVoxels() {
        long t = 0;
        for (long s : sizes) t += s;
        return t;
    }

    /** The label of the biggest component (the lowest label on a tie), or 0 when there is none. */
    public int largestLabel() {
        int best = 0;
        for (int l = 1; l <= count; l++) if (best == 0 || sizes[l] > sizes[best]) best = l;
        return best;
    }

    /** Labels from the biggest component to the smallest (ties by label). */
    public int[] labelsBySize() {
        return IntStream.rangeClosed(1, count)
                .boxed()
                .sorted(Comparator.<Integer>comparingLong(l -> -sizes[l]).thenComparingInt(l -> l))
                .mapToInt(Integer::intValue)
                .toArray();
    }

    /** Label of voxel (x, y, z), 0 for background. */
    public int labelAt(int x, int y, int z) {
        if (!geometry.contains(x, y, z)) throw new IndexOutOfBoundsException("(" + x + ", " + y + ", " + z + ")");
        int run = runs.runAt(y + runs.ny * z, x);
        return run < 0 ? 0 : runLabel[run];
    }

    /** Mask of one component. */
    public MaskVolume mask(int label) {
        size(label);
        return mask(l -> l == label);
    }

    /** Mask of the components whose label passes {@code keep}. */
    public MaskVolume mask(IntPredicate keep) {
        boolean[] kept = new boolean[count + 1];
        for (int l = 1; l <= count; l++) kept[l] = keep.test(l);
        return maskOfLabels(kept);
    }

    MaskVolume maskOfLabels(boolean[] kept) {
        MaskVolume m = new MaskVolume(geometry);
        long[] w = m.words();
        int nx = runs.nx, rows = runs.rows();
        for (int r = 0; r < rows; r++) {
            int base = r * nx;
            for (int i = runs.rowStart[r]; i < runs.rowStart[r + 1]; i++) {
                if (kept[runLabel[i]]) Bits.setRange(w, base + runs.start[i], base + runs.end[i]);
            }
        }
        return m;
    }

    @Override
    public String toString() {
        long[] top =
                Arrays.stream(labelsBySize()).limit(5).mapToLong(l -> sizes[l]).toArray();
        return count + " components, largest " + Arrays.toString(top);
    }
}
