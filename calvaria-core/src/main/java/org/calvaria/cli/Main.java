package org.calvaria.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
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
        // the subcommands are added in commandLine(), from SUBCOMMANDS
        description = "Designs patient-specific cranial implants from skull scans.")
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /**
     * The subcommands by name, in the order the help lists them. Only the one being run is built: picocli reads every
     * option of every command it is given by reflection, which loaded most of the tool's classes at each start.
     */
    static final Map<String, Supplier<Object>> SUBCOMMANDS = subcommands();

    private static Map<String, Supplier<Object>> subcommands() {
        Map<String, Supplier<Object>> m = new LinkedHashMap<>();
        m.put("info", InfoCommand::new);
        m.put("convert", ConvertCommand::new);
        m.put("segment", SegmentCommand::new);
        m.put("mesh", MeshCommand::new);
        m.put("voxelize", VoxelizeCommand::new);
        m.put("preview", PreviewCommand::new);
        m.put("bench", BenchCommand::new);
        m.put("defects", DefectsCommand::new);
        m.put("dataset", DatasetCommand::new);
        m.put("train", TrainCommand::new);
        m.put("design", DesignCommand::new);
        m.put("demo", DemoCommand::new);
        m.put("evaluate", EvaluateCommand::new);
        m.put("serve", ServeCommand::new);
        m.put("study", StudyCommand::new);
        m.put("plot-training", PlotTrainingCommand::new);
        m.put("mould", MouldCommand::new);
        m.put("help", CommandLine.HelpCommand::new);
        return m;
    }

    /** Runs the tool and returns its exit code (used by tests, which must not call System.exit). */
    public static int run(String... args) {
        CommandLine cl = commandLine(args.length > 0 ? args[0] : null);
        return cl.execute(args);
    }

    /** The whole command tree (help, tests). */
    public static CommandLine commandLine() {
        return commandLine(null);
    }

    /**
     * The command tree for a command line whose first word is {@code first}: only that subcommand when it names one
     * ({@code help} needs them all, so does anything else: an option, a typo picocli suggests corrections for).
     */
    static CommandLine commandLine(String first) {
        CommandLine cl = new CommandLine(new Main());
        boolean all =
                first == null || first.equals("help") || !(SUBCOMMANDS.containsKey(first) || first.equals("bench-net"));
        SUBCOMMANDS.forEach((name, make) -> {
            if (all || name.equals(first)) cl.addSubcommand(name, make.get());
        });
        if (all || first.equals("bench-net")) {
            // 'bench-net', the old spelling of 'bench net', still runs it; the help lists only 'bench net'
            CommandLine benchNet = new CommandLine(new BenchNetCommand());
            benchNet.getCommandSpec().usageMessage().hidden(true);
            cl.addSubcommand("bench-net", benchNet);
        }
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
