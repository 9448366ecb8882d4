package org.calvaria.cli;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.calvaria.manufacture.ThreeMf;
import org.calvaria.mesh.MeshIO;
import org.calvaria.mesh.TriangleMesh;
import org.calvaria.testing.CliRun;
import org.calvaria.testing.SharedData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code calvaria design} with the manufacturing options, on held-out SkullFix 069 and on bad values. */
class DesignManufactureCliTest {
    @TempDir
    Path tmp;

    @Test
    void designWritesClearanceThicknessFitCheckAnd3mf() throws Exception {
        Path in = SharedData.skullfix("defective_skull", "069");
        CliRun.Result r = CliRun.run(
                "design",
                in.toString(),
                "-o",
                tmp.resolve("implant.stl").toString(),
                "--report",
                tmp.resolve("report.json").toString(),
                "--fit-check",
                tmp.resolve("fit.stl").toString(),
                "--3mf",
                tmp.resolve("implant.3mf").toString(),
                "--mould",
                tmp.resolve("mould").toString(),
                "--thickness-map",
                tmp.resolve("thickness.ply").toString(),
                "--thickness-preview",
                tmp.resolve("thickness.png").toString(),
                "--quiet");
        assertEquals(0, r.exitCode(), r.err());
        System.out.println(r.out());
        assertTrue(r.out().contains("thickness: min"), r.out());
        assertTrue(r.out().contains("gap to bone along the rim (clearance 0.5 mm)"), r.out());
        Map<?, ?> report =
                new ObjectMapper().readValue(tmp.resolve("report.json").toFile(), Map.class);
        Map<?, ?> thickness = (Map<?, ?>) report.get("thickness");
        for (String k : List.of("minMm", "p5Mm", "medianMm", "maxMm")) assertTrue(thickness.containsKey(k), k);
        Map<?, ?> clearance = (Map<?, ?>) report.get("clearance");
        double smallest = ((Number) clearance.get("smallestGapAnyVertexMm")).doubleValue();
        assertTrue(smallest >= 0.4, "smallest gap " + smallest);
        TriangleMesh fit = MeshIO.read(tmp.resolve("fit.stl"));
        assertTrue(fit.isWatertight(), "fit-check model must be watertight");
        ThreeMf.Model m = ThreeMf.read(tmp.resolve("implant.3mf"));
        assertEquals(
                List.of("implant", "fit-check", "mould outer half", "mould inner half"),
                List.copyOf(m.objects().keySet()));
        // the final mesh crosses itself nowhere
        Map<?, ?> manufacture = (Map<?, ?>) report.get("manufacture");
        assertEquals(0, ((Number) manufacture.get("selfIntersections")).intValue());
        assertEquals(1.0, ((Number) manufacture.get("rimRadiusMm")).doubleValue());
        // the mould made in the same run: both halves watertight, listed in the design report
        for (String f : List.of("outer.stl", "inner.stl", "cavity.stl", "mould.3mf", "report.json")) {
            assertTrue(Files.isRegularFile(tmp.resolve("mould").resolve(f)), f);
        }
        assertTrue(MeshIO.read(tmp.resolve("mould/outer.stl")).isWatertight());
        assertTrue(MeshIO.read(tmp.resolve("mould/inner.stl")).isWatertight());
        assertTrue(report.containsKey("mould"));
        // the thickness map: the implant's own mesh, with a value per vertex, and its picture
        TriangleMesh map = MeshIO.read(tmp.resolve("thickness.ply"));
        assertEquals(MeshIO.read(tmp.resolve("implant.stl")).triangleCount(), map.triangleCount());
        assertTrue(Files.size(tmp.resolve("thickness.png")) > 1000);
        assertTrue(((Map<?, ?>) report.get("thicknessMap")).containsKey("file"));
        List<?> outputs = (List<?>) report.get("outputs");
        for (String f : List.of("thickness.ply", "thickness.png", "mould/report.json")) {
            assertTrue(
                    outputs.stream()
                            .anyMatch(
                                    o -> ((Map<?, ?>) o).get("file").toString().endsWith(f)),
                    f);
        }
        TriangleMesh stl = MeshIO.read(tmp.resolve("implant.stl"));
        assertEquals(stl.triangleCount(), m.objects().get("implant").triangleCount());
        assertEquals(fit.triangleCount(), m.objects().get("fit-check").triangleCount());
    }

