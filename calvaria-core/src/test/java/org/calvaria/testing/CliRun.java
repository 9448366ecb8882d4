package org.calvaria.testing;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.calvaria.cli.Main;
import picocli.CommandLine;

/**
 * Runs the {@code calvaria} command in-process, as a user would, capturing its exit code, stdout and stderr: the
 * command line's own streams (commands print through them, and log lines go to its error stream), so the process's
 * {@code System.out} and {@code System.err} are never swapped. One run at a time: log lines and progress bars are
 * process-wide.
 */
public final class CliRun {
    private CliRun() {}

    /** What one run printed and returned. */
    public record Result(int exitCode, String out, String err) {
        /** The non-blank lines written to stderr (a failure must be exactly one). */
        public java.util.List<String> errLines() {
            return err.lines().filter(l -> !l.isBlank()).toList();
        }
    }

    public static synchronized Result run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    /** Runs with stdout and stderr into one text, in the order they were written. */
    public static synchronized Result runMerged(String... args) {
        StringWriter both = new StringWriter();
        PrintWriter w = new PrintWriter(both, true);
        CommandLine cl = Main.commandLine();
        cl.setOut(w);
        cl.setErr(w);
        int code = cl.execute(args);
        return new Result(code, both.toString(), both.toString());
    }
}
