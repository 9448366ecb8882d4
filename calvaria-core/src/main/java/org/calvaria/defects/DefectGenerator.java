package org.calvaria.defects;

import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.calvaria.CalvariaException;
import org.calvaria.morphology.Morphology;
import org.calvaria.normalise.GridPlacement;
import org.calvaria.normalise.NetworkGrid;
import org.calvaria.volume.Geometry;
import org.calvaria.volume.MaskVolume;
import org.calvaria.volume.VoxelType;

/**
 * Cuts artificial defects of a requested size from complete skulls, reproducibly from a seed.
 *
 * <p><b>Size</b>: the target is the share of the <em>upper-cranium</em> bone to remove, where the upper cranium is the
 * bone whose voxel centres lie inside the box the network grid covers ({@link NetworkGrid#place}, or the whole volume
 * when the skull already is on a network grid). The shape's scale (mm) is found by bisection until the removed share
 * is within {@value #BISECTION_STOP} of the target; a result further than {@value #TOLERANCE} (absolute, i.e. two
 * percentage points) from the target, an empty implant, or a midline defect that does not reach both sides of the
 * mid-sagittal plane is rejected and a new placement is drawn, up to {@value #MAX_ATTEMPTS} times, after which the
 * cut fails with a {@link CalvariaException}. Targets from 1% to 90% are accepted; 5-45% is the intended range.
 *
 * <p><b>Masks</b> are intersected with the upper-cranium box, so every implant lies on the network grid. Shapes are
 * implicit functions evaluated at voxel centres in physical mm, so they behave the same at any resolution and on
 * sheared grids.
 *
 * <p>Not thread-safe (one random stream); use one generator per thread, seeded per sample for reproducibility.
 */
public final class DefectGenerator {
    /** Largest accepted distance between achieved and target fraction (absolute). */
    public static final double TOLERANCE = 0.02;
    /** Bisection stops this close to the target. */
    public static final double BISECTION_STOP = 0.0025;

    public static final int MAX_ATTEMPTS = 30;
    private static final double MAX_SCALE_MM = 400;

    private final SplittableRandom rnd;
    private final NetworkGrid grid;
    private MaskVolume frameSkull;
    private GridPlacement frameRegion;
    private SkullFrame frame;
    /** While cutting a bilateral pair: +1 forces the left side, -1 the right, 0 draws the side. */
    private int forcedSide;

    public DefectGenerator(long seed) {
        this(seed, NetworkGrid.wu2022());
    }

    public DefectGenerator(long seed, NetworkGrid grid) {
        this.rnd = new SplittableRandom(seed);
        this.grid = grid;
    }

    public NetworkGrid grid() {
        return grid;
    }

    /** A defect of {@code type} at the type's default placement, removing {@code targetFraction} of the upper cranium. */
    public Defect cut(MaskVolume completeSkull, DefectType type, double targetFraction) {
        return cut(completeSkull, type, targetFraction, null, null);
    }

    public Defect cut(MaskVolume completeSkull, DefectType type, double targetFraction, DefectPlacement placement) {
        return cut(completeSkull, type, targetFraction, placement, null);
    }

