package org.calvaria.spark;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.calvaria.CalvariaException;
import org.calvaria.Progress;
import org.calvaria.complete.CompletionModel;
import org.calvaria.pipeline.DesignPipeline;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code calvaria batch bench CASES_DIR}: cases per second of {@code batch design} on local Spark masters, next to a
 * plain loop over the design pipeline in one thread (one TensorFlow thread, as one Spark task gets). A measurement,
 * not a test.
 */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = {
            "Measure batch design: a plain loop over 'design' (one TensorFlow thread), then 'batch design'"
                    + " with each --master, on the same cases; prints cases/s, the speed-up of each master over the"
                    + " first, and Spark's overhead against the plain loop."
        })
public final class BenchCommand implements Callable<Integer> {
    @Parameters(paramLabel = "CASES_DIR", description = "Folder of defective skulls (e.g. SkullFix defective_skull/).")
    Path cases;

    @Option(
            names = "-n",
            paramLabel = "N",
            defaultValue = "6",
            description = "Cases to use (default ${DEFAULT-VALUE}).")
    int n;

    @Option(
            names = "--masters",
            paramLabel = "M",
            split = ";",
            defaultValue = "local[1];local[2]",
            description = "Spark masters to compare, separated by ';' (default ${DEFAULT-VALUE}).")
    List<String> masters;

    @Option(
            names = {"-o", "--output"},
            paramLabel = "DIR",
            description = "Scratch folder (default: a temporary one).")
    Path out;

    @Override
    public Integer call() throws Exception {
        BatchOptions quiet = new BatchOptions();
        quiet.quiet = true;
        SparkMain.configureLogging(quiet);
        Progress.enabled(false);
        List<Path> inputs;
        try (Stream<Path> s = Files.list(cases)) {
            inputs = s.filter(p -> CaseList.caseId(p.getFileName().toString(), Files.isDirectory(p)) != null)
                    .sorted()
                    .limit(n)
                    .toList();
        }
        if (inputs.size() < n)
            throw new CalvariaException("need " + n + " cases in " + cases + ", found " + inputs.size());
        Path root = out != null ? Files.createDirectories(out) : Files.createTempDirectory("calvaria-bench");
        Path in = Files.createDirectories(root.resolve("cases"));
        for (Path p : inputs) {
            Path link = in.resolve(p.getFileName());
            if (!Files.exists(link)) Files.createSymbolicLink(link, p.toAbsolutePath());
        }
        // Warm-up (not timed): the JIT and TensorFlow's first session.
        System.out.println("warming up on " + inputs.get(0).getFileName() + " ...");
        loop(inputs.subList(0, 1), root.resolve("warmup"));
        System.out.printf(
                Locale.ROOT,
                "%d cases from %s; %d processors%n",
                inputs.size(),
                cases,
                Runtime.getRuntime().availableProcessors());

        // The same for Spark (not timed): its classes, the Parquet writer and the executor's model load once per
        // JVM, as in a long job; the session start of each timed master is still counted (printed apart).
        Path warmIn = Files.createDirectories(root.resolve("warmup-case"));
        Path warmLink = warmIn.resolve(inputs.get(0).getFileName());
        if (!Files.exists(warmLink))
            Files.createSymbolicLink(warmLink, inputs.get(0).toAbsolutePath());
        runBatch(warmIn, root.resolve("warmup-batch"), masters.get(0));

        // One core's worth of threads, as a local[1] task gets (Batch.withThreads).
        double plain = Batch.withThreads(1, () -> loop(inputs, root.resolve("loop")));
        report("plain loop (1 thread)", inputs.size(), plain, Double.NaN, Double.NaN);
        List<Double> times = new ArrayList<>();
        int most = masters.stream().mapToInt(Batch::localCores).max().orElse(1);
        for (String master : masters) {
            Path o = root.resolve("batch-" + master.replaceAll("[^A-Za-z0-9]", "_"));
            long t0 = System.nanoTime();
            runBatch(in, o, master);
            double t = (System.nanoTime() - t0) / 1e9;
            times.add(t);
            report("batch design " + master, inputs.size(), t, times.get(0) / t, (t - plain) / plain);
        }
        if (most > 1)
            System.out.printf(
                    Locale.ROOT,
                    "this machine's own ceiling for %d threads against 1: %.2fx on pure arithmetic, %.2fx on passes"
                            + " over a 64 MB volume%n",
                    most,
                    parallelCeiling(most, BenchCommand::computeKernel),
                    parallelCeiling(most, BenchCommand::memoryKernel));
        return 0;
    }

