package org.calvaria.evaluate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.calvaria.CalvariaException;
import org.calvaria.volume.Geometry;
import org.calvaria.volume.MaskVolume;
import org.junit.jupiter.api.Test;

class MetricsTest {

    static MaskVolume ball(Geometry g, double cx, double cy, double cz, double radius) {
        MaskVolume m = new MaskVolume(g);
        double[] p = new double[3];
        for (int z = 0; z < g.nz(); z++)
            for (int y = 0; y < g.ny(); y++)
                for (int x = 0; x < g.nx(); x++) {
                    g.indexToPhysical(x, y, z, p);
                    double dx = p[0] - cx, dy = p[1] - cy, dz = p[2] - cz;
                    if (dx * dx + dy * dy + dz * dz <= radius * radius) m.set(x, y, z, true);
                }
        return m;
    }

    static MaskVolume box(Geometry g, int x0, int y0, int z0, int x1, int y1, int z1) {
        MaskVolume m = new MaskVolume(g);
        for (int z = z0; z <= z1; z++)
            for (int y = y0; y <= y1; y++) for (int x = x0; x <= x1; x++) m.set(x, y, z, true);
        return m;
    }

    static final Geometry ANISO = Geometry.axisAligned(64, 64, 40, 0.5, 0.5, 0.8, new double[] {-16, -16, -16});
    /** Columns not orthogonal: the z axis leans 0.35 mm along x per slice (a gantry tilt kept as shear). */
    static final Geometry SHEARED =
            new Geometry(64, 64, 40, new double[] {-22, -16, -16}, new double[] {0.5, 0, 0.35, 0, 0.5, 0, 0, 0, 0.8});

    @Test
    void concentricSpheresHaveHausdorffEqualToRadiusDifference() {
        for (Geometry g : new Geometry[] {ANISO, SHEARED}) {
            MaskVolume inner = ball(g, 0, 0, 0, 8), outer = ball(g, 0, 0, 0, 12);
            for (boolean points : new boolean[] {false, true}) {
                if (!points && !DistanceTransform.isOrthogonal(g)) continue;
                Metrics.SurfaceDistances sd = Metrics.surfaceDistances(inner, outer, points);
                // Surface voxel centres sit within about one voxel diagonal inside the ideal spheres.
                assertEquals(4.0, sd.hausdorff(), 0.6, g + " HD");
                assertEquals(4.0, sd.hd95(), 0.6, g + " HD95");
                assertEquals(4.0, sd.assd(), 0.6, g + " ASSD");
                assertTrue(sd.hd95() <= sd.hausdorff());
            }
        }
    }

    @Test
    void offsetSpheresHaveHausdorffEqualToOffset() {
        for (Geometry g : new Geometry[] {ANISO, SHEARED}) {
            MaskVolume a = ball(g, 0, 0, 0, 9), b = ball(g, 3, 0, 0, 9);
            Metrics.SurfaceDistances sd = Metrics.surfaceDistances(a, b);
            assertEquals(3.0, sd.hausdorff(), 0.5, g.toString());
            // Dice of two unit-radius balls offset by d: 1 - 3d/(4R) + d^3/(16 R^3) (lens volume formula).
            double d = 3.0 / 9, expected = 1 - 3 * d / 4 + d * d * d / 16;
            assertEquals(expected, Metrics.dice(a, b), 0.02, g.toString());
        }
    }

    @Test
    void shiftedCubesFollowOverlapFormulas() {
        Geometry g = Geometry.axisAligned(30, 20, 20, 0.4, 0.9, 1.7, new double[3]);
        int a = 10, k = 3;
        MaskVolume t = box(g, 5, 5, 5, 5 + a - 1, 5 + a - 1, 5 + a - 1);
        MaskVolume p = box(g, 5 + k, 5, 5, 5 + k + a - 1, 5 + a - 1, 5 + a - 1);
        assertEquals((double) (a - k) / a, Metrics.dice(p, t), 1e-12);
        assertEquals(100.0 * 2 * k / a, Metrics.volumetricErrorRatePct(p, t), 1e-9);
        Metrics.SurfaceDistances sd = Metrics.surfaceDistances(p, t);
        assertEquals(k * 0.4, sd.hausdorff(), 1e-5);
        assertEquals(Metrics.surfaceDistances(p, t, true).hd95(), sd.hd95(), 1e-5);
        assertEquals(a * a * a * 0.4 * 0.9 * 1.7 / 1000, Metrics.volumeMl(t), 1e-12);
        // The same cubes shifted along the coarse z axis: HD is k slices of 1.7 mm.
        MaskVolume pz = box(g, 5, 5, 5 + k, 5 + a - 1, 5 + a - 1, 5 + k + a - 1);
        assertEquals(k * 1.7, Metrics.surfaceDistances(pz, t).hausdorff(), 1e-5);
    }

