package org.calvaria.morphology;

import static org.junit.jupiter.api.Assertions.*;

import org.calvaria.io.VolumeIO;
import org.calvaria.testing.SharedData;
import org.calvaria.volume.Geometry;
import org.calvaria.volume.MaskVolume;
import org.calvaria.volume.Volume;
import org.junit.jupiter.api.Test;

class ConnectedComponentsTest {
    /** Odd row length: rows start mid-word, which the run extraction must handle. */
    static final Geometry ODD = Geometry.axisAligned(37, 23, 19, 1);
    /** Rows of exactly one word. */
    static final Geometry ALIGNED = Geometry.axisAligned(64, 9, 7, 1);

    @Test
    void labelsMatchFloodFillForEveryConnectivity() {
        for (Geometry g : new Geometry[] {ODD, ALIGNED}) {
            for (int conn : new int[] {6, 18, 26}) {
                for (long seed = 1; seed <= 3; seed++) {
                    // Densities below percolation for each connectivity: many components of all sizes.
                    double density = conn == 6 ? 0.25 : conn == 18 ? 0.12 : 0.08;
                    MaskVolume m = BruteForce.random(g, density, seed);
                    int[] expected = BruteForce.label(m, true, BruteForce.offsets(conn));
                    Labeling l = ConnectedComponents.label(m, conn);
                    int max = 0;
                    for (int z = 0; z < g.nz(); z++)
                        for (int y = 0; y < g.ny(); y++)
                            for (int x = 0; x < g.nx(); x++) {
                                int e = expected[g.index(x, y, z)];
                                max = Math.max(max, e);
                                assertEquals(
                                        e,
                                        l.labelAt(x, y, z),
                                        "conn " + conn + " seed " + seed + " at " + x + "," + y + "," + z);
                            }
                    assertEquals(max, l.count());
                    assertEquals(m.cardinality(), l.totalVoxels());
                    assertTrue(l.count() > 5, "fixture should have several components, has " + l.count());
                }
            }
        }
    }

    @Test
    void connectivityDecidesWhetherDiagonalsJoin() {
        MaskVolume m = new MaskVolume(Geometry.axisAligned(4, 4, 4, 1));
        m.set(0, 0, 0, true);
        m.set(1, 1, 0, true); // edge neighbour of the first
        m.set(2, 2, 1, true); // corner neighbour of the second
        assertEquals(3, ConnectedComponents.count(m, 6));
        assertEquals(2, ConnectedComponents.count(m, 18));
        assertEquals(1, ConnectedComponents.count(m, 26));
        assertThrows(IllegalArgumentException.class, () -> ConnectedComponents.count(m, 8));
    }

    @Test
    void largestRemoveSmallAndSeedSelectionMatchSizes() {
        MaskVolume m = BruteForce.blobs(ODD, 14, 3, 7);
        m.metadata().put("note", "kept");
        Labeling l = ConnectedComponents.label(m, 26);
        assertTrue(l.count() >= 3, "fixture needs several blobs, has " + l.count());
        int[] bySize = l.labelsBySize();
        long[] sizes = l.sizes();
        for (int i = 1; i < bySize.length; i++) assertTrue(sizes[bySize[i - 1]] >= sizes[bySize[i]]);

        MaskVolume largest = ConnectedComponents.largest(m, 26);
        assertEquals(sizes[bySize[0]], largest.cardinality());
        assertEquals(1, ConnectedComponents.count(largest, 26));
        assertEquals("kept", largest.metadata().get("note"));
        assertEquals(0, largest.copy().andNot(m).cardinality(), "largest must be a subset");

        long cut = sizes[bySize[1]]; // keeps exactly the components at least as big as the second
        MaskVolume big = ConnectedComponents.removeSmallerThan(m, cut, 26);
        long expected = 0;
        int expectedCount = 0;
        for (int lab = 1; lab <= l.count(); lab++) {
            if (sizes[lab] >= cut) {
                expected += sizes[lab];
                expectedCount++;
            }
        }
        assertEquals(expected, big.cardinality());
        assertEquals(expectedCount, ConnectedComponents.count(big, 26));

        // Seed one voxel in the smallest component: exactly that component comes back.
        int smallest = bySize[bySize.length - 1];
        MaskVolume seeds = new MaskVolume(ODD);
        outer:
        for (int z = 0; z < ODD.nz(); z++)
            for (int y = 0; y < ODD.ny(); y++)
                for (int x = 0; x < ODD.nx(); x++) {
                    if (l.labelAt(x, y, z) == smallest) {
                        seeds.set(x, y, z, true);
                        break outer;
                    }
                }
        MaskVolume touched = ConnectedComponents.keepComponentsTouching(m, seeds, 26);
        assertTrue(touched.sameVoxels(l.mask(smallest)));
        assertEquals(
                0,
                ConnectedComponents.keepComponentsTouching(m, new MaskVolume(ODD), 26)
                        .cardinality());
    }

    @Test
    void emptyMaskHasNoComponents() {
        MaskVolume empty = new MaskVolume(ODD);
        assertEquals(0, ConnectedComponents.count(empty, 26));
        assertEquals(0, ConnectedComponents.label(empty, 26).largestLabel());
        assertEquals(0, ConnectedComponents.largest(empty, 26).cardinality());
    }

    /**
     * Reference numbers from ../shared/data/README.md, computed independently of this code. The README's "largest
     * connected component" (432,593) is the 6-connected one; the 26-connected one is checked against flood fill.
     */
    @Test
    void invesaliusCtThresholdAndLargestComponentMatchTheDataReadme() {
        Volume ct = VolumeIO.read(SharedData.invesaliusCt());
        MaskVolume bone = MaskVolume.threshold(ct, 226);
        assertEquals(475_759, bone.cardinality());
        assertEquals(432_593, ConnectedComponents.largest(bone, 6).cardinality());

        int[] flood = BruteForce.label(bone, true, BruteForce.offsets(26));
        long[] floodSizes = new long[flood.length + 1];
        long floodLargest = 0;
        for (int lab : flood) if (lab > 0) floodLargest = Math.max(floodLargest, ++floodSizes[lab]);
        Labeling l = ConnectedComponents.label(bone, 26);
        assertEquals(floodLargest, l.size(l.largestLabel()));
        assertTrue(floodLargest > 432_593, "26-connectivity joins more than 6-connectivity");
        // The CT head holder passes the threshold as separate components of about 21,000 voxels each.
        int[] bySize = l.labelsBySize();
        assertTrue(l.size(bySize[1]) > 20_000 && l.size(bySize[2]) > 20_000);
    }
}
