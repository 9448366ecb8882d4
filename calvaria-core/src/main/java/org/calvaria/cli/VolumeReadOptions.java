package org.calvaria.cli;

import org.calvaria.io.ReadOptions;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** Options of the commands that read volumes: how tolerant reading a DICOM series is. */
public final class VolumeReadOptions {
    @CommandLine.Spec(CommandLine.Spec.Target.MIXEE)
    CommandLine.Model.CommandSpec spec;

    @Option(
            names = "--allow-gaps",
            description = "Read a DICOM series even when some of its files are damaged or unreadable: they are skipped"
                    + " with a warning (default: such a series is refused, naming the file).")
    boolean allowGaps;

    @Option(
            names = "--max-slice-gap-ratio",
            paramLabel = "R",
            defaultValue = "3",
            description = "A DICOM series with uneven slice gaps is resampled onto even slices (the median gap), as 3D"
                    + " Slicer does; a gap more than R times the median gap is refused (default: ${DEFAULT-VALUE}).")
    double maxSliceGapRatio;

    ReadOptions toReadOptions() {
        if (!(maxSliceGapRatio >= 1)) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "--max-slice-gap-ratio must be at least 1, got " + maxSliceGapRatio);
        }
        return new ReadOptions(allowGaps, maxSliceGapRatio);
    }
}
