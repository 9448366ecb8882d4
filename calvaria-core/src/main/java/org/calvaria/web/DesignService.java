package org.calvaria.web;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import org.calvaria.implant.DesignStage;

/**
 * What the web app asks of the implant design pipeline. The server stays independent of how implants are made: the
 * real pipeline is plugged in by {@code calvaria serve}, tests plug in a fake.
 *
 * <p>Implementations are called on the server's design thread, one job at a time, and may take minutes.
 */
public interface DesignService {
    /** The stages, in order, that the page lists while a design runs (JSON: their labels). */
    List<DesignStage> STAGES = List.of(
            DesignStage.READ,
            DesignStage.SEGMENT,
            DesignStage.NORMALISE,
            DesignStage.COMPLETE,
            DesignStage.MAP_BACK,
            DesignStage.IMPLANT,
            DesignStage.MESH);

    /**
     * Designs an implant for one defective skull.
     *
     * @param input         the uploaded skull: an NRRD or NIfTI file, or a folder holding one DICOM CT series
     *                      (read it with {@code VolumeIO.read}, which recognises the format from the content)
     * @param outputFolder  an empty folder owned by this job; write every output here (it is deleted when the server
     *                      stops)
     * @param threshold     the user's threshold, within {@link #threshold()}'s range
     * @param stageListener call with a stage from {@link #STAGES} when a stage begins (any thread)
     * @return the files written and the figures to show
     * @throws org.calvaria.CalvariaException for input the user can fix; its message is shown in the page
     * @throws Exception                       anything else (shown as a short failure line, logged in full)
     */
    DesignOutcome design(Path input, Path outputFolder, double threshold, Consumer<DesignStage> stageListener)
            throws Exception;

    /**
     * Designs with the page's manufacturing settings (clearance, thickness, mould, fit check; {@link DesignRequest}).
     * The mould folder, fit-check STL and 3MF go into {@code outputFolder} under {@link DesignRequest}'s fixed names.
     * By default only the threshold is used, for services that make no such parts.
     */
    default DesignOutcome design(
            Path input, Path outputFolder, DesignRequest request, Consumer<DesignStage> stageListener)
            throws Exception {
        return design(input, outputFolder, request.threshold(), stageListener);
    }

    /** What the threshold means, for the page's control; override when the pipeline's differs. */
    default ThresholdSetting threshold() {
        return ThresholdSetting.DEFAULT;
    }
}
