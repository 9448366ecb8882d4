package org.calvaria.normalise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.calvaria.synth.SyntheticSkull;
import org.calvaria.volume.FloatVolume;
import org.calvaria.volume.Geometry;
import org.calvaria.volume.MaskVolume;
import org.calvaria.volume.Resampler;
import org.calvaria.volume.VoxelType;
import org.junit.jupiter.api.Test;

/** The way back from the network grid: {@link GridResampling#toScan}. */
class GridResamplingTest {
    /** A small grid turned about two axes and shifted, as the hole-oriented grids are. */
    static Geometry obliqueGrid() {
        double c = Math.cos(0.4), s = Math.sin(0.4), c2 = Math.cos(0.25), s2 = Math.sin(0.25);
        double sp = 1.75;
        // columns: the grid's x, y and z steps in LPS mm (rotation about z, then about x)
        double[] m = {sp * c, -sp * s * c2, sp * s * s2, sp * s, sp * c * c2, -sp * c * s2, 0, sp * s2, sp * c2};
        return new Geometry(16, 12, 8, new double[] {-8, -6, 4}, m);
    }

    static FloatVolume randomProbability(Geometry g, long seed) {
        Random r = new Random(seed);
        float[] p = new float[g.voxelCount()];
        for (int i = 0; i < p.length; i++) p[i] = r.nextFloat();
        return new FloatVolume(g, p, VoxelType.FLOAT32);
    }

    @Test
    void equalsInterpolatingOverTheWholeScanThenThresholding() {
        Geometry scan = Geometry.axisAligned(60, 50, 40, 0.7, 0.8, 1.1, new double[] {-20, -20, -15});
        FloatVolume probability = randomProbability(obliqueGrid(), 5);
        for (double t : new double[] {0.05, 0.5, 0.9}) {
            MaskVolume fast = GridResampling.toScan(probability, scan, t);
            MaskVolume full = MaskVolume.threshold(Resampler.linear(probability, scan, 0), t);
            assertTrue(fast.cardinality() > 0, "threshold " + t);
            assertTrue(
                    fast.sameVoxels(full),
                    "threshold " + t + ": " + fast.cardinality() + " against " + full.cardinality() + " voxels");
            assertTrue(fast.geometry().equals(scan));
        }
    }

    @Test
    void aGridOutsideTheScanGivesNothing() {
        Geometry scan = Geometry.axisAligned(20, 20, 20, 1, 1, 1, new double[] {0, 0, 0});
        Geometry far = Geometry.axisAligned(8, 8, 8, 1.75, 1.75, 1.75, new double[] {200, 200, 200});
        FloatVolume ones = new FloatVolume(far, filled(far.voxelCount(), 1f), VoxelType.FLOAT32);
        assertEquals(0, GridResampling.toScan(ones, scan, 0.5).cardinality());
    }

    @Test
    void thereAndBackKeepsASyntheticVault() {
        MaskVolume skull = new SyntheticSkull(5).rasterize(1.0, 1.0);
        NetworkGrid grid = NetworkGrid.wu2022();
        GridPlacement p = grid.place(skull);
        FloatVolume onGrid = grid.toGrid((org.calvaria.volume.Volume) grid.toGrid(skull, p), p);
        MaskVolume back = GridResampling.toScan(onGrid, skull.geometry(), 0.5);
        // The bone brought back lies in the covered region, and most of the covered bone comes back.
        assertTrue(GridCoverage.coveredFraction(back, p.grid()) > 0.999);
        MaskVolume covered = skull.copy();
        VoxelCentres.forEachSet(skull, (i, x, y, z) -> {
            if (z < p.bottomZ()) covered.set(i, false);
        });
        double dice = org.calvaria.evaluate.Metrics.dice(back, covered);
        assertTrue(dice > 0.9, "there-and-back Dice " + dice);
    }

    @Test
    void aThresholdOfZeroIsRefused() {
        FloatVolume probability = randomProbability(obliqueGrid(), 1);
        assertThrows(
                IllegalArgumentException.class,
                () -> GridResampling.toScan(probability, Geometry.axisAligned(10, 10, 10, 1, 1, 1, new double[3]), 0));
    }

    @Test
    void voxelCentresAreTheGeometrysPhysicalPositions() {
        Geometry g = obliqueGrid();
        MaskVolume m = new MaskVolume(g);
        Random r = new Random(3);
        for (int k = 0; k < 50; k++) m.set(r.nextInt(g.voxelCount()), true);
        int[] seen = {0};
        VoxelCentres.forEachSet(m, (i, x, y, z) -> {
            double[] p = g.indexToPhysical(i % g.nx(), (i / g.nx()) % g.ny(), i / (g.nx() * g.ny()));
            assertEquals(p[0], x, 0.0);
            assertEquals(p[1], y, 0.0);
            assertEquals(p[2], z, 0.0);
            assertTrue(m.isSet(i));
            seen[0]++;
        });
        assertEquals(m.cardinality(), seen[0]);
    }

    private static float[] filled(int n, float v) {
        float[] a = new float[n];
        java.util.Arrays.fill(a, v);
        return a;
    }
}
