package org.calvaria.spark;

import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.calvaria.CalvariaException;
import org.calvaria.Json;
import org.calvaria.io.ReadOptions;
import org.calvaria.manufacture.Manufacture;
import org.calvaria.pipeline.DesignPipeline;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code calvaria-spark batch design INPUT -o OUT}: {@code calvaria design} for every case, on Spark. */
@Command(
        name = "design",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Design the implant of every case, as 'calvaria design' does, on Apache Spark.",
            "INPUT: a folder of scans (NRRD, NIfTI, DICOM folders), a glob, or a manifest (.csv with a header or"
                    + " .parquet) with a 'path' column (and optionally 'id'); any Hadoop file system path.",
            "Writes OUT/cases/CASE/ (implant.stl, report.json and what the flags ask for; each folder appears whole),"
                    + " OUT/results.parquet and OUT/results.csv (one row per case: status, error, every report"
                    + " figure, output paths, seconds per stage) and OUT/summary.json."
        })
public final class DesignBatch implements Callable<Integer> {
    @Mixin
    BatchOptions batch;

    @Parameters(index = "0", paramLabel = "INPUT", description = "Folder, glob or manifest of scans.")
    String input;

    @Option(
            names = {"-o", "--output"},
            required = true,
            paramLabel = "OUT",
            description = "Output root (folder or URI).")
    String output;

    @Option(
            names = "--model",
            paramLabel = "FILE",
            description = "Completion model (default: the bundled one);" + " its bytes are sent to each executor once.")
    Path model;

    @Option(
            names = "--threshold",
            paramLabel = "P",
            description = "Probability at or above which a voxel is bone (default: the model's, usually 0.5).")
    Double threshold;

    @Option(names = "--nrrd", description = "Also write the implant mask on the input grid (implant.nrrd).")
    boolean nrrd;

    @Option(names = "--completed", description = "Also write the completed skull mask (completed.nrrd).")
    boolean completed;

    @Option(names = "--preview", description = "Also write a picture of the implant on the skull (preview.png).")
    boolean preview;

    @Option(
            names = "--smooth",
            paramLabel = "N",
            defaultValue = "10",
            description = "Taubin smoothing iterations of the STL (0 = voxel steps). Default 10.")
    int smooth;

    @Option(
            names = "--clearance",
            paramLabel = "MM",
            defaultValue = "0.5",
            description = "Gap between the implant's edge and the bone. Default 0.5 mm.")
    double clearance;

    @Option(
            names = "--min-thickness",
            paramLabel = "MM",
            defaultValue = "2.0",
            description = "Thicken places thinner than this inward; 0 = off. Default 2.0 mm.")
    double minThickness;

    @Option(names = "--thickness", paramLabel = "MM", description = "Make a plate of constant thickness.")
    Double thickness;

    @Option(names = "--fit-check", description = "Also write the fit-check model (fit-check.stl).")
    boolean fitCheck;

    @Option(
            names = "--fit-margin",
            paramLabel = "MM",
            defaultValue = "20",
            description = "Margin of bone around the defect in the fit-check model. Default 20 mm.")
    double fitMargin;

    @Option(names = "--3mf", description = "Also write a 3MF file (implant.3mf).")
    boolean threeMf;

    @Option(names = "--allow-gaps", description = "Read a DICOM series even when some of its files are damaged.")
    boolean allowGaps;

    @Option(
            names = "--max-slice-gap-ratio",
            paramLabel = "R",
            defaultValue = "3",
            description = "Largest DICOM slice gap, as a multiple of the median gap (default: ${DEFAULT-VALUE}).")
    double maxSliceGapRatio;

    /** What each task needs to design a case (the flags, as plain values). */
    record Settings(
            String modelName,
            Double threshold,
            int smooth,
            double clearance,
            double minThickness,
            Double thickness,
            boolean fitCheck,
            double fitMargin,
            boolean threeMf,
            boolean nrrd,
            boolean completed,
            boolean preview,
            boolean allowGaps,
            double maxSliceGapRatio)
            implements Serializable {}

