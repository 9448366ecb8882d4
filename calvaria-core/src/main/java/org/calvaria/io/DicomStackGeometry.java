package org.calvaria.io;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.calvaria.CalvariaException;
import org.calvaria.volume.Geometry;

/**
 * The geometry of a stack of DICOM slices: directions from ImageOrientationPatient, the slice step measured from the
 * positions (sheared when the gantry tilts), and the resampling onto even slices when the gaps are uneven.
 */
final class DicomStackGeometry {

    /** DicomSlice steps may differ from their mean by this fraction of the mean step length, plus {@link #STEP_SLACK_MM}. */
    static final double STEP_TOLERANCE = 0.01;

    static final double STEP_SLACK_MM = 0.005;

    private DicomStackGeometry() {}

    /** Unit row direction (x, along a row) and column direction (y, down the columns), from IOP. */
    static double[] unitOrientation(double[] iop, Path f) {
        double[] u = iop.clone();
        for (int v = 0; v < 2; v++) {
            double n = Math.sqrt(u[3 * v] * u[3 * v] + u[3 * v + 1] * u[3 * v + 1] + u[3 * v + 2] * u[3 * v + 2]);
            if (!(n > 1e-6)) {
                throw new CalvariaException(f + ": ImageOrientationPatient has a zero direction; the file is damaged");
            }
            for (int i = 0; i < 3; i++) u[3 * v + i] /= n;
        }
        return u;
    }

    static double[] normal(double[] iop, Path f) {
        double[] u = unitOrientation(iop, f);
        double[] n = {u[1] * u[5] - u[2] * u[4], u[2] * u[3] - u[0] * u[5], u[0] * u[4] - u[1] * u[3]};
        double len = Math.sqrt(n[0] * n[0] + n[1] * n[1] + n[2] * n[2]);
        if (len < 1e-3) {
            throw new CalvariaException(
                    f + ": ImageOrientationPatient row and column directions are parallel;" + " the file is damaged");
        }
        for (int i = 0; i < 3; i++) n[i] /= len;
        return n;
    }

    /** {row spacing, column spacing} in mm: PixelSpacing, else ImagerPixelSpacing. */
    static double[] pixelSpacing(DicomHeader h) {
        double[] ps = h.numbers(DicomHeader.PIXEL_SPACING);
        if (ps == null) ps = h.numbers(DicomHeader.IMAGER_PIXEL_SPACING);
        if (ps == null || ps.length != 2 || !(ps[0] > 0) || !(ps[1] > 0)) {
            throw new CalvariaException(h.path + " has no usable PixelSpacing, so its size in mm is unknown;"
                    + " Calvaria needs calibrated CT slices");
        }
        return ps;
    }

    /**
     * Where the volume's slices lie. {@code targets} is null when the source slices are evenly spaced and become the
     * volume's slices as they are; otherwise it holds, for each volume slice, its position along the slice normal,
     * between which source slices (sorted, {@code along}) are interpolated. {@code note} describes the resampling.
     */
    record Plan(Geometry grid, double[] targets, String note, double largestGap) {}

    static Plan plan(List<DicomSlice> slices, Path folder, ReadOptions options) {
        DicomSlice first = slices.get(0);
        DicomHeader h = first.header();
        double[] u = unitOrientation(h.numbers(DicomHeader.IMAGE_ORIENTATION), first.file());
        double[] n = normal(h.numbers(DicomHeader.IMAGE_ORIENTATION), first.file());
        double[] ps = pixelSpacing(h);
        int columns = h.uint16(DicomHeader.COLUMNS, 0);
        int rows = h.uint16(DicomHeader.ROWS, 0);
        int count = slices.size();
        double[] step = new double[3];
        double[] targets = null;
        String note = null;
        double largestGap = 0;
        if (count == 1) {
            double thickness = h.number(DicomHeader.SPACING_BETWEEN_SLICES, h.number(DicomHeader.SLICE_THICKNESS, 1));
            if (!(thickness > 0)) thickness = 1;
            for (int i = 0; i < 3; i++) step[i] = n[i] * thickness;
        } else {
            double[][] steps = new double[count - 1][3];
            for (int k = 0; k + 1 < count; k++) {
                for (int i = 0; i < 3; i++) {
                    steps[k][i] =
                            slices.get(k + 1).position()[i] - slices.get(k).position()[i];
                    step[i] += steps[k][i] / (count - 1);
                }
                double gap = slices.get(k + 1).along() - slices.get(k).along();
                if (gap < 1e-3) {
                    throw new CalvariaException("two slices lie at the same position in " + folder + " ("
                            + slices.get(k).file().getFileName() + " and "
                            + slices.get(k + 1).file().getFileName()
                            + "): the folder holds duplicates or several acquisitions of one series; keep one copy");
                }
            }
            double stepLength = Math.sqrt(step[0] * step[0] + step[1] * step[1] + step[2] * step[2]);
            double worst = 0;
            for (int k = 0; k < steps.length; k++) {
                double dx = steps[k][0] - step[0], dy = steps[k][1] - step[1], dz = steps[k][2] - step[2];
                worst = Math.max(worst, Math.sqrt(dx * dx + dy * dy + dz * dz));
            }
            if (worst > STEP_TOLERANCE * stepLength + STEP_SLACK_MM) {
                // Uneven gaps (missing slices, or parts taken with different table steps): resample onto an even
                // grid, as 3D Slicer does, unless a gap is too large to bridge.
                Resampling r = resampling(slices, n, folder, options);
                step = r.step;
                targets = r.targets;
                note = r.note;
                largestGap = r.largestGap;
                count = targets.length;
            }
        }
        // Index x runs along a row (column index), y down the columns (row index): PixelSpacing is {row, column}.
        double[] m = {
            u[0] * ps[1], u[3] * ps[0], step[0],
            u[1] * ps[1], u[4] * ps[0], step[1],
            u[2] * ps[1], u[5] * ps[0], step[2]
        };
        ReadLimits.requireSaneGeometry(first.file(), "DICOM", first.position(), m);
        try {
            return new Plan(new Geometry(columns, rows, count, first.position(), m), targets, note, largestGap);
        } catch (IllegalArgumentException e) {
            throw new CalvariaException(
                    "cannot build a grid from the DICOM series in " + folder + ": " + e.getMessage());
        }
    }

