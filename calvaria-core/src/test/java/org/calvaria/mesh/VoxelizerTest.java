package org.calvaria.mesh;

import static org.calvaria.evaluate.Metrics.dice;
import static org.calvaria.mesh.MeshFixtures.*;
import static org.junit.jupiter.api.Assertions.*;

import java.util.Random;
import org.calvaria.CalvariaException;
import org.calvaria.Progress;
import org.calvaria.volume.Geometry;
import org.calvaria.volume.MaskVolume;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class VoxelizerTest {
    @BeforeAll
    static void quiet() {
        Progress.enabled(false);
    }

    @Test
    void meshOfAMaskVoxelizesBackToTheSameMask() {
        // Rays run through the mesh's vertices on every row here: the degenerate case the test is built for.
        Random r = new Random(7);
        Geometry[] grids = {Geometry.axisAligned(21, 19, 17, 0.9), sheared(18, 0.7), leftHanded(16, 1.2)};
        for (Geometry g : grids) {
            MaskVolume sphere = sphereMask(g, g.indexToPhysical(9, 8.5, 8), 6.5);
            TriangleMesh m = MarchingCubes.extract(sphere);
            MaskVolume back = Voxelizer.voxelize(m, g);
            assertTrue(back.sameVoxels(sphere), "sphere on " + g);

            MaskVolume noise = new MaskVolume(g);
            for (int i = 0; i < noise.voxelCount(); i++) if (r.nextDouble() < 0.4) noise.set(i, true);
            MaskVolume noiseBack = Voxelizer.voxelize(MarchingCubes.extract(noise), g);
            assertTrue(noiseBack.sameVoxels(noise), "noise dice " + dice(noise, noiseBack) + " on " + g);
        }
    }

    @Test
    void smoothSphereVoxelizesOntoAnotherGrid() {
        Geometry source = Geometry.axisAligned(40, 40, 40, 0.6, 0.6, 0.6, new double[] {-12, -12, -12});
        double[] centre = {0.3, -0.4, 0.2};
        TriangleMesh m = MarchingCubes.extract(sphereField(source, centre, 9), 0);
        Geometry target = sheared(36, 0.55).translated(40 - 10, -25 - 10, -7 - 13);
        MaskVolume truth = sphereMask(target, centre, 9);
        assertTrue(truth.cardinality() > 10000, "the sphere lies inside the target grid");
        MaskVolume v = Voxelizer.voxelize(m, target);
        assertTrue(dice(truth, v) > 0.98, "dice " + dice(truth, v));
        assertEquals(
                truth.cardinality() * target.voxelVolumeMm3(), m.enclosedVolumeMm3(), 0.02 * m.enclosedVolumeMm3());
        // the same with an inconsistently oriented copy falls back to parity and still fills the sphere
        int[] t = m.triangles().clone();
        for (int i = 0; i < t.length; i += 6) {
            int s = t[i + 1];
            t[i + 1] = t[i + 2];
            t[i + 2] = s;
        }
        TriangleMesh mixed = new TriangleMesh(m.vertices(), t);
        assertFalse(mixed.isWatertight());
        assertTrue(Voxelizer.voxelize(mixed, target).sameVoxels(v));
    }

    @Test
    void gridCoveringSpansTheMesh() {
        Geometry g = Geometry.axisAligned(30, 30, 30, 1.0);
        TriangleMesh m = MarchingCubes.extract(sphereMask(g, new double[] {15, 14, 13}, 8));
        Geometry c = Voxelizer.gridCovering(m, 0.5, 2);
        double[] box = m.boundingBox(), cb = c.physicalBounds();
        for (int a = 0; a < 3; a++) {
            assertTrue(cb[a] <= box[a] - 0.99 && cb[3 + a] >= box[3 + a] + 0.99);
        }
        MaskVolume v = Voxelizer.voxelize(m, c);
        assertEquals(m.enclosedVolumeMm3(), v.cardinality() * c.voxelVolumeMm3(), 0.03 * m.enclosedVolumeMm3());
        assertThrows(CalvariaException.class, () -> Voxelizer.gridCovering(m, 0, 1));
        assertThrows(CalvariaException.class, () -> Voxelizer.gridCovering(m, 1e-5, 1));
        assertThrows(CalvariaException.class, () -> Voxelizer.voxelize(TriangleMesh.empty(), g));
    }
}
