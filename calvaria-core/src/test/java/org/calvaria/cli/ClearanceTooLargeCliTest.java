package org.calvaria.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.calvaria.io.NrrdIO;
import org.calvaria.synth.SyntheticSkull;
import org.calvaria.testing.CliRun;
import org.calvaria.testing.Cuts;
import org.calvaria.volume.MaskVolume;
import org.calvaria.volume.VoxelType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code design --clearance} wider than half a small hole: the clearance would take most of the implant away, so the
 * run is refused in one line and writes nothing (the unit case is in ManufactureTest; this is the whole command).
 */
class ClearanceTooLargeCliTest {
    @TempDir
    Path tmp;

    @Test
    void clearanceWiderThanHalfASmallHoleIsRefusedAndWritesNothing() throws Exception {
        MaskVolume skull = new SyntheticSkull(2026).rasterize(0.8, 0.8);
        // a hole about 32 mm across on top (the smallest opening looked for is 3 cm²); a 5 mm clearance (plus a voxel)
        // takes away the outer 5.8 mm of its 16 mm radius, about 60 % of the implant
        MaskVolume defective = Cuts.withoutBall(skull, Cuts.unit(0.2, 0.1, 1), 16);
        defective.setSourceType(VoxelType.UINT8);
        Path in = tmp.resolve("small-hole.nrrd");
        NrrdIO.write(defective, in);
        Path out = Files.createDirectories(tmp.resolve("out"));

        CliRun.Result fine = CliRun.run(
                "design", in.toString(), "-o", out.resolve("ok.stl").toString(), "--clearance", "0.5", "--quiet");
        assertEquals(0, fine.exitCode(), "the hole itself is designed with the default clearance: " + fine.err());
        Files.delete(out.resolve("ok.stl"));

        CliRun.Result r = CliRun.run(
                "design",
                in.toString(),
                "-o",
                out.resolve("implant.stl").toString(),
                "--report",
                out.resolve("report.json").toString(),
                "--clearance",
                "5",
                "--quiet");
        assertEquals(1, r.exitCode(), r.err());
        assertEquals(1, r.errLines().size(), r.err());
        assertTrue(r.err().startsWith("error: "), r.err());
        assertTrue(r.err().contains("larger than half the hole"), r.err());
        try (Stream<Path> left = Files.list(out)) {
            assertEquals(0, left.count(), "no output may be left behind");
        }
        assertTrue(Files.exists(in), "the input is kept");
    }
}
