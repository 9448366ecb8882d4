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
 * Coverage-guided fuzzing of the DICOM Part-10 header parser and of the series reader on a one-file folder. The
 * parser's documented failure is an {@link IOException} (the series reader turns it into a message); the series
 * reader's is a one-line {@link org.calvaria.CalvariaException}. Same budget and time limit as {@link NrrdFuzzTest}.
 */
class DicomFuzzTest {
    private static Path root;

    @BeforeAll
    static void setUp() throws IOException {
        Progress.enabled(false);
        ReadLimits.heapLimitForTests = NrrdFuzzTest.BUDGET;
        root = Files.createTempDirectory("calvaria-dicom-fuzz");
    }

    @AfterAll
    static void tearDown() throws IOException {
        ReadLimits.heapLimitForTests = 0;
        FuzzChecks.emptyFolder(root);
        Files.delete(root);
    }

    @FuzzTest(maxDuration = "30s")
    void header(byte[] data) throws IOException {
        FuzzChecks.input(data);
        Path folder = FuzzChecks.emptyFolder(root.resolve("case"));
        Path file = Files.write(folder.resolve("a.dcm"), data);
        FuzzChecks.check("DICOM header", NrrdFuzzTest.ALLOCATION, () -> DicomHeader.read(file), IOException.class);
        FuzzChecks.check(
                "DICOM series", NrrdFuzzTest.ALLOCATION, () -> DicomSeriesReader.read(folder, ReadOptions.defaults()));
    }
}
