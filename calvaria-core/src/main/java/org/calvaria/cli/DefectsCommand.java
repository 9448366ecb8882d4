package org.calvaria.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.calvaria.CalvariaException;
import org.calvaria.Futures;
import org.calvaria.Progress;
import org.calvaria.Provenance;
import org.calvaria.dataset.JsonFiles;
import org.calvaria.dataset.SkullSampleSource;
import org.calvaria.defects.Defect;
import org.calvaria.defects.DefectGenerator;
import org.calvaria.defects.DefectPlacement;
import org.calvaria.defects.DefectType;
import org.calvaria.files.Outputs;
import org.calvaria.io.NrrdIO;
import org.calvaria.io.SkullFixFolder;
import org.calvaria.io.VolumeIO;
import org.calvaria.normalise.GridPlacement;
import org.calvaria.normalise.NetworkGrid;
import org.calvaria.render.DefectPreview;
import org.calvaria.volume.MaskVolume;
import org.calvaria.volume.VoxelType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code calvaria defects SKULL -o DIR}: artificial defects cut from a complete skull, on its own grid. */
@Command(
        name = "defects",
        mixinStandardHelpOptions = true,
        description = {
            "Cut artificial defects from a complete skull (binary mask) and write each defective skull and"
                    + " its implant (the removed bone) on the skull's own grid, SkullFix-style"
                    + " (DIR/defective_skull/ID_NN.nrrd, DIR/implant/ID_NN.nrrd), plus DIR/ID_defects.json with every"
                    + " defect's type, placement, size and shape parameters.",
            "Size is the share of the upper-cranium bone removed (the part the 112x112x40 network grid covers),"
                    + " met within 2 percentage points."
        })
