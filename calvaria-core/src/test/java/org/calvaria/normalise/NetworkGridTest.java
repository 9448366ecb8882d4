package org.calvaria.normalise;

import static org.calvaria.evaluate.Metrics.dice;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.calvaria.CalvariaException;
import org.calvaria.io.VolumeIO;
import org.calvaria.synth.SyntheticSkull;
import org.calvaria.testing.SharedData;
import org.calvaria.volume.FloatVolume;
import org.calvaria.volume.Geometry;
import org.calvaria.volume.MaskVolume;
import org.junit.jupiter.api.Test;

public class NetworkGridTest {
    private static final NetworkGrid GRID = NetworkGrid.wu2022();

    @Test
    void paperGridHasSizesAndSpacing() {
        assertEquals(112, GRID.nx());
        assertEquals(112, GRID.ny());
        assertEquals(40, GRID.nz());
        assertEquals(70.0, GRID.heightMm());
        assertEquals(1.75, GRID.spacingMm(), 1e-12);
        NetworkGrid parsed = NetworkGrid.parse("64x64x24");
        assertEquals(64, parsed.nx());
        assertEquals(24 * 1.75, parsed.heightMm(), 1e-12);
        assertThrows(CalvariaException.class, () -> NetworkGrid.parse("112x112"));
    }

    @Test
    void placementPutsVertexNearTopAndCentresBone() {
        MaskVolume skull = new SyntheticSkull(3).rasterize(1.5, 1.5);
        GridPlacement p = GRID.place(skull);
        Geometry g = p.grid();
        assertTrue(g.isAxisAligned(1e-12));
        assertArrayEquals(new double[] {1.75, 1.75, 1.75}, g.spacing(), 1e-12);
        // the top face lies TOP_MARGIN voxels above the vertex
        assertEquals(p.vertex()[2] + NetworkGrid.TOP_MARGIN_VOXELS * 1.75, p.topZ(), 1e-9);
        assertEquals(70.0, p.topZ() - p.bottomZ(), 1e-9);
        // the synthetic skull is centred on x = y = 0 (up to its small random shape variation)
        assertEquals(0, p.centre()[0], 3);
        assertEquals(0, p.centre()[1], 5);
        MaskVolume onGrid = GRID.toGrid(skull, p);
        assertEquals(112 * 112 * 40, onGrid.voxelCount());
        assertTrue(onGrid.cardinality() > 10000, "bone on grid: " + onGrid.cardinality());
        // highest bone slice on the grid is the one holding the vertex (within one voxel)
        int topSlice = topSlice(onGrid);
        assertEquals(p.vertex()[2], g.indexToPhysical(0, 0, topSlice)[2], 1.75);
        // nothing of the bone band is cut at the sides
        double[] b = p.boneBounds();
        assertTrue(b[3] - b[0] < 112 * 1.75 && b[4] - b[1] < 112 * 1.75);
    }

    @Test
    void sameHeadAtTwoResolutionsLandsOnTheSameGrid() {
        SyntheticSkull head = new SyntheticSkull(7);
        GridPlacement fine = GRID.place(head.rasterize(0.9, 0.9));
        GridPlacement coarse = GRID.place(head.rasterize(1.5, 2.0));
        double[] a = fine.grid().origin(), c = coarse.grid().origin();
        for (int i = 0; i < 3; i++) assertEquals(a[i], c[i], 1.75, "origin axis " + i);
        MaskVolume gFine = GRID.toGrid(head.rasterize(0.9, 0.9), fine);
        MaskVolume gCoarse = GRID.toGrid(head.rasterize(1.5, 2.0), fine);
        assertTrue(dice(gFine, gCoarse) > 0.9, "dice " + dice(gFine, gCoarse));
    }

    @Test
    void shearedScanIsPlacedLikeAxisAlignedOne() {
        SyntheticSkull head = new SyntheticSkull(11);
        MaskVolume straight = head.rasterize(1.2, 1.2);
        Geometry sg = straight.geometry();
        // gantry tilt of 10 degrees: the slice axis is inclined in y-z
        double t = Math.toRadians(10);
        double[] m = {1.2, 0, 0, 0, 1.2, 1.2 * Math.sin(t), 0, 0, 1.2 * Math.cos(t)};
        double[] o = sg.origin();
        Geometry sheared = new Geometry(sg.nx(), sg.ny() + 20, sg.nz(), new double[] {o[0], o[1] - 20, o[2]}, m);
        MaskVolume tilted = head.rasterize(sheared);
        GridPlacement ps = GRID.place(straight), pt = GRID.place(tilted);
        assertEquals(ps.vertex()[2], pt.vertex()[2], 1.75);
        assertEquals(ps.centre()[0], pt.centre()[0], 1.75);
        assertEquals(ps.centre()[1], pt.centre()[1], 1.75);
        double d = dice(GRID.toGrid(straight, ps), GRID.toGrid(tilted, ps));
        assertTrue(d > 0.9, "dice " + d);
    }

    @Test
    void thereAndBackOnSyntheticSkull() {
        MaskVolume skull = new SyntheticSkull(5).rasterize(1.0, 1.0);
        assertThereAndBack(skull);
    }

    @Test
    void thereAndBackOnSkullFix() {
        MaskVolume skull =
                MaskVolume.requireBinary(VolumeIO.read(SharedData.skullfix("complete_skull", "000")), "skull");
        assertThereAndBack(skull);
    }

