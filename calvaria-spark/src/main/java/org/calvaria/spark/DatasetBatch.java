package org.calvaria.spark;

import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.calvaria.CalvariaException;
import org.calvaria.dataset.DatasetBuilder;
import org.calvaria.dataset.JsonFiles;
import org.calvaria.dataset.SkullFiles;
import org.calvaria.defects.DefectPlacement;
import org.calvaria.defects.DefectType;
import org.calvaria.normalise.NetworkGrid;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code calvaria-spark batch dataset SKULLS_DIR -o DATASET}: {@code calvaria dataset build}, one task per skull. */
@Command(
        name = "dataset",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Build a training set as 'calvaria dataset build' does (same samples for the same seed), one"
                    + " skull per Spark task. SKULLS_DIR and DATASET must be on a file system the driver and the executors"
                    + " both mount.",
            "Each sample's files are moved into place whole, its samples/NAME.json last; the driver writes"
                    + " dataset.json and manifest.json at the end. Also writes results.parquet/results.csv (one row"
                    + " per skull) and summary.json."
        })
public final class DatasetBatch implements Callable<Integer> {
    @Mixin
    BatchOptions batch;

    @Parameters(paramLabel = "SKULLS_DIR", description = "Folder of complete skulls.")
    Path skulls;

    @Option(
            names = {"-o", "--output"},
            required = true,
            paramLabel = "DATASET",
            description = "Output folder.")
    Path output;

    @Option(
            names = "--per-skull",
            paramLabel = "N",
            defaultValue = "10",
            description = "Samples per skull (default 10).")
    int perSkull;

    @Option(names = "--augment", description = "Apply one of the 98 rotation/tilt/shift variants per sample.")
    boolean augment;

    @Option(
            names = "--grid",
            paramLabel = "NXxNYxNZ|none",
            defaultValue = "112x112x40",
            description = "Network grid (default 112x112x40); 'none' writes no grid version (needs --original-grid).")
    String gridSpec;

    @Option(names = "--original-grid", description = "Also write each sample on the skull's own grid under original/.")
    boolean originalGrid;

    @Option(
            names = "--type",
            paramLabel = "TYPES",
            defaultValue = "wu2022",
            description = "Defect types: comma-separated names, 'wu2022' (default) or 'all'.")
    String types;

    @Option(
            names = "--fraction-range",
            paramLabel = "MIN,MAX",
            defaultValue = "0.05,0.45",
            description = "Share of the upper cranium removed (default 0.05,0.45).")
    String fractionRange;

    @Option(names = "--placement", paramLabel = "WHERE", description = "midline, off-midline or random.")
    String placement;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1", description = "Random seed (default 1).")
    long seed;

    @Option(names = "--cache", paramLabel = "DIR", description = "Grid cache folder (shared by the executors).")
    Path cache;

    @Option(
            names = "--val-fraction",
            paramLabel = "F",
            defaultValue = "0",
            description = "Share of skulls recorded as validation skulls in manifest.json (default 0).")
    double valFraction;

    /** The build's settings as plain values (each task makes the core's options from them). */
    record Settings(
            int perSkull,
            boolean augment,
            String gridSpec,
            boolean originalGrid,
            String types,
            String fractionRange,
            String placement,
            long seed,
            String cache,
            double valFraction)
            implements Serializable {
        DatasetBuilder.Options options() {
            boolean none = gridSpec.trim().toLowerCase(Locale.ROOT).equals("none");
            NetworkGrid grid = none ? NetworkGrid.wu2022() : NetworkGrid.parse(gridSpec);
            String[] r = fractionRange.split(",");
            if (r.length != 2) throw new CalvariaException("--fraction-range must be MIN,MAX, got " + fractionRange);
            return new DatasetBuilder.Options(
                    perSkull,
                    augment,
                    grid,
                    !none,
                    originalGrid,
                    DefectType.parseList(types),
                    Double.parseDouble(r[0].trim()),
                    Double.parseDouble(r[1].trim()),
                    placement == null ? null : DefectPlacement.fromName(placement),
                    seed,
                    1,
                    cache == null ? null : Path.of(cache),
                    valFraction);
        }
    }