public final class DefectsCommand extends CalvariaCommand implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(DefectsCommand.class);

    @Mixin
    CommonOptions common;

    @Parameters(paramLabel = "SKULL", description = "Complete skull: binary NRRD, NIfTI or DICOM folder.")
    Path skull;

    @Option(
            names = {"-o", "--output"},
            required = true,
            paramLabel = "DIR",
            description = "Output folder.")
    Path output;

    @Option(
            names = "--type",
            paramLabel = "TYPE",
            defaultValue = "all",
            description = "Defect type, a comma-separated list, 'wu2022' (the paper's six) or 'all' (default);"
                    + " types are used in turn. Types: ${COMPLETION-CANDIDATES}",
            completionCandidates = TypeNames.class)
    String type;

    @Option(names = "--count", paramLabel = "N", defaultValue = "10", description = "Number of defects (default 10).")
    int count;

    @Option(
            names = "--fraction",
            paramLabel = "F",
            description = "Share of the upper cranium to remove, e.g. 0.2 (overrides --fraction-range).")
    Double fraction;

    @Option(
            names = "--fraction-range",
            paramLabel = "MIN,MAX",
            defaultValue = "0.05,0.45",
            description = "Draw each defect's share uniformly in this range (default 0.05,0.45).")
    String fractionRange;

    @Option(
            names = "--placement",
            paramLabel = "WHERE",
            description = "midline, off-midline or random (on the paper's upper-cranium grid), or vault, side"
                    + " (hemicraniectomy position), bilateral (one side cut left and one right, half the size each),"
                    + " front or back (cut from the whole skull; the size is then a share"
                    + " of all its bone) (default: midline for the paper's six types, random for the others).")
    String placement;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1", description = "Random seed (default 1).")
    long seed;

    @Option(
            names = "--preview",
            description = "Also write DIR/preview/ID_NN.png (top and side view, removed bone" + " in red).")
    boolean preview;

    @Option(names = "--threads", paramLabel = "N", description = "Defects cut at once (default: all cores).")
    Integer threads;

    static final class TypeNames extends ArrayList<String> {
        private static final long serialVersionUID = 1L;

        TypeNames() {
            for (DefectType t : DefectType.values()) add(t.cliName());
        }
    }

    @Override
    public void run() {
        List<DefectType> types = parsed(() -> DefectType.parseList(type));
        if (count < 1 || count > 10000) throw badOption("--count must be 1..10000, got " + count);
        double[] range = fraction != null ? new double[] {fraction, fraction} : parsed(() -> parseRange(fractionRange));
        DefectPlacement where = placement == null ? null : parsed(() -> DefectPlacement.fromName(placement));
        int nThreads = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
        if (nThreads < 1) throw badOption("--threads must be at least 1");
        String id = SkullFixFolder.idOf(skull);
        Path json = output.resolve(id + "_defects.json");
        List<Path> outputs = new ArrayList<>(List.of(json));
        for (int k = 0; k < count; k++) {
            String name = nameOf(id, k);
            outputs.add(defectivePath(name));
            outputs.add(implantPath(name));
            if (preview) outputs.add(previewPath(name));
        }
        Outputs.requireDistinct(List.of(skull), outputs);

        MaskVolume complete = MaskVolume.requireBinary(VolumeIO.read(skull), "skull " + skull);
        NetworkGrid grid = NetworkGrid.wu2022();
        // Vault-wide placements cut from the whole skull; the others from the paper's upper-cranium grid.
        GridPlacement region =
                where != null && where.wholeVault() ? GridPlacement.ofGrid(complete.geometry()) : grid.place(complete);
        ExecutorService pool = Executors.newFixedThreadPool(nThreads);
        List<Map<String, Object>> records = new ArrayList<>();
        try (Progress progress = Progress.start("defects", count)) {
            List<Future<Map<String, Object>>> futures = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                final int k = i;
                futures.add(pool.submit(() -> {
                    Map<String, Object> r =
                            cutOne(complete, id, k, types.get(k % types.size()), range, where, region, grid);
                    progress.step();
                    return r;
                }));
            }
            for (Future<Map<String, Object>> f : futures) records.add(get(f));
        } finally {
            pool.shutdownNow();
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("made_by", Provenance.line("defects " + skull.getFileName()));
        doc.put("source", skull.toString());
        doc.put("seed", seed);
        doc.put("upper_cranium", "bone inside the network grid placed on the skull: " + region);
        doc.put("tolerance", DefectGenerator.TOLERANCE);
        doc.put("defects", records);
        JsonFiles.write(json, doc);
        LOG.info("wrote {} defects of {} to {}", count, skull.getFileName(), output);
    }

    private Map<String, Object> cutOne(
            MaskVolume complete,
            String id,
            int k,
            DefectType t,
            double[] range,
            DefectPlacement where,
            GridPlacement region,
            NetworkGrid grid) {
        String name = nameOf(id, k);
        long defectSeed = SkullSampleSource.mix(seed, k, 0);
        SplittableRandom r = new SplittableRandom(defectSeed);
        double target = range[0] + (range[1] - range[0]) * r.nextDouble();
        Defect d = new DefectGenerator(r.nextLong(), grid).cut(complete, t, target, where, region);
        String what = String.format(
                Locale.ROOT,
                "defects %s: %s %s %.3f",
                name,
                t.cliName(),
                d.placement().cliName(),
                d.achievedFraction());
        Path defPath = defectivePath(name);
        Path impPath = implantPath(name);
        NrrdIO.write(Provenance.stamp(d.defective(), what), defPath, VoxelType.UINT8, NrrdIO.Encoding.GZIP);
        NrrdIO.write(Provenance.stamp(d.implant(), what), impPath, VoxelType.UINT8, NrrdIO.Encoding.GZIP);
        Map<String, Object> rec = new LinkedHashMap<>();
        rec.put("name", name);
        rec.put("defect_seed", defectSeed);
        rec.put("defective_skull", output.relativize(defPath).toString());
        rec.put("implant", output.relativize(impPath).toString());
        if (preview) {
            Path png = previewPath(name);
            DefectPreview.write(d.defective(), d.implant(), region, grid, png);
            rec.put("preview", output.relativize(png).toString());
        }
        rec.putAll(d.describe());
        return rec;
    }

    private String nameOf(String id, int k) {
        return String.format(Locale.ROOT, count > 100 ? "%s_%04d" : "%s_%02d", id, k);
    }

    private Path defectivePath(String name) {
        return output.resolve("defective_skull").resolve(name + ".nrrd");
    }

    private Path implantPath(String name) {
        return output.resolve("implant").resolve(name + ".nrrd");
    }

    private Path previewPath(String name) {
        return output.resolve("preview").resolve(name + ".png");
    }

    static double[] parseRange(String s) {
        String[] p = s.split(",");
        try {
            if (p.length == 2) {
                double a = Double.parseDouble(p[0].trim()), b = Double.parseDouble(p[1].trim());
                if (a >= 0.01 && b <= 0.9 && a <= b) return new double[] {a, b};
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new CalvariaException("fraction range '" + s + "' is not MIN,MAX with 0.01 <= MIN <= MAX <= 0.9;"
                + " give for example 0.05,0.45");
    }

    private static <T> T get(Future<T> f) {
        return Futures.await(f, "interrupted", "cutting defects failed");
    }
}
