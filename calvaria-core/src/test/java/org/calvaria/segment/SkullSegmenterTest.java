package org.calvaria.segment;

import static org.junit.jupiter.api.Assertions.*;

import org.calvaria.CalvariaException;
import org.calvaria.Progress;
import org.calvaria.io.VolumeIO;
import org.calvaria.morphology.ConnectedComponents;
import org.calvaria.testing.SharedData;
import org.calvaria.volume.Geometry;
import org.calvaria.volume.MaskVolume;
import org.calvaria.volume.Resampler;
import org.calvaria.volume.ShortVolume;
import org.calvaria.volume.Volume;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SkullSegmenterTest {
    static SyntheticCt synthetic;

    @BeforeAll
    static void setUp() {
        Progress.enabled(false);
        synthetic = new SyntheticCt(3, 1.5);
    }

    /** The output placed back on the input grid (the crop keeps geometry exactly, so nearest is a pure copy). */
    static MaskVolume onGrid(MaskVolume m, Geometry g) {
        return (MaskVolume) Resampler.nearest(m, g, 0);
    }

    @Test
    void syntheticCtGivesExactlyTheSkullWithoutTheTable() {
        assertTrue(synthetic.table.cardinality() > 10_000, "the fixture has a table");
        SkullSegmenter.Result r = SkullSegmenter.segment(synthetic.ct, SkullSegmenter.Options.defaults(), "synthetic");
        MaskVolume skull = r.skull();
        assertEquals(synthetic.bone.cardinality() + synthetic.table.cardinality(), r.thresholdVoxels());
        assertEquals(2, r.components());
        assertEquals(synthetic.bone.cardinality(), r.largestVoxels());
        assertEquals(0, r.filledVoxels(), "the synthetic skull has no enclosed holes");
        assertEquals(1, ConnectedComponents.count(skull, 26));
        // Cropped to the skull plus 5 mm (4 voxels of 1.5 mm), and the geometry is the input's, shifted.
        assertTrue(skull.voxelCount() < synthetic.ct.voxelCount() / 2);
        double[] o = skull.geometry().origin();
        double[] idx = synthetic.ct.geometry().physicalToIndex(o[0], o[1], o[2]);
        for (double c : idx) assertEquals(Math.rint(c), c, 1e-9, "crop origin lies on an input voxel centre");
        assertTrue(onGrid(skull, synthetic.ct.geometry()).sameVoxels(synthetic.bone));
        assertEquals(skull.cardinality() * 1.5 * 1.5 * 1.5 / 1000, r.volumeMl(), 1e-9);
        assertTrue(skull.metadata().get("calvaria_segmentation").contains(">= 150 HU"));
    }

    @Test
    void noCropKeepsTheGridAndUpperBoundDropsDenseVoxels() {
        SkullSegmenter.Options o = SkullSegmenter.Options.defaults().withCrop(false, 0);
        MaskVolume skull = SkullSegmenter.segment(synthetic.ct, o, "synthetic").skull();
        assertTrue(skull.geometry().sameGrid(synthetic.ct.geometry(), 0));
        assertTrue(skull.sameVoxels(synthetic.bone));
        // Only the table (300 HU) lies in 150..500 HU.
        SkullSegmenter.Result table = SkullSegmenter.segment(synthetic.ct, o.withHuWindow(150, 500), "synthetic");
        assertTrue(table.skull().sameVoxels(synthetic.table));
    }

    @Test
    void rawWindowOnUnshiftedValuesMatchesHu() {
        ShortVolume raw = synthetic.ct.copy();
        for (int i = 0; i < raw.voxelCount(); i++) raw.data()[i] += 1024;
        SkullSegmenter.Options hu = SkullSegmenter.Options.defaults();
        MaskVolume a = SkullSegmenter.segment(synthetic.ct, hu, "hu").skull();
        MaskVolume b = SkullSegmenter.segment(raw, hu.withRawWindow(150 + 1024, 4095), "raw")
                .skull();
        assertTrue(a.sameVoxels(b));
    }

    @Test
    void medianSmoothingKeepsOneComponent() {
        SkullSegmenter.Result r = SkullSegmenter.segment(
                synthetic.ct, SkullSegmenter.Options.defaults().withMedianMm(2), "synthetic");
        assertEquals(1, ConnectedComponents.count(r.skull(), 26));
        // A smooth 6 mm shell hardly changes under a 2 mm median.
        assertEquals(r.largestVoxels(), r.smoothedVoxels(), r.largestVoxels() * 0.05);
        assertTrue(r.smoothedVoxels() != r.largestVoxels());
    }

    @Test
    void enclosedCranialCavityIsNotFilledButPocketsAre() {
        // A closed ball of bone 48..60 mm thick (cavity about 460 ml) with a 2-voxel pocket inside the wall.
        Geometry g = Geometry.axisAligned(64, 64, 64, 2, 2, 2, new double[] {-63, -63, -63});
        ShortVolume ct = new ShortVolume(g);
        double[] p = new double[3];
        for (int i = 0; i < ct.voxelCount(); i++) {
            g.indexToPhysical(i % 64, (i / 64) % 64, i / 4096, p);
            double r = Math.sqrt(p[0] * p[0] + p[1] * p[1] + p[2] * p[2]);
            ct.data()[i] = (short) (r >= 48 && r <= 60 ? 1200 : r < 48 ? 30 : -1000);
        }
        ct.set(58, 32, 32, 30); // x = 53 and 55 mm: bone remains at 51 and 57 mm
        ct.set(59, 32, 32, 30);
        SkullSegmenter.Result res =
                SkullSegmenter.segment(ct, SkullSegmenter.Options.defaults().withCrop(false, 0), "ball");
        assertEquals(2, res.filledVoxels());
        assertTrue(res.cavitiesLeftOpen() * 8 / 1000.0 > 400, "the big cavity stays open: " + res.cavitiesLeftOpen());
    }

    @Test
    void badInputAndOptionsFailClearly() {
        MaskVolume mask = synthetic.bone;
        CalvariaException e = assertThrows(
                CalvariaException.class,
                () -> SkullSegmenter.segment(mask, SkullSegmenter.Options.defaults(), "skull.nrrd"));
        assertTrue(e.getMessage().contains("already a segmentation"), e.getMessage());
        ShortVolume binaryShorts = new ShortVolume(mask.geometry());
        binaryShorts.data()[5] = 1;
        assertThrows(
                CalvariaException.class,
                () -> SkullSegmenter.segment(binaryShorts, SkullSegmenter.Options.defaults(), "b"));

        e = assertThrows(
                CalvariaException.class,
                () -> SkullSegmenter.Options.defaults()
                        .withHuWindow(5000, Double.POSITIVE_INFINITY)
                        .validate());
        assertTrue(e.getMessage().contains("-1024..3071"), e.getMessage());
        assertThrows(
                CalvariaException.class,
                () -> SkullSegmenter.Options.defaults().withHuWindow(-2000, 100).validate());
        assertThrows(
                CalvariaException.class,
                () -> SkullSegmenter.Options.defaults().withHuWindow(300, 200).validate());
        assertThrows(
                CalvariaException.class,
                () -> SkullSegmenter.Options.defaults().withHuWindow(300, 4000).validate());
        assertThrows(
                CalvariaException.class,
                () -> SkullSegmenter.Options.defaults().withMedianMm(11).validate());
        assertThrows(
                CalvariaException.class,
                () -> SkullSegmenter.Options.defaults().withCrop(true, -1).validate());
        assertThrows(
                CalvariaException.class,
                () -> SkullSegmenter.Options.defaults().withRawWindow(5, 1).validate());
        SkullSegmenter.Options.defaults().withRawWindow(1200, 1817).validate(); // the window of Wu et al.

        ShortVolume air = new ShortVolume(Geometry.axisAligned(8, 8, 8, 1));
        java.util.Arrays.fill(air.data(), (short) -1000);
        e = assertThrows(
                CalvariaException.class, () -> SkullSegmenter.segment(air, SkullSegmenter.Options.defaults(), "air"));
        assertTrue(e.getMessage().contains("-1000..-1000"), e.getMessage());
    }

    /** The real CT's head holder passes the threshold as two components beside the back of the head. */
    @Test
    void invesaliusHeadHolderIsRemoved() {
        Volume ct = VolumeIO.read(SharedData.invesaliusCt());
        Geometry g = ct.geometry();
        MaskVolume band = MaskVolume.threshold(ct, SkullSegmenter.DEFAULT_THRESHOLD_HU);
        // The holder's two arcs lie at x < 50 and x > 210; the skull lies within x 58..203 (index).
        MaskVolume beside = new MaskVolume(g);
        for (int z = 0; z < g.nz(); z++)
            for (int y = 0; y < g.ny(); y++)
                for (int x = 0; x < g.nx(); x++) {
                    if ((x < 50 || x > 210) && band.isSet(x, y, z)) beside.set(x, y, z, true);
                }
        assertTrue(beside.cardinality() > 25_000, "the holder passes the threshold: " + beside.cardinality());

        SkullSegmenter.Result r = SkullSegmenter.segment(ct, SkullSegmenter.Options.defaults(), "cranium");
        MaskVolume back = onGrid(r.skull(), g);
        assertEquals(r.skull().cardinality(), back.cardinality());
        assertEquals(0, back.intersectionCount(beside), "no holder voxel is in the skull");
        assertEquals(1, ConnectedComponents.count(r.skull(), 26));
        // Nothing but the largest component and enclosed holes: every output voxel passed the threshold or is a hole.
        assertEquals(r.largestVoxels() + r.filledVoxels(), r.skull().cardinality());
        assertEquals(r.largestVoxels(), back.intersectionCount(band));
        assertEquals(0, r.cavitiesLeftOpen());
        assertTrue(r.skull().nx() < g.nx(), "cropped");
    }
}
