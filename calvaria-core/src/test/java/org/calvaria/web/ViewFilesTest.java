package org.calvaria.web;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.calvaria.io.NiftiIO;
import org.calvaria.mesh.Mz3;
import org.calvaria.mesh.TriangleMesh;
import org.calvaria.volume.Geometry;
import org.calvaria.volume.MaskVolume;
import org.calvaria.volume.Volume;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ViewFilesTest {
    @TempDir
    Path dir;

    /** A hollow ball (a shell 3 mm thick, radius 40 mm) on a fine grid: a skull stand-in. */
    private static MaskVolume shell(int n, double spacing) {
        double half = n * spacing / 2;
        Geometry g = Geometry.axisAligned(n, n, n, spacing, spacing, spacing, new double[] {-half, -half, -half});
        MaskVolume m = new MaskVolume(g);
        for (int z = 0; z < n; z++)
            for (int y = 0; y < n; y++)
                for (int x = 0; x < n; x++) {
                    double[] p = g.indexToPhysical(x, y, z);
                    double r = Math.sqrt(p[0] * p[0] + p[1] * p[1] + p[2] * p[2]);
                    if (r > 37 && r < 40) m.set(g.index(x, y, z), true);
                }
        return m;
    }

    @Test
    void downsamplingKeepsTheSpaceAndBoundsTheSides() {
        MaskVolume m = shell(200, 0.45);
        Volume small = ViewFiles.downsample(m, 96);
        assertEquals(67, small.nx(), "factor 3: ceil(200 / 3)");
        assertEquals(1.35, small.geometry().spacing()[0], 1e-9);
        // the first coarse voxel's centre is the centre of the first 3 x 3 x 3 block
        assertArrayEquals(
                m.geometry().indexToPhysical(1, 1, 1), small.geometry().indexToPhysical(0, 0, 0), 1e-9);
        assertSame(m, ViewFiles.downsample(m, 200), "small enough already");
    }

    @Test
    void aCaseGetsASmallSliceVolumeAndADecimatedSkullSurfaceInRas() throws Exception {
        MaskVolume m = shell(200, 0.45);
        Path slices = ViewFiles.prepareCase(m, true, new double[] {0, 1}, dir);
        Volume back = NiftiIO.read(slices);
        assertTrue(back.nx() <= ViewFiles.MAX_SLICE_SIDE && back.isBinary());
        TriangleMesh skull = Mz3.read(dir.resolve(ViewFiles.SKULL_MESH)).mesh();
        assertTrue(skull.triangleCount() <= ViewFiles.SKULL_TRIANGLES * 1.05, skull.triangleCount() + " triangles");
        assertTrue(skull.triangleCount() > 1000);
        // every vertex on the shell (within a coarse voxel)
        float[] v = skull.vertices();
        for (int i = 0; i < v.length; i += 3) {
            double r = Math.sqrt(v[i] * v[i] + v[i + 1] * v[i + 1] + v[i + 2] * v[i + 2]);
            assertTrue(r > 35 && r < 42, "vertex at radius " + r);
        }
        assertTrue(Files.size(dir.resolve(ViewFiles.SKULL_MESH)) < 3_000_000);
    }

    @Test
    void rasNegatesXAndY() {
        TriangleMesh m = new TriangleMesh(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, new int[] {0, 1, 2});
        assertArrayEquals(
                new float[] {-1, -2, 3, -4, -5, 6, -7, -8, 9},
                ViewFiles.toRas(m).vertices());
        assertArrayEquals(new int[] {0, 1, 2}, ViewFiles.toRas(m).triangles(), "a rotation keeps the winding");
    }

    @Test
    void runFilesAreOnlyTheFixedNames() throws Exception {
        Files.writeString(dir.resolve("secret.txt"), "x");
        assertNull(ViewFiles.runFile(dir, "../secret.txt"));
        assertNull(ViewFiles.runFile(dir, "secret.txt"));
        assertNull(ViewFiles.runFile(dir, "thickness.mz3"), "no thickness file: no layer");
        Files.createSymbolicLink(dir.resolve(ViewFiles.IMPLANT_MESH), dir.resolve("secret.txt"));
        assertNull(ViewFiles.runFile(dir, "implant.mz3"), "a link planted under a fixed name is never served");
        Files.write(dir.resolve(ViewFiles.THICKNESS_MESH), new byte[20]);
        assertEquals(dir.resolve(ViewFiles.THICKNESS_MESH), ViewFiles.runFile(dir, "thickness.mz3"));
    }

    @Test
    void theThicknessMeshColoursTheSurfaceByItsWallThickness() throws Exception {
        MaskVolume ball = shell(100, 1.0); // a shell 3 mm thick
        TriangleMesh surface = org.calvaria.mesh.MarchingCubes.extract(ball, 0.5);
        Path file = dir.resolve(ViewFiles.THICKNESS_MESH);
        ViewFiles.writeThicknessMesh(ViewFiles.toRas(surface), file);
        Mz3.Contents back = Mz3.read(file);
        assertEquals(surface.vertexCount(), back.mesh().vertexCount());
        double[] mm = org.calvaria.manufacture.Thickness.perVertex(ViewFiles.toRas(surface));
        double[] sorted =
                java.util.Arrays.stream(mm).filter(Double::isFinite).sorted().toArray();
        assertEquals(3.0, sorted[sorted.length / 2], 0.75, "median wall thickness of a 3 mm shell");
        // each vertex is drawn in the picture's scale colour for its thickness
        byte[] bytes = Files.readAllBytes(file);
        int nt = surface.triangleCount(), nv = surface.vertexCount();
        assertEquals(16 + 12 * nt + 12 * nv + 4 * nv, bytes.length, "faces, vertices and one RGBA per vertex");
        int rgbaStart = 16 + 12 * nt + 12 * nv;
        int k = 0;
        while (!(Math.abs(mm[k] - 3.0) < 0.75)) k++;
        int expected = org.calvaria.manufacture.ThicknessMap.colour(mm[k]).getRGB() & 0xffffff;
        int got = ((bytes[rgbaStart + 4 * k] & 0xff) << 16)
                | ((bytes[rgbaStart + 4 * k + 1] & 0xff) << 8)
                | (bytes[rgbaStart + 4 * k + 2] & 0xff);
        assertEquals(expected, got);
        assertEquals(255, bytes[rgbaStart + 4 * k + 3] & 0xff);
    }
}
