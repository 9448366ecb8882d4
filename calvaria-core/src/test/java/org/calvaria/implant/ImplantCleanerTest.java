package org.calvaria.implant;

import static org.junit.jupiter.api.Assertions.*;

import org.calvaria.morphology.ConnectedComponents;
import org.calvaria.volume.Geometry;
import org.calvaria.volume.MaskVolume;
import org.junit.jupiter.api.Test;

class ImplantCleanerTest {
    /** 0.5 mm voxels: a 6 mm thick plate (the implant), a 1 mm shell along a "skull surface", and a speck. */
    @Test
    void removesThinShellAndSpecksButKeepsThePlateAndItsRim() {
        Geometry g = Geometry.axisAligned(120, 120, 40, 0.5);
        MaskVolume raw = new MaskVolume(g);
        MaskVolume plate = new MaskVolume(g);
        for (int z = 10; z < 22; z++) {
            for (int y = 30; y < 90; y++) {
                for (int x = 30; x < 90; x++) {
                    raw.set(x, y, z, true);
                    plate.set(x, y, z, true);
                }
            }
        }
        // a 2-voxel (1 mm) thick shell touching the plate's side, as subtraction leaves along the skull
        for (int z = 10; z < 12; z++)
            for (int y = 0; y < 120; y++) for (int x = 90; x < 120; x++) raw.set(x, y, z, true);
        // a detached 3x3x3 speck
        for (int z = 30; z < 33; z++) for (int y = 5; y < 8; y++) for (int x = 5; x < 8; x++) raw.set(x, y, z, true);

        MaskVolume clean = ImplantCleaner.clean(raw, ImplantCleaner.Options.defaults());

        assertEquals(1, ConnectedComponents.count(clean, 26), "one piece");
        assertTrue(clean.copy().andNot(raw).isEmpty(), "cleaning never adds voxels");
        assertEquals(plate.cardinality(), clean.intersectionCount(plate), "the whole plate survives, edges included");
        long shellKept = clean.cardinality() - plate.cardinality();
        // only the rim restoration (<= 1.5 mm = 3 voxels) next to the plate may keep shell voxels
        assertTrue(shellKept <= 3L * 2 * 120, "shell voxels kept: " + shellKept);
        assertFalse(clean.isSet(6, 6, 31), "speck removed");
        assertFalse(clean.isSet(110, 5, 10), "shell far from the plate removed");
    }

    @Test
    void keepsSeveralLargePartsForSeveralHoles() {
        Geometry g = Geometry.axisAligned(100, 50, 20, 0.5);
        MaskVolume raw = new MaskVolume(g);
        for (int z = 4; z < 16; z++) {
            for (int y = 10; y < 40; y++) {
                for (int x = 5; x < 35; x++) raw.set(x, y, z, true);
                for (int x = 60; x < 85; x++) raw.set(x, y, z, true);
            }
        }
        MaskVolume clean = ImplantCleaner.clean(raw, ImplantCleaner.Options.defaults());
        assertEquals(2, ConnectedComponents.count(clean, 26));
        assertEquals(raw.cardinality(), clean.cardinality(), "solid boxes are kept whole");
    }

    /**
     * Cleaning works on the raw implant's box widened by the balls' reach: the same voxels as cleaning the whole grid,
     * for parts in the middle, at the grid's border (where erosion treats the outside as bone) and on a sheared grid.
     */
    @Test
    void cleaningTheBoxGivesWhatCleaningTheWholeGridGives() {
        java.util.Random r = new java.util.Random(9);
        Geometry[] grids = {
            Geometry.axisAligned(90, 80, 40, 0.45, 0.45, 0.7, new double[] {-20, 10, 5}),
            new Geometry(70, 60, 30, new double[] {1, 2, 3}, new double[] {0.5, 0.1, 0, 0, 0.5, 0.05, 0, 0, 0.8})
        };
        for (Geometry g : grids) {
            for (int trial = 0; trial < 4; trial++) {
                MaskVolume raw = new MaskVolume(g);
                for (int blob = 0; blob < 6; blob++) {
                    // blobs anywhere, some cut by the grid's border, with thin noise around them
                    int cx = r.nextInt(g.nx()), cy = r.nextInt(g.ny()), cz = r.nextInt(g.nz());
                    int rx = 2 + r.nextInt(12), ry = 2 + r.nextInt(12), rz = 1 + r.nextInt(6);
                    for (int z = cz - rz; z <= cz + rz; z++)
                        for (int y = cy - ry; y <= cy + ry; y++)
                            for (int x = cx - rx; x <= cx + rx; x++)
                                if (g.contains(x, y, z) && r.nextInt(20) != 0) raw.set(x, y, z, true);
                }
                for (int i = 0; i < 300; i++) raw.set(r.nextInt(g.voxelCount()), true);
                MaskVolume cropped = ImplantCleaner.clean(raw, ImplantCleaner.Options.defaults());
                MaskVolume whole = ImplantCleaner.cleanWhole(raw, ImplantCleaner.Options.defaults());
                assertTrue(cropped.sameVoxels(whole), "trial " + trial + " on " + g);
                assertFalse(whole.isEmpty(), "trial " + trial + " keeps something");
                assertEquals(whole.sourceType(), cropped.sourceType());
                assertTrue(cropped.geometry().sameGrid(g, 0));
            }
        }
    }

    @Test
    void emptyStaysEmpty() {
        MaskVolume raw = new MaskVolume(Geometry.axisAligned(10, 10, 10, 1));
        assertTrue(ImplantCleaner.clean(raw, ImplantCleaner.Options.defaults()).isEmpty());
    }
}
