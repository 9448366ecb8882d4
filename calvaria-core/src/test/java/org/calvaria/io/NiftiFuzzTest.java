package org.calvaria.io;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.calvaria.Progress;
import org.calvaria.testing.FuzzChecks;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Coverage-guided fuzzing of the NIfTI-1 reader, plain and gzip (an input starting with the gzip magic is written as
 * {@code .nii.gz}, else as {@code .nii}); same properties as {@link NrrdFuzzTest}.
 */
class NiftiFuzzTest {
    private static Path root;

    @BeforeAll
    static void setUp() throws IOException {
        Progress.enabled(false);
        ReadLimits.heapLimitForTests = NrrdFuzzTest.BUDGET;
        root = Files.createTempDirectory("calvaria-nifti-fuzz");
    }

    @AfterAll
    static void tearDown() throws IOException {
        ReadLimits.heapLimitForTests = 0;
        FuzzChecks.emptyFolder(root);
        Files.delete(root);
    }

    @FuzzTest(maxDuration = "30s")
    void nifti(byte[] data) throws IOException {
        FuzzChecks.input(data);
        Path folder = FuzzChecks.emptyFolder(root.resolve("case"));
        boolean gzip = data.length >= 2 && (data[0] & 0xff) == 0x1f && (data[1] & 0xff) == 0x8b;
        Path file = Files.write(folder.resolve(gzip ? "m.nii.gz" : "m.nii"), data);
        FuzzChecks.check(gzip ? "NIfTI .nii.gz" : "NIfTI .nii", NrrdFuzzTest.ALLOCATION, () -> NiftiIO.read(file));
        // Through format detection too, as the commands read it.
        FuzzChecks.check("NIfTI via VolumeIO", NrrdFuzzTest.ALLOCATION, () -> VolumeIO.read(file));
    }
}