    @Test
    void shearedVoxelVolumeUsesDeterminant() {
        MaskVolume cube = box(SHEARED, 10, 10, 10, 19, 19, 19);
        assertEquals(1000 * 0.5 * 0.5 * 0.8 / 1000, Metrics.volumeMl(cube), 1e-12);
    }

    /** Brute-force surface distances: every surface voxel against every other surface voxel, in physical space. */
    static double[] bruteSurfaceStats(MaskVolume a, MaskVolume b) {
        List<double[]> sa = points(MaskOps.surface(a)), sb = points(MaskOps.surface(b));
        List<Double> ab = new ArrayList<>(), ba = new ArrayList<>();
        for (double[] p : sa) ab.add(nearest(p, sb));
        for (double[] p : sb) ba.add(nearest(p, sa));
        List<Double> pool = new ArrayList<>(ab);
        pool.addAll(ba);
        Collections.sort(pool);
        double h = (pool.size() - 1) * 0.95;
        int lo = (int) Math.floor(h);
        double hd95 = pool.get(lo) + (h - lo) * (pool.get(Math.min(lo + 1, pool.size() - 1)) - pool.get(lo));
        double assd = (ab.stream().mapToDouble(x -> x).average().orElseThrow()
                        + ba.stream().mapToDouble(x -> x).average().orElseThrow())
                / 2;
        return new double[] {pool.get(pool.size() - 1), hd95, assd};
    }

    static List<double[]> points(MaskVolume m) {
        List<double[]> out = new ArrayList<>();
        Geometry g = m.geometry();
        for (int z = 0; z < g.nz(); z++)
            for (int y = 0; y < g.ny(); y++)
                for (int x = 0; x < g.nx(); x++) {
                    if (m.isSet(x, y, z)) out.add(g.indexToPhysical(x, y, z));
                }
        return out;
    }

    static double nearest(double[] p, List<double[]> set) {
        double best = Double.POSITIVE_INFINITY;
        for (double[] q : set) {
            best = Math.min(
                    best,
                    Math.sqrt((p[0] - q[0]) * (p[0] - q[0])
                            + (p[1] - q[1]) * (p[1] - q[1])
                            + (p[2] - q[2]) * (p[2] - q[2])));
        }
        return best;
    }

    @Test
    void diceAndSurfaceDistancesEqualBruteForceOnRandomMasks() {
        Geometry[] grids = {
            Geometry.axisAligned(13, 11, 9, 0.45, 0.45, 0.63, new double[] {1, 2, 3}),
            new Geometry(12, 11, 10, new double[] {0, 0, 0}, new double[] {0.5, 0.12, 0.3, 0, 0.6, -0.25, 0, 0, 0.9}),
        };
        long seed = 100;
        for (Geometry g : grids) {
            for (int trial = 0; trial < 3; trial++) {
                MaskVolume a = DistanceTransformTest.randomMask(g, 0.15 + 0.1 * trial, seed++);
                MaskVolume b = DistanceTransformTest.randomMask(g, 0.3, seed++);
                long inter = 0, na = 0, nb = 0;
                for (int i = 0; i < g.voxelCount(); i++) {
                    if (a.isSet(i)) na++;
                    if (b.isSet(i)) nb++;
                    if (a.isSet(i) && b.isSet(i)) inter++;
                }
                assertEquals(2.0 * inter / (na + nb), Metrics.dice(a, b), 1e-12);
                assertEquals(100.0 * (na + nb - 2 * inter) / nb, Metrics.volumetricErrorRatePct(a, b), 1e-9);
                double[] expected = bruteSurfaceStats(a, b);
                for (boolean points : new boolean[] {false, true}) {
                    if (!points && !DistanceTransform.isOrthogonal(g)) continue;
                    Metrics.SurfaceDistances sd = Metrics.surfaceDistances(a, b, points);
                    assertEquals(expected[0], sd.hausdorff(), 1e-4, "HD " + g);
                    assertEquals(expected[1], sd.hd95(), 1e-4, "HD95 " + g);
                    assertEquals(expected[2], sd.assd(), 1e-4, "ASSD " + g);
                }
            }
        }
    }

