package org.calvaria.implant;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.calvaria.CalvariaException;
import org.calvaria.complete.CompletionModel;
import org.calvaria.complete.GridSpec;
import org.calvaria.normalise.CranialRays;
import org.calvaria.normalise.GridCoverage;
import org.calvaria.normalise.GridPlacement;
import org.calvaria.normalise.GridResampling;
import org.calvaria.normalise.Hole;
import org.calvaria.normalise.HoleFinder;
import org.calvaria.normalise.NetworkGrid;
import org.calvaria.normalise.OrientedGrid;
import org.calvaria.normalise.VoxelCentres;
import org.calvaria.volume.FloatVolume;
import org.calvaria.volume.Geometry;
import org.calvaria.volume.MaskVolume;
import org.calvaria.volume.VoxelType;

/**
 * Defective skull -> implant, on the defective skull's own grid: map the skull onto the network grid, complete it,
 * interpolate the completion probability back onto the ORIGINAL grid (interpolating the probability, not a binary
 * mask, keeps the surface smooth at full resolution), threshold, subtract the defective skull and clean the result.
 */
public final class ImplantDesigner {
    /**
     * Design settings.
     *
     * @param mirrorAveraged with a defect-placed model, complete each hole's grid also mirrored across its first axis
     *                       and average the two probabilities (one more network pass per hole; more accurate on
     *                       every defect family measured, see the README)
     */
    public record Options(double threshold, ImplantCleaner.Options cleaning, boolean mirrorAveraged) {
        public static Options defaults(CompletionModel model) {
            return withThreshold(model.threshold());
        }

        /** Default cleaning and mirror averaging with the given probability threshold. */
        public static Options withThreshold(double threshold) {
            return new Options(threshold, ImplantCleaner.Options.defaults(), true);
        }

        public Options withMirrorAveraged(boolean on) {
            return new Options(threshold, cleaning, on);
        }

        public Options {
            if (!(threshold > 0 && threshold < 1)) {
                throw new CalvariaException("threshold " + threshold + " must lie strictly between 0 and 1 (e.g. 0.5)");
            }
        }
    }

    /**
     * One hole and the grid turned to it.
     *
     * @param hole               the hole as found
     * @param grid               the network grid placed on it
     * @param rimInsideGrid      share of the hole's rim points inside the grid: below 1, part of the hole lies
     *                           outside what the network saw
     * @param closedFraction     share of the hole's directions in which the completed skull has bone (1: closed)
     */
    public record HoleDesign(Hole hole, Geometry grid, double rimInsideGrid, double closedFraction) {}

    /** What a design produced, on the defective skull's grid (the stage timings are in the caller's timer). */
    public record Design(
            MaskVolume implant,
            MaskVolume completed,
            GridPlacement placement,
            double implantCoveredFraction,
            List<HoleDesign> holes) {
        public Design(
                MaskVolume implant, MaskVolume completed, GridPlacement placement, double implantCoveredFraction) {
            this(implant, completed, placement, implantCoveredFraction, List.of());
        }

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
        this.grid = model.grid().networkGrid();
    }

    public NetworkGrid grid() {
        return grid;
    }

    /** Designs, telling {@code onStage} when each stage begins. */
    public Design design(MaskVolume defective, Consumer<DesignStage> onStage) {
        return design(defective, new StageTimer(onStage));
    }

    /**
     * Designs, with {@code timer} told of and timing the stages {@link DesignStage#NORMALISE} to
     * {@link DesignStage#IMPLANT}; the last one is still running when this returns.
     */
    public Design design(MaskVolume defective, StageTimer timer) {
        if (defective.isEmpty()) {
            throw new CalvariaException(
                    "the defective skull is empty (no bone voxels); give a binary skull mask or a CT");
        }
        if (model.grid().placement() == GridSpec.Placement.DEFECT) {
            return designOnHoles(defective, timer, (input, grids) -> model.predict(input, grids.size()));
        }
        return designUnderVertex(defective, timer, (input, grids) -> model.predict(input, 1));
    }

    /**
     * The paper's design: one grid under the vertex, completed by {@code completion}, mapped back, and the implant
     * cut from what the completion adds.
     */
    private Design designUnderVertex(MaskVolume defective, StageTimer timer, GridCompletion completion) {
        timer.begin(DesignStage.NORMALISE);
        GridPlacement placement = grid.place(defective);
        MaskVolume onGrid = grid.toGrid(defective, placement);
        float[] input = grid.toNetworkInput(onGrid);

        timer.begin(DesignStage.COMPLETE);
        float[] probability = completion.complete(input, List.of(placement.grid()));

        timer.begin(DesignStage.MAP_BACK);
        MaskVolume predictedBone =
                GridResampling.toScan(grid.wrap(probability, placement), defective.geometry(), options.threshold());

        timer.begin(DesignStage.IMPLANT);
        MaskVolume raw = predictedBone.copy().andNot(defective);
        MaskVolume implant = ImplantCleaner.clean(raw, options.cleaning());
        implant.setSourceType(VoxelType.UINT8);
        MaskVolume completed = defective.copy().or(implant);
        completed.setSourceType(VoxelType.UINT8);
        double covered = grid.coveredFraction(implant, placement);
        return new Design(implant, completed, placement, covered);
    }

