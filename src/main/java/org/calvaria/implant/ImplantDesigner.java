package org.calvaria.implant;

import org.calvaria.CalvariaException;
import org.calvaria.complete.CompletionModel;
import org.calvaria.complete.GridSpec;
import org.calvaria.normalise.GridPlacement;
import org.calvaria.normalise.NetworkGrid;
import org.calvaria.volume.FloatVolume;
import org.calvaria.volume.Geometry;
import org.calvaria.volume.MaskVolume;
import org.calvaria.volume.Resampler;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Defective skull -> implant, on the defective skull's own grid: map the skull onto the network grid, complete it,
 * interpolate the completion probability back onto the ORIGINAL grid (interpolating the probability, not a binary
 * mask, keeps the surface smooth at full resolution), threshold, subtract the defective skull and clean the result.
 */
public final class ImplantDesigner {
    /** Stage names, in order, as reported to a stage listener. */
    public static final String STAGE_NORMALISE = "normalise", STAGE_COMPLETE = "complete",
            STAGE_MAP_BACK = "map back", STAGE_IMPLANT = "implant";

    /** Design settings. */
    public record Options(double threshold, ImplantCleaner.Options cleaning) {
        public static Options defaults(CompletionModel model) {
            return withThreshold(model.threshold());
        }

        /** Default cleaning with the given probability threshold. */
        public static Options withThreshold(double threshold) {
            return new Options(threshold, ImplantCleaner.Options.defaults());
        }

        public Options {
            if (!(threshold > 0 && threshold < 1)) {
                throw new CalvariaException("threshold " + threshold + " must lie strictly between 0 and 1 (e.g. 0.5)");
            }
        }
    }

    /** What a design produced, on the defective skull's grid, with per-stage timings. */
    public record Design(MaskVolume implant, MaskVolume completed, GridPlacement placement,
                         double implantCoveredFraction, Map<String, Double> stageSeconds) {
        public double implantVolumeMl() {
            return implant.cardinality() * implant.geometry().voxelVolumeMm3() / 1000.0;
        }
    }

    private final CompletionModel model;
    private final NetworkGrid grid;
    private final Options options;

    public ImplantDesigner(CompletionModel model, Options options) {
        this.model = model;
        this.options = options;
        GridSpec g = model.grid();
        this.grid = new NetworkGrid(g.nx(), g.ny(), g.nz(), g.heightMm());
    }

    public NetworkGrid grid() { return grid; }

    public Design design(MaskVolume defective, Consumer<String> onStage) {
        if (defective.isEmpty()) {
            throw new CalvariaException("the defective skull is empty (no bone voxels); give a binary skull mask or a CT");
        }
        Map<String, Double> times = new LinkedHashMap<>();
        long t0 = System.nanoTime();

        onStage.accept(STAGE_NORMALISE);
        GridPlacement placement = grid.place(defective);
        MaskVolume onGrid = grid.toGrid(defective, placement);
        float[] input = grid.toNetworkInput(onGrid);
        long t1 = System.nanoTime();
        times.put(STAGE_NORMALISE, (t1 - t0) / 1e9);

        onStage.accept(STAGE_COMPLETE);
        float[] probability = model.predict(input, 1);
        long t2 = System.nanoTime();
        times.put(STAGE_COMPLETE, (t2 - t1) / 1e9);

        onStage.accept(STAGE_MAP_BACK);
        MaskVolume predictedBone = thresholdOnOriginal(grid.wrap(probability, placement), defective.geometry(),
                options.threshold());
        long t3 = System.nanoTime();
        times.put(STAGE_MAP_BACK, (t3 - t2) / 1e9);

        onStage.accept(STAGE_IMPLANT);
        MaskVolume raw = predictedBone.copy().andNot(defective);
        MaskVolume implant = ImplantCleaner.clean(raw, options.cleaning());
        implant.setSourceType(org.calvaria.volume.VoxelType.UINT8);
        MaskVolume completed = defective.copy().or(implant);
        completed.setSourceType(org.calvaria.volume.VoxelType.UINT8);
        double covered = grid.coveredFraction(implant, placement);
        times.put(STAGE_IMPLANT, (System.nanoTime() - t3) / 1e9);
        return new Design(implant, completed, placement, covered, times);
    }

    /**
     * Interpolates the grid probability onto the original grid and thresholds it, visiting only the original voxels
     * inside the network grid's physical box (the rest of a 512 x 512 x 240 scan cannot be bone by prediction).
     */
    static MaskVolume thresholdOnOriginal(FloatVolume gridProbability, Geometry original, double threshold) {
        Geometry g = gridProbability.geometry();
        double[] lo = {Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY};
        double[] hi = {Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY};
        double[] idx = new double[3];
        for (int corner = 0; corner < 8; corner++) {
            double[] p = g.indexToPhysical((corner & 1) == 0 ? -1 : g.nx(), (corner & 2) == 0 ? -1 : g.ny(),
                    (corner & 4) == 0 ? -1 : g.nz());
            original.physicalToIndex(p[0], p[1], p[2], idx);
            for (int a = 0; a < 3; a++) {
                lo[a] = Math.min(lo[a], idx[a]);
                hi[a] = Math.max(hi[a], idx[a]);
            }
        }
        int[] size = original.sizes();
        int[] from = new int[3], to = new int[3];
        for (int a = 0; a < 3; a++) {
            from[a] = Math.max(0, (int) Math.floor(lo[a]));
            to[a] = Math.min(size[a] - 1, (int) Math.ceil(hi[a]));
        }
        MaskVolume out = new MaskVolume(original);
        if (from[0] > to[0] || from[1] > to[1] || from[2] > to[2]) return out;
        Geometry box = original.subGrid(from[0], from[1], from[2], to[0] - from[0] + 1, to[1] - from[1] + 1,
                to[2] - from[2] + 1);
        FloatVolume p = Resampler.linear(gridProbability, box, 0);
        float[] d = p.data();
        float t = (float) threshold;
        for (int z = 0; z < box.nz(); z++) {
            for (int y = 0; y < box.ny(); y++) {
                int row = box.index(0, y, z);
                int target = original.index(from[0], from[1] + y, from[2] + z);
                for (int x = 0; x < box.nx(); x++) {
                    if (d[row + x] >= t) out.set(target + x, true);
                }
            }
        }
        return out;
    }
}