    @Test
    void threeMfByExtensionAndAPrinterTooSmall() throws Exception {
        Path in = SharedData.skullfix("defective_skull", "069");
        // an implant and mould that do not fit a 40 mm printer: one line, no file, no mould folder
        CliRun.Result small = CliRun.run(
                "design",
                in.toString(),
                "-o",
                tmp.resolve("implant.3mf").toString(),
                "--mould",
                tmp.resolve("m").toString(),
                "--max-print-mm",
                "40",
                "--quiet");
        assertEquals(1, small.exitCode(), small.err());
        assertEquals(1, small.errLines().size(), small.err());
        assertTrue(small.err().contains("--max-print-mm"), small.err());
        try (var files = Files.list(tmp)) {
            assertEquals(0, files.count(), "nothing may be written");
        }
        // -o x.3mf writes the implant as a 3MF object
        CliRun.Result r = CliRun.run(
                "design", in.toString(), "-o", tmp.resolve("implant.3mf").toString(), "--quiet");
        assertEquals(0, r.exitCode(), r.err());
        ThreeMf.Model m = ThreeMf.read(tmp.resolve("implant.3mf"));
        assertEquals(List.of("implant"), List.copyOf(m.objects().keySet()));
        assertTrue(m.objects().get("implant").isWatertight());
    }

    @Test
    void mouldFolderThatIsNotEmptyIsRefusedBeforeAnyWork() throws Exception {
        Path in = tmp.resolve("skull.nrrd");
        Files.writeString(in, "not read: the options are checked first");
        Path full = Files.createDirectories(tmp.resolve("full"));
        Files.writeString(full.resolve("x.txt"), "x");
        CliRun.Result r = CliRun.run(
                "design", in.toString(), "-o", tmp.resolve("implant.stl").toString(), "--mould", full.toString());
        assertEquals(1, r.exitCode(), r.err());
        assertEquals(1, r.errLines().size(), r.err());
        assertTrue(r.err().contains("not empty"), r.err());
        assertFalse(Files.exists(tmp.resolve("implant.stl")));
    }

    @Test
    void impossibleSettingsFailAsBadUsageAndNoOutput() throws Exception {
        Path in = tmp.resolve("skull.nrrd");
        Files.writeString(in, "not read: the options are checked first");
        for (String[] bad : new String[][] {
            {"--thickness", "3", "--min-thickness", "5"},
            {"--clearance", "9"},
            {"--thickness", "40"},
            {"--3mf", tmp.resolve("x.stl").toString()},
            {"--rim-radius", "9"},
            {"--thickness-map", tmp.resolve("t.vtk").toString()},
            {"--max-print-mm", "0"}
        }) {
            String[] args = new String[4 + bad.length];
            args[0] = "design";
            args[1] = in.toString();
            args[2] = "-o";
            args[3] = tmp.resolve("implant.stl").toString();
            System.arraycopy(bad, 0, args, 4, bad.length);
            CliRun.Result r = CliRun.run(args);
            // bad usage: exit 2, the message on the first line, then the usage
            assertEquals(2, r.exitCode(), String.join(" ", bad) + ": " + r.err());
            assertTrue(r.errLines().get(0).startsWith("--"), r.err());
            assertTrue(r.err().contains("Usage: calvaria design"), r.err());
            assertFalse(Files.exists(tmp.resolve("implant.stl")));
        }
    }
}
