package org.calvaria.cli;

import static org.calvaria.evaluate.Metrics.dice;
import static org.junit.jupiter.api.Assertions.*;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import javax.imageio.ImageIO;
import org.calvaria.io.NrrdIO;
import org.calvaria.io.VolumeIO;
import org.calvaria.mesh.MarchingCubes;
import org.calvaria.mesh.MeshIO;
import org.calvaria.mesh.TriangleMesh;
import org.calvaria.synth.SyntheticSkull;
import org.calvaria.volume.Geometry;
import org.calvaria.volume.MaskVolume;
import org.calvaria.volume.ShortVolume;
import org.calvaria.volume.Volume;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MeshCommandsTest {
    @TempDir
    Path tmp;

    static MaskVolume skull;
    static MaskVolume implant;

    @BeforeAll
    static void fixtures() {
        System.setProperty("calvaria.noprogress", "true");
        skull = new SyntheticSkull(3).rasterize(2.0, 2.0);
        // an "implant": the part of the skull above a plane, removed from the skull
        implant = new MaskVolume(skull.geometry());
        double[] p = new double[3];
        Geometry g = skull.geometry();
        skull.forEachSet(i -> {
            g.indexToPhysical(i % g.nx(), (i / g.nx()) % g.ny(), i / (g.nx() * g.ny()), p);
            if (p[2] > 55 && p[1] > 0) implant.set(i, true);
        });
        skull = skull.copy().andNot(implant);
    }

    /** Runs the CLI, checks the exit code and returns stdout + stderr. */
    static String run(int expectedExit, String... args) {
        org.calvaria.testing.CliRun.Result r = org.calvaria.testing.CliRun.runMerged(args);
        String text = r.out();
        assertEquals(expectedExit, r.exitCode(), String.join(" ", args) + " printed:\n" + text);
        return text;
    }

    Path write(Volume v, String name) {
        Path p = tmp.resolve(name);
        NrrdIO.write(v, p);
        return p;
    }

    @Test
    void meshWritesAClosedSurfaceAndPrintsItsMeasures() {
        Path in = write(skull, "skull.nrrd");
        Path stl = tmp.resolve("skull.stl");
        String out = run(0, "mesh", in.toString(), "-o", stl.toString());
        TriangleMesh m = MeshIO.read(stl);
        assertTrue(out.contains("triangles:   " + m.triangleCount()), out);
        assertTrue(out.contains("watertight:  yes"), out);
        double ml = skull.cardinality() * skull.geometry().voxelVolumeMm3() / 1000;
        double printed = Double.parseDouble(out.replaceAll("(?s).*volume:\\s+([0-9.]+) ml.*", "$1"));
        assertEquals(ml, printed, 0.03 * ml);
        assertEquals(m.enclosedVolumeMm3() / 1000, printed, 0.001);
        assertTrue(m.isWatertight());

        Path ply = tmp.resolve("smooth.ply"), cloud = tmp.resolve("cloud.xyz");
        out = run(
                0,
                "mesh",
                in.toString(),
                "-o",
                ply.toString(),
                "--smooth",
                "10",
                "--decimate",
                "0.5",
                "--points",
                cloud.toString());
        TriangleMesh d = MeshIO.read(ply);
        assertTrue(Math.abs(d.triangleCount() - m.triangleCount() / 2) < 0.02 * m.triangleCount(), out);
        assertTrue(d.isWatertight());
        assertTrue(Files.exists(cloud));

        Path ascii = tmp.resolve("ascii.stl");
        run(0, "mesh", in.toString(), "-o", ascii.toString(), "--ascii");
        assertTrue(MeshIO.read(ascii).isWatertight());
    }

    @Test
    void meshRefusesBadInputWithoutWritingAnything() throws IOException {
        ShortVolume ct = new ShortVolume(Geometry.axisAligned(10, 10, 10, 1.0));
        for (int i = 0; i < ct.voxelCount(); i++) ct.set(i, i % 7 == 0 ? 700 : -1000);
        Path ctPath = write(ct, "ct.nrrd");
        Path stl = tmp.resolve("ct.stl");
        String out = run(1, "mesh", ctPath.toString(), "-o", stl.toString());
        assertTrue(out.contains("not a binary mask"), out);
        assertFalse(Files.exists(stl));
        // an intensity volume meshes at an explicit level
        out = run(0, "mesh", ctPath.toString(), "-o", stl.toString(), "--iso", "300");
        assertTrue(out.contains("watertight:  yes"), out);
        out = run(1, "mesh", ctPath.toString(), "-o", tmp.resolve("none.stl").toString(), "--iso", "5000");
        assertTrue(out.contains("no surface at --iso 5000"), out);

        Path empty = write(new MaskVolume(Geometry.axisAligned(5, 5, 5, 1.0)), "empty.nrrd");
        assertTrue(run(1, "mesh", empty.toString(), "-o", tmp.resolve("e.stl").toString())
                .contains("empty mask"));
        assertTrue(run(1, "mesh", empty.toString(), "-o", tmp.resolve("e.vtk").toString())
                .contains(".stl, .ply or .obj"));
        String bad =
                run(2, "mesh", empty.toString(), "-o", empty.toString().replace(".nrrd", ".ply"), "--decimate", "2");
        assertTrue(bad.contains("--decimate") && bad.contains("Usage: calvaria mesh"), bad);
        bad = run(2, "mesh", empty.toString(), "-o", tmp.resolve("e.stl").toString(), "--smooth", "-1");
        assertTrue(bad.contains("--smooth must be 0..10000, got -1") && bad.contains("Usage: calvaria mesh"), bad);
        run(2, "mesh", empty.toString(), "-o", tmp.resolve("e.stl").toString(), "--no-such-flag");
        run(2, "mesh", empty.toString());
        try (var files = Files.list(tmp)) {
            assertEquals(
                    0,
                    files.filter(p -> p.getFileName().toString().startsWith("."))
                            .count(),
                    "no temporary files left behind");
        }
    }

    @Test
    void voxelizeRestoresTheMaskOnTheReferenceGrid() throws IOException {
        Path in = write(skull, "skull.nrrd");
        Path stl = tmp.resolve("skull.stl");
        run(0, "mesh", in.toString(), "-o", stl.toString());
        Path back = tmp.resolve("back.nrrd");
        String out = run(0, "voxelize", stl.toString(), "--like", in.toString(), "-o", back.toString());
        MaskVolume v = MaskVolume.requireBinary(VolumeIO.read(back), "back");
        assertTrue(v.geometry().sameGrid(skull.geometry(), 1e-9));
        assertTrue(v.sameVoxels(skull), "exactly the voxels meshed; dice " + dice(v, skull));
        assertTrue(out.contains("voxels set:  " + skull.cardinality()), out);
        assertTrue(v.metadata().getOrDefault("calvaria_made_by", "").startsWith("voxelize skull.stl"));

        Path fine = tmp.resolve("fine.nrrd");
        run(0, "voxelize", stl.toString(), "--spacing", "1.5", "-o", fine.toString());
        Volume f = VolumeIO.read(fine);
        assertArrayEquals(new double[] {1.5, 1.5, 1.5}, f.geometry().spacing(), 1e-12);
        double ml = f.countNonZero() * f.geometry().voxelVolumeMm3();
        assertEquals(MeshIO.read(stl).enclosedVolumeMm3(), ml, 0.05 * ml);

        // bad inputs: a volume given as mesh, a corrupt STL, both grid options, neither
        assertTrue(run(
                        1,
                        "voxelize",
                        in.toString(),
                        "--spacing",
                        "1",
                        "-o",
                        tmp.resolve("x.nrrd").toString())
                .contains("is a volume, not a mesh"));
        Path broken = tmp.resolve("broken.stl");
        byte[] bytes = Files.readAllBytes(stl);
        Files.write(broken, Arrays.copyOf(bytes, bytes.length - 30));
        assertTrue(run(
                        1,
                        "voxelize",
                        broken.toString(),
                        "--like",
                        in.toString(),
                        "-o",
                        tmp.resolve("y.nrrd").toString())
                .contains("truncated or corrupt binary STL"));
        assertFalse(Files.exists(tmp.resolve("y.nrrd")));
        run(
                2,
                "voxelize",
                stl.toString(),
                "--like",
                in.toString(),
                "--spacing",
                "1",
                "-o",
                tmp.resolve("z.nrrd").toString());
        run(2, "voxelize", stl.toString(), "-o", tmp.resolve("z.nrrd").toString());
        assertTrue(run(1, "voxelize", stl.toString(), "--like", in.toString(), "-o", in.toString())
                .contains("is the input file"));
    }

    @Test
    void previewDrawsSkullAndImplantInTheirColours() throws IOException {
        Path s = write(skull, "defective.nrrd"), i = write(implant, "implant.nrrd");
        Path implantStl = tmp.resolve("implant.stl");
        MeshIO.writeStlBinary(MarchingCubes.extract(implant), implantStl, "test");
        Path png = tmp.resolve("preview.png");
        run(
                0,
                "preview",
                s.toString(),
                "--overlay",
                implantStl.toString(),
                "-o",
                png.toString(),
                "--title",
                "case",
                "--size",
                "160");
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(320, img.getWidth());
        int red = 0, bone = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int p = img.getRGB(x, y), r = (p >> 16) & 0xff, g = (p >> 8) & 0xff, b = p & 0xff;
                if (r > 60 && r > 2 * g && r > 2 * b) red++;
                else if (r >= g && g >= b && r - b < 0.35 * r && r > 50 && !(r == 255 && g == 255 && b == 255)) bone++;
            }
        }
        assertTrue(red > 300, "red pixels " + red);
        assertTrue(bone > 3000, "bone pixels " + bone);

        run(0, "preview", i.toString(), "-o", tmp.resolve("implant.png").toString(), "--size", "64", "--smooth", "5");
        assertTrue(run(2, "preview", s.toString(), "-o", tmp.resolve("p.jpg").toString())
                .contains(".png"));
        ShortVolume ct = new ShortVolume(Geometry.axisAligned(6, 6, 6, 1.0));
        ct.set(3, 3, 3, 900);
        assertTrue(run(
                        1,
                        "preview",
                        write(ct, "ct.nrrd").toString(),
                        "-o",
                        tmp.resolve("ct.png").toString())
                .contains("not a binary mask"));
    }

    @Test
    void benchIoPrintsTheFigures() {
        Path in = write(skull, "bench.nrrd");
        String out = run(0, "bench", "io", in.toString(), "--repeat", "1");
        for (String key : new String[] {"read:", "marching cubes:", "triangles:", "STL write:", "peak heap:"}) {
            assertTrue(out.contains(key), key + " missing from:\n" + out);
        }
        assertTrue(out.contains("watertight yes"), out);
        String bad = run(2, "bench", "io", in.toString(), "--repeat", "0");
        assertTrue(bad.contains("--repeat must be 1..100, got 0") && bad.contains("Usage: calvaria bench io"), bad);
    }
}
