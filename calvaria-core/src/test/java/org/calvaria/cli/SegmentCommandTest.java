package org.calvaria.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.calvaria.io.NrrdIO;
import org.calvaria.io.VolumeIO;
import org.calvaria.morphology.ConnectedComponents;
import org.calvaria.segment.SyntheticCt;
import org.calvaria.volume.MaskVolume;
import org.calvaria.volume.Resampler;
import org.calvaria.volume.Volume;
import org.calvaria.volume.VoxelType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class SegmentCommandTest {
    static SyntheticCt synthetic;

    @TempDir
    Path tmp;

    @BeforeAll
    static void fixture() {
        synthetic = new SyntheticCt(11, 2.0);
    }

    /** Runs the CLI with --quiet, returning the exit code; stderr goes into {@code err}. */
    static int run(StringWriter err, String... args) {
        CommandLine cl = Main.commandLine();
        cl.setErr(new PrintWriter(err, true));
        String[] withQuiet = Stream.concat(Stream.of(args), Stream.of("-q")).toArray(String[]::new);
        return cl.execute(withQuiet);
    }

    Path writeCt() {
        Path ct = tmp.resolve("ct.nrrd");
        NrrdIO.write(synthetic.ct, ct, VoxelType.INT16, NrrdIO.Encoding.GZIP);
        return ct;
    }

    static long filesIn(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.count();
        }
    }

    @Test
    void segmentsSyntheticCtIntoOneComponentWithoutTheTable() {
        Path ct = writeCt();
        Path out = tmp.resolve("skull.nrrd");
        StringWriter err = new StringWriter();
        assertEquals(0, run(err, "segment", ct.toString(), "-o", out.toString()), err.toString());
        Volume v = VolumeIO.read(out);
        MaskVolume skull = assertInstanceOf(MaskVolume.class, v);
        assertEquals(VoxelType.UINT8, skull.sourceType());
        assertEquals(1, ConnectedComponents.count(skull, 26));
        MaskVolume back = (MaskVolume) Resampler.nearest(skull, synthetic.ct.geometry(), 0);
        assertTrue(back.sameVoxels(synthetic.bone), "exactly the bone, no table");
        assertEquals(0, back.intersectionCount(synthetic.table));

        Path nrrd = tmp.resolve("skull-raw.nrrd");
        assertEquals(
                0,
                run(err, "segment", ct.toString(), "-o", nrrd.toString(), "--no-crop", "--median-mm", "1", "--no-fill"),
                err.toString());
        MaskVolume full = (MaskVolume) VolumeIO.read(nrrd);
        assertTrue(full.geometry().sameGrid(synthetic.ct.geometry(), 1e-9));
        assertTrue(full.metadata().get("calvaria_made_by").contains("median 1 mm"));
        assertEquals(1, ConnectedComponents.count(full, 26));
    }

    @Test
    void maskInputFailsWithExitOneAndNoOutput() throws IOException {
        Path mask = tmp.resolve("mask.nrrd");
        NrrdIO.write(synthetic.bone, mask, VoxelType.UINT8, NrrdIO.Encoding.GZIP);
        Path out = tmp.resolve("skull.nrrd");
        StringWriter err = new StringWriter();
        assertEquals(1, run(err, "segment", mask.toString(), "-o", out.toString()));
        assertTrue(err.toString().contains("already a segmentation"), err.toString());
        assertFalse(Files.exists(out));
        assertEquals(1, filesIn(tmp), "no output and no leftover temporary file");
    }

    @Test
    void badOptionsAreUsageErrors() {
        Path ct = writeCt();
        Path out = tmp.resolve("skull.nrrd");
        StringWriter err = new StringWriter();
        assertEquals(2, run(err, "segment", ct.toString(), "-o", out.toString(), "--threshold", "5000"));
        assertTrue(err.toString().contains("-1024..3071"), err.toString());
        assertEquals(
                2,
                run(
                        err,
                        "segment",
                        ct.toString(),
                        "-o",
                        out.toString(),
                        "--raw-window",
                        "1200,1817",
                        "--threshold",
                        "200"));
        assertEquals(2, run(err, "segment", ct.toString(), "-o", out.toString(), "--raw-window", "1200"));
        assertEquals(2, run(err, "segment", ct.toString(), "-o", out.toString(), "--raw-window", "a,b"));
        assertTrue(err.toString().contains("two numbers LO,HI"), err.toString());
        assertEquals(2, run(err, "segment", ct.toString(), "-o", out.toString(), "--median-mm", "-1"));
        assertEquals(2, run(err, "segment", ct.toString()));
        assertEquals(
                1,
                run(
                        err,
                        "segment",
                        ct.toString(),
                        "-o",
                        tmp.resolve("skull.txt").toString()));
        assertEquals(1, run(err, "segment", ct.toString(), "-o", ct.toString()), "never overwrite the input");
        assertFalse(Files.exists(out));
    }
}
