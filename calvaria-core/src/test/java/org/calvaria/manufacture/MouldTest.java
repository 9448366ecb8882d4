package org.calvaria.manufacture;

import static org.calvaria.evaluate.Metrics.dice;
import static org.junit.jupiter.api.Assertions.*;

import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import org.calvaria.io.VolumeIO;
import org.calvaria.mesh.MarchingCubes;
import org.calvaria.mesh.MeshSmoothing;
import org.calvaria.mesh.TriangleMesh;
import org.calvaria.mesh.Voxelizer;
import org.calvaria.testing.SharedData;
import org.calvaria.volume.Geometry;
import org.calvaria.volume.MaskVolume;
import org.junit.jupiter.api.Test;

class MouldTest {
    /** A cap implant: spherical shell of radius 70, 5 mm thick, polar angle up to 30 degrees, as a smoothed mesh. */
    static TriangleMesh cap() {
        return MeshSmoothing.taubin(
                MarchingCubes.extract(Caps.Cap.sphere(70, 5, 30).mask(0.5, 0.5, 0.5)), 10);
    }

    static TriangleMesh rotated(TriangleMesh m, double[] rot) {
        float[] v = m.vertices().clone();
        for (int i = 0; i < v.length; i += 3) {
            double x = v[i], y = v[i + 1], z = v[i + 2];
            v[i] = (float) (rot[0] * x + rot[1] * y + rot[2] * z);
            v[i + 1] = (float) (rot[3] * x + rot[4] * y + rot[5] * z);
            v[i + 2] = (float) (rot[6] * x + rot[7] * y + rot[8] * z);
        }
        return new TriangleMesh(v, m.triangles());
    }

    /**
     * The cavity the halves leave, found from the halves alone: in every column along the pull axis, the voxels
     * between the lowest and highest voxel of either half that belong to neither (the spout and vent columns, open
     * at the top, are lost: a fraction of a percent).
     */
    static MaskVolume cavityBetween(MaskVolume outer, MaskVolume inner) {
        Geometry g = outer.geometry();
        MaskVolume c = new MaskVolume(g);
        for (int y = 0; y < g.ny(); y++) {
            for (int x = 0; x < g.nx(); x++) {
                int lo = -1, hi = -1;
                for (int z = 0; z < g.nz(); z++) {
                    if (outer.isSet(x, y, z) || inner.isSet(x, y, z)) {
                        if (lo < 0) lo = z;
                        hi = z;
                    }
                }
                if (lo < 0) continue;
                for (int z = lo; z <= hi; z++) if (!outer.isSet(x, y, z) && !inner.isSet(x, y, z)) c.set(x, y, z, true);
            }
        }
        return c;
    }

    /** Checks the halves as they will be printed: their STL meshes voxelized back. Returns the cavity Dice. */
    static double checkMould(Mould.Result r, TriangleMesh implant, double shrinkPercent) {
        assertTrue(r.outer().isWatertight(), "outer half watertight");
        assertTrue(r.inner().isWatertight(), "inner half watertight");
        Geometry g = r.grid();
        MaskVolume outer = Voxelizer.voxelize(r.outer(), g), inner = Voxelizer.voxelize(r.inner(), g);
        assertTrue(outer.sameVoxels(r.outerMask()), "outer STL voxelizes back to its mask");
        assertEquals(0, outer.intersectionCount(inner), "halves are disjoint");
        TriangleMesh cast =
                shrinkPercent == 0 ? implant : Mould.scaled(implant, Mould.frame(implant)[0], 1 + shrinkPercent / 100);
        MaskVolume imp = Voxelizer.voxelize(cast, g);
        assertEquals(0, outer.intersectionCount(imp), "outer half intersects the implant");
        assertEquals(0, inner.intersectionCount(imp), "inner half intersects the implant");
        @SuppressWarnings("unchecked")
        Map<String, Object> under = (Map<String, Object>) r.report().get("undercuts");
        assertEquals(0L, ((Number) under.get("outerHalfBlockingFaces")).longValue());
        assertEquals(0L, ((Number) under.get("innerHalfBlockingFaces")).longValue());
        return dice(cavityBetween(outer, inner), imp);
    }

    @Test
    void capMouldHalvesAreWatertightDisjointAndCloseAroundTheImplant() {
        TriangleMesh implant = cap();
        Mould.Result r = Mould.build(implant, Mould.Options.defaults());
        double d = checkMould(r, implant, 0);
        System.out.println("cap mould: cavity Dice " + d + ", report " + r.report());
        assertTrue(d >= 0.97, "cavity Dice " + d);
        assertEquals(
                4, ((java.util.List<?>) ((Map<?, ?>) r.report().get("registrationKeys")).get("centresLps")).size());
        assertTrue(r.report().containsKey("vent"));
        double cavityMl = (Double) r.report().get("cavityVolumeMl");
        assertEquals(implant.enclosedVolumeMm3() / 1000, cavityMl, 0.03 * cavityMl);
        assertEquals(cavityMl * 1.18, (Double) r.report().get("pmmaMassG"), 0.1);
        // The pull direction points to the convex side (+z for a cap around +z).
        assertTrue(r.pull()[2] > 0.99, java.util.Arrays.toString(r.pull()));
    }

