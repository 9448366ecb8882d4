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

    @Option(
            names = "--detail",
            paramLabel = "PNG",
            description = "Also draw the validation implant Dice alone from --detail-from-epoch on, on an axis fitted"
                    + " to it, with the means of --window epochs: whether the curve has flattened.")
    Path detail;

    @Option(
            names = "--detail-from-epoch",
            paramLabel = "N",
            description = "First epoch of the detail picture and of the printed means (default: the later half of"
                    + " the run).")
    Integer detailFromEpoch;

    @Option(
            names = "--window",
            paramLabel = "N",
            defaultValue = "10",
            description = "Epochs per printed and drawn mean (default: ${DEFAULT-VALUE}).")
    int window;

    @Override
    public void run() {
        if (window < 1 || window > 1000) throw badOption("--window must be 1..1000 epochs, got " + window);
        if (detailFromEpoch != null && detailFromEpoch < 1) {
            throw badOption("--detail-from-epoch must be 1 or more, got " + detailFromEpoch);
        }
        org.calvaria.files.Outputs.requireDistinct(
                List.of(log), detail == null ? List.of(output) : java.util.Arrays.asList(output, detail));
        List<TrainingCurve.Point> points = TrainingCurve.read(log);
        int lastEpoch = points.get(points.size() - 1).epoch();
        int from = detailFromEpoch != null ? detailFromEpoch : (points.get(0).epoch() + lastEpoch + 1) / 2;
        if (from > lastEpoch) {
            throw badOption("--detail-from-epoch " + from + " is past the log's last epoch, " + lastEpoch);
        }
        if (detail != null) TrainingCurve.detailPoints(points, from); // refused before any picture is written
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
        StringBuilder means = new StringBuilder();
        for (TrainingCurve.WindowMean m : TrainingCurve.windowMeans(points, from, window)) {
            means.append(String.format(Locale.ROOT, "%n  epochs %d-%d: %.4f", m.first(), m.last(), m.mean()));
        }
        out().printf(Locale.ROOT, "validation implant Dice, means of %d epochs:%s%n", window, means);
        if (detail != null) {
            TrainingCurve.writeDetailPng(points, from, window, name + ", from epoch " + from, detail);
            out().println("wrote " + detail);
        }
    }
}
