package org.calvaria.cli;

import java.nio.file.Path;
import java.util.List;
import org.calvaria.Progress;
import org.calvaria.complete.CompletionModel;
import org.calvaria.files.Outputs;
import org.calvaria.implant.DesignStage;
import org.calvaria.pipeline.DesignPipeline;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code calvaria design INPUT -o implant.stl}: the implant for a defective skull. */
@Command(
        name = "design",
        mixinStandardHelpOptions = true,
        description = {
            "Design the implant that fills a skull defect and write it as a watertight STL in the input's"
                    + " physical (LPS mm) coordinates, so it overlays the skull in 3D Slicer.",
            "INPUT: a binary defective skull (NRRD, NIfTI) or a head CT in HU (NRRD, NIfTI, DICOM folder), which is"
                    + " segmented first."
        })
public final class DesignCommand extends CalvariaCommand implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(DesignCommand.class);

    @Mixin
    CommonOptions common;

    @Mixin
    VolumeReadOptions reading;

    @Parameters(index = "0", paramLabel = "INPUT", description = "Defective skull mask or CT.")
    Path input;

    @Option(
            names = {"-o", "--output"},
            required = true,
            paramLabel = "STL",
            description = "Implant mesh: .stl, or .3mf (millimetres; with the fit-check model and mould halves as"
                    + " further named objects when they are made).")
    Path stl;

    @Option(names = "--model", paramLabel = "FILE", description = "Completion model (default: the bundled one).")
    Path model;

    @Option(
            names = "--threshold",
            paramLabel = "P",
            description = "Probability at or above which a voxel is bone (default: the model's, usually 0.5).")
    Double threshold;

    @Option(
            names = "--single-pass",
            description = "Complete each hole's grid once instead of also mirrored and averaged: one network pass"
                    + " less per hole (0.1-0.25 s on 2 cores), slightly less accurate (README: Results).")
    boolean singlePass;

    @Option(
            names = "--nrrd",
            paramLabel = "FILE",
            description = "Also write the implant mask on the input grid" + " (.nrrd or .nii.gz).")
    Path implantVolume;

    @Option(names = "--completed", paramLabel = "FILE", description = "Also write the completed skull mask.")
    Path completed;

    @Option(
            names = "--report",
            paramLabel = "FILE",
            description = "Also write a JSON report (model, device, timings"
                    + " per stage, implant volume, area, bounding box, components).")
    Path report;

    @Option(
            names = "--preview",
            paramLabel = "PNG",
            description = "Also write a picture of the implant (red) on" + " the defective skull.")
    Path preview;

    @Option(
            names = "--smooth",
            paramLabel = "N",
            defaultValue = "10",
            description = "Taubin smoothing iterations of the STL (volume-preserving; 0 = voxel steps). Default 10.")
    int smooth;

    @Option(
            names = "--clearance",
            paramLabel = "MM",
            defaultValue = "0.5",
            description = "Gap to leave between the implant's edge and the bone, so the cast part drops into the hole"
                    + " (only bone-facing surfaces move; 0 keeps the designed shape). Default 0.5 mm.")
    double clearance;

    @Option(
            names = "--min-thickness",
            paramLabel = "MM",
            defaultValue = "2.0",
            description = "Thicken places thinner than this inward (towards the brain side, never outward); 0 = off."
                    + " Default 2.0 mm (PMMA).")
    double minThickness;

    @Option(
            names = "--thickness",
            paramLabel = "MM",
            description = "Make a plate of constant thickness following the outer surface (e.g. 4 or 5 mm).")
    Double thickness;

    @Option(
            names = "--fit-check",
            paramLabel = "STL",
            description = "Also write the fit-check model: the defective"
                    + " skull within --fit-margin of the defect, closed into a printable solid.")
    Path fitCheck;

    @Option(
            names = "--fit-margin",
            paramLabel = "MM",
            defaultValue = "20",
            description = "Margin of bone around the defect in the fit-check model. Default 20 mm.")
    double fitMargin;

    @Option(
            names = "--3mf",
            paramLabel = "FILE",
            description = "Also write a 3MF file (millimetres) with the implant"
                    + " and, with --fit-check, the fit-check model as named objects.")
    Path threeMf;

    @Option(
            names = "--rim-radius",
            paramLabel = "MM",
            defaultValue = "1.0",
            description = "Round the implant's edge towards the bone to this radius (0 = not rounded). Default 1 mm.")
    double rimRadius;

    @Option(
            names = "--thickness-map",
            paramLabel = "PLY",
            description = "Also write the wall-thickness map: the"
                    + " implant mesh with per-vertex thickness (float, mm) and colour, binary PLY.")
    Path thicknessMap;

    @Option(
            names = "--thickness-preview",
            paramLabel = "PNG",
            description = "Also write a picture of the implant" + " coloured by wall thickness, with its scale in mm.")
    Path thicknessPreview;

    @Option(
            names = "--mould",
            paramLabel = "DIR",
            description = "Also make the two-part casting mould (as 'calvaria"
                    + " mould' does) into this new or empty folder.")
    Path mouldDir;

    @Option(names = "--mould-wall", paramLabel = "MM", defaultValue = "3", description = "Mould wall. Default 3 mm.")
    double mouldWall;

    @Option(
            names = "--shrinkage",
            paramLabel = "PERCENT",
            defaultValue = "0",
            description = "Linear shrinkage allowance of the cast material: the mould cavity is enlarged by this.")
    double shrinkage;

    @Option(
            names = "--max-print-mm",
            paramLabel = "MM",
            description = "Refuse when the implant or a mould half does" + " not fit a printer of this size.")
    Double maxPrint;

    @Override
    public void run() {
        String outName = stl.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        if (!outName.endsWith(".stl") && !outName.endsWith(".3mf")) {
            throw badOption("the implant output must be an .stl or .3mf file, got " + stl.getFileName());
        }
        if (smooth < 0 || smooth > 1000) throw badOption("--smooth must be 0..1000, got " + smooth);
        org.calvaria.manufacture.Mould.Options md = org.calvaria.manufacture.Mould.Options.defaults();
        org.calvaria.manufacture.Manufacture.Options manufacture = new org.calvaria.manufacture.Manufacture.Options(
                clearance,
                minThickness,
                thickness,
                fitCheck,
                threeMf,
                fitMargin,
                rimRadius,
                thicknessMap,
                thicknessPreview,
                mouldDir,
                new org.calvaria.manufacture.Mould.Options(
                        md.voxelMm(),
                        mouldWall,
                        shrinkage,
                        md.densityGPerMl(),
                        md.keyRadiusMm(),
                        md.spoutRadiusMm(),
                        md.ventRadiusMm(),
                        maxPrint));
        requireValid(manufacture::validate);
        if (thicknessMap != null
                && !thicknessMap
                        .getFileName()
                        .toString()
                        .toLowerCase(java.util.Locale.ROOT)
                        .endsWith(".ply")) {
            throw badOption("--thickness-map must name a .ply file, got " + thicknessMap.getFileName());
        }
        if (thicknessPreview != null
                && !thicknessPreview
                        .getFileName()
                        .toString()
                        .toLowerCase(java.util.Locale.ROOT)
                        .endsWith(".png")) {
            throw badOption("--thickness-preview must name a .png file, got " + thicknessPreview.getFileName());
        }
        if (mouldDir != null) org.calvaria.manufacture.Mould.requireNewOrEmpty(mouldDir);
        if (fitCheck != null
                && !fitCheck.getFileName()
                        .toString()
                        .toLowerCase(java.util.Locale.ROOT)
                        .endsWith(".stl")) {
            throw badOption("--fit-check must name an .stl file, got " + fitCheck.getFileName());
        }
        if (threeMf != null
                && !threeMf.getFileName()
                        .toString()
                        .toLowerCase(java.util.Locale.ROOT)
                        .endsWith(".3mf")) {
            throw badOption("--3mf must name a .3mf file, got " + threeMf.getFileName());
        }
        // no two outputs share a file, and none is (part of) the input or the model
        List<Path> outputs = java.util.Arrays.asList(
                stl, implantVolume, completed, report, preview, fitCheck, threeMf, thicknessMap, thicknessPreview);
        Outputs.requireDistinct(java.util.Arrays.asList(input, model), outputs);
        for (Path p : outputs) if (p != null) Outputs.requireFileTarget(p);
        if (implantVolume != null) org.calvaria.io.VolumeIO.formatForName(implantVolume);
        if (completed != null) org.calvaria.io.VolumeIO.formatForName(completed);
        try (CompletionModel m = CompletionModel.open(model)) {
            String name = model != null ? model.getFileName().toString() : "bundled default model";
            // The device is not asked here: that would wait for TensorFlow, which loads while the scan is read.
            LOG.info("model: {} ({})", name, m.architecture().name());
            DesignPipeline pipeline = new DesignPipeline(m, name);
            int stages = DesignStage.values().length;
            DesignPipeline.Result r;
            try (Progress p = Progress.start("design", stages)) {
                r = pipeline.run(
                        input,
                        reading.toReadOptions(),
                        new DesignPipeline.Settings(
                                threshold,
                                smooth,
                                DesignPipeline.Settings.defaults().segmentation(),
                                manufacture,
                                !singlePass),
                        new DesignPipeline.OutputFiles(stl, implantVolume, completed, report, preview),
                        stage -> {
                            p.stepTo(java.util.List.of(DesignStage.values()).indexOf(stage));
                            p.message(stage.label());
                        });
                p.stepTo(stages);
            }
            out().println("wrote " + stl + ": " + r.report().summary());
            for (String line : org.calvaria.manufacture.Manufacture.summaryLines(
                    r.report().thickness(), r.report().clearance())) out().println(line);
            out().println("seconds per stage: " + r.report().secondsPerStage());
        }
    }
}
