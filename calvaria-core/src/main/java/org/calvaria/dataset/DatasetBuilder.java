package org.calvaria.dataset;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.calvaria.CalvariaException;
import org.calvaria.Futures;
import org.calvaria.Json;
import org.calvaria.Progress;
import org.calvaria.Provenance;
import org.calvaria.defects.Defect;
import org.calvaria.defects.DefectGenerator;
import org.calvaria.defects.DefectPlacement;
import org.calvaria.defects.DefectType;
import org.calvaria.io.NrrdIO;
import org.calvaria.io.VolumeIO;
import org.calvaria.normalise.NetworkGrid;
import org.calvaria.volume.MaskVolume;
import org.calvaria.volume.VoxelType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a SkullFix-style training set from a folder of complete skulls: for every skull {@code perSkull} samples,
 * each an (optionally augmented) complete skull, a defective skull and its implant, on the network grid
 * ({@code complete_skull/}, {@code defective_skull/}, {@code implant/}) and/or on the skull's original grid (the same
 * three folders under {@code original/}). Every sample also gets {@code samples/NAME.json}, written last: it marks
 * the sample complete, so an interrupted build resumes where it stopped; {@code manifest.json} is rebuilt from them.
 *
 * <p>Skulls are processed in parallel (one skull per thread, read once); a sample depends only on the seed, the skull
 * id and its number, never on threads or on resuming.
 */
public final class DatasetBuilder {
    private static final Logger LOG = LoggerFactory.getLogger(DatasetBuilder.class);
    private static final String[] PARTS = {"complete_skull", "defective_skull", "implant"};

