package org.calvaria.dataset;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.calvaria.defects.Augmentation;
import org.calvaria.defects.DefectGenerator;
import org.calvaria.defects.DefectType;
import org.calvaria.io.NrrdIO;
import org.calvaria.normalise.NetworkGrid;
import org.calvaria.synth.SyntheticSkull;
import org.calvaria.testing.SharedData;
import org.calvaria.volume.MaskVolume;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SampleSourceTest {
    private static final NetworkGrid GRID = NetworkGrid.wu2022();
    private static SkullLibrary library;
    private static MaskVolume firstSkull;

    @BeforeAll
    static void buildLibrary() {
        List<GridSkull> skulls = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            MaskVolume s = new SyntheticSkull(100 + i).rasterize(2.0, 2.0);
            if (i == 0) firstSkull = s;
            MaskVolume real = null;
            if (i == 5)
                real = new DefectGenerator(9)
                        .cut(s, DefectType.CRANIOTOMY, 0.15)
                        .defective();
            skulls.add(GridSkull.map("skull" + i, "synthetic " + i, s, real, GRID));
        }
        library = new SkullLibrary(GRID, skulls);
    }

    @Test
    void sameSeedGivesTheSameStreamWhateverTheThreads() {
        SampleOptions o = SampleOptions.defaults(123).withRealDefectShare(0.5);
        try (SkullSampleSource a = library.samples(o.withThreads(1, 0));
                SkullSampleSource b = library.samples(o.withThreads(3, 8));
                SkullSampleSource c = library.samples(o.withSeed(124))) {
            for (int round = 0; round < 2; round++) {
                Batch x = a.next(4), y = b.next(4), z = c.next(4);
                assertEquals(4, x.count());
                assertEquals(112 * 112 * 40 * 4, x.defective().length);
                assertEquals(112 * 112 * 40, x.sampleSize());
                assertArrayEquals(x.defective(), y.defective());
                assertArrayEquals(x.complete(), y.complete());
                assertArrayEquals(x.descriptions(), y.descriptions());
                assertFalse(Arrays.equals(x.defective(), z.defective()));
                assertValidPairs(x);
            }
            assertEquals(8, a.position());
            // seeking back reproduces the stream
            a.seek(4);
            Batch again = a.next(4);
            b.seek(4);
            assertArrayEquals(b.next(4).defective(), again.defective());
        }
    }

    @Test
    void samplesCoverTypesAugmentationsAndRealDefects() {
        SampleOptions o = SampleOptions.defaults(5).withRealDefectShare(1.0).withThreads(2, 4);
        Set<String> types = new HashSet<>();
        int real = 0, augmented = 0;
        try (SkullSampleSource s = library.samples(o)) {
            for (int i = 0; i < 60; i++) {
                Sample x = s.sample(i);
                assertTrue(x.complete().copy().andNot(x.defective()).cardinality() > 0, "nothing removed");
                assertEquals(0, x.defective().copy().andNot(x.complete()).cardinality(), "defective not in complete");
                if (x.isRealDefect()) {
                    real++;
                    assertEquals("skull5", x.skullId());
                } else {
                    types.add(x.defect().type().cliName());
                    assertTrue(x.defect().targetFraction() >= 0.05 && x.defect().targetFraction() <= 0.45);
                }
                if (!x.augmentation().isIdentity()) augmented++;
            }
        }
        assertEquals(6, types.size(), "all six paper types drawn: " + types);
        assertTrue(real > 3, "real defects drawn: " + real);
        assertTrue(augmented > 50);
    }

    @Test
    void unaugmentedCompleteSkullIsTheGridMapping() {
        SampleOptions o = SampleOptions.defaults(1).withAugment(false);
        Sample s = new SampleFactory(GRID, o).make(library.skulls().get(0), 42);
        assertEquals(Augmentation.identity(), s.augmentation());
        MaskVolume direct = GRID.toGrid(firstSkull, GRID.place(firstSkull));
        long diff = direct.copy().xor(s.complete()).cardinality();
        assertTrue(diff <= 5, "voxels differing from NetworkGrid.toGrid: " + diff);
        assertTrue(s.complete().geometry().equals(GRID.place(firstSkull).grid()));
    }

    @Test
    void fastAugmentedGridEqualsGenericTransform() {
        GridSkull s = library.skulls().get(2);
        for (Augmentation a :
                List.of(new Augmentation(6, -6, 2), new Augmentation(-2, 4, 0), new Augmentation(0, 0, 2))) {
            MaskVolume fast = s.completeOnGrid(a, GRID);
            org.calvaria.volume.FloatVolume slow =
                    a.transform(s.complete(), s.augmentationCentre(GRID), GRID.spacingMm());
            MaskVolume expected = new MaskVolume(fast.geometry());
            int offset = GridSkull.EXTRA_SLICES * 112 * 112;
            for (int i = 0; i < expected.voxelCount(); i++) {
                if (slow.data()[offset + i] >= GridSkull.SCALE / 2.0) expected.set(i, true);
            }
            long diff = expected.copy().xor(fast).cardinality();
            assertTrue(diff <= 2, a.label() + " differs in " + diff + " voxels");
            assertTrue(fast.cardinality() > 10000);
        }
        // the shift moves bone up by two grid voxels (a 2 mm scan's vertex voxel may reach one slice higher than
        // a fine scan's, and then the shifted vertex touches the top slice)
        MaskVolume plain = s.completeOnGrid(Augmentation.identity(), GRID);
        MaskVolume up = s.completeOnGrid(new Augmentation(0, 0, 2), GRID);
        int top = org.calvaria.normalise.NetworkGridTest.topSlice(plain);
        assertTrue(top >= 36 && top <= 38, "vertex slice " + top);
        assertEquals(Math.min(top + 2, 39), org.calvaria.normalise.NetworkGridTest.topSlice(up));
    }

    @Test
    void splitIsBySkullAndReproducible() {
        SkullLibrary.Split a = library.split(0.34, 7), b = library.split(0.34, 7);
        assertEquals(a.validationIds(), b.validationIds());
        assertEquals(2, a.validationIds().size());
        Set<String> train = new HashSet<>(a.train().ids());
        for (String v : a.validationIds()) assertFalse(train.contains(v));
        assertEquals(6, train.size() + a.validationIds().size());
        try (SkullSampleSource s = a.train().samples(SampleOptions.defaults(3).withRealDefectShare(0))) {
            Batch batch = s.next(12);
            for (String d : batch.descriptions()) assertTrue(train.contains(d.split(" ")[0]), d);
        }
        SkullLibrary.Split explicit = library.split(List.of("skull1", "skull4"));
        assertEquals(List.of("skull1", "skull4"), explicit.validationIds());
    }

    @Test
    void cacheSkipsTheFullResolutionReadAndGivesTheSameGrid(@TempDir Path dir) throws Exception {
        Path skulls = Files.createDirectories(dir.resolve("skulls"));
        for (int i = 0; i < 2; i++)
            NrrdIO.write(new SyntheticSkull(200 + i).rasterize(2.0, 2.0), skulls.resolve("h" + i + ".nrrd"));
        Path cache = dir.resolve("cache");
        SkullLibrary first = SkullLibrary.load(skulls, GRID, cache, 2);
        try (Stream<Path> s = Files.list(cache)) {
            assertEquals(2, s.count());
        }
        // make the sources unreadable: a second load must come from the cache alone
        for (int i = 0; i < 2; i++) {
            Path p = skulls.resolve("h" + i + ".nrrd");
            java.nio.file.attribute.FileTime t = Files.getLastModifiedTime(p);
            byte[] bytes = Files.readAllBytes(p);
            Arrays.fill(bytes, 200, bytes.length, (byte) 0);
            Files.write(p, bytes);
            Files.setLastModifiedTime(p, t);
        }
        SkullLibrary second = SkullLibrary.load(skulls, GRID, cache, 1);
        assertEquals(first.ids(), second.ids());
        for (int i = 0; i < 2; i++) {
            GridSkull x = first.skulls().get(i), y = second.skulls().get(i);
            assertArrayEquals(x.complete().data(), y.complete().data());
            assertTrue(x.placement().grid().sameGrid(y.placement().grid(), 1e-9));
            assertArrayEquals(x.placement().vertex(), y.placement().vertex(), 1e-12);
        }
    }

    @Test
    void realSkullFixPairOnTheGrid() {
        Path complete = SharedData.skullfix("complete_skull", "000");
        Path defective = SharedData.skullfix("defective_skull", "000");
        GridSkull s = SkullLibrary.loadOne(new SkullFiles("000", complete, defective), GRID, null);
        MaskVolume c = s.completeOnGrid(Augmentation.identity(), GRID);
        MaskVolume d = s.realDefectiveOnGrid(Augmentation.identity(), GRID);
        long removed = c.copy().andNot(d).cardinality();
        // SkullFix 000's implant is 281,767 of 3,588,832 voxels at full resolution; on the grid it is a clear share
        double share = (double) removed / c.cardinality();
        assertTrue(share > 0.05 && share < 0.5, "implant share on grid " + share);
        assertTrue(d.copy().andNot(c).cardinality() < 0.01 * d.cardinality());
    }

    static void assertValidPairs(Batch b) {
        int n = b.sampleSize();
        for (int k = 0; k < b.count(); k++) {
            int def = 0, comp = 0;
            for (int i = k * n; i < (k + 1) * n; i++) {
                float d = b.defective()[i], c = b.complete()[i];
                assertTrue((d == 0 || d == 1) && (c == 0 || c == 1));
                assertFalse(d == 1 && c == 0, "defective voxel outside complete");
                def += (int) d;
                comp += (int) c;
            }
            assertTrue(comp > 5000 && def < comp, "sample " + k + ": " + def + " / " + comp);
        }
    }
}
