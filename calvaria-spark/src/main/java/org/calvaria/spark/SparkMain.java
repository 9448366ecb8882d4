package org.calvaria.spark;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.calvaria.CalvariaException;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code calvaria-spark}: the batch commands on Apache Spark. Run it with {@code ./calvaria-spark} (embedded
 * local[*] Spark) or {@code spark-submit --class org.calvaria.spark.SparkMain calvaria-spark.jar batch ...}.
 */
@Command(
        name = "calvaria-spark",
        mixinStandardHelpOptions = true,
        versionProvider = org.calvaria.cli.Main.Version.class,
        description = "Batch design, evaluation and dataset building over many scans on Apache Spark.",
        subcommands = {SparkMain.BatchGroup.class})
public final class SparkMain implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        int code = run(args);
        System.exit(code);
    }

    /** Runs a command line; returns the exit code (0 ok, 1 failure, 2 bad usage). */
    public static int run(String... args) {
        return commandLine().execute(args);
    }

    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new SparkMain());
        cl.setExecutionExceptionHandler((e, line, parsed) -> {
            String msg = e instanceof CalvariaException ? e.getMessage() : Batch.oneLine(e);
            System.err.println("error: " + msg);
            if (LoggerFactory.getLogger("org.calvaria").isDebugEnabled()) e.printStackTrace();
            return 1;
        });
        return cl;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "give a command: batch");
    }

    @Command(
            name = "batch",
            mixinStandardHelpOptions = true,
            description = "Run a single-machine command over many cases on Spark.",
            subcommands = {DesignBatch.class, EvaluateBatch.class, DatasetBatch.class, BenchCommand.class})
    public static final class BatchGroup implements Runnable {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "give a subcommand: design, evaluate, dataset or bench");
        }
    }

    /** Our log at INFO (WARN with --quiet, DEBUG with --verbose); Spark's, Hadoop's and Netty's at WARN. */
    static void configureLogging(BatchOptions o) {
        org.calvaria.Progress.enabled(false);
        if (!(LoggerFactory.getILoggerFactory() instanceof ch.qos.logback.classic.LoggerContext)) return;
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(o.quiet ? Level.WARN : o.verbose ? Level.DEBUG : Level.INFO);
        for (String noisy : new String[] {"org.apache", "org.sparkproject", "io.netty", "org.eclipse.jetty"}) {
            ((Logger) LoggerFactory.getLogger(noisy)).setLevel(o.verbose ? Level.INFO : Level.WARN);
        }
    }
}