    record Resampling(double[] step, double[] targets, String note, double largestGap) {}

    /**
     * The even grid for slices with uneven gaps: slice positions must lie on one straight line; the spacing along the
     * normal is the median gap, adjusted so that the grid starts and ends on the first and last slices; a gap larger
     * than {@link ReadOptions#maxSliceGapRatio()} times the median is refused.
     */
    static Resampling resampling(List<DicomSlice> slices, double[] n, Path folder, ReadOptions options) {
        int count = slices.size();
        double[] gaps = new double[count - 1];
        int largestAt = 0;
        for (int k = 0; k + 1 < count; k++) {
            gaps[k] = slices.get(k + 1).along() - slices.get(k).along();
            if (gaps[k] > gaps[largestAt]) largestAt = k;
        }
        double[] sorted = gaps.clone();
        java.util.Arrays.sort(sorted);
        int mid = sorted.length / 2;
        double median = sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
        double largest = gaps[largestAt];
        String between = slices.get(largestAt).file().getFileName() + " and "
                + slices.get(largestAt + 1).file().getFileName();
        if (largest > options.maxSliceGapRatio() * median) {
            throw new CalvariaException(String.format(
                    Locale.ROOT,
                    "slices in %s are unevenly spaced: the gap between"
                            + " %s is %s mm, %s times the median gap of %s mm (more than --max-slice-gap-ratio %s); slices"
                            + " may be missing: export the complete series, or raise --max-slice-gap-ratio to resample across"
                            + " the gap",
                    folder,
                    between,
                    ReadLimits.num(round(largest)),
                    ReadLimits.num(round(largest / median)),
                    ReadLimits.num(round(median)),
                    ReadLimits.num(options.maxSliceGapRatio())));
        }
        // The slices must stack along one straight line (the table's path), so that a voxel and its neighbours in
        // the slices before and after line up and can be interpolated.
        double[] p0 = slices.get(0).position();
        double[] p1 = slices.get(count - 1).position();
        double[] d = {p1[0] - p0[0], p1[1] - p0[1], p1[2] - p0[2]};
        double len = Math.sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]);
        for (int i = 0; i < 3; i++) d[i] /= len;
        double tolerance = STEP_TOLERANCE * median + STEP_SLACK_MM;
        for (DicomSlice s : slices) {
            double[] v = {s.position()[0] - p0[0], s.position()[1] - p0[1], s.position()[2] - p0[2]};
            double t = v[0] * d[0] + v[1] * d[1] + v[2] * d[2];
            double off = Math.sqrt(
                    Math.pow(v[0] - t * d[0], 2) + Math.pow(v[1] - t * d[1], 2) + Math.pow(v[2] - t * d[2], 2));
            if (off > tolerance) {
                throw new CalvariaException(String.format(
                        Locale.ROOT,
                        "slices in %s are unevenly spaced and do not"
                                + " lie on one line (%s is %s mm off the line from %s to %s), so they cannot be resampled;"
                                + " export the series as one evenly spaced stack",
                        folder,
                        s.file().getFileName(),
                        ReadLimits.num(round(off)),
                        slices.get(0).file().getFileName(),
                        slices.get(count - 1).file().getFileName()));
            }
        }
        double a0 = slices.get(0).along();
        double span = slices.get(count - 1).along() - a0;
        int intervals = (int) Math.max(1, Math.round(span / median));
        double spacing = span / intervals;
        double along = d[0] * n[0] + d[1] * n[1] + d[2] * n[2]; // > 0: positions rise along the normal
        double[] step = {d[0] * spacing / along, d[1] * spacing / along, d[2] * spacing / along};
        double[] targets = new double[intervals + 1];
        for (int j = 0; j <= intervals; j++) targets[j] = a0 + j * spacing;
        targets[intervals] = slices.get(count - 1).along();
        String note = String.format(
                Locale.ROOT,
                "uneven slice gaps of %s to %s mm (median %s mm, largest %s mm between"
                        + " %s): %d slices resampled by linear interpolation onto %d slices %s mm apart",
                ReadLimits.num(round(sorted[0])),
                ReadLimits.num(round(largest)),
                ReadLimits.num(round(median)),
                ReadLimits.num(round(largest)),
                between,
                count,
                intervals + 1,
                ReadLimits.num(round(spacing)));
        return new Resampling(step, targets, note, largest);
    }

    /** Four decimals, enough for mm in messages. */
    static double round(double v) {
        return Math.rint(v * 1e4) / 1e4;
    }
}