    private static void assertThereAndBack(MaskVolume skull) {
        GridPlacement p = GRID.place(skull);
        MaskVolume onGrid = GRID.toGrid(skull, p);
        MaskVolume backMask =
                GridResampling.toScan(GRID.toGrid((org.calvaria.volume.Volume) onGrid, p), skull.geometry(), 0.5);
        assertTrue(backMask.geometry().equals(skull.geometry()));
        MaskVolume band = inBand(skull, p);
        double d = dice(band, backMask);
        assertTrue(d >= 0.9, "there-and-back dice " + d);
        GridPlacement again = GRID.place(backMask);
        for (int i = 0; i < 3; i++) {
            assertEquals(p.vertex()[i], again.vertex()[i], i == 2 ? 1.75 : 20, "vertex axis " + i);
        }
        assertEquals(p.centre()[0], again.centre()[0], 1.75);
        assertEquals(p.centre()[1], again.centre()[1], 1.75);
        assertTrue(GRID.coveredFraction(band, p) > 0.999);
        assertTrue(GRID.coveredFraction(skull, p) < 1.0, "the skull base lies below the grid");
        assertEquals(1.0, GRID.coveredFraction(band, p));
    }

    @Test
    void placementIgnoresADefectThatRemovesTheVertex() {
        MaskVolume skull = new SyntheticSkull(3).rasterize(1.5, 1.5);
        GridPlacement complete = GRID.place(skull);
        double skullTop = highestZ(skull);
        int checked = 0;
        for (long seed = 0; seed < 30 && checked < 3; seed++) {
            org.calvaria.defects.Defect d = new org.calvaria.defects.DefectGenerator(seed)
                    .cut(skull, org.calvaria.defects.DefectType.SYMMETRICAL_ELLIPSOID, 0.3);
            // only defects that take the highest bone: the bounding-box top drops by more than 5 mm
            if (skullTop - highestZ(d.defective()) < 5) continue;
            checked++;
            GridPlacement p = GRID.place(d.defective());
            assertEquals(complete.vertex()[2], p.vertex()[2], 2 * 1.75, "seed " + seed);
            assertEquals(complete.centre()[0], p.centre()[0], 1.75);
            assertTrue(GRID.coveredFraction(d.implant(), p) > 0.99);
        }
        assertEquals(3, checked, "defects removing the vertex found");
    }

    @Test
    void realDefectiveSkullIsPlacedLikeItsCompleteSkull() {
        GridPlacement c =
                GRID.place(MaskVolume.requireBinary(VolumeIO.read(SharedData.skullfix("complete_skull", "000")), "c"));
        GridPlacement d =
                GRID.place(MaskVolume.requireBinary(VolumeIO.read(SharedData.skullfix("defective_skull", "000")), "d"));
        double[] a = c.grid().origin(), b = d.grid().origin();
        for (int i = 0; i < 3; i++) assertEquals(a[i], b[i], 1.75, "origin axis " + i);
    }

    static double highestZ(MaskVolume m) {
        Geometry g = m.geometry();
        double[] top = {Double.NEGATIVE_INFINITY};
        double[] q = new double[3];
        m.forEachSet(i -> {
            int x = i % g.nx(), r = i / g.nx();
            g.indexToPhysical(x, r % g.ny(), r / g.ny(), q);
            top[0] = Math.max(top[0], q[2]);
        });
        return top[0];
    }

    @Test
    void networkInputLayoutIsXFastest() {
        MaskVolume skull = new SyntheticSkull(1).rasterize(1.5, 1.5);
        GridPlacement p = GRID.place(skull);
        MaskVolume m = new MaskVolume(p.grid());
        m.set(3, 5, 7, true);
        float[] in = GRID.toNetworkInput(m);
        assertEquals(112 * 112 * 40, in.length);
        assertEquals(1f, in[3 + 112 * (5 + 112 * 7)]);
        double sum = 0;
        for (float v : in) sum += v;
        assertEquals(1.0, sum);
        FloatVolume wrapped = GRID.wrap(in, p);
        assertEquals(1.0, wrapped.get(3, 5, 7));
    }

    @Test
    void emptyOrWrongInputsFailClearly() {
        MaskVolume empty = new MaskVolume(Geometry.axisAligned(20, 20, 20, 1.0));
        CalvariaException e = assertThrows(CalvariaException.class, () -> GRID.place(empty));
        assertTrue(e.getMessage().contains("empty"));
        assertThrows(CalvariaException.class, () -> new NetworkGrid(112, 112, 40, -1));
        assertThrows(IllegalArgumentException.class, () -> GRID.toNetworkInput(empty));
    }

    static MaskVolume inBand(MaskVolume skull, GridPlacement p) {
        MaskVolume band = skull.copy();
        Geometry g = skull.geometry();
        double bottom = p.bottomZ();
        double[] q = new double[3];
        skull.forEachSet(i -> {
            int x = i % g.nx(), r = i / g.nx();
            g.indexToPhysical(x, r % g.ny(), r / g.ny(), q);
            if (q[2] < bottom) band.set(i, false);
        });
        return band;
    }

    public static int topSlice(MaskVolume m) {
        int top = -1;
        for (int z = 0; z < m.nz(); z++) {
            for (int y = 0; y < m.ny() && top != z; y++) {
                for (int x = 0; x < m.nx(); x++) {
                    if (m.isSet(x, y, z)) {
                        top = z;
                        break;
                    }
                }
            }
        }
        return top;
    }
}