    @Test
    void boundaryDiceCountsOnlyTheBandNearTheSkull() {
        // Skull: a slab filling the xy extent at z 0..4; implants stand on it. Spacing 1 x 1 x 0.5 mm.
        Geometry g = Geometry.axisAligned(40, 40, 80, 1.0, 1.0, 0.5, new double[3]);
        MaskVolume skull = box(g, 0, 0, 0, 39, 39, 4);
        MaskVolume truth = box(g, 15, 15, 5, 25, 25, 60);
        MaskVolume pred = box(g, 15, 15, 5, 25, 25, 30);
        // The band (10 mm from the slab's top surface layer z = 4) reaches z = 4 + 20 = 24 in 0.5 mm slices:
        // inside it both masks hold slices 5..24, so boundary Dice is 1 while plain Dice is 2*26/(26+56).
        for (boolean points : new boolean[] {false, true}) {
            assertEquals(1.0, Metrics.boundaryDice(pred, truth, skull, 10, points), 1e-12);
        }
        assertEquals(2.0 * 26 / (26 + 56), Metrics.dice(pred, truth), 1e-12);
        // A prediction holding only slices 20..30 matches 5 of the 20 band slices of the truth.
        MaskVolume high = box(g, 15, 15, 20, 25, 25, 30);
        assertEquals(2.0 * 5 / (5 + 20), Metrics.boundaryDice(high, truth, skull, 10), 1e-12);
        assertEquals(2.0 * 5 / (5 + 20), Metrics.boundaryDice(high, truth, skull, 10, true), 1e-12);
    }

    @Test
    void allMetricsOfAPerfectAndAnEmptyPrediction() {
        Geometry g = ANISO;
        MaskVolume skull = ball(g, 0, 0, 0, 14).andNot(ball(g, 0, 0, 0, 10));
        MaskVolume truth = skull.copy().and(box(g, 0, 0, 30, 63, 63, 39));
        skull.andNot(truth);
        Metrics.ImplantMetrics same = Metrics.compute(truth, truth, skull, 10);
        assertEquals(1.0, same.dice());
        assertEquals(1.0, same.boundaryDice());
        assertEquals(0.0, same.hd95Mm());
        assertEquals(0.0, same.hausdorffMm());
        assertEquals(0.0, same.errorRatePct());
        assertEquals(1, same.components());
        assertEquals(0, same.skullOverlapVoxels());
        assertEquals(same.trueVolumeMl(), same.volumeMl());

        Metrics.ImplantMetrics empty = Metrics.compute(new MaskVolume(g), truth, skull, 10);
        assertEquals(0.0, empty.dice());
        assertEquals(0.0, empty.boundaryDice());
        assertEquals(100.0, empty.errorRatePct());
        assertTrue(Double.isNaN(empty.hd95Mm()) && Double.isNaN(empty.hausdorffMm()) && Double.isNaN(empty.assdMm()));
        assertEquals(0, empty.components());

        MaskVolume overlapping = truth.copy().or(skull);
        Metrics.ImplantMetrics over = Metrics.compute(overlapping, truth, skull, 10);
        assertEquals(skull.cardinality(), over.skullOverlapVoxels());
        assertEquals(10, over.toMap().size());

        CalvariaException e =
                assertThrows(CalvariaException.class, () -> Metrics.compute(truth, new MaskVolume(g), skull, 10));
        assertTrue(e.getMessage().contains("empty"), e.getMessage());
    }

    @Test
    void componentCountUses26Connectivity() {
        Geometry g = Geometry.axisAligned(10, 10, 10, 1);
        MaskVolume m = new MaskVolume(g);
        m.set(1, 1, 1, true);
        m.set(2, 2, 2, true); // touches the first only at a corner: same component
        m.set(5, 5, 5, true);
        m.set(7, 5, 5, true); // a gap of one voxel: separate
        assertEquals(3, Metrics.componentCount(m));
        assertEquals(0, Metrics.componentCount(new MaskVolume(g)));
    }

    @Test
    void percentileInterpolatesLikeNumpy() {
        double[] v = {1, 2, 3, 4, 10};
        assertEquals(8.8, Metrics.percentileSorted(v, 95), 1e-12); // numpy.percentile([1,2,3,4,10], 95)
        assertEquals(3, Metrics.percentileSorted(v, 50), 1e-12);
        assertEquals(1, Metrics.percentileSorted(v, 0), 1e-12);
        assertEquals(10, Metrics.percentileSorted(v, 100), 1e-12);
    }
}
