package org.calvaria.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.calvaria.manufacture.ThreeMf;
import org.calvaria.mesh.MeshIO;
import org.calvaria.mesh.TriangleMesh;
import org.calvaria.testing.CliRun;
import org.calvaria.testing.SharedData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** {@code calvaria design} with the manufacturing options, on held-out SkullFix 069 and on bad values. */
class DesignManufactureCliTest {
    @TempDir
    Path tmp;

    @Test
    void designWritesClearanceThicknessFitCheckAnd3mf() throws Exception {
        Path in = SharedData.skullfix("defective_skull", "069");
        CliRun.Result r = CliRun.run("design", in.toString(), "-o", tmp.resolve("implant.stl").toString(),
                "--report", tmp.resolve("report.json").toString(), "--fit-check", tmp.resolve("fit.stl").toString(),
                "--3mf", tmp.resolve("implant.3mf").toString(), "--quiet");
        assertEquals(0, r.exitCode(), r.err());
        System.out.println(r.out());
        assertTrue(r.out().contains("thickness: min"), r.out());
        assertTrue(r.out().contains("gap to bone along the rim (clearance 0.5 mm)"), r.out());
        Map<?, ?> report = new ObjectMapper().readValue(tmp.resolve("report.json").toFile(), Map.class);
        Map<?, ?> thickness = (Map<?, ?>) report.get("thickness");
        for (String k : List.of("minMm", "p5Mm", "medianMm", "maxMm")) assertTrue(thickness.containsKey(k), k);
        Map<?, ?> clearance = (Map<?, ?>) report.get("clearance");
        double smallest = ((Number) clearance.get("smallestGapAnyVertexMm")).doubleValue();
        assertTrue(smallest >= 0.4, "smallest gap " + smallest);
        TriangleMesh fit = MeshIO.read(tmp.resolve("fit.stl"));
        assertTrue(fit.isWatertight(), "fit-check model must be watertight");
        ThreeMf.Model m = ThreeMf.read(tmp.resolve("implant.3mf"));
        assertEquals(List.of("implant", "fit-check"), List.copyOf(m.objects().keySet()));
        TriangleMesh stl = MeshIO.read(tmp.resolve("implant.stl"));
        assertEquals(stl.triangleCount(), m.objects().get("implant").triangleCount());
        assertEquals(fit.triangleCount(), m.objects().get("fit-check").triangleCount());
    }

    @Test
    void impossibleSettingsFailWithOneLineAndNoOutput() throws Exception {
        Path in = tmp.resolve("skull.nrrd");
        Files.writeString(in, "not read: the options are checked first");
        for (String[] bad : new String[][] {{"--thickness", "3", "--min-thickness", "5"}, {"--clearance", "9"},
            {"--thickness", "40"}, {"--3mf", tmp.resolve("x.stl").toString()}}) {
            String[] args = new String[4 + bad.length];
            args[0] = "design";
            args[1] = in.toString();
            args[2] = "-o";
            args[3] = tmp.resolve("implant.stl").toString();
            System.arraycopy(bad, 0, args, 4, bad.length);
            CliRun.Result r = CliRun.run(args);
            assertEquals(1, r.exitCode(), String.join(" ", bad) + ": " + r.err());
            assertEquals(1, r.errLines().size(), r.err());
            assertTrue(r.errLines().get(0).startsWith("error: "), r.err());
            assertFalse(Files.exists(tmp.resolve("implant.stl")));
        }
    }
}