    @Override
    public Integer call() throws Exception {
        SparkMain.configureLogging(batch);
        if (smooth < 0 || smooth > 1000) throw new CalvariaException("--smooth must be 0..1000, got " + smooth);
        new Manufacture.Options(clearance, minThickness, thickness, null, null, fitMargin).validate();
        new ReadOptions(allowGaps, maxSliceGapRatio);
        byte[] modelBytes = model == null || model.toString().equals("default") ? null : readModel(model);
        String modelName = modelBytes != null ? model.getFileName().toString() : "bundled default model";
        Settings s = new Settings(
                modelName,
                threshold,
                smooth,
                clearance,
                minThickness,
                thickness,
                fitCheck,
                fitMargin,
                threeMf,
                nrrd,
                completed,
                preview,
                allowGaps,
                maxSliceGapRatio);
        SparkSession spark = Batch.session(batch, "calvaria batch design");
        long t0 = System.nanoTime();
        List<CaseSpec> cases = CaseList.list(spark, input);
        CaseFolders folders =
                new CaseFolders(output, Batch.jobId(spark), spark.sparkContext().hadoopConfiguration());
        Batch.Job job = new Batch.Job(
                folders,
                batch.resume,
                batch.failFast,
                batch.simulateKill,
                Batch.tfThreads(spark, batch),
                modelBytes == null
                        ? null
                        : spark.sparkContext()
                                .broadcast(modelBytes, scala.reflect.ClassTag$.MODULE$.apply(byte[].class)));
        List<Map<String, Object>> rows = Batch.run(
                spark,
                cases,
                batch.partitions,
                job,
                (c, in, staging, folder) -> design(s, job, in, source(c, in), staging, folder));
        List<String> written = new java.util.ArrayList<>(Results.write(spark, folders, rows));
        double seconds = (System.nanoTime() - t0) / 1e9;
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("model", modelName);
        extra.put("tensorflow_threads_per_task", job.tfThreads());
        written.add(Results.writeSummary(
                folders,
                rows,
                "batch design " + input + " -o " + output,
                spark.sparkContext().master(),
                seconds,
                extra));
        return Batch.finish(rows, "batch design", seconds, written);
    }

    static byte[] readModel(Path model) throws java.io.IOException {
        if (!Files.isRegularFile(model)) throw new CalvariaException("model " + model + " does not exist");
        return Files.readAllBytes(model);
    }

    /**
     * The name of a case's input in its outputs (the implant's provenance, report.json): the local file, or the URI
     * of a remote input, not the executor's temporary copy of it, which is gone when the task ends.
     */
    static String source(CaseSpec c, Path input) {
        return CaseFolders.isLocal(c.input()) ? input.toString() : c.input();
    }

    /**
     * Designs one case into {@code staging} with the core's pipeline, reading {@code input} and naming it
     * {@code source}; returns its row's figures.
     */
    static Map<String, Object> design(
            Settings s, Batch.Job job, Path input, String source, Path staging, String folder) {
        Path stl = staging.resolve("implant.stl"), report = staging.resolve("report.json");
        Path nrrd = s.nrrd() ? staging.resolve("implant.nrrd") : null;
        Path completed = s.completed() ? staging.resolve("completed.nrrd") : null;
        Path preview = s.preview() ? staging.resolve("preview.png") : null;
        Manufacture.Options manufacture = new Manufacture.Options(
                s.clearance(),
                s.minThickness(),
                s.thickness(),
                s.fitCheck() ? staging.resolve("fit-check.stl") : null,
                s.threeMf() ? staging.resolve("implant.3mf") : null,
                s.fitMargin());
        DesignPipeline.Result r;
        try (Models.Lease lease = Models.borrow(job.modelBytes(), job.tfThreads())) {
            DesignPipeline pipeline = new DesignPipeline(lease.model(), s.modelName());
            r = pipeline.run(
                    input,
                    source,
                    new ReadOptions(s.allowGaps(), s.maxSliceGapRatio()),
                    new DesignPipeline.Settings(
                            s.threshold(),
                            s.smooth(),
                            DesignPipeline.Settings.defaults().segmentation(),
                            manufacture),
                    new DesignPipeline.OutputFiles(stl, nrrd, completed, report, preview),
                    stage -> {});
        }
        Map<String, Object> row = new LinkedHashMap<>();
        Map<String, Object> rep = Results.plain(Json.MAPPER.valueToTree(r.report()));
        for (String k : List.of("tool", "created", "input", "outputs")) rep.remove(k);
        Object modelInfo = rep.remove("model");
        if (modelInfo instanceof Map<?, ?> m) row.put("model", String.valueOf(m.get("name")));
        Object warnings = rep.remove("warnings");
        row.put(
                "warnings",
                warnings instanceof List<?> l && !l.isEmpty()
                        ? String.join("; ", l.stream().map(String::valueOf).toList())
                        : null);
        Results.flatten("", rep, row);
        try (var files = Files.list(staging)) {
            for (Path p : files.sorted().toList()) {
                String name = p.getFileName().toString();
                row.put("output_" + Results.snake(name.replace('.', '_')), folder + "/" + name);
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return row;
    }
}
