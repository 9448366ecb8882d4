package org.calvaria.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;
import org.calvaria.CalvariaException;
import org.calvaria.Progress;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Errors (out of memory, stack overflow) end as one {@code error:} line and exit code 1, never a stack trace, and every
 * {@code error:} line starts on a line of its own even when a progress bar was being drawn.
 */
class MainErrorsTest {
    private record Outcome(int code, String err) {}

    /** Runs {@code calvaria boom} whose command draws a progress bar, then throws what {@code failure} gives. */
    private static Outcome runBoom(Supplier<Throwable> failure, String... extra) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        String noProgress = System.clearProperty("calvaria.noprogress");
        try {
            PrintStream captured = new PrintStream(err, true, StandardCharsets.UTF_8);
            Progress.output(captured); // the bar and the error line share the stream, as on a terminal
            CommandLine cl = Main.commandLine();
            Runnable boom = () -> {
                Progress p = Progress.start("boom task", 10);
                p.step();
                long until = System.currentTimeMillis() + 5000;
                while (!err.toString(StandardCharsets.UTF_8).contains("boom task")
                        && System.currentTimeMillis() < until) {
                    Thread.onSpinWait();
                }
                Throwable t = failure.get(); // the bar stays open: nothing closes it on the way out
                if (t instanceof Error e) throw e;
                throw (RuntimeException) t;
            };
            CommandLine.Model.CommandSpec spec = CommandLine.Model.CommandSpec.wrapWithoutInspection(boom);
            spec.mixinStandardHelpOptions(true);
            spec.addOption(
                    CommandLine.Model.OptionSpec.builder("-v", "--verbose").build());
            cl.addSubcommand("boom", spec);
            cl.setErr(new java.io.PrintWriter(captured, true)); // after adding: it reaches every subcommand
            String[] args = new String[extra.length + 1];
            args[0] = "boom";
            System.arraycopy(extra, 0, args, 1, extra.length);
            int code = cl.execute(args);
            return new Outcome(code, err.toString(StandardCharsets.UTF_8));
        } finally {
            Progress.endLine();
            Progress.output(null);
            if (noProgress != null) System.setProperty("calvaria.noprogress", noProgress);
        }
    }

    private static String errorLine(Outcome o) {
        assertEquals(1, o.code(), o.err());
        assertTrue(o.err().contains("boom task"), "the bar was drawn: " + o.err());
        int at = o.err().indexOf("error: ");
        assertTrue(at > 0, o.err());
        assertEquals('\n', o.err().charAt(at - 1), "error: must start a line: " + o.err());
        String line = o.err().substring(at).strip();
        assertFalse(line.contains("\n"), "one line, no trace: " + o.err());
        assertFalse(o.err().contains("\tat "), "no stack trace: " + o.err());
        return line;
    }

    @Test
    void outOfMemoryIsOneLineWithAdvice() {
        String line = errorLine(runBoom(() -> new OutOfMemoryError("Java heap space")));
        assertTrue(line.startsWith("error: out of memory running 'calvaria boom' (Java may use "), line);
        assertTrue(line.matches(".*; run with JAVA_OPTS=-Xmx\\d+g \\(or a smaller input\\)"), line);
    }

    @Test
    void stackOverflowAndOtherErrorsAreOneLine() {
        String line = errorLine(runBoom(StackOverflowError::new));
        assertEquals(
                "error: stack overflow running 'calvaria boom'; run with JAVA_OPTS=-Xss512m (or a smaller" + " input)",
                line);
        line = errorLine(runBoom(() -> new NoClassDefFoundError("org/tensorflow/Graph")));
        assertEquals(
                "error: internal failure running 'calvaria boom' (NoClassDefFoundError: org/tensorflow/Graph);"
                        + " run with --verbose for details",
                line);
    }

    @Test
    void anOrdinaryFailureAlsoStartsOnAFreshLine() {
        String line = errorLine(runBoom(() -> new CalvariaException("the skull is missing")));
        assertEquals("error: the skull is missing", line);
    }
}