    @Override
    public Integer call() throws Exception {
        SparkMain.configureLogging(batch);
        Settings s = new Settings(
                perSkull,
                augment,
                gridSpec,
                originalGrid,
                types,
                fractionRange,
                placement,
                seed,
                cache == null ? null : cache.toAbsolutePath().toString(),
                valFraction);
        DatasetBuilder.Options options = s.options();
        EvaluateBatch.requireOutputApart(output, skulls);
        List<CaseSpec> specs = new ArrayList<>();
        for (SkullFiles f : SkullFiles.scan(skulls))
            specs.add(new CaseSpec(f.id(), f.complete().toAbsolutePath().toString()));
        if (specs.isEmpty()) throw new CalvariaException("no skulls in " + skulls);
        SparkSession spark = Batch.session(batch, "calvaria batch dataset");
        long t0 = System.nanoTime();
        Files.createDirectories(output);
        CaseFolders folders = new CaseFolders(
                output.toAbsolutePath().toString(),
                Batch.jobId(spark),
                spark.sparkContext().hadoopConfiguration());
        Batch.Job job = new Batch.Job(folders, batch.resume, batch.failFast, batch.simulateKill, 1, null);
        String root = output.toAbsolutePath().toString(); // a Path is not serialisable
        List<Map<String, Object>> rows = Batch.run(
                spark,
                specs,
                batch.partitions,
                job,
                (c, in, staging, folder) -> buildSkull(s, c, in, staging, Path.of(root)));
        // The driver's pass finds every sample complete: it only checks the options and writes the manifest.
        DatasetBuilder.Result r = DatasetBuilder.build(skulls, output, options);
        double seconds = (System.nanoTime() - t0) / 1e9;
        List<String> written = new ArrayList<>(Results.write(spark, folders, rows));
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("samples", r.samples());
        extra.put("samples_per_second", seconds > 0 ? r.samples() / seconds : null);
        extra.put("manifest", r.manifest().toString());
        written.add(Results.writeSummary(
                folders,
                rows,
                "batch dataset " + skulls + " -o " + output,
                spark.sparkContext().master(),
                seconds,
                extra));
        written.add(r.manifest().toString());
        return Batch.finish(rows, "batch dataset", seconds, written);
    }

    /** Builds one skull's samples with the core's builder in {@code staging}, then moves each sample into place. */
    static Map<String, Object> buildSkull(Settings s, CaseSpec c, Path complete, Path staging, Path root)
            throws Exception {
        Path skullDir = Files.createDirectories(staging.resolve("skull"));
        String name = complete.getFileName().toString();
        Files.createSymbolicLink(skullDir.resolve(name), complete.toAbsolutePath());
        Path built = staging.resolve("built");
        DatasetBuilder.Result r = DatasetBuilder.build(skullDir, built, s.options());
        int moved = 0;
        List<Path> jsons;
        try (Stream<Path> l = Files.list(built.resolve("samples"))) {
            jsons = l.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        }
        for (Path json : jsons) {
            Map<String, Object> record = JsonFiles.readMap(json);
            record.put("source", complete.toString()); // as a single-machine build records it
            @SuppressWarnings("unchecked")
            Map<String, Object> files = (Map<String, Object>) record.get("files");
            for (Object rel : files.values()) {
                Path target = root.resolve(rel.toString());
                Files.createDirectories(target.getParent());
                Files.move(
                        built.resolve(rel.toString()),
                        target,
                        StandardCopyOption.ATOMIC_MOVE,
                        StandardCopyOption.REPLACE_EXISTING);
            }
            Path sampleJson = root.resolve("samples").resolve(json.getFileName());
            JsonFiles.write(sampleJson, record); // last: its presence marks the sample complete
            moved++;
        }
        CaseFolders.deleteTree(skullDir);
        CaseFolders.deleteTree(built);
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("samples", moved);
        row.put("seconds_build", r.seconds());
        return row;
    }
}
