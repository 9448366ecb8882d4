package org.calvaria.web;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import org.calvaria.complete.CompletionModel;
import org.calvaria.implant.DesignStage;
import org.calvaria.implant.ImplantDesigner;
import org.calvaria.pipeline.DesignPipeline;
import org.calvaria.pipeline.DesignReport;

/** The real design pipeline behind the web app: the same job as {@code calvaria design}, one model for all jobs. */
public final class PipelineDesignService implements DesignService, AutoCloseable {
    private final CompletionModel model;
    private final String modelName;

    public PipelineDesignService(CompletionModel model, String modelName) {
        this.model = model;
        this.modelName = modelName;
    }

    @Override
    public DesignOutcome design(Path input, Path outputFolder, double threshold, Consumer<DesignStage> stageListener)
            throws java.io.IOException {
        return design(input, outputFolder, DesignRequest.defaults(threshold), stageListener);
    }

    /** As {@code design} with {@code --clearance}, {@code --min-thickness}/{@code --thickness}, --mould, --fit-check. */
    @Override
    public DesignOutcome design(
            Path input, Path outputFolder, DesignRequest request, Consumer<DesignStage> stageListener)
            throws java.io.IOException {
        DesignPipeline.OutputFiles out = new DesignPipeline.OutputFiles(
                outputFolder.resolve("implant.stl"),
                outputFolder.resolve("implant.nrrd"),
                outputFolder.resolve("completed_skull.nrrd"),
                outputFolder.resolve("report.json"),
                outputFolder.resolve("preview.png"));
        DesignPipeline.Result r = new DesignPipeline(model, modelName)
                .run(
                        input,
                        DesignPipeline.Settings.defaults()
                                .withThreshold(request.threshold())
                                .withManufacture(request.manufactureIn(outputFolder)),
                        out,
                        stage -> {
                            // "write" is part of the page's last stage
                            if (STAGES.contains(stage)) stageListener.accept(stage);
                        });
        DesignReport.Implant implant = r.report().implant();
        DesignOutcome.Figures figures = new DesignOutcome.Figures(
                implant.volumeMl(),
                implant.surfaceAreaMm2(),
                implant.boundingBoxSizeMm(),
                r.report().secondsPerStage().getOrDefault("total", 0.0));
        Path holesJson = null, rimsStl = null;
        List<ImplantDesigner.HoleDesign> holes = r.design().holes();
        if (!holes.isEmpty()) {
            rimsStl = RimMarks.write(
                    holes.stream().map(ImplantDesigner.HoleDesign::hole).toList(),
                    holes.stream()
                            .map(h -> Math.round(h.closedFraction() * 1000) / 1000.0)
                            .toList(),
                    outputFolder);
            holesJson = outputFolder.resolve("holes.json");
        }
        return new DesignOutcome(
                out.stl(),
                out.implantVolume(),
                out.completedVolume(),
                out.report(),
                out.preview(),
                figures,
                holesJson,
                rimsStl);
    }

    @Override
    public ThresholdSetting threshold() {
        return new ThresholdSetting(
                "Threshold",
                model.threshold(),
                0.05,
                0.95,
                0.05,
                "Probability above which a voxel of the completed skull counts as bone; lower gives a thicker implant.");
    }

    @Override
    public void close() {
        model.close();
    }
}
