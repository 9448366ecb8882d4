package org.calvaria.implant;

import java.util.ArrayList;
import java.util.List;
import org.calvaria.normalise.NetworkGrid;
import org.calvaria.volume.Geometry;

/**
 * Completes each grid twice, as it is and mirrored across the grid's first axis, and averages the two probabilities
 * voxel by voxel. A mirrored skull is still a plausible skull, so the second pass is a second opinion whose errors
 * are partly independent of the first; averaging them gave a better implant on every defect family measured (README,
 * "Mirror averaging"). The mirrored grid covers exactly the same points, in reverse order along the first axis, so no
 * resampling is needed: the input is reversed, completed in the same batch (described by the reversed grids), and the
 * output reversed back.
 */
final class MirrorAveraging {
    private MirrorAveraging() {}

    /** The averaged probabilities, in the layout of {@code input} (one grid after the other). */
    static float[] complete(
            ImplantDesigner.GridCompletion completion, float[] input, List<Geometry> grids, NetworkGrid grid) {
        int v = grid.voxelCount(), n = grids.size();
        if (input.length != n * v) {
            throw new IllegalArgumentException(input.length + " input values for " + n + " grids of " + v + " voxels");
        }
        float[] batch = new float[2 * n * v];
        System.arraycopy(input, 0, batch, 0, n * v);
        for (int g = 0; g < n; g++) mirror(input, g * v, batch, (n + g) * v, grid.nx(), v);
        // the mirrored copies are described by their own grids: the same points, first axis reversed
        List<Geometry> twice = new ArrayList<>(grids);
        for (Geometry g : grids) twice.add(g.flipped(0));
        float[] out = completion.complete(batch, twice);
        float[] mirroredBack = new float[v];
        float[] mean = new float[n * v];
        for (int g = 0; g < n; g++) {
            mirror(out, (n + g) * v, mirroredBack, 0, grid.nx(), v);
            for (int i = 0; i < v; i++) mean[g * v + i] = 0.5f * (out[g * v + i] + mirroredBack[i]);
        }
        return mean;
    }

    /**
     * Copies {@code length} values (whole rows of {@code nx}) of {@code src} from offset {@code from} to {@code dst}
     * at {@code to}, each row reversed: the first axis varies fastest, so this mirrors the grid across it.
     */
    static void mirror(float[] src, int from, float[] dst, int to, int nx, int length) {
        if (nx <= 0 || length % nx != 0) throw new IllegalArgumentException("rows of " + nx + " do not fit " + length);
        for (int row = 0; row < length; row += nx) {
            for (int i = 0; i < nx; i++) dst[to + row + i] = src[from + row + nx - 1 - i];
        }
    }
}
