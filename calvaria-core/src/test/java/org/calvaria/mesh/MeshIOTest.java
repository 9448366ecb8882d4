package org.calvaria.mesh;

import static org.calvaria.mesh.MeshFixtures.*;
import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.calvaria.CalvariaException;
import org.calvaria.Progress;
import org.calvaria.volume.Geometry;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MeshIOTest {
    @TempDir
    Path tmp;

    @BeforeAll
    static void quiet() {
        Progress.enabled(false);
    }

    static TriangleMesh sphere() {
        Geometry g = sheared(24, 0.8);
        return MeshSmoothing.taubin(MarchingCubes.extract(sphereMask(g, g.indexToPhysical(11.5, 12, 11), 7)), 5);
    }

    /** Same triangles over the same points (vertex numbering may differ). */
    static void assertSameSurface(TriangleMesh expected, TriangleMesh actual) {
        assertEquals(expected.triangleCount(), actual.triangleCount());
        float[] ev = expected.vertices(), av = actual.vertices();
        int[] et = expected.triangles(), at = actual.triangles();
        for (int i = 0; i < et.length; i++) {
            for (int k = 0; k < 3; k++) assertEquals(ev[3 * et[i] + k], av[3 * at[i] + k], 0f, "corner " + i);
        }
    }

    @Test
    void binaryStlRoundTripIsExactAndStaysWatertight() throws IOException {
        TriangleMesh m = sphere();
        Path p = tmp.resolve("sphere.stl");
        MeshIO.write(m, p, false, "calvaria test binary");
        assertEquals(84 + 50L * m.triangleCount(), Files.size(p));
        byte[] head = Arrays.copyOf(Files.readAllBytes(p), 80);
        assertTrue(new String(head, StandardCharsets.US_ASCII).startsWith("calvaria test binary"));
        TriangleMesh back = MeshIO.read(p);
        assertSameSurface(m, back);
        assertEquals(m.vertexCount(), back.vertexCount(), "corners were welded back into shared vertices");
        assertTrue(back.isWatertight());
        assertEquals(m.enclosedVolumeMm3(), back.enclosedVolumeMm3(), 1e-9 * m.enclosedVolumeMm3());
        // stored normals are unit and outward
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(p)).order(ByteOrder.LITTLE_ENDIAN);
        double[] c = new double[3];
        m.crossOf(0, c);
        double len = Math.sqrt(c[0] * c[0] + c[1] * c[1] + c[2] * c[2]);
        assertEquals(c[0] / len, b.getFloat(84), 1e-6);
        assertEquals(c[2] / len, b.getFloat(92), 1e-6);
    }

    @Test
    void asciiStlRoundTripIsExact() throws IOException {
        TriangleMesh m = sphere();
        Path p = tmp.resolve("sphere-ascii.stl");
        MeshIO.write(m, p, true, "calvaria test ascii");
        String text = Files.readString(p);
        assertTrue(text.startsWith("solid calvaria test ascii\nfacet normal "));
        assertTrue(text.endsWith("endsolid calvaria test ascii\n"));
        TriangleMesh back = MeshIO.read(p);
        assertSameSurface(m, back);
        assertTrue(back.isWatertight());
        // upper-case keywords and CRLF line ends from other tools are accepted
        Path other = tmp.resolve("other.stl");
        Files.writeString(
                other,
                "solid x\r\nFACET NORMAL 0 0 1\r\nOUTER LOOP\r\nVERTEX 0 0 0\r\nVERTEX 1 0 0\r\n"
                        + "VERTEX 0 1 0\r\nENDLOOP\r\nENDFACET\r\nENDSOLID x\r\n");
        TriangleMesh one = MeshIO.read(other);
        assertEquals(1, one.triangleCount());
        assertEquals(0.5, one.surfaceAreaMm2(), 1e-9);
    }

    @Test
    void corruptStlFilesAreRejectedClearly() throws IOException {
        TriangleMesh m = sphere();
        Path good = tmp.resolve("good.stl");
        MeshIO.write(m, good, false, "calvaria test");
        byte[] all = Files.readAllBytes(good);
        Path truncated = tmp.resolve("truncated.stl");
        Files.write(truncated, Arrays.copyOf(all, all.length - 17));
        CalvariaException e = assertThrows(CalvariaException.class, () -> MeshIO.read(truncated));
        assertTrue(e.getMessage().contains("truncated or corrupt binary STL"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));

        byte[] nan = all.clone();
        ByteBuffer.wrap(nan).order(ByteOrder.LITTLE_ENDIAN).putFloat(84 + 50 * 3 + 16, Float.NaN);
        Path withNan = tmp.resolve("nan.stl");
        Files.write(withNan, nan);
        e = assertThrows(CalvariaException.class, () -> MeshIO.read(withNan));
        assertTrue(e.getMessage().contains("non-finite"), e.getMessage());

        Path tiny = tmp.resolve("tiny.stl");
        Files.write(tiny, new byte[] {1, 2, 3});
        assertThrows(CalvariaException.class, () -> MeshIO.read(tiny));

        Path ascii = tmp.resolve("ascii.stl");
        MeshIO.write(m, ascii, true, "calvaria test");
        String text = Files.readString(ascii);
        Path cut = tmp.resolve("cut.stl");
        Files.writeString(cut, text.substring(0, text.length() / 2));
        e = assertThrows(CalvariaException.class, () -> MeshIO.read(cut));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        Path garbled = tmp.resolve("garbled.stl");
        Files.writeString(garbled, text.replaceFirst("vertex (\\S+)", "vertex 1.2.3"));
        e = assertThrows(CalvariaException.class, () -> MeshIO.read(garbled));
        assertTrue(e.getMessage().contains("'1.2.3'") && e.getMessage().contains("line 4"), e.getMessage());

        Path empty = tmp.resolve("empty.stl");
        Files.write(empty, new byte[0]);
        assertThrows(CalvariaException.class, () -> MeshIO.read(empty));
    }

    @Test
    void plyAndObjRoundTrip() throws IOException {
        TriangleMesh m = sphere();
        Path ply = tmp.resolve("s.ply");
        MeshIO.write(m, ply, false, "calvaria ply test");
        byte[] b = Files.readAllBytes(ply);
        assertTrue(new String(b, 0, 200, StandardCharsets.US_ASCII).contains("comment calvaria ply test"));
        TriangleMesh back = MeshIO.read(ply);
        assertArrayEquals(m.vertices(), back.vertices());
        assertArrayEquals(m.triangles(), back.triangles());

        Path obj = tmp.resolve("s.obj");
        MeshIO.write(m, obj, false, "calvaria obj test");
        assertTrue(Files.readAllLines(obj).get(0).startsWith("# calvaria obj test"));
        back = MeshIO.read(obj);
        assertArrayEquals(m.vertices(), back.vertices());
        assertArrayEquals(m.triangles(), back.triangles());

        // ASCII PLY with a quad and an extra property, as other tools write it
        Path quad = tmp.resolve("quad.ply");
        Files.writeString(
                quad,
                "ply\nformat ascii 1.0\nelement vertex 4\nproperty double x\nproperty double y\n"
                        + "property double z\nproperty uchar red\nelement face 1\nproperty list uchar int vertex_indices\n"
                        + "end_header\n0 0 0 9\n2 0 0 9\n2 3 0 9\n0 3 0 9\n4 0 1 2 3\n");
        TriangleMesh q = MeshIO.read(quad);
        assertEquals(2, q.triangleCount());
        assertEquals(6.0, q.surfaceAreaMm2(), 1e-9);
        Path badIndex = tmp.resolve("bad.ply");
        Files.writeString(badIndex, Files.readString(quad).replace("4 0 1 2 3", "4 0 1 2 7"));
        assertThrows(CalvariaException.class, () -> MeshIO.read(badIndex));
        Path truncatedPly = tmp.resolve("trunc.ply");
        Files.write(truncatedPly, Arrays.copyOf(b, b.length - 5));
        CalvariaException e = assertThrows(CalvariaException.class, () -> MeshIO.read(truncatedPly));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void pointCloudsCarryOutwardNormals() throws IOException {
        TriangleMesh m = sphere();
        Path xyz = tmp.resolve("cloud.xyz");
        MeshIO.writePointCloud(m, xyz, "calvaria points");
        List<String> lines = Files.readAllLines(xyz);
        assertTrue(lines.get(0).startsWith("# calvaria points"));
        assertEquals(m.compacted().vertexCount(), lines.size() - 1);
        double[] box = m.boundingBox();
        double cx = (box[0] + box[3]) / 2, cy = (box[1] + box[4]) / 2, cz = (box[2] + box[5]) / 2;
        for (String line : lines.subList(1, lines.size())) {
            double[] f = Arrays.stream(line.split(" "))
                    .mapToDouble(Double::parseDouble)
                    .toArray();
            assertEquals(6, f.length);
            assertEquals(1.0, Math.sqrt(f[3] * f[3] + f[4] * f[4] + f[5] * f[5]), 1e-5);
            assertTrue((f[0] - cx) * f[3] + (f[1] - cy) * f[4] + (f[2] - cz) * f[5] > 0);
        }
        Path ply = tmp.resolve("cloud.ply");
        MeshIO.writePointCloud(m, ply, "calvaria points");
        String header = new String(Files.readAllBytes(ply), 0, 300, StandardCharsets.US_ASCII);
        assertTrue(header.contains("property float nz") && !header.contains("element face"));
        assertEquals(header.indexOf("end_header\n") + 11 + 24L * m.compacted().vertexCount(), Files.size(ply));
        assertThrows(CalvariaException.class, () -> MeshIO.writePointCloud(m, tmp.resolve("c.txt"), "x"));
        assertFalse(Files.exists(tmp.resolve("c.txt")));
    }

    /**
     * Found by StlFuzzTest: a 56-byte PLY declaring 99,999,999 items of an element without properties looped for
     * seconds, and one declaring that many vertices allocated 1.2 GB before reading any. Counts must fit the file.
     */
    @Test
    void plyCountsMustFitTheFile() throws IOException {
        for (String header : new String[] {
            "ply\nformat ascii 1.0\nelement verte8 99999999\nend_header\n",
            "ply\nformat ascii 1.0\nelement vertex 99999999\nproperty float x\nproperty float y\n"
                    + "property float z\nend_header\n0 0 0\n",
            "ply\nformat binary_little_endian 1.0\nelement vertex 1000\nproperty float x\nproperty float y\n"
                    + "property float z\nend_header\n" + "x".repeat(100)
        }) {
            Path p = Files.write(tmp.resolve("count.stl"), header.getBytes(StandardCharsets.US_ASCII));
            long t0 = System.nanoTime();
            CalvariaException e = assertThrows(CalvariaException.class, () -> MeshIO.read(p));
            assertTrue((System.nanoTime() - t0) / 1e9 < 2, "took too long");
            assertTrue(e.getMessage().contains("the PLY is corrupt"), e.getMessage());
        }
    }
}
