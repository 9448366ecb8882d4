package org.calvaria.web;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The run's manufacturing files are found by fixed names in its own folder only, never through a link. */
class PartFilesTest {
    @TempDir
    Path tmp;

    @Test
    void fixedNamesOnlyAndNoLinks() throws Exception {
        Path run = Files.createDirectories(tmp.resolve("run"));
        Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
        Files.writeString(elsewhere.resolve("outer.stl"), "secret");
        Files.writeString(elsewhere.resolve("secret.txt"), "secret");
        assertNull(PartFiles.file(run, "fit-check.stl"), "no file: none offered");
        Files.writeString(run.resolve(DesignRequest.FIT_CHECK_STL), "solid");
        assertEquals(run.resolve("fit-check.stl"), PartFiles.file(run, "fit-check.stl"));
        assertNull(PartFiles.file(run, "../elsewhere/secret.txt"), "not a kind");
        assertNull(PartFiles.file(run, "job.json"), "the run's record is not a download");
        // a mould folder that is a link out of the run, and a part that is a link, are not served
        Files.createSymbolicLink(run.resolve(DesignRequest.MOULD_FOLDER), elsewhere);
        assertNull(PartFiles.file(run, "mould-outer.stl"));
        Files.createSymbolicLink(run.resolve(DesignRequest.ALL_PARTS_3MF), elsewhere.resolve("secret.txt"));
        assertNull(PartFiles.file(run, "implant.3mf"));
    }

    @Test
    void pullDirectionFromTheMouldReportInRas() throws Exception {
        Path report = tmp.resolve("report.json");
        Files.writeString(report, "{\"pullDirectionLps\": [0.6, 0, 0.8]}");
        assertArrayEquals(new double[] {-0.6, 0, 0.8}, PartFiles.pullRas(report), 1e-9);
        Files.writeString(report, "{}");
        assertArrayEquals(new double[] {0, 0, 1}, PartFiles.pullRas(report), 1e-9, "straight up without one");
    }
}
