package org.calvaria.normalise;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.calvaria.volume.MaskVolume;

/**
 * Finds the holes of a cranial vault from {@link CranialRays}: connected sets of ray directions that leave the head
 * without meeting bone.
 *
 * <p>Rule: directions without bone that connect (8-neighbours on the direction map, wrapping in azimuth, across the
 * poles) to the bottom of the map (polar angle {@value #BOTTOM_DEG} degrees or more: foramen magnum, or the open bottom
 * of a scan cropped above the skull base) are outside the skull, except for their part on the vault (polar angle up to
 * {@value #VAULT_DEG} degrees), which is a hole "open below". Every other set of bone-free directions is a hole.
 * Holes smaller than {@value #MIN_AREA_MM2} mm² (burr holes, foramina, gaps of a thin segmentation) are ignored.
 */
public final class HoleFinder {
    static final double BOTTOM_DEG = 150;
    static final double VAULT_DEG = 100;
    public static final double MIN_AREA_MM2 = 300;

    private HoleFinder() {}

    /** Holes of a skull mask, largest first. */
    public static List<Hole> find(MaskVolume skull) {
        return find(CranialRays.cast(skull));
    }

    /** Holes seen by the given rays, largest first. */
    public static List<Hole> find(CranialRays rays) {
        int rows = CranialRays.ROWS, cols = CranialRays.COLUMNS, n = rows * cols;
        boolean[] empty = new boolean[n];
        for (int i = 0; i < rows; i++) for (int j = 0; j < cols; j++) empty[i * cols + j] = !rays.hit(i, j);
        // Outside: bone-free directions reached from the bottom of the map.
        boolean[] outside = new boolean[n];
        ArrayDeque<Integer> queue = new ArrayDeque<>();
        for (int i = 0; i < rows; i++) {
            if (CranialRays.polarDeg(i) < BOTTOM_DEG) continue;
            for (int j = 0; j < cols; j++) {
                int k = i * cols + j;
                if (empty[k] && !outside[k]) {
                    outside[k] = true;
                    queue.add(k);
                }
            }
        }
        flood(queue, empty, outside, null);
        // Holes: enclosed bone-free sets, and the vault part of the outside set.
        int[] label = new int[n];
        java.util.Arrays.fill(label, -1);
        List<int[]> components = new ArrayList<>();
        List<Boolean> openBelow = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            if (!empty[k] || label[k] >= 0) continue;
            boolean out = outside[k];
            if (out && CranialRays.polarDeg(k / cols) > VAULT_DEG) continue;
            boolean[] allowed = new boolean[n];
            for (int q = 0; q < n; q++) {
                allowed[q] = empty[q] && outside[q] == out && (!out || CranialRays.polarDeg(q / cols) <= VAULT_DEG);
            }
            int id = components.size();
            List<Integer> members = new ArrayList<>();
            label[k] = id;
            queue.add(k);
            floodLabel(queue, allowed, label, id, members);
            components.add(members.stream().mapToInt(Integer::intValue).toArray());
            openBelow.add(out);
        }
        List<Hole> holes = new ArrayList<>();
        for (int c = 0; c < components.size(); c++) {
            Hole h = measure(rays, components.get(c), label, c, openBelow.get(c));
            if (h != null && h.areaMm2() >= MIN_AREA_MM2) holes.add(h);
        }
        holes.sort((a, b) -> Double.compare(b.areaMm2(), a.areaMm2()));
        return holes;
    }

    private static Hole measure(CranialRays rays, int[] cells, int[] label, int id, boolean openBelow) {
        int cols = CranialRays.COLUMNS;
        double[] c = rays.centre();
        double[] sum = new double[3];
        double solid = 0;
        for (int k : cells) {
            double w = CranialRays.solidAngle(k / cols);
            double[] u = CranialRays.direction(k / cols, k % cols);
            for (int a = 0; a < 3; a++) sum[a] += w * u[a];
            solid += w;
        }
        double norm = Math.sqrt(sum[0] * sum[0] + sum[1] * sum[1] + sum[2] * sum[2]);
        if (norm == 0) return null;
        double[] normal = {sum[0] / norm, sum[1] / norm, sum[2] / norm};
        // Rim: bone-hit cells next to the hole; boundary edges give the rim length (staircase corrected by pi/4).
        List<double[]> rim = new ArrayList<>();
        double rimSum = 0;
        double edgeRadians = 0;
        boolean[] isRim = new boolean[label.length];
        double d = Math.toRadians(CranialRays.STEP_DEG);
        for (int k : cells) {
            int i = k / cols, j = k % cols;
            for (int[] nb : new int[][] {{i - 1, j}, {i + 1, j}, {i, j - 1}, {i, j + 1}}) {
                int[] w = wrap(nb[0], nb[1]);
                if (w == null) continue;
                int q = w[0] * cols + w[1];
                if (label[q] == id) continue;
                boolean alongRow = nb[0] == i;
                edgeRadians += alongRow ? d : d * Math.sin(Math.toRadians(CranialRays.polarDeg(i)));
                if (rays.hit(w[0], w[1]) && !isRim[q]) {
                    isRim[q] = true;
                    double r = rays.outerRadius(w[0], w[1]);
                    double[] u = CranialRays.direction(w[0], w[1]);
                    rim.add(new double[] {c[0] + u[0] * r, c[1] + u[1] * r, c[2] + u[2] * r});
                    rimSum += r;
                }
            }
        }
        if (rim.isEmpty()) return null;
        double rimRadius = rimSum / rim.size();
        double[] centre = {c[0] + normal[0] * rimRadius, c[1] + normal[1] * rimRadius, c[2] + normal[2] * rimRadius};
        double area = solid * rimRadius * rimRadius;
        double rimLength = edgeRadians * rimRadius * Math.PI / 4;
        return new Hole(centre, normal, area, rimLength, rimRadius, openBelow, rim, cells);
    }

    /** Neighbour cell with azimuth wrap and pole crossing; null off the map. */
    private static int[] wrap(int i, int j) {
        int rows = CranialRays.ROWS, cols = CranialRays.COLUMNS;
        if (i < 0) {
            i = 0;
            j += cols / 2;
        } else if (i >= rows) {
            i = rows - 1;
            j += cols / 2;
        }
        j = ((j % cols) + cols) % cols;
        return new int[] {i, j};
    }

    private static void flood(ArrayDeque<Integer> queue, boolean[] allowed, boolean[] seen, List<Integer> members) {
        int cols = CranialRays.COLUMNS;
        while (!queue.isEmpty()) {
            int k = queue.poll();
            if (members != null) members.add(k);
            int i = k / cols, j = k % cols;
            for (int di = -1; di <= 1; di++) {
                for (int dj = -1; dj <= 1; dj++) {
                    if (di == 0 && dj == 0) continue;
                    int[] w = wrap(i + di, j + dj);
                    int q = w[0] * cols + w[1];
                    if (allowed[q] && !seen[q]) {
                        seen[q] = true;
                        queue.add(q);
                    }
                }
            }
        }
    }

    private static void floodLabel(
            ArrayDeque<Integer> queue, boolean[] allowed, int[] label, int id, List<Integer> members) {
        int cols = CranialRays.COLUMNS;
        while (!queue.isEmpty()) {
            int k = queue.poll();
            members.add(k);
            int i = k / cols, j = k % cols;
            for (int di = -1; di <= 1; di++) {
                for (int dj = -1; dj <= 1; dj++) {
                    if (di == 0 && dj == 0) continue;
                    int[] w = wrap(i + di, j + dj);
                    int q = w[0] * cols + w[1];
                    if (allowed[q] && label[q] < 0) {
                        label[q] = id;
                        queue.add(q);
                    }
                }
            }
        }
    }
}
