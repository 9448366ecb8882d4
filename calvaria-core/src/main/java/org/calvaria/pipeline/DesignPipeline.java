package org.calvaria.pipeline;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import org.calvaria.CalvariaException;
import org.calvaria.Json;
import org.calvaria.Provenance;
import org.calvaria.complete.CompletionModel;
import org.calvaria.complete.ModelFile;
import org.calvaria.files.OutputSet;
import org.calvaria.files.Outputs;
import org.calvaria.implant.DesignStage;
import org.calvaria.implant.ImplantDesigner;
import org.calvaria.implant.StageTimer;
import org.calvaria.io.ReadOptions;
import org.calvaria.io.VolumeIO;
import org.calvaria.manufacture.Manufacture;
import org.calvaria.mesh.MarchingCubes;
import org.calvaria.mesh.MeshIO;
import org.calvaria.mesh.TriangleMesh;
import org.calvaria.morphology.ConnectedComponents;
import org.calvaria.render.PreviewRenderer;
import org.calvaria.segment.SkullSegmenter;
import org.calvaria.volume.MaskVolume;
import org.calvaria.volume.Volume;

/**
 * The whole job a clinical engineer runs: scan (binary skull or CT in HU) in, implant STL out, with the implant on
 * the input's grid, optional completed skull, a JSON report of how it was made and what it measures, and a preview.
 * Used by the {@code design} and {@code demo} commands and by the web app.
 */
public final class DesignPipeline {
    /** Where to write; null entries are skipped (the STL is required). */
    public record OutputFiles(Path stl, Path implantVolume, Path completedVolume, Path report, Path preview) {
        public OutputFiles {
            if (stl == null) throw new IllegalArgumentException("an STL output is required");
        }

        List<Path> all() {
            java.util.ArrayList<Path> l = new java.util.ArrayList<>();
            for (Path p : new Path[] {stl, implantVolume, completedVolume, report, preview}) if (p != null) l.add(p);
            return l;
        }
    }

    /**
     * Settings: threshold (null = the model's), Taubin iterations for the STL, CT bone threshold, what to do for
     * manufacture (clearance, thickness, fit check, 3MF; {@link Manufacture.Options#none()} keeps the designed shape),
     * and whether each hole's grid is also completed mirrored ({@link ImplantDesigner.Options#mirrorAveraged()}).
     */
    public record Settings(
            Double threshold,
            int smoothIterations,
            SkullSegmenter.Options segmentation,
            Manufacture.Options manufacture,
            boolean mirrorAveraged) {
        public Settings(Double threshold, int smoothIterations, SkullSegmenter.Options segmentation) {
            this(threshold, smoothIterations, segmentation, Manufacture.Options.none());
        }

        public Settings(
                Double threshold,
                int smoothIterations,
                SkullSegmenter.Options segmentation,
                Manufacture.Options manufacture) {
            this(threshold, smoothIterations, segmentation, manufacture, true);
        }

        public static Settings defaults() {
            return new Settings(null, 10, SkullSegmenter.Options.defaults().withCrop(false, 0));
        }

        public Settings withThreshold(Double t) {
            return new Settings(t, smoothIterations, segmentation, manufacture, mirrorAveraged);
        }

        public Settings withSmoothing(int n) {
            return new Settings(threshold, n, segmentation, manufacture, mirrorAveraged);
        }

        public Settings withManufacture(Manufacture.Options m) {
            return new Settings(threshold, smoothIterations, segmentation, m, mirrorAveraged);
        }

        public Settings withMirrorAveraged(boolean on) {
            return new Settings(threshold, smoothIterations, segmentation, manufacture, on);
        }
    }

    /** Result of one run: the implant on the input grid, its mesh, and the report (also written as JSON). */
    public record Result(MaskVolume defective, ImplantDesigner.Design design, TriangleMesh mesh, DesignReport report) {}

    private static final org.slf4j.Logger LOGGER = org.slf4j.LoggerFactory.getLogger(DesignPipeline.class);

    private final CompletionModel model;
    private final String modelName;

    public DesignPipeline(CompletionModel model, String modelName) {
        this.model = model;
        this.modelName = modelName;
    }

    /** Reads {@code input}, designs, writes the outputs. */
    public Result run(Path input, Settings settings, OutputFiles out, Consumer<DesignStage> onStage) {
        return run(input, ReadOptions.defaults(), settings, out, onStage);
    }

