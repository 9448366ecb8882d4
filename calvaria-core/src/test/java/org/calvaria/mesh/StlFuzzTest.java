package org.calvaria.mesh;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.calvaria.Progress;
import org.calvaria.testing.FuzzChecks;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Coverage-guided fuzzing of the STL reader (binary and ASCII; the input is written as {@code m.stl} and read the way
 * the commands read meshes). Properties: a mesh or a one-line {@link org.calvaria.CalvariaException}; at most
 * {@link #ALLOCATION} bytes allocated (a binary STL cannot hold more than one triangle per 50 bytes, so small inputs
 * must stay small); no input over {@link FuzzChecks#MAX_MILLIS}.
 */
class StlFuzzTest {
    static final long ALLOCATION = 256L << 20;

    private static Path root;

    @BeforeAll
    static void setUp() throws IOException {
        Progress.enabled(false);
        root = Files.createTempDirectory("calvaria-stl-fuzz");
    }

    @AfterAll
    static void tearDown() throws IOException {
        FuzzChecks.emptyFolder(root);
        Files.delete(root);
    }

    @FuzzTest(maxDuration = "30s")
    void stl(byte[] data) throws IOException {
        FuzzChecks.input(data);
        Path folder = FuzzChecks.emptyFolder(root.resolve("case"));
        Path file = Files.write(folder.resolve("m.stl"), data);
        FuzzChecks.check("STL", ALLOCATION, () -> {
            TriangleMesh m = MeshIO.read(file);
            m.triangleCount();
        });
    }
}
