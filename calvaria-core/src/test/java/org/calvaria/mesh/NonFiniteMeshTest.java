package org.calvaria.mesh;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.calvaria.CalvariaException;
import org.calvaria.testing.CliRun;
import org.calvaria.volume.Geometry;
import org.calvaria.volume.MaskVolume;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** An absurd grid (spacing 1e38 or 1e308 mm) gives no mesh that claims to be fine: it is refused with one line. */
class NonFiniteMeshTest {
    @TempDir
    Path tmp;

    @BeforeAll
    static void noProgressBars() {
        System.setProperty("calvaria.noprogress", "true");
    }

    private static MaskVolume cube(double spacing, double origin) {
        MaskVolume m = new MaskVolume(
                Geometry.axisAligned(8, 8, 8, spacing, spacing, spacing, new double[] {origin, origin, origin}));
        for (int z = 2; z < 6; z++) for (int y = 2; y < 6; y++) for (int x = 2; x < 6; x++) m.set(x, y, z, true);
        return m;
    }

    @ParameterizedTest
    @CsvSource({"1e38, 0", "1, 1e308", "1e-3, -1e300"})
    void aMeshWithOverflowingCoordinatesIsNotFineAndIsNeverWritten(double spacing, double origin) throws Exception {
        TriangleMesh mesh = MarchingCubes.extract(cube(spacing, origin));
        assertTrue(mesh.isWatertight(), "the connectivity alone looks fine");
        assertFalse(mesh.isFinite(), "area " + mesh.surfaceAreaMm2());
        for (String name : new String[] {"s.stl", "s.ply", "s.obj"}) {
            CalvariaException e =
                    assertThrows(CalvariaException.class, () -> MeshIO.write(mesh, tmp.resolve(name), false, "test"));
            assertTrue(e.getMessage().contains("not finite") && e.getMessage().contains("spacing"), e.getMessage());
        }
        assertThrows(CalvariaException.class, () -> MeshIO.writeStlAscii(mesh, tmp.resolve("a.stl"), "test"));
        assertThrows(CalvariaException.class, () -> MeshIO.writePointCloud(mesh, tmp.resolve("p.xyz"), "test"));
        try (Stream<Path> s = Files.list(tmp)) {
            assertEquals(0, s.count(), "nothing written, not even a temporary");
        }
        // an ordinary grid passes
        assertTrue(MarchingCubes.extract(cube(0.5, -100)).requireFinite("cube").isFinite());
        // huge but finite coordinates whose area and volume still fit a double (checked the long way)
        TriangleMesh huge = MarchingCubes.extract(cube(1e13, 0));
        assertTrue(Double.isFinite(huge.enclosedVolumeMm3()));
        assertTrue(huge.isFinite());
    }

    @ParameterizedTest
    @CsvSource({"1e38, 0", "1, 1e308"})
    void meshCommandRefusesAnAbsurdGridInsteadOfReportingNaNAsWatertight(String spacing, String origin)
            throws Exception {
        Path in = tmp.resolve("absurd.nrrd");
        byte[] voxels = new byte[8 * 8 * 8];
        for (int z = 2; z < 6; z++)
            for (int y = 2; y < 6; y++) for (int x = 2; x < 6; x++) voxels[x + 8 * (y + 8 * z)] = 1;
        Files.write(
                in,
                concat(
                        ("NRRD0004\ntype: uint8\ndimension: 3\nsizes: 8 8 8\nspace: left-posterior-superior\n"
                                        + "space directions: (" + spacing + ",0,0) (0," + spacing + ",0) (0,0,"
                                        + spacing + ")\n"
                                        + "space origin: (" + origin + ",0,0)\nencoding: raw\n\n")
                                .getBytes(StandardCharsets.US_ASCII),
                        voxels));
        Path out = tmp.resolve("out");
        CliRun.Result r =
                CliRun.run("mesh", in.toString(), "-o", out.resolve("s.stl").toString());
        assertEquals(1, r.exitCode(), r.out() + r.err());
        assertEquals(1, r.errLines().size(), r.err());
        assertTrue(r.err().startsWith("error: "), r.err());
        assertFalse(r.out().contains("watertight"), "no figures for a broken mesh: " + r.out());
        assertFalse(Files.exists(out.resolve("s.stl")));
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = new byte[a.length + b.length];
        System.arraycopy(a, 0, c, 0, a.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
