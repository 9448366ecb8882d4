package org.calvaria.spark;

import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.SparkConf;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.calvaria.CalvariaException;
import org.calvaria.Provenance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs one kind of case work over a list of cases on Spark, with the fault handling every batch command shares. */
public final class Batch {
    private static final Logger LOG = LoggerFactory.getLogger(Batch.class);
    private static final Pattern LOCAL = Pattern.compile("local\\[(\\d+|\\*)\\]");

    private Batch() {}

    /** What a task does for one case: reads {@code input}, writes its files into {@code staging}, returns figures. */
    @FunctionalInterface
    public interface CaseWork extends Serializable {
        Map<String, Object> make(CaseSpec c, Path input, Path staging, String finalFolder) throws Exception;
    }

    /** Settings every task needs. */
    public record Job(
            CaseFolders folders,
            boolean resume,
            boolean failFast,
            boolean simulateKill,
            int tfThreads,
            Broadcast<byte[]> model)
            implements Serializable {
        public byte[] modelBytes() {
            return model == null ? null : model.value();
        }
    }

    /** Thrown by the simulated kill of a task's first attempt (never turned into a 'failed' row). */
    public static final class SimulatedKill extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public SimulatedKill(String m) {
            super(m);
        }
    }

    /** The Spark session for a batch: the given master, else spark-submit's, else local[*]. */
    public static SparkSession session(BatchOptions o, String appName) {
        SparkConf conf = new SparkConf(true);
        String master =
                o.master != null ? o.master : conf.contains("spark.master") ? conf.get("spark.master") : "local[*]";
        Matcher m = LOCAL.matcher(master);
        if (m.matches()) master = "local[" + m.group(1) + "," + (o.taskRetries + 1) + "]";
        if (o.taskRetries < 0) throw new CalvariaException("--task-retries must be 0 or more");
        SparkSession.Builder b = SparkSession.builder().appName(appName).master(master);
        if (!conf.contains("spark.ui.enabled") && master.startsWith("local")) b.config("spark.ui.enabled", "false");
        if (!conf.contains("spark.sql.shuffle.partitions")) b.config("spark.sql.shuffle.partitions", "4");
        return b.getOrCreate();
    }

    /** The cores of a {@code local[N]} or {@code local[*]} master; 1 for a cluster master (one task's worth). */
    static int localCores(String master) {
        Matcher m = LOCAL.matcher(master);
        if (!m.matches()) return 1;
        return m.group(1).equals("*") ? Runtime.getRuntime().availableProcessors() : Integer.parseInt(m.group(1));
    }

    /** Threads per task (TensorFlow's and Calvaria's own): --tf-threads, else spark.task.cpus. */
    public static int tfThreads(SparkSession spark, BatchOptions o) {
        int n = o.tfThreads != null
                ? o.tfThreads
                : Integer.parseInt(spark.sparkContext().getConf().get("spark.task.cpus", "1"));
        if (n < 1 || n > 1024) throw new CalvariaException("--tf-threads must be 1..1024, got " + n);
        return n;
    }

    /** A job id: the Spark application id and the start time, so a rerun is told apart from a retried attempt. */
    public static String jobId(SparkSession spark) {
        return (spark.sparkContext().applicationId() + "-" + System.currentTimeMillis())
                .replaceAll("[^A-Za-z0-9_-]", "_");
    }

    /** Runs {@code work} for every case; returns one row per case, in case order. */
    public static List<Map<String, Object>> run(
            SparkSession spark, List<CaseSpec> cases, Integer partitions, Job job, CaseWork work) {
        int n = partitions != null ? partitions : cases.size();
        if (n < 1) throw new CalvariaException("--partitions must be at least 1");
        job.folders().removeStaging();
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        List<Map<String, Object>> rows;
        try {
            rows = new ArrayList<>(jsc.parallelize(cases, Math.min(n, cases.size()))
                    .map(c -> runCase(c, job, work))
                    .collect());
        } catch (RuntimeException e) {
            job.folders().removeStaging();
            throw failFastOrRethrow(e);
        }
        job.folders().removeStaging();
        rows.sort((a, b) -> String.valueOf(a.get("case_id")).compareTo(String.valueOf(b.get("case_id"))));
        return rows;
    }

    static Map<String, Object> runCase(CaseSpec c, Job job, CaseWork work) {
        org.calvaria.Progress.enabled(false); // no progress bars in executors' logs
        TaskContext tc = TaskContext.get();
        int attemptNumber = tc == null ? 0 : tc.attemptNumber();
        long attempt = tc == null ? System.nanoTime() : tc.taskAttemptId();
        CaseFolders folders = job.folders();
        Map<String, Object> done = folders.finished(c.id());
        if (done != null && (job.resume() || folders.jobId().equals(done.get("job_id")))) {
            done.put("resumed", true);
            return done;
        }
        long t0 = System.nanoTime();
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("case_id", c.id());
        row.put("input", c.input());
        row.put("status", "done");
        row.put("error", null);
        row.put("job_id", folders.jobId());
        row.put("resumed", false);
        row.put("task_attempt", attemptNumber);
        row.put("executor", hostName());
        Path staging = null, scratch = null, input = null;
        try {
            staging = folders.stage(c.id(), attempt);
            scratch = Files.createTempDirectory("calvaria-input-");
            input = folders.localInput(c.input(), scratch);
            String finalFolder = folders.caseFolder(c.id());
            row.put("output_folder", finalFolder);
            Path in = input, out = staging; // effectively final copies for the lambda
            row.putAll(withThreads(job.tfThreads(), () -> work.make(c, in, out, finalFolder)));
            if (job.simulateKill() && attemptNumber == 0) killMidWrite(staging, c.id());
            row.put("seconds_case", Math.round((System.nanoTime() - t0) / 1e6) / 1000.0);
            folders.publish(staging, c.id(), row, attempt);
            staging = null;
            return row;
        } catch (SimulatedKill k) {
            staging = null; // a killed task leaves its staging folder behind, as a real kill would
            throw k;
        } catch (Throwable e) {
            if (e instanceof VirtualMachineError v && !(e instanceof OutOfMemoryError)) throw v;
            String error = oneLine(e);
            // a remote input's error names the input, not the executor's temporary copy of it
            if (input != null && !CaseFolders.isLocal(c.input())) error = error.replace(input.toString(), c.input());
            LOG.warn("case {} failed: {}", c.id(), error);
            if (job.failFast()) throw new CalvariaException("case " + c.id() + " failed: " + error, e);
            Map<String, Object> failed = new LinkedHashMap<>();
            for (String k :
                    List.of("case_id", "input", "status", "error", "job_id", "resumed", "task_attempt", "executor")) {
                failed.put(k, row.get(k));
            }
            failed.put("status", "failed");
            failed.put("error", error);
            failed.put("seconds_case", Math.round((System.nanoTime() - t0) / 1e6) / 1000.0);
            return failed;
        } finally {
            try {
                if (staging != null) CaseFolders.deleteTree(staging);
                if (scratch != null) CaseFolders.deleteTree(scratch);
            } catch (java.io.IOException ignored) {
                // a temporary folder that cannot be removed is removed with the staging area at the job's end
            }
        }
    }

    /**
     * Runs {@code work} in a pool of {@code threads} threads: the core's parallel streams started inside it use that
     * pool instead of the JVM-wide common pool, so a task uses the cores Spark gave it (spark.task.cpus) and no more.
     * Without this, each of local[2]'s two tasks spread over both cores and the tasks slowed each other down.
     */
    static <T> T withThreads(int threads, java.util.concurrent.Callable<T> work) throws Exception {
        java.util.concurrent.ForkJoinPool pool = new java.util.concurrent.ForkJoinPool(threads);
        try {
            return pool.submit(work).get();
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof Exception x) throw x;
            if (e.getCause() instanceof Error x) throw x;
            throw e;
        } finally {
            pool.shutdown();
        }
    }

    /** The simulated kill: one output is cut to half its length, as a process killed while writing leaves it. */
    private static void killMidWrite(Path staging, String caseId) throws java.io.IOException {
        try (var s = Files.list(staging)) {
            Path biggest = s.filter(Files::isRegularFile)
                    .max((a, b) -> Long.compare(a.toFile().length(), b.toFile().length()))
                    .orElse(null);
            if (biggest != null) {
                byte[] b = Files.readAllBytes(biggest);
                Files.write(biggest, java.util.Arrays.copyOf(b, b.length / 2));
            }
        }
        throw new SimulatedKill("simulated kill of the first attempt at case " + caseId + " while writing");
    }

    /** The one-line error of a failed case: the first line of the innermost useful message. */
    static String oneLine(Throwable e) {
        Throwable t = e;
        String msg = null;
        while (t != null) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                msg = t.getMessage();
                if (t instanceof CalvariaException) break;
            }
            if (t.getCause() == null || t.getCause() == t) break;
            t = t.getCause();
        }
        if (msg == null) msg = e.getClass().getSimpleName();
        if (e instanceof OutOfMemoryError)
            msg = "out of memory (give executors more memory or run fewer cases at once)";
        String line = msg.strip().lines().findFirst().orElse(msg);
        return line.length() > 500 ? line.substring(0, 500) + "..." : line;
    }

    private static final Pattern FAIL_FAST = Pattern.compile("case (\\S+) failed: ([^\\n]*)");

    private static RuntimeException failFastOrRethrow(RuntimeException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            Matcher m = FAIL_FAST.matcher(String.valueOf(t.getMessage()));
            if (m.find()) {
                return new CalvariaException("case " + m.group(1) + " failed: "
                        + m.group(2).replaceAll("^org\\.calvaria\\.CalvariaException: ", "")
                        + " (--fail-fast: the job was stopped)");
            }
            if (t.getCause() == t) break;
        }
        return e;
    }

    private static String hostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }

    /** Prints the end-of-job lines; returns the exit code (0, or 1 when cases failed under --fail-fast). */
    public static int finish(List<Map<String, Object>> rows, String what, double seconds, List<String> written) {
        long failed =
                rows.stream().filter(r -> "failed".equals(r.get("status"))).count();
        long resumed =
                rows.stream().filter(r -> Boolean.TRUE.equals(r.get("resumed"))).count();
        System.out.printf(
                Locale.ROOT,
                "%s: %d cases, %d done (%d kept from an earlier run), %d failed, in %.1f s%n",
                what,
                rows.size(),
                rows.size() - failed,
                resumed,
                failed,
                seconds);
        System.out.println("wrote " + String.join(", ", written));
        if (failed > 0) {
            System.err.println("warning: " + failed + " of " + rows.size() + " cases failed; their rows in results.csv"
                    + " say why (rerun with --resume to redo only them):");
            rows.stream()
                    .filter(r -> "failed".equals(r.get("status")))
                    .limit(10)
                    .forEach(r -> System.err.println("warning:   " + r.get("case_id") + ": " + r.get("error")));
        }
        return 0;
    }

    static String provenance(String command) {
        return Provenance.line(command);
    }
}
