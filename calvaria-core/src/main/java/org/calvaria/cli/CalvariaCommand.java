package org.calvaria.cli;

import java.io.PrintWriter;
import org.calvaria.Progress;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * What every {@code calvaria} command shares: it prints through its command line's streams ({@link #out()},
 * {@link #err()}), never {@code System.out}, so that a caller (or a test) chooses where output goes; and a bad option
 * value fails as bad usage ({@link #badOption}): picocli prints the message and the command's usage, exit code 2.
 */
abstract class CalvariaCommand {
    @Spec
    CommandSpec spec;

    /** Where results go: the command line's standard output (after ending any line a progress bar left open). */
    protected PrintWriter out() {
        Progress.breakLine();
        return spec.commandLine().getOut();
    }

    /** Where notes for the user go: the command line's standard error. */
    protected PrintWriter err() {
        return spec.commandLine().getErr();
    }

    /** A bad option value or combination: thrown, it exits 2 with {@code message} and the usage. */
    protected ParameterException badOption(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    /** Fails as bad usage with {@code message} unless {@code ok}. */
    protected void require(boolean ok, String message) {
        if (!ok) throw badOption(message);
    }

    /** Parses an option value with a parser written elsewhere; its complaint becomes a usage failure. */
    protected <T> T parsed(java.util.function.Supplier<T> parse) {
        try {
            return parse.get();
        } catch (org.calvaria.CalvariaException e) {
            throw badOption(e.getMessage());
        }
    }

    /** Runs an option check written elsewhere (for example an options record's validate()) as a usage check. */
    protected void requireValid(Runnable check) {
        try {
            check.run();
        } catch (org.calvaria.CalvariaException e) {
            throw badOption(e.getMessage());
        }
    }
}
