package org.calvaria.spark;

import picocli.CommandLine.Option;

/** Options every {@code batch} command takes (besides its single-machine command's own). */
public final class BatchOptions {
    @Option(
            names = "--master",
            paramLabel = "URL",
            description = "Spark master (default: the one spark-submit gives, else local[*]: this machine's cores)."
                    + " A local master local[N] retries a failed task up to --task-retries times, as a cluster does.")
    String master;

    @Option(
            names = "--partitions",
            paramLabel = "N",
            description = "Spark partitions (default: one per case, so a retried task redoes one case).")
    Integer partitions;

    @Option(names = "--resume", description = "Skip cases whose output folder is complete (from an earlier run).")
    boolean resume;

    @Option(
            names = "--fail-fast",
            description = "Stop at the first case that fails and exit 1 (default: a failed"
                    + " case is a 'failed' row, the job goes on and exits 0 with a warning).")
    boolean failFast;

    @Option(
            names = "--task-retries",
            paramLabel = "N",
            defaultValue = "3",
            description = "Retries of a task whose executor died or failed, on local masters (default ${DEFAULT-VALUE};"
                    + " on a cluster set spark.task.maxFailures).")
    int taskRetries;

    @Option(
            names = "--tf-threads",
            paramLabel = "N",
            description = "Threads per task, TensorFlow's and Calvaria's own (default: spark.task.cpus, 1 unless"
                    + " set), so that the tasks of an executor do not oversubscribe its cores.")
    Integer tfThreads;

    @Option(
            names = "--simulate-kill",
            hidden = true,
            description = "Tests only: the first attempt of each task dies half-way through writing its case.")
    boolean simulateKill;

    @Option(
            names = {"-q", "--quiet"},
            description = "Print only warnings and errors.")
    boolean quiet;

    @Option(
            names = {"-v", "--verbose"},
            description = "Print debug details (and Spark's own log at INFO).")
    boolean verbose;
}
