package org.calvaria.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * Locates the real skulls in {@code ../shared/data}. Tests that need them call these methods, which skip the test
 * with a message when the data is absent (a fresh clone has no ../shared).
 */
public final class SharedData {
    private SharedData() {}

    public static Path root() {
        Path p = Path.of(System.getProperty("calvaria.shared", "../shared/data"))
                .toAbsolutePath()
                .normalize();
        Assumptions.assumeTrue(
                Files.isDirectory(p),
                "skipped: real skull data not found at " + p
                        + " (place the shared data folder beside the project to run this test)");
        return p;
    }

    public static Path skullfix(String part, String caseId) {
        Path p = root().resolve("skullfix").resolve(part).resolve(caseId + ".nrrd");
        Assumptions.assumeTrue(Files.isRegularFile(p), "skipped: " + p + " not found");
        return p;
    }

    public static Path seg3dSkull() {
        Path p = root().resolve("seg3d-skull/Skull.nrrd");
        Assumptions.assumeTrue(Files.isRegularFile(p), "skipped: " + p + " not found");
        return p;
    }

    /** A folder of the dcm_qa_ct set: {@code "GE"} or {@code "Philips-S21610-S2010"}. */
    public static Path dcmQaCt(String name) {
        Path p = root().resolve("dcm-qa-ct").resolve(name);
        Assumptions.assumeTrue(Files.isDirectory(p), "skipped: " + p + " not found");
        return p;
    }

    public static Path invesaliusCt() {
        Path p = root().resolve("invesalius-cranium-ct/cranium.nhdr");
        Assumptions.assumeTrue(Files.isRegularFile(p), "skipped: " + p + " not found");
        return p;
    }
}
