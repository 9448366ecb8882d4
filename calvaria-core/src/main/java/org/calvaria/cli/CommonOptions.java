package org.calvaria.cli;

import picocli.CommandLine.Option;

/** Options every command takes: {@code --quiet}, {@code --verbose} (read by {@link Main} before running). */
public final class CommonOptions {
    @Option(
            names = {"-q", "--quiet"},
            description = "Print only warnings and errors; no progress bars.")
    boolean quiet;

    @Option(
            names = {"-v", "--verbose"},
            description = "Print debug details and stack traces.")
    boolean verbose;
}
