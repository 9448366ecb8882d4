package org.calvaria.evaluate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.calvaria.volume.Geometry;
import org.calvaria.volume.MaskVolume;
import org.junit.jupiter.api.Test;

/**
 * {@link DistanceTransform#squaredDistanceBelowMm2} against the full transform it replaces in ShellThickener (the
 * reference: {@code squaredDistanceMm2(features, spacing)[i] >= limit2}): the same "under the limit or not" answer for
 * every voxel, and the very same float wherever it is under the limit. Both share the one-dimensional envelope; the
 * full transform is checked against brute force in {@link DistanceTransformTest}, so what this test adds is the
 * bounded windows (sites, outputs and lines skipped beyond the limit).
 */
class BoundedDistanceTransformTest {

    private static void assertSameBelow(MaskVolume features, double[] spacing, double limit) {
        double limit2 = limit * limit;
        float[] full = DistanceTransform.squaredDistanceMm2(features, spacing);
        float[] below = DistanceTransform.squaredDistanceBelowMm2(features, spacing, limit2);
        assertEquals(full.length, below.length);
        int under = 0;
        for (int i = 0; i < full.length; i++) {
            boolean farOld = full[i] >= limit2, farNew = below[i] >= limit2;
            assertEquals(farOld, farNew, "voxel " + i + " limit " + limit);
            if (!farOld) {
                assertEquals(Float.floatToRawIntBits(full[i]), Float.floatToRawIntBits(below[i]), "voxel " + i);
                under++;
            } else {
                assertEquals(Float.POSITIVE_INFINITY, below[i]);
            }
        }
        assertTrue(under > 0 || features.isEmpty());
    }

    /** The limits ShellThickener uses (t + mean spacing / 2) and some that fall on exact voxel distances. */
    private static double[] limits(double[] sp) {
        double mean = (sp[0] + sp[1] + sp[2]) / 3;
        return new double[] {
            1.5 + mean / 2,
            2 + mean / 2,
            2.5 + mean / 2,
            3 + mean / 2,
            4 + mean / 2,
            3 * sp[0],
            2 * sp[2],
            0.5 * sp[1],
            Math.sqrt(sp[0] * sp[0] * 9 + sp[1] * sp[1] * 4)
        };
    }

    @Test
    void randomMasksAgreeWithTheFullTransform() {
        double[][] spacings = {{0.457031, 0.455, 0.633}, {0.7, 1.3, 2.1}, {0.5, 0.5, 0.5}, {0.39, 0.39, 1.0}};
        long seed = 1;
        for (double[] sp : spacings) {
            Geometry g = Geometry.axisAligned(37, 29, 23, sp[0], sp[1], sp[2], new double[] {3, -2, 5});
            for (double density : new double[] {0.0005, 0.003, 0.02, 0.2}) {
                MaskVolume m = DistanceTransformTest.randomMask(g, density, seed++);
                for (double limit : limits(sp)) assertSameBelow(m, sp, limit);
            }
        }
    }

    /**
     * Implant-shaped features: the outer face of a thick spherical cap (a one-voxel sheet of "air" over a curved
     * plate), as ShellThickener builds them, in a box like the implant's on SkullFix spacing.
     */
    @Test
    void curvedSheetsAgreeWithTheFullTransform() {
        double[][] spacings = {{0.457031, 0.4548, 0.6332}, {0.4, 0.4, 0.4}, {0.488, 0.488, 1.25}};
        Random r = new Random(7);
        for (double[] sp : spacings) {
            Geometry g = Geometry.axisAligned(96, 84, 44, sp[0], sp[1], sp[2], new double[] {0, 0, 0});
            for (int trial = 0; trial < 3; trial++) {
                double cx = 48 * sp[0] + r.nextGaussian() * 3, cy = 42 * sp[1] + r.nextGaussian() * 3;
                double radius = 60 + 20 * r.nextDouble(), cz = g.nz() * sp[2] * (0.5 + 0.2 * r.nextDouble()) - radius;
                MaskVolume air = new MaskVolume(g);
                MaskVolume plate = new MaskVolume(g);
                double[] p = new double[3];
                for (int z = 0; z < g.nz(); z++)
                    for (int y = 0; y < g.ny(); y++)
                        for (int x = 0; x < g.nx(); x++) {
                            g.indexToPhysical(x, y, z, p);
                            double d = Math.sqrt(
                                    (p[0] - cx) * (p[0] - cx) + (p[1] - cy) * (p[1] - cy) + (p[2] - cz) * (p[2] - cz));
                            if (d <= radius && d > radius - 6) plate.set(x, y, z, true);
                        }
                // Air: non-plate 6-neighbours of the plate on its outer side (farther from the centre).
                for (int z = 0; z < g.nz(); z++)
                    for (int y = 0; y < g.ny(); y++)
                        for (int x = 0; x < g.nx(); x++) {
                            if (plate.isSet(x, y, z)) continue;
                            g.indexToPhysical(x, y, z, p);
                            double d = Math.sqrt(
                                    (p[0] - cx) * (p[0] - cx) + (p[1] - cy) * (p[1] - cy) + (p[2] - cz) * (p[2] - cz));
                            if (d > radius
                                    && (plate.isSetSafe(x - 1, y, z)
                                            || plate.isSetSafe(x + 1, y, z)
                                            || plate.isSetSafe(x, y - 1, z)
                                            || plate.isSetSafe(x, y + 1, z)
                                            || plate.isSetSafe(x, y, z - 1)
                                            || plate.isSetSafe(x, y, z + 1))) {
                                air.set(x, y, z, true);
                            }
                        }
                assertTrue(air.cardinality() > 1000);
                for (double limit : limits(sp)) assertSameBelow(air, sp, limit);
            }
        }
    }

    @Test
    void noFeaturesIsInfinityEverywhere() {
        Geometry g = Geometry.axisAligned(70, 5, 3, 0.5);
        float[] d = DistanceTransform.squaredDistanceBelowMm2(new MaskVolume(g), g.spacing(), 4);
        for (float v : d) assertEquals(Float.POSITIVE_INFINITY, v);
    }
}
