package org.calvaria.defects;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import org.calvaria.synth.SyntheticSkull;
import org.calvaria.volume.Geometry;
import org.calvaria.volume.MaskVolume;
import org.junit.jupiter.api.Test;

class AugmentationTest {
    @Test
    void exactly98DistinctVariantsInAFixedOrder() {
        List<Augmentation> all = Augmentation.all();
        assertEquals(98, all.size());
        assertEquals(98, new HashSet<>(all).size());
        assertEquals(new Augmentation(-6, -6, 0), all.get(0));
        assertEquals(new Augmentation(6, 6, 2), all.get(97));
        for (int i = 0; i < 98; i++) assertEquals(i, all.get(i).index());
        assertTrue(all.contains(Augmentation.identity()));
        for (Augmentation a : all) {
            assertTrue(a.rotationDeg() % 2 == 0 && Math.abs(a.rotationDeg()) <= 6);
            assertTrue(a.tiltDeg() % 2 == 0 && Math.abs(a.tiltDeg()) <= 6);
            assertTrue(a.shiftVoxels() == 0 || a.shiftVoxels() == 2);
        }
    }

    @Test
    void everyVariantPreservesBoneVolumeWithinOnePercent() {
        SyntheticSkull head = new SyntheticSkull(4);
        // room around the skull so rotated bone stays on the grid
        Geometry g = Geometry.axisAligned(76, 92, 64, 2.5, 2.5, 2.5, new double[] {-94, -114, -50});
        MaskVolume skull = head.rasterize(g);
        long n = skull.cardinality();
        double[] centre = Augmentation.boneCentre(skull);
        for (Augmentation a : Augmentation.all()) {
            MaskVolume t = a.apply(skull, centre, 1.75);
            double ratio = (double) t.cardinality() / n;
            assertEquals(1.0, ratio, 0.01, a.label());
            if (!a.isIdentity()) assertFalse(t.sameVoxels(skull), a.label() + " changed nothing");
        }
        assertTrue(Augmentation.identity().apply(skull).sameVoxels(skull));
    }

    @Test
    void rotationTiltAndShiftMoveBoneTheRightWay() {
        SyntheticSkull head = new SyntheticSkull(4);
        Geometry g = Geometry.axisAligned(95, 115, 80, 2.0, 2.0, 2.0, new double[] {-94, -114, -50});
        MaskVolume skull = head.rasterize(g);
        double[] c = Augmentation.boneCentre(skull);
        double[] shifted = Augmentation.boneCentre(new Augmentation(0, 0, 2).apply(skull, c, 1.75));
        assertEquals(c[2] + 3.5, shifted[2], 1.0);
        assertEquals(c[0], shifted[0], 0.5);
        // the grid-defined rotation matrix: +90 about z would map +x to +y
        double[] r = new Augmentation(6, 0, 0).rotationMatrix();
        assertEquals(Math.sin(Math.toRadians(6)), r[3], 1e-12);
        double[] t = new Augmentation(0, 6, 0).rotationMatrix();
        assertEquals(Math.sin(Math.toRadians(6)), t[7], 1e-12);
    }
}
