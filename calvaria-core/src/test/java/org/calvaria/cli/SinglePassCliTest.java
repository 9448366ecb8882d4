package org.calvaria.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.Map;
import org.calvaria.defects.DefectGenerator;
import org.calvaria.defects.DefectType;
import org.calvaria.evaluate.Metrics;
import org.calvaria.io.VolumeIO;
import org.calvaria.synth.SyntheticSkull;
import org.calvaria.testing.CliRun;
import org.calvaria.volume.MaskVolume;
import org.calvaria.volume.VoxelType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code design --single-pass} completes each grid once; by default it is also completed mirrored. */
class SinglePassCliTest {
    @TempDir
    Path tmp;

    @Test
    void singlePassIsRecordedAndGivesANearbyButDifferentImplant() throws Exception {
        MaskVolume skull = new SyntheticSkull(5).rasterize(1.2, 1.2);
        MaskVolume defective =
                new DefectGenerator(5).cut(skull, DefectType.SPHERE, 0.15).defective();
        Path in = tmp.resolve("defective.nrrd");
        VolumeIO.write(defective, in, VoxelType.UINT8);
        Map<?, ?> averaged = design(in, "mirror");
        Map<?, ?> single = design(in, "single", "--single-pass");
        assertTrue(
                placement(averaged).endsWith("mirrored across its first axis, probabilities averaged"),
                placement(averaged));
        assertTrue(placement(single).endsWith("completed once (--single-pass)"), placement(single));
        MaskVolume a = MaskVolume.requireBinary(VolumeIO.read(tmp.resolve("mirror.nrrd")), "implant");
        MaskVolume b = MaskVolume.requireBinary(VolumeIO.read(tmp.resolve("single.nrrd")), "implant");
        double dice = Metrics.dice(a, b);
        // the same hole filled twice: close, but the second opinion changed some voxels
        assertTrue(dice > 0.85 && dice < 1, "Dice between the two designs: " + dice);
    }

    private Map<?, ?> design(Path in, String name, String... extra) throws Exception {
        String[] args = {
            "design",
            in.toString(),
            "-o",
            tmp.resolve(name + ".stl").toString(),
            "--nrrd",
            tmp.resolve(name + ".nrrd").toString(),
            "--report",
            tmp.resolve(name + ".json").toString(),
            "--quiet"
        };
        String[] all = java.util.Arrays.copyOf(args, args.length + extra.length);
        System.arraycopy(extra, 0, all, args.length, extra.length);
        CliRun.Result r = CliRun.run(all);
        assertEquals(0, r.exitCode(), r.err());
        return new ObjectMapper().readValue(tmp.resolve(name + ".json").toFile(), Map.class);
    }

    private static String placement(Map<?, ?> report) {
        return (String) ((Map<?, ?>) report.get("networkGrid")).get("placement");
    }
}
