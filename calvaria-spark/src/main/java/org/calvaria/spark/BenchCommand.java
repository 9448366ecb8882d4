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

        double plain = loop(inputs, root.resolve("loop"));
        report("plain loop (1 thread)", inputs.size(), plain, Double.NaN, Double.NaN);
        List<Double> times = new ArrayList<>();
        for (String master : masters) {
            Path o = root.resolve("batch-" + master.replaceAll("[^A-Za-z0-9]", "_"));
            long t0 = System.nanoTime();
            int code = SparkMain.run("batch", "design", in.toString(), "-o", o.toString(), "--master", master, "-q");
            double t = (System.nanoTime() - t0) / 1e9;
            SparkSession.active().stop();
            if (code != 0) throw new CalvariaException("batch design with " + master + " failed (exit " + code + ")");
            times.add(t);
            report("batch design " + master, inputs.size(), t, times.get(0) / t, (t - plain) / plain);
        }
        return 0;
    }

    /** Designs each case in turn with one model session (one TensorFlow thread); returns seconds. */
    static double loop(List<Path> inputs, Path outDir) throws java.io.IOException {
        Files.createDirectories(outDir);
        long t0 = System.nanoTime();
        try (CompletionModel m = CompletionModel.load(CompletionModel.defaultModelFile(), 1)) {
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
        }
        return (System.nanoTime() - t0) / 1e9;
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
