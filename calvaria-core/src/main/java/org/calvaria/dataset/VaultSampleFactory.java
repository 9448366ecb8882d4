package org.calvaria.dataset;

import java.util.SplittableRandom;
import org.calvaria.CalvariaException;
import org.calvaria.defects.Augmentation;
import org.calvaria.defects.Defect;
import org.calvaria.defects.DefectGenerator;
import org.calvaria.defects.DefectType;
import org.calvaria.normalise.GridPlacement;
import org.calvaria.normalise.NetworkGrid;
import org.calvaria.normalise.OrientedGrid;
import org.calvaria.volume.Geometry;
import org.calvaria.volume.MaskVolume;
import org.calvaria.volume.VoxelType;

/**
 * Training pairs anywhere on the vault: the network grid is turned to a random part of the skull ({@link
 * OrientedGrid}), or to the skull's real hole, jittered (tilt, spin, shift, height: the augmentation of this mode), and
 * a random defect is cut in it. The network always sees a dome with a hole, as a design will show it.
 *
 * <p>Positions: the grid axis is drawn uniformly over the cap of directions up to {@value #MAX_POLAR_DEG} degrees
 * from superior (vertex, frontal down to the supraorbital rim, temporal, occipital). Sizes: a share of the bone on the
 * grid between the options' limits; at the upper end that is a hemicraniectomy-sized cut (about 150 x 120 mm on the
 * side of the head).
 */
public final class VaultSampleFactory {
    /** Largest polar angle of a drawn grid axis, degrees from superior. */
    public static final double MAX_POLAR_DEG = 100;

    static final double TILT_DEG = 8, SPIN_DEG = 15, SHIFT_MM = 6, HEIGHT_MM = 3.5;

    private final NetworkGrid grid;
    private final SampleOptions options;
    private final Geometry canonical;

    public VaultSampleFactory(NetworkGrid grid, SampleOptions options) {
        this.grid = grid;
        this.options = options;
        double s = grid.spacingMm();
        this.canonical = Geometry.axisAligned(grid.nx(), grid.ny(), grid.nz(), s, s, s, new double[3]);
    }

    public Sample make(VaultSkull skull, long sampleSeed) {
        SplittableRandom r = new SplittableRandom(sampleSeed);
        boolean real = skull.hasRealDefect() && r.nextDouble() < options.realDefectShare();
        DefectType type = options.types().get(r.nextInt(options.types().size()));
        double fraction = options.minFraction() + (options.maxFraction() - options.minFraction()) * r.nextDouble();
        double[] axis = real ? skull.realHole().normal() : randomVaultDirection(r);
        if (options.augment()) axis = tilt(axis, Math.toRadians(TILT_DEG) * Math.sqrt(r.nextDouble()), r);
        double spin = options.augment() ? Math.toRadians(uniform(r, -SPIN_DEG, SPIN_DEG)) : 0;
        double[] shift = options.augment()
                ? new double[] {uniform(r, -SHIFT_MM, SHIFT_MM), uniform(r, -SHIFT_MM, SHIFT_MM)}
                : new double[2];
        double dz = options.augment() ? uniform(r, -HEIGHT_MM, HEIGHT_MM) : 0;
        double surface = real
                ? OrientedGrid.surfaceHeight(skull.realRays(), axis, skull.realHole())
                : OrientedGrid.surfaceHeight(skull.rays(), axis, null);
        if (Double.isNaN(surface)) {
            throw new CalvariaException("no bone along the drawn direction of skull " + skull.id());
        }
        double[] centre = real ? skull.realRays().centre() : skull.rays().centre();
        Geometry target = OrientedGrid.geometry(grid, centre, axis, surface + dz, spin, shift);
        MaskVolume complete = VaultSkull.onGrid(skull.complete(), target, canonical);
        long defectSeed = r.nextLong();
        if (real) {
            MaskVolume defective = VaultSkull.onGrid(skull.realDefective(), target, canonical);
            complete.or(defective);
            return new Sample(skull.id(), sampleSeed, Augmentation.identity(), defective, complete, null);
        }
        DefectGenerator gen = new DefectGenerator(defectSeed, grid);
        try {
            Defect defect = gen.cut(complete, type, fraction, null, GridPlacement.ofGrid(canonical));
            defect.defective().setSourceType(VoxelType.UINT8);
            return new Sample(skull.id(), sampleSeed, Augmentation.identity(), defect.defective(), complete, defect);
        } catch (CalvariaException e) {
            throw new CalvariaException(
                    "sample from skull " + skull.id() + " (seed " + sampleSeed + "): " + e.getMessage(), e);
        }
    }

    /** Uniform over the cap of directions up to {@link #MAX_POLAR_DEG} from superior. */
    static double[] randomVaultDirection(SplittableRandom r) {
        double cosMax = Math.cos(Math.toRadians(MAX_POLAR_DEG));
        double c = uniform(r, cosMax, 1);
        double s = Math.sqrt(Math.max(0, 1 - c * c));
        double phi = r.nextDouble() * 2 * Math.PI;
        return new double[] {s * Math.cos(phi), s * Math.sin(phi), c};
    }

    /** {@code n} turned by {@code angle} towards a random perpendicular direction. */
    static double[] tilt(double[] n, double angle, SplittableRandom r) {
        double[][] f = OrientedGrid.frame(n, r.nextDouble() * 2 * Math.PI);
        double[] a = f[0];
        double c = Math.cos(angle), s = Math.sin(angle);
        return new double[] {n[0] * c + a[0] * s, n[1] * c + a[1] * s, n[2] * c + a[2] * s};
    }

    private static double uniform(SplittableRandom r, double lo, double hi) {
        return lo + (hi - lo) * r.nextDouble();
    }
}
