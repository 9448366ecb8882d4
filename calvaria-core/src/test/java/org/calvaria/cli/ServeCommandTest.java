package org.calvaria.cli;

import static org.calvaria.testing.CliRun.run;
import static org.junit.jupiter.api.Assertions.*;

import java.net.ServerSocket;
import org.calvaria.testing.CliRun.Result;
import org.junit.jupiter.api.Test;

/**
 * {@code calvaria serve}: options and the model are checked before anything listens (the served pipeline itself is
 * tested in {@code org.calvaria.web.PipelineDesignServiceTest}).
 */
class ServeCommandTest {
    @Test
    void aBadModelFileStopsServeBeforeItListens() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        java.nio.file.Path bad = java.nio.file.Files.createTempFile("bad", ".calvaria-model");
        try {
            java.nio.file.Files.writeString(bad, "not a model");
            Result r = run("serve", "--port", String.valueOf(port), "--model", bad.toString());
            assertEquals(1, r.exitCode());
            assertTrue(r.err().strip().startsWith("error: "), r.err());
            assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
            assertEquals("", r.out(), "no URL is printed");
            try (ServerSocket again = new ServerSocket(port)) {
                assertEquals(port, again.getLocalPort(), "nothing was left listening");
            }
        } finally {
            java.nio.file.Files.deleteIfExists(bad);
        }
    }

    @Test
    void badOptionsAreReportedBeforeAnythingStarts() {
        Result zero = run("serve", "--max-upload-mb", "0");
        assertEquals(2, zero.exitCode(), "a bad option value is bad usage");
        assertTrue(zero.err().contains("--max-upload-mb must be between 1 and"), zero.err());
        assertTrue(zero.err().contains("Usage: calvaria serve"), "picocli's usage follows: " + zero.err());
        Result port = run("serve", "--port", "70000");
        assertEquals(1, port.exitCode());
        assertTrue(port.err().contains("port 70000 is not a TCP port"), port.err());
        Result usage = run("serve", "--port", "eighty");
        assertEquals(2, usage.exitCode(), "picocli's bad-usage code");
        Result help = run("serve", "--help");
        assertEquals(0, help.exitCode());
        for (String option : new String[] {"--port", "--bind", "--max-upload-mb", "--temp-dir", "--model"}) {
            assertTrue(help.out().contains(option), option);
        }
    }

    @Test
    void aTempDirThatCannotBeUsedIsReportedWithTheReasonBeforeAnythingListens() throws Exception {
        java.nio.file.Path file = java.nio.file.Files.createTempFile("not-a-folder", ".txt");
        try {
            Result r = run("serve", "--port", "0", "--temp-dir", file.toString());
            assertEquals(1, r.exitCode());
            String err = r.err().strip();
            assertEquals(1, err.lines().count(), "one line: " + err);
            assertTrue(
                    err.startsWith("error: cannot create a temporary folder for uploads in " + file
                            + ": it is a file, not a folder; choose a folder this user can write to with --temp-dir"),
                    err);
            assertEquals("", r.out(), "no URL is printed");
        } finally {
            java.nio.file.Files.deleteIfExists(file);
        }
    }
}
