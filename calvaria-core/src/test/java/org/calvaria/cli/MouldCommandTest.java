package org.calvaria.cli;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.calvaria.manufacture.ThreeMf;
import org.calvaria.mesh.MarchingCubes;
import org.calvaria.mesh.MeshIO;
import org.calvaria.mesh.MeshSmoothing;
import org.calvaria.mesh.TriangleMesh;
import org.calvaria.testing.CliRun;
import org.calvaria.volume.Geometry;
import org.calvaria.volume.MaskVolume;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code calvaria mould}: the folder appears whole, bad input gets one line and no folder. */
class MouldCommandTest {
    @TempDir
    Path tmp;

    /** A small curved plate: a spherical shell cap (radius 60, 4 mm thick, 25 degrees). */
    static TriangleMesh plate() {
        double s = 0.5;
        int n = 140;
        Geometry g = Geometry.axisAligned(n, n, 60, s, s, s, new double[] {-(n - 1) * s / 2, -(n - 1) * s / 2, 40});
        MaskVolume m = new MaskVolume(g);
        double[] p = new double[3];
        for (int k = 0; k < 60; k++)
            for (int j = 0; j < n; j++)
                for (int i = 0; i < n; i++) {
                    g.indexToPhysical(i, j, k, p);
                    double r = Math.sqrt(p[0] * p[0] + p[1] * p[1] + p[2] * p[2]);
                    double polar = Math.toDegrees(Math.atan2(Math.hypot(p[0], p[1]), p[2]));
                    if (r <= 60 && r > 56 && polar < 25) m.set(i, j, k, true);
                }
        return MeshSmoothing.taubin(MarchingCubes.extract(m), 10);
    }

    @Test
    void writesHalvesReportAnd3mf() throws Exception {
        Path stl = tmp.resolve("implant.stl");
        MeshIO.write(plate(), stl, false, "test");
        Path out = tmp.resolve("mould");
        CliRun.Result r = CliRun.run("mould", stl.toString(), "-o", out.toString(), "--quiet");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("PMMA"), r.out());
        for (String f : List.of("outer.stl", "inner.stl", "cavity.stl", "mould.3mf", "report.json")) {
            assertTrue(Files.isRegularFile(out.resolve(f)), f);
        }
        assertTrue(MeshIO.read(out.resolve("outer.stl")).isWatertight());
        assertTrue(MeshIO.read(out.resolve("inner.stl")).isWatertight());
        Map<?, ?> rep = new ObjectMapper().readValue(out.resolve("report.json").toFile(), Map.class);
        for (String k : List.of("cavityVolumeMl", "pmmaVolumeMl", "pmmaMassG", "halves", "undercuts")) {
            assertTrue(rep.containsKey(k), k);
        }
        assertEquals(
                List.of("mould outer half", "mould inner half", "implant"),
                List.copyOf(ThreeMf.read(out.resolve("mould.3mf")).objects().keySet()));
        // A second run into the same (now full) folder is refused.
        CliRun.Result again = CliRun.run("mould", stl.toString(), "-o", out.toString(), "--quiet");
        assertEquals(1, again.exitCode());
        assertTrue(again.err().contains("not empty"), again.err());
    }

    @Test
    void badInputLeavesNoFolder() throws Exception {
        TriangleMesh p = plate();
        Path open = tmp.resolve("open.stl");
        int[] t = java.util.Arrays.copyOf(p.triangles(), p.triangles().length - 3);
        MeshIO.write(new TriangleMesh(p.vertices(), t), open, false, "test");
        Path closed = tmp.resolve("closed.stl");
        MeshIO.write(p, closed, false, "test");
        String[][] cases = {
            {"mould", open.toString(), "-o", tmp.resolve("m1").toString()},
            {"mould", closed.toString(), "-o", tmp.resolve("m2").toString(), "--max-print-mm", "30"}
        };
        // a bad option value is bad usage: exit 2, the message, then the usage
        String[] wall = {"mould", closed.toString(), "-o", tmp.resolve("m3").toString(), "--wall", "0.2"};
        CliRun.Result bad = CliRun.run(wall);
        assertEquals(2, bad.exitCode(), bad.err());
        assertTrue(bad.err().startsWith("--wall must be 1..30 mm, got 0.2"), bad.err());
        assertTrue(bad.err().contains("Usage: calvaria mould"), bad.err());
        assertFalse(Files.exists(Path.of(wall[3])), "no output folder for a bad option");
        for (String[] c : cases) {
            CliRun.Result r = CliRun.run(c);
            assertEquals(1, r.exitCode(), String.join(" ", c) + ": " + r.err());
            assertEquals(1, r.errLines().size(), r.err());
            assertTrue(r.errLines().get(0).startsWith("error: "), r.err());
            assertFalse(Files.exists(Path.of(c[3])), "no output folder for " + String.join(" ", c));
        }
        try (var s = Files.list(tmp)) {
            assertTrue(s.noneMatch(f -> f.getFileName().toString().startsWith(".m")), "no temporary folder left");
        }
    }
}
