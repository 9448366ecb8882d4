package org.calvaria.cli;

import picocli.CommandLine.Command;

/** {@code calvaria bench ...}: commands that measure speed and memory and print figures. */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = "Measure speed and memory on real or synthetic data and print the figures.",
        subcommands = {BenchIoCommand.class, BenchNetCommand.class, BenchManufactureCommand.class})
public final class BenchCommand extends CalvariaCommand implements Runnable {

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
