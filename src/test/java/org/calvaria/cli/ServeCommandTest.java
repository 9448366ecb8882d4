package org.calvaria.cli;

import static org.calvaria.testing.CliRun.run;
import org.calvaria.testing.CliRun.Result;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;

import static org.junit.jupiter.api.Assertions.*;

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
        assertEquals(1, zero.exitCode());
        assertTrue(zero.err().contains("--max-upload-mb must be between 1 and"), zero.err());
        Result port = run("serve", "--port", "70000");
        assertEquals(1, port.exitCode());
        assertTrue(port.err().contains("port 70000 is not a TCP port"), port.err());
        Result usage = run("serve", "--port", "eighty");
        assertEquals(2, usage.exitCode(), "picocli's bad-usage code");
        Result help = run("serve", "--help");
        assertEquals(0, help.exitCode());
        for (String option : new String[] {"--port", "--bind", "--max-upload-mb", "--model"}) {
            assertTrue(help.out().contains(option), option);
        }
    }
}