    /**
     * A defect with explicit placement (null: the type's default) and upper-cranium region (null: the network grid
     * placed on this skull, or the whole volume when the skull is itself on a network grid of this generator's sizes).
     */
    public Defect cut(
            MaskVolume completeSkull,
            DefectType type,
            double targetFraction,
            DefectPlacement placement,
            GridPlacement region) {
        if (!(targetFraction >= 0.01 && targetFraction <= 0.9)) {
            throw new CalvariaException(String.format(
                    Locale.ROOT,
                    "defect size %.4g is out of range; give a fraction of the upper cranium between 0.01 and 0.9"
                            + " (e.g. 0.2)",
                    targetFraction));
        }
        DefectPlacement where = placement == null ? type.defaultPlacement() : placement;
        if (region == null && where.wholeVault()) region = GridPlacement.ofGrid(completeSkull.geometry());
        if (where == DefectPlacement.BILATERAL) return bilateral(completeSkull, type, targetFraction, region);
        SkullFrame f = frameFor(completeSkull, region);
        int n = f.boneCount();
        for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
            double[] u = direction(where);
            double[] hit = f.surfaceHit(u);
            if (hit == null || hit[2] < f.box[2] + 3) continue;
            double depthToCentre =
                    Math.sqrt(sq(hit[0] - f.centre[0]) + sq(hit[1] - f.centre[1]) + sq(hit[2] - f.centre[2]));
            double drift = where == DefectPlacement.MIDLINE ? Shapes.uniform(rnd, -0.2, 0.2) : 0;
            Shapes.Family family = Shapes.draw(type, hit, u, depthToCentre, drift, rnd);
            double scale = bisect(f, family, targetFraction);
            long removed = count(f, family, scale, null);
            double achieved = (double) removed / n;
            if (removed == 0 || Math.abs(achieved - targetFraction) > TOLERANCE) continue;
            MaskVolume implant = new MaskVolume(completeSkull.geometry());
            count(f, family, scale, implant);
            if (where == DefectPlacement.MIDLINE && !crossesMidline(f, implant)) continue;
            MaskVolume defective = completeSkull.copy().andNot(implant);
            implant.inheritMetadata(completeSkull);
            implant.setSourceType(VoxelType.UINT8);
            defective.setSourceType(VoxelType.UINT8);
            Map<String, Object> params = family.describe(scale);
            params.put("midline_x_mm", Shapes.round(f.midX));
            params.put("region_box_mm", Shapes.round(f.box));
            return new Defect(defective, implant, type, where, targetFraction, achieved, n, removed, attempt, params);
        }
        throw new CalvariaException(String.format(
                Locale.ROOT,
                "could not cut a %s defect (%s) removing %.1f%% of the upper cranium within %.0f points in %d tries;"
                        + " try another size or type, or check that the skull is complete at the top",
                type.cliName(),
                where.cliName(),
                100 * targetFraction,
                100 * TOLERANCE,
                MAX_ATTEMPTS));
    }

    /**
     * Two side cuts, left then right, each removing half the target, that neither overlap nor touch (a bridge of bone
     * at least one voxel wide stays between them, as after a bilateral craniectomy); the pair is redrawn otherwise.
     */
    private Defect bilateral(MaskVolume completeSkull, DefectType type, double targetFraction, GridPlacement region) {
        for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
            forcedSide = 1;
            Defect left = cut(completeSkull, type, targetFraction / 2, DefectPlacement.SIDE, region);
            forcedSide = -1;
            Defect right;
            try {
                right = cut(completeSkull, type, targetFraction / 2, DefectPlacement.SIDE, region);
            } finally {
                forcedSide = 0;
            }
            double[] spacing = completeSkull.geometry().spacing();
            double voxel = Math.max(spacing[0], Math.max(spacing[1], spacing[2]));
            MaskVolume near = Morphology.dilate(left.implant(), 1.01 * voxel);
            if (near.intersectionCount(right.implant()) > 0) continue;
            MaskVolume implant = left.implant().copy().or(right.implant());
            MaskVolume defective = completeSkull.copy().andNot(implant);
            defective.setSourceType(VoxelType.UINT8);
            long removed = left.removedVoxels() + right.removedVoxels();
            Map<String, Object> params = new java.util.LinkedHashMap<>();
            params.put("left", left.parameters());
            params.put("right", right.parameters());
            return new Defect(
                    defective,
                    implant,
                    type,
                    DefectPlacement.BILATERAL,
                    targetFraction,
                    (double) removed / left.upperCraniumVoxels(),
                    left.upperCraniumVoxels(),
                    removed,
                    attempt,
                    params);
        }
        throw new CalvariaException(String.format(
                Locale.ROOT,
                "could not cut two separate %s defects (bilateral) removing %.1f%% of the skull in %d tries; try a"
                        + " smaller size",
                type.cliName(),
                100 * targetFraction,
                MAX_ATTEMPTS));
    }

    private SkullFrame frameFor(MaskVolume skull, GridPlacement region) {
        if (region == null) region = regionFor(skull);
        if (frame == null || frameSkull != skull || !frameRegion.equals(region)) {
            frame = new SkullFrame(skull, region);
            frameSkull = skull;
            frameRegion = region;
        }
        return frame;
    }

    /**
     * The upper-cranium region of a skull: the whole volume when it is on a grid of the network grid's sizes
     * (axis-aligned), otherwise the network grid placed on the skull.
     */
    public GridPlacement regionFor(MaskVolume skull) {
        Geometry g = skull.geometry();
        if (g.nx() == grid.nx() && g.ny() == grid.ny() && g.nz() == grid.nz() && g.isAxisAligned(1e-9)) {
            return GridPlacement.ofGrid(g);
        }
        return grid.place(skull);
    }

    /** Unit direction from the skull centre for a placement (see {@link DefectPlacement}). */
    private double[] direction(DefectPlacement where) {
        switch (where) {
            case MIDLINE: {
                double beta = Math.toRadians(Shapes.uniform(rnd, -50, 50));
                return new double[] {0, Math.sin(beta), Math.cos(beta)};
            }
            case OFF_MIDLINE: {
                double theta = Math.toRadians(Shapes.uniform(rnd, 30, 60));
                double phi = Math.toRadians(Shapes.uniform(rnd, -50, 50));
                double side = rnd.nextBoolean() ? 1 : -1;
                return new double[] {
                    side * Math.sin(theta) * Math.cos(phi), Math.sin(theta) * Math.sin(phi), Math.cos(theta)
                };
            }
            case VAULT:
                return cap(0, 100, 0, 180);
            case SIDE: {
                boolean left = forcedSide != 0 ? forcedSide > 0 : rnd.nextBoolean();
                return cap(55, 90, left ? 0 : 180, 30);
            }
            case FRONT:
                return cap(45, 85, 270, 30);
            case BACK:
                return cap(45, 100, 90, 30);
            default: {
                double cosT = Shapes.uniform(rnd, Math.cos(Math.toRadians(60)), 1);
                double sinT = Math.sqrt(1 - cosT * cosT);
                double phi = rnd.nextDouble() * 2 * Math.PI;
                return new double[] {sinT * Math.cos(phi), sinT * Math.sin(phi), cosT};
            }
        }
    }

    /**
     * Uniform over the band of directions {@code fromDeg..toDeg} from the vertex, with azimuth (0 = left, 90 =
     * posterior, 270 = anterior, degrees) within {@code halfWidthDeg} of {@code azimuthDeg}.
     */
    private double[] cap(double fromDeg, double toDeg, double azimuthDeg, double halfWidthDeg) {
        double cosT = Shapes.uniform(rnd, Math.cos(Math.toRadians(toDeg)), Math.cos(Math.toRadians(fromDeg)));
        double sinT = Math.sqrt(Math.max(0, 1 - cosT * cosT));
        double phi = Math.toRadians(azimuthDeg + Shapes.uniform(rnd, -halfWidthDeg, halfWidthDeg));
        return new double[] {sinT * Math.cos(phi), sinT * Math.sin(phi), cosT};
    }

    /** Scale (mm) whose removed share is closest to the target found by bisection (removal grows with scale). */
    private static double bisect(SkullFrame f, Shapes.Family family, double target) {
        int n = f.boneCount();
        double lo = 0, hi = 8;
        while (hi < MAX_SCALE_MM && (double) count(f, family, hi, null) / n < target) {
            lo = hi;
            hi *= 2;
        }
        double best = hi;
        for (int i = 0; i < 40; i++) {
            double mid = (lo + hi) / 2;
            double frac = (double) count(f, family, mid, null) / n;
            best = mid;
            if (Math.abs(frac - target) <= BISECTION_STOP) break;
            if (frac < target) lo = mid;
            else hi = mid;
            if (hi - lo < 1e-3) break;
        }
        return best;
    }

    /** Upper-cranium bone voxels inside the shape at {@code scale}; marks them in {@code into} when given. */
    private static long count(SkullFrame f, Shapes.Family family, double scale, MaskVolume into) {
        Shapes.Shape shape = family.at(scale);
        double reach = family.reach() * scale;
        boolean bounded = Double.isFinite(reach);
        double r2 = reach * reach;
        double[] c = family.centre(scale);
        boolean vertical = family.vertical();
        long k = 0;
        float[] xs = f.px, ys = f.py, zs = f.pz;
        for (int i = 0; i < xs.length; i++) {
            double x = xs[i], y = ys[i], z = zs[i];
            if (bounded) {
                double dx = x - c[0], dy = y - c[1], d2 = dx * dx + dy * dy;
                if (!vertical) {
                    double dz = z - c[2];
                    d2 += dz * dz;
                }
                if (d2 > r2) continue;
            }
            if (shape.contains(x, y, z)) {
                k++;
                if (into != null) into.set(f.index[i], true);
            }
        }
        return k;
    }

    private static boolean crossesMidline(SkullFrame f, MaskVolume implant) {
        long left = 0, right = 0;
        for (int i = 0; i < f.index.length; i++) {
            if (!implant.isSet(f.index[i])) continue;
            if (f.px[i] > f.midX) left++;
            else right++;
        }
        long total = left + right;
        return total > 0 && left >= 0.05 * total && right >= 0.05 * total;
    }

    private static double sq(double v) {
        return v * v;
    }
}
