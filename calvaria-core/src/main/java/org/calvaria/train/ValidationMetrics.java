package org.calvaria.train;

/**
 * Overlap scores of predictions on a validation set, averaged over samples.
 *
 * <p>Skull Dice compares the thresholded prediction with the complete skull. Implant Dice compares the predicted
 * implant (prediction AND NOT defective input) with the true implant (complete AND NOT defective input); samples
 * without a true implant are left out of it. The implant error rate is Wu et al.'s volumetric error
 * |P* - P|_1 / |P|_1 of the implant voxels (lower is better).
 */
public record ValidationMetrics(
        double loss, double skullDice, double implantDice, double implantErrorRate, int samples) {
    /** Accumulates sample by sample. */
    public static final class Accumulator {
        private double lossSum, skullDiceSum, implantDiceSum, errorSum;
        private int lossSamples, samples, implantSamples;

        /** Adds a batch's mean loss, weighted by its sample count. */
        public void addLoss(double batchLoss, int count) {
            lossSum += batchLoss * count;
            lossSamples += count;
        }

        /** Adds one sample: probabilities, defective input and complete target, same layout. */
        public void add(
                float[] probabilities, float[] defective, float[] complete, int offset, int voxels, double threshold) {
            long predicted = 0, truth = 0, both = 0, implantPredicted = 0, implantTruth = 0, implantBoth = 0;
            for (int i = offset; i < offset + voxels; i++) {
                boolean p = probabilities[i] >= threshold;
                boolean c = complete[i] >= 0.5f;
                boolean d = defective[i] >= 0.5f;
                if (p) predicted++;
                if (c) truth++;
                if (p && c) both++;
                if (!d) {
                    if (p) implantPredicted++;
                    if (c) implantTruth++;
                    if (p && c) implantBoth++;
                }
            }
            samples++;
            skullDiceSum += predicted + truth == 0 ? 1 : 2.0 * both / (predicted + truth);
            if (implantTruth > 0) {
                implantSamples++;
                implantDiceSum += 2.0 * implantBoth / (implantPredicted + implantTruth);
                errorSum += (double) (implantPredicted + implantTruth - 2 * implantBoth) / implantTruth;
            }
        }

        public ValidationMetrics result() {
            return new ValidationMetrics(
                    lossSamples == 0 ? Double.NaN : lossSum / lossSamples,
                    samples == 0 ? Double.NaN : skullDiceSum / samples,
                    implantSamples == 0 ? Double.NaN : implantDiceSum / implantSamples,
                    implantSamples == 0 ? Double.NaN : errorSum / implantSamples,
                    samples);
        }
    }
}