    /**
     * How much faster {@code threads} threads finish {@code threads} copies of {@code kernel} than one thread finishes
     * one (best of four tries each): the most a parallel job of that kind can gain here. Virtual cores that share a
     * physical core, a shared memory bus or a busy host give less than {@code threads}.
     */
    static double parallelCeiling(int threads, Runnable kernel) throws InterruptedException {
        kernel.run(); // JIT warm-up
        double one = Double.MAX_VALUE, all = Double.MAX_VALUE;
        for (int k = 0; k < 4; k++) {
            one = Math.min(one, together(1, kernel));
            all = Math.min(all, together(threads, kernel));
        }
        return threads * one / all;
    }

    private static double together(int threads, Runnable kernel) throws InterruptedException {
        Thread[] ts = new Thread[threads];
        for (int i = 0; i < threads; i++) ts[i] = new Thread(kernel);
        long t0 = System.nanoTime();
        for (Thread t : ts) t.start();
        for (Thread t : ts) t.join();
        return (System.nanoTime() - t0) / 1e9;
    }

    @SuppressWarnings("UnusedVariable") // written, never read: it keeps the JIT from dropping the kernels' loops
    private static volatile double sink;

    /** Pure arithmetic on registers: eight independent multiply-add chains (no memory traffic). */
    static void computeKernel() {
        double[] a = {1, 1.1, 1.2, 1.3, 1.4, 1.5, 1.6, 1.7};
        double a0 = a[0], a1 = a[1], a2 = a[2], a3 = a[3], a4 = a[4], a5 = a[5], a6 = a[6], a7 = a[7];
        for (long i = 0; i < 100_000_000L; i++) {
            a0 = a0 * 0.999_999_9 + 1e-9;
            a1 = a1 * 0.999_999_9 + 1e-9;
            a2 = a2 * 0.999_999_9 + 1e-9;
            a3 = a3 * 0.999_999_9 + 1e-9;
            a4 = a4 * 0.999_999_9 + 1e-9;
            a5 = a5 * 0.999_999_9 + 1e-9;
            a6 = a6 * 0.999_999_9 + 1e-9;
            a7 = a7 * 0.999_999_9 + 1e-9;
        }
        sink = a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7;
    }

    /** Read-modify-write passes over a 64 MB byte volume, about a SkullFix scan's size (more than the L3 cache). */
    static void memoryKernel() {
        byte[] v = new byte[64 << 20];
        long sum = 0;
        for (int pass = 0; pass < 6; pass++) {
            for (int i = 0; i < v.length; i++) {
                v[i] = (byte) (v[i] + pass);
                sum += v[i];
            }
        }
        sink = sum;
    }

    private static void runBatch(Path in, Path out, String master) {
        int code = SparkMain.run("batch", "design", in.toString(), "-o", out.toString(), "--master", master, "-q");
        SparkSession.active().stop();
        if (code != 0) throw new CalvariaException("batch design with " + master + " failed (exit " + code + ")");
    }

    /** Designs each case in turn with one model session (one TensorFlow thread); returns seconds, model load excluded. */
    static double loop(List<Path> inputs, Path outDir) throws java.io.IOException {
        Files.createDirectories(outDir);
        // The model is loaded before the clock starts: batch design's executors keep theirs between jobs (Models).
        try (CompletionModel m = CompletionModel.load(CompletionModel.defaultModelFile(), 1)) {
            long t0 = System.nanoTime();
            DesignPipeline p = new DesignPipeline(m, "bundled default model");
            for (Path in : inputs) {
                String id = CaseList.caseId(in.getFileName().toString(), Files.isDirectory(in));
                Path dir = Files.createDirectories(outDir.resolve(id));
                p.run(
                        in,
                        DesignPipeline.Settings.defaults()
                                .withManufacture(new org.calvaria.manufacture.Manufacture.Options(
                                        0.5, 2.0, null, null, null, 20)),
                        new DesignPipeline.OutputFiles(
                                dir.resolve("implant.stl"), null, null, dir.resolve("report.json"), null),
                        s -> {});
            }
            return (System.nanoTime() - t0) / 1e9;
        }
    }

    private static void report(String what, int cases, double seconds, double speedUp, double overhead) {
        System.out.printf(
                Locale.ROOT,
                "%-28s %7.1f s  %.4f cases/s%s%s%n",
                what,
                seconds,
                cases / seconds,
                Double.isNaN(speedUp) ? "" : String.format(Locale.ROOT, "  speed-up vs first master %.2fx", speedUp),
                Double.isNaN(overhead) ? "" : String.format(Locale.ROOT, "  vs plain loop %+.1f %%", 100 * overhead));
    }
}