    /**
     * Completes skulls on grids: given the defective skulls on {@code grids} (0/1 floats, one grid after the other,
     * [z][y][x] each), returns the completed skulls' bone probabilities in the same layout.
     */
    @FunctionalInterface
    public interface GridCompletion {
        float[] complete(float[] defectiveOnGrids, List<Geometry> grids);
    }

    /**
     * The ceiling of the hole-oriented grids: the design path with a perfect completion (the true complete skull
     * mapped onto each grid) in place of the network. Implant metrics of this show what the grid geometry and
     * mapping back cost, independently of any network.
     */
    public static Design designWithTruth(MaskVolume defective, MaskVolume complete, NetworkGrid grid, Options options) {
        ImplantDesigner d = new ImplantDesigner(grid, options);
        return d.designOnHoles(defective, StageTimer.silent(), (input, grids) -> {
            int v = grid.voxelCount();
            float[] out = new float[grids.size() * v];
            for (int k = 0; k < grids.size(); k++) {
                float[] f = GridResampling.average(complete, grids.get(k)).data();
                System.arraycopy(f, 0, out, k * v, v);
            }
            return out;
        });
    }

    /**
     * The vertex-placed design with a perfect completion (the true complete skull mapped onto the grid), for tests of
     * the path's geometry without a network.
     */
    static Design designUnderVertexWithTruth(
            MaskVolume defective, MaskVolume complete, NetworkGrid grid, Options options, StageTimer timer) {
        if (defective.isEmpty()) {
            throw new CalvariaException(
                    "the defective skull is empty (no bone voxels); give a binary skull mask or a CT");
        }
        return new ImplantDesigner(grid, options)
                .designUnderVertex(
                        defective,
                        timer,
                        (input, grids) ->
                                GridResampling.average(complete, grids.get(0)).data());
    }

    private ImplantDesigner(NetworkGrid grid, Options options) {
        this.model = null;
        this.options = options;
        this.grid = grid;
    }

    /**
     * Smallest accepted longer side of the vault, mm. Adult crania measure about 130-160 x 170-200 mm (SkullFix:
     * 133-148 x 159-186 over the top 80 mm); a defect can shorten one side, rarely both, so only the longer counts.
     */
    public static final double MIN_ADULT_VAULT_MM = 150;
    /**
     * Holes whose outward normal points lower than this (z component; -0.34 is 110 degrees from the vertex) face the
     * skull base and are not designed.
     */
    static final double MIN_NORMAL_Z = -0.34;

    /** Most holes designed in one run; more are reported but not filled. */
    public static final int MAX_HOLES = 6;
    /** Hole directions are widened by this many map cells when trimming the implant to the holes. */
    static final int CONE_MARGIN_CELLS = 3;

