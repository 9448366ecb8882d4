package org.calvaria.dataset;

import java.util.List;
import org.calvaria.CalvariaException;
import org.calvaria.defects.DefectPlacement;
import org.calvaria.defects.DefectType;

/**
 * How training pairs are drawn.
 *
 * @param seed              everything is reproducible from this
 * @param augment           draw one of the 98 augmentations per sample (false: identity)
 * @param types             defect types, drawn with equal probability
 * @param minFraction       smallest share of the upper cranium removed
 * @param maxFraction       largest share (drawn uniformly in between)
 * @param placement         placement for every type, or null for each type's default
 * @param realDefectShare   probability of using a skull's real defect (SkullFix pair) when it has one
 * @param threads           worker threads producing samples
 * @param prefetch          samples produced ahead of the consumer
 */
public record SampleOptions(
        long seed,
        boolean augment,
        List<DefectType> types,
        double minFraction,
        double maxFraction,
        DefectPlacement placement,
        double realDefectShare,
        int threads,
        int prefetch) {
    public SampleOptions {
        types = List.copyOf(types);
        if (types.isEmpty()) throw new CalvariaException("no defect types given; give at least one");
        if (!(minFraction >= 0.01 && maxFraction <= 0.9 && minFraction <= maxFraction)) {
            throw new CalvariaException("defect size range " + minFraction + ".." + maxFraction
                    + " is not usable; give 0.01 <= min <= max <= 0.9, e.g. 0.05,0.45");
        }
        if (!(realDefectShare >= 0 && realDefectShare <= 1)) {
            throw new CalvariaException("real defect share " + realDefectShare + " must be in [0, 1]");
        }
        if (threads < 1 || prefetch < 0) throw new CalvariaException("threads must be >= 1 and prefetch >= 0");
    }

    /**
     * Paper-like defaults: augmentation on, the six mask types of Wu et al. 2022, 5-45% of the upper cranium,
     * real SkullFix defects in 20% of the draws for skulls that have one, two threads, 32 samples ahead.
     */
    public static SampleOptions defaults(long seed) {
        return new SampleOptions(seed, true, DefectType.wu2022(), 0.05, 0.45, null, 0.2, 2, 32);
    }

    public SampleOptions withSeed(long s) {
        return new SampleOptions(
                s, augment, types, minFraction, maxFraction, placement, realDefectShare, threads, prefetch);
    }

    public SampleOptions withAugment(boolean a) {
        return new SampleOptions(
                seed, a, types, minFraction, maxFraction, placement, realDefectShare, threads, prefetch);
    }

    public SampleOptions withTypes(List<DefectType> t) {
        return new SampleOptions(
                seed, augment, t, minFraction, maxFraction, placement, realDefectShare, threads, prefetch);
    }

    public SampleOptions withFractions(double min, double max) {
        return new SampleOptions(seed, augment, types, min, max, placement, realDefectShare, threads, prefetch);
    }

    public SampleOptions withPlacement(DefectPlacement p) {
        return new SampleOptions(seed, augment, types, minFraction, maxFraction, p, realDefectShare, threads, prefetch);
    }

    public SampleOptions withRealDefectShare(double share) {
        return new SampleOptions(seed, augment, types, minFraction, maxFraction, placement, share, threads, prefetch);
    }

    public SampleOptions withThreads(int n, int ahead) {
        return new SampleOptions(seed, augment, types, minFraction, maxFraction, placement, realDefectShare, n, ahead);
    }
}
