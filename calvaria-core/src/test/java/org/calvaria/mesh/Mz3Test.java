package org.calvaria.mesh;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.calvaria.CalvariaException;
import org.calvaria.volume.Geometry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Mz3Test {
    @TempDir
    Path dir;

    @Test
    void aMeshWrittenAsMz3ReadsBackExactly() throws Exception {
        Geometry g = Geometry.axisAligned(30, 30, 30, 1.0, 1.0, 1.0, new double[] {-15, -15, -15});
        TriangleMesh m = MarchingCubes.extract(MeshFixtures.sphereField(g, new double[] {0, 0, 0}, 9), 0);
        Path p = dir.resolve("sphere.mz3");
        Mz3.write(m, null, p);
        // header, then 12 bytes per triangle and 12 per vertex: a quarter of binary STL
        assertEquals(16 + 12L * m.triangleCount() + 12L * m.vertexCount(), Files.size(p));
        ByteBuffer head = ByteBuffer.wrap(Files.readAllBytes(p)).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(23117, head.getShort(0) & 0xffff, "magic 'MZ' as NiiVue checks it");
        assertEquals(3, head.getShort(2), "faces and vertices");
        Mz3.Contents back = Mz3.read(p);
        assertArrayEquals(m.vertices(), back.mesh().vertices());
        assertArrayEquals(m.triangles(), back.mesh().triangles());
        assertNull(back.scalars());
    }

    @Test
    void scalarsPerVertexAndGzipRoundTrip() throws Exception {
        TriangleMesh m = new TriangleMesh(
                new float[] {0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1}, new int[] {0, 2, 1, 0, 1, 3, 0, 3, 2, 1, 2, 3});
        float[] thickness = {2.5f, 3f, 3.5f, 4f};
        Path p = dir.resolve("t.mz3");
        Mz3.write(m, thickness, p);
        Mz3.Contents back = Mz3.read(p);
        assertArrayEquals(thickness, back.scalars());
        Path gz = dir.resolve("t.gz.mz3");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
            out.write(Files.readAllBytes(p));
        }
        assertArrayEquals(m.vertices(), Mz3.read(gz).mesh().vertices());
        assertThrows(IllegalArgumentException.class, () -> Mz3.write(m, new float[3], dir.resolve("bad.mz3")));
    }

    @Test
    void truncatedOrForeignFilesAreRefused() throws Exception {
        TriangleMesh m = new TriangleMesh(new float[] {0, 0, 0, 1, 0, 0, 0, 1, 0}, new int[] {0, 1, 2});
        Path p = dir.resolve("m.mz3");
        Mz3.write(m, null, p);
        byte[] all = Files.readAllBytes(p);
        Path cut = dir.resolve("cut.mz3");
        Files.write(cut, java.util.Arrays.copyOf(all, all.length - 4));
        assertThrows(CalvariaException.class, () -> Mz3.read(cut));
        Path stl = dir.resolve("x.mz3");
        Files.write(stl, new byte[84]);
        assertThrows(CalvariaException.class, () -> Mz3.read(stl));
    }
}