    /**
     * Finds the holes, turns a grid to each, completes them in one batch, and keeps the predicted bone that lies in
     * the holes' directions (widened by {@value #CONE_MARGIN_CELLS} cells), so nothing is added elsewhere.
     */
    private Design designOnHoles(MaskVolume defective, StageTimer timer, GridCompletion completion) {
        timer.begin(DesignStage.NORMALISE);
        CranialRays rays = CranialRays.cast(defective);
        double[] size = rays.vaultSizeMm();
        if (Math.max(size[0], size[1]) < MIN_ADULT_VAULT_MM) {
            throw new CalvariaException(String.format(
                    java.util.Locale.ROOT,
                    "the skull's vault measures %.0f x %.0f mm"
                            + " (width x length), smaller than an adult's (the longer side at least %.0f mm): the model was"
                            + " trained on adult skulls and is not validated for children; check the input's spacing, or"
                            + " design this implant by hand",
                    size[0],
                    size[1],
                    MIN_ADULT_VAULT_MM));
        }
        List<Hole> found = new ArrayList<>();
        List<Hole> base = new ArrayList<>();
        for (Hole h : HoleFinder.find(rays)) (h.normal()[2] < MIN_NORMAL_Z ? base : found).add(h);
        if (found.isEmpty() && !base.isEmpty()) {
            throw new CalvariaException("the only hole found (" + base.get(0).summary() + ") faces downwards, at the"
                    + " skull base, outside the cranial vault that Calvaria designs for; nothing was written");
        }
        if (found.isEmpty()) {
            throw new CalvariaException("no hole found in the skull: the vault is closed (no opening of "
                    + Math.round(HoleFinder.MIN_AREA_MM2 / 100) + " cm² or more seen from the cranial centre), so there"
                    + " is nothing to fill; check that the input is the defective skull and that its segmentation"
                    + " keeps the bone around the defect");
        }
        List<Hole> holes = found.subList(0, Math.min(MAX_HOLES, found.size()));
        int v = grid.voxelCount();
        float[] input = new float[holes.size() * v];
        List<Geometry> grids = new ArrayList<>();
        for (int k = 0; k < holes.size(); k++) {
            Hole h = holes.get(k);
            double surface = OrientedGrid.surfaceHeight(rays, h.normal(), h);
            Geometry g = OrientedGrid.geometry(grid, rays.centre(), h.normal(), surface, 0, new double[2]);
            grids.add(g);
            MaskVolume onGrid = GridResampling.averageAtLeast(defective, g, 0.5);
            int offset = k * v;
            onGrid.forEachSet(i -> input[offset + i] = 1f);
        }

        timer.begin(DesignStage.COMPLETE);
        float[] probability = options.mirrorAveraged()
                ? MirrorAveraging.complete(completion, input, grids, grid)
                : completion.complete(input, grids);

        timer.begin(DesignStage.MAP_BACK);
        MaskVolume predictedBone = new MaskVolume(defective.geometry());
        for (int k = 0; k < holes.size(); k++) {
            float[] one = java.util.Arrays.copyOfRange(probability, k * v, (k + 1) * v);
            predictedBone.or(GridResampling.toScan(
                    new FloatVolume(grids.get(k), one, VoxelType.FLOAT32), defective.geometry(), options.threshold()));
        }

        timer.begin(DesignStage.IMPLANT);
        MaskVolume raw = predictedBone.andNot(defective);
        keepInCones(raw, rays, holes);
        MaskVolume implant = ImplantCleaner.clean(raw, options.cleaning());
        implant.setSourceType(VoxelType.UINT8);
        MaskVolume completed = defective.copy().or(implant);
        completed.setSourceType(VoxelType.UINT8);
        CranialRays after = CranialRays.cast(completed, rays.centre());
        List<HoleDesign> designs = new ArrayList<>();
        double worstRim = 1;
        for (int k = 0; k < holes.size(); k++) {
            Hole h = holes.get(k);
            double rim = GridCoverage.pointsInside(h.rim(), grids.get(k));
            worstRim = Math.min(worstRim, rim);
            designs.add(new HoleDesign(h, grids.get(k), rim, closedShare(after, h)));
        }
        for (Hole h : found.subList(holes.size(), found.size())) {
            designs.add(new HoleDesign(h, null, 0, closedShare(after, h)));
            worstRim = 0;
        }
        GridPlacement first = GridPlacement.ofGrid(grids.get(0));
        return new Design(implant, completed, first, worstRim, designs);
    }

    /** Clears implant voxels whose direction from the cranial centre is not (nearly) one of the holes'. */
    private static void keepInCones(MaskVolume implant, CranialRays rays, List<Hole> holes) {
        int rows = CranialRays.ROWS, cols = CranialRays.COLUMNS;
        boolean[] cone = new boolean[rows * cols];
        for (Hole h : holes) {
            for (int cell : h.cells()) {
                int i = cell / cols, j = cell % cols;
                for (int di = -CONE_MARGIN_CELLS; di <= CONE_MARGIN_CELLS; di++) {
                    int r = i + di;
                    if (r < 0 || r >= rows) continue;
                    // wider in azimuth near the poles, where cells are narrow
                    double sin = Math.max(0.1, Math.sin(Math.toRadians(CranialRays.polarDeg(r))));
                    int dj = (int) Math.ceil(CONE_MARGIN_CELLS / sin);
                    for (int d = -dj; d <= dj; d++) cone[r * cols + Math.floorMod(j + d, cols)] = true;
                }
            }
        }
        double[] c = rays.centre();
        // cleared afterwards, not while the voxels are visited
        MaskVolume drop = new MaskVolume(implant.geometry());
        double[] u = new double[3];
        VoxelCentres.forEachSet(implant, (i, px, py, pz) -> {
            u[0] = px - c[0];
            u[1] = py - c[1];
            u[2] = pz - c[2];
            int[] cell = CranialRays.cellOf(u);
            if (!cone[cell[0] * cols + cell[1]]) drop.set(i, true);
        });
        implant.andNot(drop);
    }

    /** Share of a hole's directions (by solid angle) in which the rays now meet bone. */
    public static double closedShare(CranialRays rays, Hole h) {
        double all = 0, closed = 0;
        for (int cell : h.cells()) {
            int i = cell / CranialRays.COLUMNS, j = cell % CranialRays.COLUMNS;
            double w = CranialRays.solidAngle(i);
            all += w;
            if (rays.hit(i, j)) closed += w;
        }
        return all == 0 ? 1 : closed / all;
    }
}
