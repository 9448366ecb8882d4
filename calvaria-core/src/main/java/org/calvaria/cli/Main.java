package org.calvaria.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import java.io.PrintWriter;
import org.calvaria.CalvariaException;
import org.calvaria.Progress;
import org.calvaria.Provenance;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code calvaria} command. Exit codes: 0 ok, 1 failure, 2 bad usage. */
@Command(
        name = "calvaria",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Designs patient-specific cranial implants from skull scans.",
        subcommands = {
            InfoCommand.class,
            ConvertCommand.class,
            SegmentCommand.class,
            MeshCommand.class,
            VoxelizeCommand.class,
            PreviewCommand.class,
            BenchCommand.class,
            DefectsCommand.class,
            DatasetCommand.class,
            TrainCommand.class,
            DesignCommand.class,
            DemoCommand.class,
            EvaluateCommand.class,
            ServeCommand.class,
            StudyCommand.class,
            PlotTrainingCommand.class,
            MouldCommand.class,
            CommandLine.HelpCommand.class,
        })
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the tool and returns its exit code (used by tests, which must not call System.exit). */
    public static int run(String... args) {
        CommandLine cl = commandLine();
        return cl.execute(args);
    }

    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        // 'bench-net', the old spelling of 'bench net', still runs it; the help lists only 'bench net'
        CommandLine benchNet = new CommandLine(new BenchNetCommand());
        benchNet.getCommandSpec().usageMessage().hidden(true);
        cl.addSubcommand("bench-net", benchNet);
        cl.setExecutionExceptionHandler(Main::handleFailure);
        cl.setExecutionStrategy(Main::configureThenRun);
        return cl;
    }

    private static int configureThenRun(CommandLine.ParseResult parseResult) {
        boolean quiet = false, verbose = false;
        for (CommandLine.ParseResult p = parseResult; p != null; p = p.subcommand()) {
            if (p.hasMatchedOption("--quiet")) quiet = true;
            if (p.hasMatchedOption("--verbose")) verbose = true;
        }
        // The level is put back afterwards: a --quiet run must not silence whatever else this JVM does next
        // (the web app's designs, tests, an embedding program).
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        Level levelBefore = root.getLevel();
        configureLogging(quiet, verbose);
        Progress.enabled(!quiet && System.getProperty("calvaria.noprogress") == null);
        ConsoleLog.target(parseResult.commandSpec().commandLine().getErr()); // log lines join the command's errors
        try {
            return new CommandLine.RunLast().execute(parseResult);
        } catch (Error e) {
            // picocli hands only Exceptions to handleFailure; an Error would end the JVM with a raw stack trace
            return handleError(e, parseResult.commandSpec().commandLine(), verbose);
        } finally {
            ConsoleLog.target(null);
            root.setLevel(levelBefore);
        }
    }

    /** One {@code error:} line for an Error (out of memory, stack overflow, a broken installation); exit code 1. */
    static int handleError(Error e, CommandLine cl, boolean verbose) {
        Progress.endLine();
        PrintWriter err = cl.getErr();
        String running = "running '" + commandText(cl) + "'";
        if (e instanceof OutOfMemoryError) {
            long maxGiB = Runtime.getRuntime().maxMemory() >> 30;
            long suggest = 16;
            while (suggest <= maxGiB) suggest *= 2;
            err.println("error: out of memory " + running + " (Java may use "
                    + (maxGiB > 0 ? maxGiB + " GiB" : (Runtime.getRuntime().maxMemory() >> 20) + " MiB")
                    + "); run with JAVA_OPTS=-Xmx" + suggest
                    + "g (or a smaller input)");
        } else if (e instanceof StackOverflowError) {
            err.println("error: stack overflow " + running + "; run with JAVA_OPTS=-Xss512m (or a smaller input)");
        } else {
            err.println(
                    "error: internal failure " + running + " (" + e.getClass().getSimpleName()
                            + (e.getMessage() == null ? "" : ": " + shorten(e.getMessage())) + ")"
                            + (verbose ? "" : "; run with --verbose for details"));
        }
        if (verbose) e.printStackTrace(err);
        err.flush();
        return 1;
    }

    /** "calvaria design skull.nrrd -o implant.stl", at most 200 characters. */
    private static String commandText(CommandLine cl) {
        CommandLine root = cl;
        while (root.getParent() != null) root = root.getParent();
        CommandLine.ParseResult pr = root.getParseResult();
        String args = pr == null ? "" : String.join(" ", pr.originalArgs());
        return shorten(("calvaria " + args).trim());
    }

    private static String shorten(String s) {
        String t = s.replace('\n', ' ').replace('\r', ' ');
        return t.length() > 200 ? t.substring(0, 200) + "..." : t;
    }

    static void configureLogging(boolean quiet, boolean verbose) {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(quiet ? Level.WARN : verbose ? Level.DEBUG : Level.INFO);
    }

    private static int handleFailure(Exception e, CommandLine cl, CommandLine.ParseResult pr) {
        Progress.endLine(); // the error starts on a fresh line even when a bar was being drawn
        PrintWriter err = cl.getErr();
        boolean verbose = false;
        for (CommandLine.ParseResult p = pr; p != null; p = p.subcommand()) {
            if (p.hasMatchedOption("--verbose")) verbose = true;
        }
        if (e.getCause() instanceof Error error) {
            return handleError(error, cl, verbose); // an Error wrapped on its way (for example by a worker thread)
        }
        if (e instanceof CalvariaException) {
            err.println("error: " + e.getMessage());
        } else {
            err.println("error: " + e.getClass().getSimpleName() + ": " + e.getMessage()
                    + (verbose ? "" : " (run with --verbose for details)"));
        }
        if (verbose) e.printStackTrace(err);
        err.flush();
        return 1;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Version string from the build. */
    public static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {
                "calvaria " + Provenance.version(),
                "Java " + System.getProperty("java.version") + " on " + System.getProperty("os.name") + " "
                        + System.getProperty("os.arch")
            };
        }
    }
}