    /** Reads {@code input} as {@code reading} allows, designs, writes the outputs. */
    public Result run(
            Path input, ReadOptions reading, Settings settings, OutputFiles out, Consumer<DesignStage> onStage) {
        return run(input, input.toString(), reading, settings, out, onStage);
    }

    /**
     * As {@link #run(Path, ReadOptions, Settings, OutputFiles, Consumer)}, naming the input {@code source} in the
     * outputs (for a local copy of a remote file: the name the user gave, not the copy's).
     */
    public Result run(
            Path input,
            String source,
            ReadOptions reading,
            Settings settings,
            OutputFiles out,
            Consumer<DesignStage> onStage) {
        Outputs.requireDistinct(List.of(input), out.all());
        StageTimer timer = new StageTimer(onStage);
        timer.begin(DesignStage.READ);
        Volume volume = VolumeIO.read(input, reading);
        timer.end();
        return run(volume, source, settings, out, timer);
    }

    /** Designs for an in-memory volume ({@code source} names it in the report). */
    public Result run(Volume volume, String source, Settings settings, OutputFiles out, Consumer<DesignStage> onStage) {
        return run(volume, source, settings, out, new StageTimer(onStage));
    }

    /** Designs for an in-memory volume, adding its stages to {@code timer} (which may hold earlier ones). */
    public Result run(Volume volume, String source, Settings settings, OutputFiles out, StageTimer timer) {
        Outputs.requireDistinct(List.of(), out.all());
        DesignReport.Segmentation segmentation = null;
        MaskVolume defective;
        if (volume instanceof MaskVolume m) {
            defective = m;
        } else if (looksLikeIntensity(volume)) {
            timer.begin(DesignStage.SEGMENT);
            SkullSegmenter.Result seg = SkullSegmenter.segment(volume, settings.segmentation(), source);
            defective = seg.skull();
            segmentation = new DesignReport.Segmentation(
                    settings.segmentation().describe(), seg.skull().cardinality(), seg.components());
            timer.end();
        } else {
            defective = MaskVolume.requireBinary(volume, source);
        }
        if (defective.isEmpty()) {
            throw new CalvariaException(source + " has no bone voxels; give a defective skull mask or a head CT");
        }
        double threshold = settings.threshold() != null ? settings.threshold() : model.threshold();
        ImplantDesigner designer = new ImplantDesigner(
                model, ImplantDesigner.Options.withThreshold(threshold).withMirrorAveraged(settings.mirrorAveraged()));
        ImplantDesigner.Design raw = designer.design(defective, timer);
        timer.end();
        if (raw.implant().isEmpty()) {
            if (!raw.holes().isEmpty()) {
                throw new CalvariaException("the model could not fill the "
                        + raw.holes().get(0).hole().summary() + " found in " + source
                        + "; try a lower --threshold, and report the case");
            }
            throw new CalvariaException("the model found no missing bone in " + source + " (empty implant); check that"
                    + " the skull really has a defect in its upper part, or lower --threshold");
        }
        List<String> warnings = warnings(raw);
        for (String w : warnings) LOGGER.warn(w);

        timer.begin(DesignStage.MESH);
        // Thickness control and fit clearance change the implant; the mesh is made and measured there.
        Manufacture.Result manufactured =
                Manufacture.process(raw.implant(), defective, settings.manufacture(), settings.smoothIterations());
        ImplantDesigner.Design design = new ImplantDesigner.Design(
                manufactured.implant(), raw.completed(), raw.placement(), raw.implantCoveredFraction(), raw.holes());
        TriangleMesh mesh = manufactured.mesh();
        mesh.requireFinite("the implant surface of " + source);
        // Extra parts (fit-check model, mould) are made and checked against the printer before anything is written.
        Manufacture.Extras extras = Manufacture.makeExtras(manufactured, defective, settings.manufacture());
        warnings.addAll(manufactured.warnings());
        if (extras.mould() != null) warnings.addAll(extras.mould().warnings());
        for (String w : warnings.subList(
                warnings.size()
                        - manufactured.warnings().size()
                        - (extras.mould() != null ? extras.mould().warnings().size() : 0),
                warnings.size())) {
            LOGGER.warn(w);
        }

        timer.begin(DesignStage.WRITE);
        String made = Provenance.line("design " + Path.of(source).getFileName() + " with " + modelName);
        // The outputs appear as a set: each is written to a hidden temporary, and only when all are complete (the
        // report last, with the others' checksums) are they moved into place. A failure or a kill on the way leaves
        // the earlier outputs as they were, never a new STL beside an old report.
        try (OutputSet set = OutputSet.begin()) {
            if (out.stl().getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".3mf")) {
                outputWriter.write(out.stl(), () -> Manufacture.write3mf(out.stl(), mesh, extras, made));
            } else {
                outputWriter.write(out.stl(), () -> MeshIO.write(mesh, out.stl(), false, made));
            }
            if (out.implantVolume() != null) {
                outputWriter.write(out.implantVolume(), () -> {
                    Provenance.stamp(design.implant(), "design implant of " + source + " with " + modelName);
                    VolumeIO.write(design.implant(), out.implantVolume());
                });
            }
            if (out.completedVolume() != null) {
                outputWriter.write(out.completedVolume(), () -> {
                    Provenance.stamp(design.completed(), "design completed skull of " + source + " with " + modelName);
                    VolumeIO.write(design.completed(), out.completedVolume());
                });
            }
            if (out.preview() != null) {
                outputWriter.write(out.preview(), () -> writePreview(defective, mesh, out.preview(), source));
            }
            Map<String, Object> extraReport =
                    Manufacture.writeExtras(manufactured, extras, settings.manufacture(), made);
            timer.end();
            // Measured after the outputs are written so the report holds every stage; the report itself is last.
            Map<String, Object> manufacturing = new LinkedHashMap<>(manufactured.report());
            manufacturing.putAll(extraReport);
            DesignReport report = report(source, defective, design, mesh, threshold, segmentation, timer, settings)
                    .withManufacturing(manufacturing)
                    .withWarningsAndOutputs(
                            warnings,
                            // only a written report records the checksums, and hashing costs time
                            out.report() == null ? List.of() : checksums(set.entries(), out.report()));
            if (out.report() != null) outputWriter.write(out.report(), () -> writeJson(report, out.report()));
            set.commit();
            return new Result(defective, design, mesh, report);
        }
    }

    /** Writes one output; tests replace it to simulate a writer that fails. */
    @FunctionalInterface
    interface OutputWriter {
        void write(Path target, Runnable write);
    }

    private OutputWriter outputWriter = (target, write) -> write.run();

    /** For tests: writes every output through {@code w}. */
    DesignPipeline withOutputWriter(OutputWriter w) {
        this.outputWriter = w;
        return this;
    }

    /**
     * The files written, in order (the STL first), with SHA-256 and size; named relative to the report's folder, so
     * that the set can be checked where it was moved together ({@code sha256sum implant.stl}).
     */
    private static List<DesignReport.OutputFile> checksums(List<OutputSet.Entry> entries, Path report) {
        Path base = report == null ? null : report.toAbsolutePath().normalize().getParent();
        List<DesignReport.OutputFile> l = new java.util.ArrayList<>();
        for (OutputSet.Entry e : entries) {
            Path abs = e.target().toAbsolutePath().normalize();
            String name;
            try {
                name = base == null
                        ? e.target().toString()
                        : base.relativize(abs).toString();
            } catch (IllegalArgumentException differentRoots) {
                name = abs.toString();
            }
            l.add(new DesignReport.OutputFile(name, e.sha256(), e.bytes()));
        }
        return l;
    }

    /** Share of a hole's rim that must lie inside its grid, and of its directions the implant must close. */
    static final double MIN_RIM_INSIDE = 0.98, MIN_CLOSED = 0.95;

    /** One line per problem a person must know about before using the implant. */
    static List<String> warnings(ImplantDesigner.Design d) {
        List<String> w = new java.util.ArrayList<>();
        for (ImplantDesigner.HoleDesign h : d.holes()) {
            if (h.grid() == null) {
                w.add("the " + h.hole().summary() + " was not designed (more than " + ImplantDesigner.MAX_HOLES
                        + " holes); design it separately");
                continue;
            }
            if (h.rimInsideGrid() < MIN_RIM_INSIDE) {
                w.add(String.format(
                        Locale.ROOT,
                        "part of the %s lies outside the region the model covers (%.0f%% of"
                                + " its rim inside); check the implant's edge there",
                        h.hole().summary(),
                        100 * h.rimInsideGrid()));
            }
            if (h.closedFraction() < MIN_CLOSED) {
                w.add(String.format(
                        Locale.ROOT,
                        "the implant closes only %.0f%% of the %s; do not use it without" + " review",
                        100 * h.closedFraction(),
                        h.hole().summary()));
            }
        }
        return w;
    }

    /** A CT (HU) rather than a 0/1 mask: has values outside {0, 1}. Masks with other labels are not CTs. */
    static boolean looksLikeIntensity(Volume v) {
        double[] r = v.valueRange();
        return r[0] < 0 || r[1] > 255;
    }

    private DesignReport report(
            String source,
            MaskVolume defective,
            ImplantDesigner.Design d,
            TriangleMesh mesh,
            double threshold,
            DesignReport.Segmentation segmentation,
            StageTimer timer,
            Settings settings) {
        ModelFile mf = model.modelFile();
        DesignReport.Model m = new DesignReport.Model(
                modelName,
                mf.architecture().name(),
                mf.grid().toString(),
                mf.trainingData(),
                mf.licence(),
                mf.metrics(),
                mf.created());
        DesignReport.NetworkGrid grid = d.holes().isEmpty()
                ? new DesignReport.NetworkGrid(
                        d.placement().grid().toString(),
                        round(d.placement().vertex()),
                        d.implantCoveredFraction(),
                        null,
                        null)
                : new DesignReport.NetworkGrid(
                        d.placement().grid().toString(),
                        round(d.placement().vertex()),
                        null,
                        "one grid per hole, centred on it, axis along its outward normal"
                                + (settings.mirrorAveraged()
                                        ? "; completed as is and mirrored across its first axis, probabilities averaged"
                                        : "; completed once (--single-pass)"),
                        Math.round(d.implantCoveredFraction() * 1000) / 1000.0);
        List<DesignReport.HoleReport> holes = null;
        if (!d.holes().isEmpty()) {
            holes = new java.util.ArrayList<>();
            for (ImplantDesigner.HoleDesign h : d.holes()) {
                holes.add(new DesignReport.HoleReport(
                        h.hole().report(),
                        h.grid() != null,
                        Math.round(h.rimInsideGrid() * 1000) / 1000.0,
                        Math.round(h.closedFraction() * 1000) / 1000.0,
                        h.grid() != null ? h.grid().toString() : null));
            }
        }
        double[] b = mesh.boundingBox();
        DesignReport.Implant implant = new DesignReport.Implant(
                d.implant().cardinality(),
                d.implantVolumeMl(),
                mesh.enclosedVolumeMm3() / 1000.0,
                mesh.surfaceAreaMm2(),
                round(new double[] {b[0], b[1], b[2]}),
                round(new double[] {b[3], b[4], b[5]}),
                round(new double[] {b[3] - b[0], b[4] - b[1], b[5] - b[2]}),
                ConnectedComponents.count(d.implant(), 26),
                mesh.triangleCount(),
                mesh.isWatertight(),
                d.implant().intersectionCount(defective));
        Map<String, Double> seconds = new LinkedHashMap<>();
        timer.seconds().forEach((k, v) -> seconds.put(k.label(), Math.round(v * 1000) / 1000.0));
        seconds.put("total", Math.round(timer.total() * 1000) / 1000.0);
        return new DesignReport(
                "calvaria " + Provenance.version(),
                Provenance.now().toString(),
                source,
                defective.geometry().toString(),
                segmentation,
                m,
                model.device(),
                threshold,
                settings.smoothIterations(),
                grid,
                holes,
                implant,
                seconds,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                List.of(),
                List.of());
    }

    private static double[] round(double[] v) {
        double[] r = new double[v.length];
        for (int i = 0; i < v.length; i++) r[i] = Math.round(v[i] * 100) / 100.0;
        return r;
    }

    static void writePreview(MaskVolume defective, TriangleMesh implant, Path png, String title) {
        TriangleMesh skull = MarchingCubes.extract(defective);
        PreviewRenderer renderer = new PreviewRenderer(500);
        var image = renderer.render(
                List.of(
                        new PreviewRenderer.Layer(skull, PreviewRenderer.BONE),
                        new PreviewRenderer.Layer(implant, PreviewRenderer.IMPLANT)),
                Path.of(title).getFileName().toString());
        PreviewRenderer.writePng(image, png);
    }

    static void writeJson(DesignReport report, Path path) {
        Outputs.writeAtomically(path, o -> Json.MAPPER.writeValue(o, report));
    }
}