    @Test
    void spoutAndVentSitAtTheHighestPointsAndTheWallIsThreeMm() {
        TriangleMesh implant = cap();
        Mould.Result r = Mould.build(implant, Mould.Options.defaults());
        double[] a = r.pull();
        double top = Double.NEGATIVE_INFINITY;
        float[] v = implant.vertices();
        for (int i = 0; i < v.length; i += 3) top = Math.max(top, v[i] * a[0] + v[i + 1] * a[1] + v[i + 2] * a[2]);
        double[] spout = (double[]) ((Map<?, ?>) r.report().get("pourSpout")).get("atLps");
        double[] vent = (double[]) ((Map<?, ?>) r.report().get("vent")).get("atLps");
        double hs = spout[0] * a[0] + spout[1] * a[1] + spout[2] * a[2];
        double hv = vent[0] * a[0] + vent[1] * a[1] + vent[2] * a[2];
        assertEquals(top, hs, 1.0, "the spout is at the cavity's highest point");
        double dist = Math.sqrt(
                Math.pow(spout[0] - vent[0], 2) + Math.pow(spout[1] - vent[1], 2) + Math.pow(spout[2] - vent[2], 2));
        assertTrue(dist >= 15 - 0.5, "vent " + dist + " mm from the spout");
        // the vent is the highest point of the cavity at least 15 mm from the spout: on a dome, 15 mm off its top
        assertTrue(hv < hs && hv > hs - 5, "vent height " + hv + " vs spout " + hs);
        // both channels open the cavity to the top face of the outer half: the column above the spout is empty
        assertEquals(3.0, ((Number) r.report().get("wallMm")).doubleValue());
        // the outer half reaches 3 mm (+ one voxel) above the cavity's top
        double[] bo = r.outer().boundingBox();
        double outerTop = Double.NEGATIVE_INFINITY;
        float[] ov = r.outer().vertices();
        for (int i = 0; i < ov.length; i += 3) {
            outerTop = Math.max(outerTop, ov[i] * a[0] + ov[i + 1] * a[1] + ov[i + 2] * a[2]);
        }
        assertEquals(top + 3, outerTop, 0.75, "outer wall over the top; box " + java.util.Arrays.toString(bo));
    }

    @Test
    void aFoldedImplantGetsTheTwoPartWarning() {
        // more than a hemisphere: columns along any pull direction pass through the shell twice near its sides
        TriangleMesh implant = MeshSmoothing.taubin(
                MarchingCubes.extract(Caps.Cap.sphere(25, 3, 120).mask(0.5, 0.5, 0.5)), 5);
        Mould.Result r = Mould.build(implant, Mould.Options.defaults());
        assertTrue(
                r.warnings().stream().anyMatch(w -> w.contains("cannot be moulded in two parts")),
                r.warnings().toString());
        Map<?, ?> under = (Map<?, ?>) r.report().get("undercuts");
        assertTrue(((Number) under.get("reentrantColumns")).longValue() > 0);
    }

    @Test
    void shrinkageEnlargesTheCavity() {
        TriangleMesh implant = cap();
        Mould.Result r = Mould.build(implant, Mould.Options.defaults().withShrinkage(2));
        double d = checkMould(r, implant, 2);
        assertTrue(d >= 0.97, "cavity Dice after undoing the 2 % scale " + d);
        double k = 1.02 * 1.02 * 1.02;
        assertEquals(implant.enclosedVolumeMm3() / 1000 * k, (Double) r.report().get("cavityVolumeMl"), 0.5);
    }

    @Property(tries = 3)
    void cavityEqualsTheImplantInAnyOrientation(
            @ForAll @DoubleRange(min = -3.1, max = 3.1) double yaw,
            @ForAll @DoubleRange(min = 0, max = 3.1) double tilt) {
        double[] rz = Geometry.rotation(new double[] {0, 0, 1}, yaw),
                rx = Geometry.rotation(new double[] {1, 0, 0}, tilt);
        TriangleMesh implant = rotated(cap(), Geometry.multiply(rz, rx));
        Mould.Result r = Mould.build(implant, Mould.Options.defaults());
        double d = checkMould(r, implant, 0);
        assertTrue(d >= 0.97, "cavity Dice " + d + " at yaw " + yaw + ", tilt " + tilt);
    }

    @Test
    void openMeshIsRefused() {
        TriangleMesh m = cap();
        int[] t = java.util.Arrays.copyOf(m.triangles(), m.triangles().length - 3);
        var e = assertThrows(
                org.calvaria.CalvariaException.class,
                () -> Mould.build(new TriangleMesh(m.vertices(), t), Mould.Options.defaults()));
        assertTrue(e.getMessage().contains("not watertight"), e.getMessage());
    }

    @Test
    void skullFixImplantMould() {
        MaskVolume mask = MaskVolume.requireBinary(VolumeIO.read(SharedData.skullfix("implant", "069")), "implant");
        TriangleMesh implant = MeshSmoothing.taubin(MarchingCubes.extract(mask), 10);
        long t0 = System.nanoTime();
        Mould.Result r = Mould.build(implant, Mould.Options.defaults());
        double sec = (System.nanoTime() - t0) / 1e9;
        double d = checkMould(r, implant, 0);
        System.out.printf(
                "SkullFix 069 true implant mould: %.1f s, cavity Dice %.4f, warnings %s, report %s%n",
                sec, d, r.warnings(), r.report());
        assertTrue(d >= 0.97, "cavity Dice " + d);
    }
}
