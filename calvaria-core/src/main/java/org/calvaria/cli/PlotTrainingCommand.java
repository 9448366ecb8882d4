package org.calvaria.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.calvaria.train.TrainingCurve;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code calvaria plot-training}: the training curve of a run as a PNG. */
@Command(
        name = "plot-training",
        mixinStandardHelpOptions = true,
        description = "Draw a training run's curve (validation implant and skull Dice, training and validation loss"
                + " against steps) from its training-log.csv as a PNG.")
public final class PlotTrainingCommand extends CalvariaCommand implements Runnable {
    @Mixin
    CommonOptions common;

    @Parameters(index = "0", paramLabel = "LOG", description = "training-log.csv written by 'calvaria train'.")
    Path log;

    @Option(
            names = {"-o", "--output"},
            required = true,
            paramLabel = "PNG",
            description = "The picture to write.")
    Path output;

    @Option(names = "--title", paramLabel = "TEXT", description = "Title (default: the run's folder name).")
    String title;

    @Override
    public void run() {
        org.calvaria.files.Outputs.requireDistinct(List.of(log), List.of(output));
        List<TrainingCurve.Point> points = TrainingCurve.read(log);
        Path folder = log.toAbsolutePath().getParent();
        String name = title != null ? title : "training run " + (folder == null ? log : folder.getFileName());
        TrainingCurve.writePng(points, name, output);
        TrainingCurve.Point last = points.get(points.size() - 1);
        double best = points.stream()
                .mapToDouble(TrainingCurve.Point::valImplantDice)
                .filter(Double::isFinite)
                .max()
                .orElse(Double.NaN);
        out().printf(
                        Locale.ROOT,
                        "%d epochs, %d steps, %.2f h; best validation implant Dice %.4f; wrote %s%n",
                        points.size(),
                        last.step(),
                        last.hours(),
                        best,
                        output);
    }
}