    /**
     * The settings of a dataset build.
     *
     * @param perSkull     samples per skull
     * @param augment      apply one of the 98 augmentations to each sample
     * @param grid         the network grid (always used for placement and defect size)
     * @param writeGrid    write the network-grid version
     * @param originalGrid write the original-grid version
     * @param types        defect types, drawn with equal probability
     * @param minFraction  smallest share of the upper cranium removed
     * @param maxFraction  largest share
     * @param placement    placement for all types, or null for each type's default
     * @param seed         base seed
     * @param threads      skulls processed at once
     * @param cacheDir     grid cache folder (used when only the grid version is written), or null
     * @param valFraction  share of skulls recorded as validation skulls in the manifest (0: none)
     */
    public record Options(
            int perSkull,
            boolean augment,
            NetworkGrid grid,
            boolean writeGrid,
            boolean originalGrid,
            List<DefectType> types,
            double minFraction,
            double maxFraction,
            DefectPlacement placement,
            long seed,
            int threads,
            Path cacheDir,
            double valFraction) {
        public Options {
            if (perSkull < 1 || perSkull > 10000) {
                throw new CalvariaException("samples per skull must be 1..10000, got " + perSkull);
            }
            if (!writeGrid && !originalGrid) {
                throw new CalvariaException("nothing to write: choose the network grid, --original-grid, or both");
            }
            Objects.requireNonNull(grid);
            new SampleOptions(seed, augment, types, minFraction, maxFraction, placement, 0, 1, 0); // validates
            if (threads < 1) throw new CalvariaException("threads must be at least 1");
            if (!(valFraction >= 0 && valFraction < 1)) {
                throw new CalvariaException("validation fraction must be in [0, 1), got " + valFraction);
            }
        }

        SampleOptions sampleOptions() {
            return new SampleOptions(seed, augment, types, minFraction, maxFraction, placement, 0, 1, 0);
        }

        /** What must match when resuming into an existing dataset folder. */
        Map<String, Object> identity() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("per_skull", perSkull);
            m.put("augment", augment);
            m.put("grid", grid.nx() + "x" + grid.ny() + "x" + grid.nz());
            m.put("grid_spacing_mm", grid.spacingMm());
            m.put("write_grid", writeGrid);
            m.put("original_grid", originalGrid);
            m.put("types", types.stream().map(DefectType::cliName).toList());
            m.put("fraction_range", List.of(minFraction, maxFraction));
            m.put("placement", placement == null ? "type-default" : placement.cliName());
            m.put("seed", seed);
            return m;
        }
    }

    /** What a build did. */
    public record Result(int samples, int written, int skipped, double seconds, Path manifest) {
        public double samplesPerSecond() {
            return seconds > 0 ? written / seconds : 0;
        }
    }

    private DatasetBuilder() {}

    public static Result build(Path skullsDir, Path outDir, Options o) {
        List<SkullFiles> all = SkullFiles.scan(skullsDir);
        if (outDir.toAbsolutePath()
                .normalize()
                .equals(skullsDir.toAbsolutePath().normalize())) {
            throw new CalvariaException("the dataset folder is the skull folder; give another output folder");
        }
        // Complete skulls only: real defects are not part of a synthetic training set.
        List<SkullFiles> skulls = all.stream()
                .map(f -> new SkullFiles(f.id(), f.complete(), null))
                .toList();
        checkResumable(outDir, o);
        long start = System.nanoTime();
        int total = skulls.size() * o.perSkull();
        AtomicInteger written = new AtomicInteger(), skipped = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(o.threads());
        try (Progress progress = Progress.start("dataset", total)) {
            List<Future<?>> futures = new ArrayList<>();
            for (SkullFiles f : skulls) {
                futures.add(pool.submit(() -> buildSkull(f, outDir, o, progress, written, skipped)));
            }
            for (Future<?> fu : futures) wait(fu);
        } finally {
            pool.shutdownNow();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        Path manifest = writeManifest(outDir, skulls, o);
        return new Result(total, written.get(), skipped.get(), seconds, manifest);
    }

    /** Name of sample {@code k} of a skull (SkullFix-like: the skull's name and a number). */
    public static String sampleName(String skullId, int k, int perSkull) {
        return String.format(Locale.ROOT, perSkull > 100 ? "%s_%04d" : "%s_%02d", skullId, k);
    }

    /** Seed of sample {@code k} of a skull: from the base seed, the skull id and k only. */
    public static long sampleSeed(long seed, String skullId, int k, int attempt) {
        return SkullSampleSource.mix(seed ^ ((long) skullId.hashCode() << 32), k, attempt);
    }

    private static void buildSkull(
            SkullFiles f, Path outDir, Options o, Progress progress, AtomicInteger written, AtomicInteger skipped) {
        List<Integer> missing = new ArrayList<>();
        for (int k = 0; k < o.perSkull(); k++) {
            if (isComplete(outDir, sampleName(f.id(), k, o.perSkull()))) {
                skipped.incrementAndGet();
                progress.step();
            } else {
                missing.add(k);
            }
        }
        if (missing.isEmpty()) return;
        NetworkGrid grid = o.grid();
        MaskVolume full = null;
        GridSkull gs;
        if (o.originalGrid()) {
            full = MaskVolume.requireBinary(VolumeIO.read(f.complete()), "skull " + f.complete());
            gs = GridSkull.map(f.id(), f.complete().toString(), full, null, grid);
        } else {
            gs = SkullLibrary.loadOne(f, grid, o.cacheDir());
        }
        SampleFactory factory = new SampleFactory(grid, o.sampleOptions());
        for (int k : missing) {
            String name = sampleName(f.id(), k, o.perSkull());
            buildSample(f, gs, full, factory, name, k, outDir, o);
            written.incrementAndGet();
            progress.step();
        }
    }

    private static void buildSample(
            SkullFiles f,
            GridSkull gs,
            MaskVolume full,
            SampleFactory factory,
            String name,
            int k,
            Path outDir,
            Options o) {
        CalvariaException last = null;
        for (int attempt = 0; attempt < 5; attempt++) {
            long seed = sampleSeed(o.seed(), f.id(), k, attempt);
            try {
                Map<String, Object> record = new LinkedHashMap<>();
                record.put("name", name);
                record.put("skull", f.id());
                record.put("source", f.complete().toString());
                record.put("sample_seed", seed);
                Sample s = factory.make(gs, seed);
                record.put("augmentation", s.describe().get("augmentation"));
                Map<String, String> files = new LinkedHashMap<>();
                if (o.writeGrid()) {
                    MaskVolume implant = s.complete().copy().andNot(s.defective());
                    writeTriple(outDir, name, s.complete(), s.defective(), implant, files, "", o, s.defect());
                    record.put("defect", s.defect().describe());
                }
                if (o.originalGrid()) {
                    SampleFactory.Draw d = factory.draw(gs, seed);
                    MaskVolume complete = d.augmentation()
                            .apply(
                                    full,
                                    gs.augmentationCentre(o.grid()),
                                    o.grid().spacingMm());
                    Defect defect = new DefectGenerator(d.defectSeed(), o.grid())
                            .cut(complete, d.type(), d.fraction(), o.placement(), gs.placement());
                    writeTriple(
                            outDir,
                            name,
                            complete,
                            defect.defective(),
                            defect.implant(),
                            files,
                            "original/",
                            o,
                            defect);
                    record.put("defect_original_grid", defect.describe());
                }
                record.put("files", files);
                record.put("made_by", Provenance.line("dataset build"));
                JsonFiles.write(outDir.resolve("samples").resolve(name + ".json"), record);
                return;
            } catch (CalvariaException e) {
                last = e;
                LOG.debug("sample {} attempt {} failed: {}", name, attempt, e.getMessage());
            }
        }
        throw new CalvariaException("could not make sample " + name + ": " + last.getMessage(), last);
    }

    private static void writeTriple(
            Path outDir,
            String name,
            MaskVolume complete,
            MaskVolume defective,
            MaskVolume implant,
            Map<String, String> files,
            String prefix,
            @SuppressWarnings("unused") Options o,
            Defect defect) {
        MaskVolume[] vols = {complete, defective, implant};
        String what = String.format(
                Locale.ROOT,
                "dataset build %s: %s %s %.3f",
                name,
                defect.type().cliName(),
                defect.placement().cliName(),
                defect.achievedFraction());
        for (int i = 0; i < 3; i++) {
            MaskVolume v = vols[i].copy();
            v.metadata().clear();
            Provenance.stamp(v, what);
            String rel = prefix + PARTS[i] + "/" + name + ".nrrd";
            NrrdIO.write(v, outDir.resolve(rel), VoxelType.UINT8, NrrdIO.Encoding.GZIP);
            files.put((prefix.isEmpty() ? "" : "original_") + PARTS[i], rel);
        }
    }

    /** A sample is complete when its JSON exists and every file it lists exists. */
    @SuppressWarnings("unchecked")
    static boolean isComplete(Path outDir, String name) {
        Path json = outDir.resolve("samples").resolve(name + ".json");
        if (!Files.isRegularFile(json)) return false;
        try {
            Map<String, Object> m = JsonFiles.readMap(json);
            Object files = m.get("files");
            if (!(files instanceof Map)) return false;
            for (Object rel : ((Map<String, Object>) files).values()) {
                if (!Files.isRegularFile(outDir.resolve(rel.toString()))) return false;
            }
            return true;
        } catch (CalvariaException e) {
            return false;
        }
    }

    private static void checkResumable(Path outDir, Options o) {
        Path settings = outDir.resolve("dataset.json");
        try {
            // Compare as parsed JSON trees so number types (int/long) do not matter.
            JsonNode want = Json.MAPPER.readTree(Json.MAPPER.writeValueAsString(o.identity()));
            if (Files.isRegularFile(settings)) {
                JsonNode have = Json.MAPPER.readTree(settings.toFile()).get("options");
                if (!want.equals(have)) {
                    throw new CalvariaException(outDir + " holds a dataset built with other options (" + have
                            + "); use a new output folder, or the same options to resume");
                }
                return;
            }
        } catch (IOException e) {
            throw new CalvariaException("cannot read " + settings + ": " + e.getMessage(), e);
        }
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("options", o.identity());
        s.put("made_by", Provenance.line("dataset build"));
        JsonFiles.write(settings, s);
    }

    private static Path writeManifest(Path outDir, List<SkullFiles> skulls, Options o) {
        List<Object> samples = new ArrayList<>();
        Path dir = outDir.resolve("samples");
        if (Files.isDirectory(dir)) {
            try (Stream<Path> s = Files.list(dir)) {
                for (Path p : s.filter(x -> x.getFileName().toString().endsWith(".json"))
                        .sorted()
                        .toList()) {
                    samples.add(JsonFiles.readMap(p));
                }
            } catch (IOException e) {
                throw new CalvariaException("cannot list " + dir + ": " + e.getMessage(), e);
            }
        }
        List<String> ids = skulls.stream().map(SkullFiles::id).toList();
        List<String> validation = SkullLibrary.validationIds(ids, o.valFraction(), o.seed());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("made_by", Provenance.line("dataset build"));
        m.put("options", o.identity());
        Map<String, Object> g = new LinkedHashMap<>();
        g.put("sizes", List.of(o.grid().nx(), o.grid().ny(), o.grid().nz()));
        g.put("spacing_mm", o.grid().spacingMm());
        g.put("height_mm", o.grid().heightMm());
        g.put(
                "rule",
                "axis-aligned LPS, top face " + NetworkGrid.TOP_MARGIN_VOXELS
                        + " voxels above the highest bone point, centred on the bone's x/y bounding box in the covered band");
        m.put("network_grid", g);
        List<Object> skullList = new ArrayList<>();
        for (SkullFiles f : skulls)
            skullList.add(Map.of("id", f.id(), "source", f.complete().toString()));
        m.put("skulls", skullList);
        List<String> train = ids.stream().filter(x -> !validation.contains(x)).toList();
        m.put(
                "split",
                Map.of(
                        "train",
                        train,
                        "validation",
                        validation,
                        "rule",
                        "by skull; validation = round(" + o.valFraction() + " * skulls) ids shuffled with the seed"));
        m.put("sample_count", samples.size());
        m.put("samples", samples);
        Path path = outDir.resolve("manifest.json");
        JsonFiles.write(path, m);
        return path;
    }

    private static void wait(Future<?> f) {
        Futures.await(
                f,
                "interrupted",
                cause -> cause instanceof OutOfMemoryError
                        ? new CalvariaException(
                                "out of memory; use fewer --threads or give Java more with JAVA_OPTS=-Xmx8g", cause)
                        : new CalvariaException("dataset build failed: " + cause, cause));
    }
}
