package org.calvaria.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code calvaria bench ...}: commands that measure speed and memory and print figures. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure speed and memory on real or synthetic data and print the figures.",
        subcommands = {BenchIoCommand.class, BenchManufactureCommand.class})
public final class BenchCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
