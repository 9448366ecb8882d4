package org.calvaria.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code calvaria serve} until the design pipeline is wired in: it checks its options, then refuses to start with a
 * one-line message instead of serving a page that cannot design.
 */
class ServeCommandTest {
    record Result(int exitCode, String out, String err) {}

    static Result run(String... args) {
        PrintStream oldOut = System.out, oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int code;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            code = Main.run(args);
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void refusesToStartWithoutTheDesignPipelineAndLeavesThePortFree() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        Result r = run("serve", "--port", String.valueOf(port));
        assertEquals(1, r.exitCode());
        assertEquals("error: 'serve' is not connected to the implant design pipeline in this build yet, so it cannot"
                + " design implants; use a build that includes the 'design' command", r.err().strip());
        assertEquals("", r.out(), "no URL is printed");
        try (ServerSocket again = new ServerSocket(port)) {
            assertEquals(port, again.getLocalPort(), "nothing was left listening");
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
