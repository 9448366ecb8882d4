package org.calvaria.dataset;

import java.util.SplittableRandom;
import org.calvaria.CalvariaException;
import org.calvaria.defects.Augmentation;
import org.calvaria.defects.Defect;
import org.calvaria.defects.DefectGenerator;
import org.calvaria.defects.DefectType;
import org.calvaria.normalise.GridPlacement;
import org.calvaria.normalise.NetworkGrid;
import org.calvaria.volume.MaskVolume;

/**
 * Makes one training pair from a preloaded skull and a seed: augmentation first (on the working grid, so bone comes in
 * from below when tilting), then either the skull's real defect or a random artificial defect cut on the network grid.
 * The result depends only on the skull and the seed.
 */
public final class SampleFactory {
    private final NetworkGrid grid;
    private final SampleOptions options;

    public SampleFactory(NetworkGrid grid, SampleOptions options) {
        this.grid = grid;
        this.options = options;
    }

    /** The draws a seed makes, in order: augmentation, real-or-artificial, type, size, defect seed. */
    public record Draw(Augmentation augmentation, boolean real, DefectType type, double fraction, long defectSeed) {}

    public Draw draw(GridSkull skull, long sampleSeed) {
        SplittableRandom r = new SplittableRandom(sampleSeed);
        Augmentation a =
                options.augment() ? Augmentation.of(r.nextInt(Augmentation.all().size())) : Augmentation.identity();
        boolean real = r.nextDouble() < options.realDefectShare() && skull.hasRealDefect();
        DefectType type = options.types().get(r.nextInt(options.types().size()));
        double fraction = options.minFraction() + (options.maxFraction() - options.minFraction()) * r.nextDouble();
        return new Draw(a, real, type, fraction, r.nextLong());
    }

    public Sample make(GridSkull skull, long sampleSeed) {
        Draw d = draw(skull, sampleSeed);
        MaskVolume complete = skull.completeOnGrid(d.augmentation(), grid);
        if (d.real()) {
            MaskVolume defective = skull.realDefectiveOnGrid(d.augmentation(), grid);
            // Interpolation may differ by a voxel at the edges; keep defective inside complete.
            complete.or(defective);
            return new Sample(skull.id(), sampleSeed, d.augmentation(), defective, complete, null);
        }
        DefectGenerator gen = new DefectGenerator(d.defectSeed(), grid);
        GridPlacement region = GridPlacement.ofGrid(complete.geometry());
        try {
            Defect defect = gen.cut(complete, d.type(), d.fraction(), options.placement(), region);
            return new Sample(skull.id(), sampleSeed, d.augmentation(), defect.defective(), complete, defect);
        } catch (CalvariaException e) {
            throw new CalvariaException(
                    "sample from skull " + skull.id() + " (seed " + sampleSeed + "): " + e.getMessage(), e);
        }
    }
}
