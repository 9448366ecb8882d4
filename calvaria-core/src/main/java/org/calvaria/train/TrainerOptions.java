package org.calvaria.train;

import java.nio.file.Path;
import org.calvaria.CalvariaException;
import org.calvaria.complete.Architecture;
import org.calvaria.complete.TensorFlowSupport;

/**
 * Settings of one training run.
 *
 * @param outputDir      folder for the model, checkpoint and CSV log
 * @param epochs         epochs to reach (a resumed run continues up to this count)
 * @param stepsPerEpoch  optimizer steps per epoch
 * @param batchSize      pairs per step (the paper: 10)
 * @param learningRate   NaN for the optimizer's default
 * @param seed           weight initialisation and data order
 * @param resume         continue from the output folder's checkpoint
 * @param threads        TensorFlow threads
 */
public record TrainerOptions(
        Path outputDir,
        Architecture architecture,
        int epochs,
        int stepsPerEpoch,
        int batchSize,
        Optimizer optimizer,
        double learningRate,
        LossKind loss,
        long seed,
        boolean resume,
        int threads) {
    public TrainerOptions {
        if (outputDir == null) throw new CalvariaException("give an output folder with -o");
        if (epochs < 1 || epochs > 1_000_000) throw new CalvariaException("--epochs must be 1..1000000, got " + epochs);
        if (stepsPerEpoch < 1 || stepsPerEpoch > 10_000_000) {
            throw new CalvariaException("--steps-per-epoch must be at least 1, got " + stepsPerEpoch);
        }
        if (batchSize < 1 || batchSize > 1024) throw new CalvariaException("--batch must be 1..1024, got " + batchSize);
        if (Double.isNaN(learningRate)) learningRate = optimizer.defaultLearningRate();
        if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
            throw new CalvariaException("--lr must be a positive number, got " + learningRate);
        }
        if (threads < 1 || threads > 1024) throw new CalvariaException("--threads must be 1..1024, got " + threads);
    }

    /** The paper's settings: wu2022, Adadelta, BCE, batch 10. */
    public static TrainerOptions paper(Path outputDir, int epochs, int stepsPerEpoch) {
        return new TrainerOptions(
                outputDir,
                Architecture.wu2022(),
                epochs,
                stepsPerEpoch,
                10,
                Optimizer.ADADELTA,
                Double.NaN,
                LossKind.BCE,
                1,
                false,
                TensorFlowSupport.defaultThreads());
    }

    public TrainerOptions withResume(boolean r) {
        return new TrainerOptions(
                outputDir,
                architecture,
                epochs,
                stepsPerEpoch,
                batchSize,
                optimizer,
                learningRate,
                loss,
                seed,
                r,
                threads);
    }

    public TrainerOptions withEpochs(int e) {
        return new TrainerOptions(
                outputDir,
                architecture,
                e,
                stepsPerEpoch,
                batchSize,
                optimizer,
                learningRate,
                loss,
                seed,
                resume,
                threads);
    }

    public TrainerOptions withLearningRate(double rate) {
        return new TrainerOptions(
                outputDir,
                architecture,
                epochs,
                stepsPerEpoch,
                batchSize,
                optimizer,
                rate,
                loss,
                seed,
                resume,
                threads);
    }
}
