package org.calvaria.io;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.calvaria.Progress;
import org.calvaria.testing.FuzzChecks;
import org.calvaria.volume.Volume;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Coverage-guided fuzzing of the NRRD reader (Jazzer). Under {@code mvn verify} each method replays its committed
 * corpus ({@code src/test/resources/org/calvaria/io/NrrdFuzzTestInputs/METHOD/}); {@code docs/fuzz.sh} fuzzes one for
 * N minutes. Properties: a volume or a one-line {@link org.calvaria.CalvariaException}; at most {@link #ALLOCATION}
 * bytes allocated with a memory budget of {@link #BUDGET}; no input over {@link FuzzChecks#MAX_MILLIS}; and no data
 * read from outside the header's folder.
 */
class NrrdFuzzTest {
    /** The heap the readers are told they may use. */
    static final long BUDGET = 64L << 20;
    /** What one read may allocate in all: the voxels a few times over (raw array, conversion), plus buffers. */
    static final long ALLOCATION = 4 * BUDGET + (32L << 20);

    private static Path root;

    @BeforeAll
    static void setUp() throws IOException {
        Progress.enabled(false);
        ReadLimits.heapLimitForTests = BUDGET;
        root = Files.createTempDirectory("calvaria-nrrd-fuzz");
        // A file beside the case folder that a header may try to name ("../secret.raw"): reading it is a finding.
        Files.write(root.resolve("secret.raw"), filled(4096, (byte) 0x5a));
        Files.write(root.resolve("secret.raw.gz"), filled(4096, (byte) 0x5a));
    }

    @AfterAll
    static void tearDown() throws IOException {
        ReadLimits.heapLimitForTests = 0;
        FuzzChecks.emptyFolder(root);
        Files.delete(root);
    }

    static byte[] filled(int n, byte b) {
        byte[] a = new byte[n];
        Arrays.fill(a, b);
        return a;
    }

    /** The input is a whole .nrrd file (header and attached data). */
    @FuzzTest(maxDuration = "30s")
    void attached(byte[] data) throws IOException {
        FuzzChecks.input(data);
        Path folder = FuzzChecks.emptyFolder(root.resolve("case"));
        Path file = Files.write(folder.resolve("m.nrrd"), data);
        FuzzChecks.check("attached NRRD", ALLOCATION, () -> {
            Volume v = NrrdIO.read(file);
            requireInside(file, folder);
            v.geometry();
        });
    }

    /**
     * The input is a detached header up to its blank line, written as {@code h.nhdr}; the bytes after it are written
     * both as {@code d.raw} and {@code d.raw.gz} beside it (the seeds name one or the other).
     */
    @FuzzTest(maxDuration = "30s")
    void detached(byte[] data) throws IOException {
        FuzzChecks.input(data);
        Path folder = FuzzChecks.emptyFolder(root.resolve("case"));
        int end = headerEnd(data);
        Path header = Files.write(folder.resolve("h.nhdr"), Arrays.copyOf(data, end));
        byte[] rest = Arrays.copyOfRange(data, end, data.length);
        Files.write(folder.resolve("d.raw"), rest);
        Files.write(folder.resolve("d.raw.gz"), rest);
        FuzzChecks.check("detached NRRD", ALLOCATION, () -> {
            NrrdIO.read(header);
            requireInside(header, folder);
        });
    }

    /** Offset just past the first empty line (LF LF or CRLF CRLF), or the whole input. */
    static int headerEnd(byte[] data) {
        String s = new String(data, StandardCharsets.ISO_8859_1);
        int lf = s.indexOf("\n\n");
        int crlf = s.indexOf("\r\n\r\n");
        if (lf < 0 && crlf < 0) return data.length;
        if (crlf >= 0 && (lf < 0 || crlf < lf)) return crlf + 4;
        return lf + 2;
    }

    /** A header that was read must name data only inside its own folder. */
    static void requireInside(Path header, Path folder) {
        for (Path p : NrrdIO.dataFiles(header)) {
            if (!FuzzChecks.inside(p, folder)) {
                throw new AssertionError(header + " was read with data from " + p + ", outside " + folder);
            }
        }
    }
}
