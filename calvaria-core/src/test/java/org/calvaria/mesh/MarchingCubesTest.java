package org.calvaria.mesh;

import static org.calvaria.mesh.MeshFixtures.*;
import static org.junit.jupiter.api.Assertions.*;

import java.util.Random;
import org.calvaria.Progress;
import org.calvaria.volume.FloatVolume;
import org.calvaria.volume.Geometry;
import org.calvaria.volume.MaskVolume;
import org.calvaria.volume.ShortVolume;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class MarchingCubesTest {
    @BeforeAll
    static void quiet() {
        Progress.enabled(false);
    }

    /** Euler characteristic V - E + F of a closed mesh (E = 3F/2). */
    static long euler(TriangleMesh m) {
        return m.compacted().vertexCount() - m.triangleCount() / 2L;
    }

    @Test
    void smoothSphereMatchesClosedFormAreaAndVolume() {
        double r = 10;
        Geometry g = Geometry.axisAligned(48, 48, 48, 0.5, 0.5, 0.5, new double[] {-12, -12, -12});
        TriangleMesh m = MarchingCubes.extract(sphereField(g, new double[] {0, 0, 0}, r), 0);
        assertTrue(m.isWatertight());
        assertEquals(1, m.componentCount());
        assertEquals(2, euler(m));
        assertEquals(4 * Math.PI * r * r, m.surfaceAreaMm2(), 0.02 * 4 * Math.PI * r * r);
        assertEquals(4.0 / 3 * Math.PI * r * r * r, m.enclosedVolumeMm3(), 0.02 * 4.0 / 3 * Math.PI * r * r * r);
    }

    @Test
    void binarySphereIsClosedAndKeepsTheVoxelVolume() {
        Geometry g = Geometry.axisAligned(40, 40, 40, 0.7);
        MaskVolume mask = sphereMask(g, new double[] {13.6, 13.6, 13.6}, 11);
        TriangleMesh m = MarchingCubes.extract(mask);
        assertTrue(m.isWatertight());
        assertEquals(1, m.componentCount());
        assertEquals(2, euler(m));
        double voxelVolume = mask.cardinality() * g.voxelVolumeMm3();
        assertEquals(voxelVolume, m.enclosedVolumeMm3(), 0.02 * voxelVolume);
        assertEquals(4.0 / 3 * Math.PI * 11 * 11 * 11, m.enclosedVolumeMm3(), 0.02 * voxelVolume);
    }

    @Test
    void binaryBoxHasTheExactChamferedVolumeAndBounds() {
        // A box of a x b x c voxels meshed at 0.5: the faces lie half a voxel out, edges and corners are cut by
        // the marching cubes planes, which removes exactly (a+b+c)/2 - 2/3 voxels of volume (derivation in the report).
        int a = 7, b = 5, c = 9;
        Geometry g = Geometry.axisAligned(12, 12, 14, 0.5, 0.6, 0.8, new double[] {1, 2, 3});
        MaskVolume mask = new MaskVolume(g);
        for (int z = 2; z < 2 + c; z++)
            for (int y = 3; y < 3 + b; y++) for (int x = 1; x < 1 + a; x++) mask.set(x, y, z, true);
        TriangleMesh m = MarchingCubes.extract(mask);
        assertTrue(m.isWatertight());
        assertEquals(2, euler(m));
        double expected = (a * b * c - (a + b + c) / 2.0 + 2.0 / 3.0) * g.voxelVolumeMm3();
        assertEquals(expected, m.enclosedVolumeMm3(), 1e-4);
        double[] box = m.boundingBox();
        double[] lo = g.indexToPhysical(0.5, 2.5, 1.5), hi = g.indexToPhysical(7.5, 7.5, 10.5);
        for (int k = 0; k < 3; k++) {
            assertEquals(lo[k], box[k], 1e-4);
            assertEquals(hi[k], box[3 + k], 1e-4);
        }
        // a single voxel becomes an octahedron of 1/6 voxel
        MaskVolume one = new MaskVolume(g);
        one.set(4, 4, 4, true);
        TriangleMesh oct = MarchingCubes.extract(one);
        assertEquals(8, oct.triangleCount());
        assertEquals(g.voxelVolumeMm3() / 6, oct.enclosedVolumeMm3(), 1e-6);
    }

    @Test
    void shearedGridSphereIsMeasuredInPhysicalSpace() {
        Geometry g = sheared(44, 0.55);
        double[] centre = g.indexToPhysical(21.5, 22, 21);
        double r = 9;
        TriangleMesh m = MarchingCubes.extract(sphereField(g, centre, r), 0);
        assertTrue(m.isWatertight());
        assertEquals(4 * Math.PI * r * r, m.surfaceAreaMm2(), 0.02 * 4 * Math.PI * r * r);
        assertEquals(4.0 / 3 * Math.PI * r * r * r, m.enclosedVolumeMm3(), 0.02 * 4.0 / 3 * Math.PI * r * r * r);
        // every vertex lies on the physical sphere (to within a small fraction of a voxel)
        float[] v = m.vertices();
        for (int i = 0; i < m.vertexCount(); i++) {
            double d =
                    Math.sqrt(sq(v[3 * i] - centre[0]) + sq(v[3 * i + 1] - centre[1]) + sq(v[3 * i + 2] - centre[2]));
            assertEquals(r, d, 0.1, "vertex " + i);
        }
        MaskVolume mask = sphereMask(g, centre, r);
        TriangleMesh binary = MarchingCubes.extract(mask);
        assertTrue(binary.isWatertight());
        assertEquals(
                mask.cardinality() * g.voxelVolumeMm3(),
                binary.enclosedVolumeMm3(),
                0.02 * mask.cardinality() * g.voxelVolumeMm3());
    }

    @Test
    void leftHandedGridStillHasOutwardNormals() {
        Geometry g = leftHanded(30, 0.8);
        assertTrue(Geometry.det(g.matrix()) < 0);
        double[] centre = g.indexToPhysical(14.5, 14.5, 14.5);
        for (TriangleMesh m : new TriangleMesh[] {
            MarchingCubes.extract(sphereMask(g, centre, 9)), MarchingCubes.extract(sphereField(g, centre, 9), 0)
        }) {
            assertTrue(m.isWatertight());
            assertTrue(m.enclosedVolumeMm3() > 0.9 * 4.0 / 3 * Math.PI * 729);
            float[] n = m.vertexNormals();
            float[] v = m.vertices();
            for (int i = 0; i < m.vertexCount(); i++) {
                double dot = n[3 * i] * (v[3 * i] - centre[0])
                        + n[3 * i + 1] * (v[3 * i + 1] - centre[1])
                        + n[3 * i + 2] * (v[3 * i + 2] - centre[2]);
                assertTrue(dot > 0, "vertex normal " + i + " points inwards");
            }
        }
    }

    @Test
    void shapesTouchingTheGridBorderAreClosedBeyondIt() {
        Geometry g = Geometry.axisAligned(10, 11, 12, 1.0);
        MaskVolume full = new MaskVolume(g);
        full.invert();
        TriangleMesh box = MarchingCubes.extract(full);
        assertTrue(box.isWatertight());
        assertEquals(10 * 11 * 12 - (10 + 11 + 12) / 2.0 + 2.0 / 3.0, box.enclosedVolumeMm3(), 1e-3);
        // a sphere cut by three faces of the grid
        MaskVolume cut = sphereMask(g, new double[] {1, 1, 1}, 7);
        TriangleMesh m = MarchingCubes.extract(cut);
        assertTrue(m.isWatertight());
        assertEquals(2, euler(m));
        assertEquals(cut.cardinality(), m.enclosedVolumeMm3(), 0.06 * cut.cardinality());
    }

    @Test
    void randomNoiseNeverLeavesHoles() {
        // Noise hits every ambiguous face and cube configuration many times over.
        Random r = new Random(42);
        for (int trial = 0; trial < 6; trial++) {
            Geometry g = trial % 2 == 0 ? Geometry.axisAligned(17, 13, 11, 0.9) : sheared(15, 0.7);
            MaskVolume mask = new MaskVolume(g);
            double p = 0.2 + 0.12 * trial;
            for (int i = 0; i < mask.voxelCount(); i++) if (r.nextDouble() < p) mask.set(i, true);
            TriangleMesh m = MarchingCubes.extract(mask);
            assertTrue(m.isWatertight(), "trial " + trial);
            assertTrue(m.enclosedVolumeMm3() > 0, "trial " + trial);
            // Every component is a closed orientable surface: V - E + F is even.
            assertEquals(0, Math.floorMod(euler(m), 2));
            // Same data as floats and shorts at the same level gives the same surface.
            FloatVolume f = FloatVolume.of(mask);
            TriangleMesh mf = MarchingCubes.extract(f, 0.5);
            assertArrayEquals(m.triangles(), mf.triangles());
            assertArrayEquals(m.vertices(), mf.vertices(), 1e-4f);
        }
        FloatVolume noise = new FloatVolume(Geometry.axisAligned(14, 15, 16, 1.1));
        ShortVolume shorts = new ShortVolume(noise.geometry());
        for (int i = 0; i < noise.voxelCount(); i++) {
            int v = r.nextInt(1000) - 500;
            noise.set(i, v);
            shorts.set(i, v);
        }
        TriangleMesh a = MarchingCubes.extract(noise, 120), b = MarchingCubes.extract(shorts, 120);
        assertTrue(a.isWatertight());
        assertArrayEquals(a.triangles(), b.triangles());
    }

    @Test
    void emptyAndFullLevelsGiveEmptyMeshes() {
        Geometry g = Geometry.axisAligned(5, 5, 5, 1.0);
        assertTrue(MarchingCubes.extract(new MaskVolume(g)).isEmpty());
        assertFalse(MarchingCubes.extract(new MaskVolume(g)).isWatertight());
        FloatVolume f = new FloatVolume(g);
        assertTrue(MarchingCubes.extract(f, 3).isEmpty());
        assertThrows(IllegalArgumentException.class, () -> MarchingCubes.extract(new MaskVolume(g), 1.5));
    }
}
