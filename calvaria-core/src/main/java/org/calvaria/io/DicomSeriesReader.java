package org.calvaria.io;

import ij.io.FileInfo;
import ij.io.ImageReader;
import org.calvaria.CalvariaException;
import org.calvaria.Progress;
import org.calvaria.volume.FloatVolume;
import org.calvaria.volume.Geometry;
import org.calvaria.volume.ShortVolume;
import org.calvaria.volume.Volume;
import org.calvaria.volume.VoxelType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Imports one CT series from a folder of single-slice DICOM files (or from one of its files) as a volume in
 * Hounsfield units.
 *
 * <p>Slices are ordered by their position along the slice normal (ImagePositionPatient projected on row x column
 * direction), never by file name or InstanceNumber. The slice step is measured from the positions and must be uniform;
 * it may lean out of the normal (gantry tilt), which gives a sheared {@link Geometry}, kept exactly. DICOM patient
 * coordinates are LPS like Calvaria's, so no axis changes sign. RescaleSlope/RescaleIntercept are applied per slice;
 * the result is a ShortVolume when every value is an integer that fits 16 bits, else a FloatVolume.
 *
 * <p>Headers are parsed by {@link DicomHeader}; pixel arrays are decoded with ImageJ's {@link ImageReader}. ImageJ's
 * {@code DICOM.open} is not used: with a RescaleSlope other than 1 it calls into ImageJ's GUI, which fails headless.
 * Only uncompressed transfer syntaxes are read; compressed slices are refused with their transfer syntax UID.
 */
public final class DicomSeriesReader {
    private static final Logger LOG = LoggerFactory.getLogger(DicomSeriesReader.class);

    /** Slice steps may differ from their mean by this fraction of the mean step length, plus {@link #STEP_SLACK_MM}. */
    static final double STEP_TOLERANCE = 0.01;
    static final double STEP_SLACK_MM = 0.005;

    private DicomSeriesReader() {}

    /** One image file of the folder with what placing it needs. */
    private record Slice(Path file, DicomHeader header, double[] position, double along) {}

    /** Slices that can form one regular stack: same series, size, orientation and pixel spacing. */
    private record StackKey(String seriesUid, int rows, int columns, String orientation, String pixelSpacing) {}

    /**
     * Reads the series in {@code folderOrFile}: a folder (its largest series is read; the others are named in a
     * warning) or one DICOM file (the series that file belongs to, from the files beside it).
     */
    public static Volume read(Path folderOrFile) {
        return read(folderOrFile, ReadOptions.defaults());
    }

    /**
     * As {@link #read(Path)}; a damaged or unreadable slice is an error naming its file unless
     * {@link ReadOptions#allowGaps()}, when it is skipped with a warning and named in the volume's
     * {@code dicom_skipped_files}.
     */
    public static Volume read(Path folderOrFile, ReadOptions options) {
        if (!Files.exists(folderOrFile)) throw new CalvariaException(folderOrFile + " does not exist");
        Path folder;
        Path wanted = null;
        if (Files.isDirectory(folderOrFile)) {
            folder = folderOrFile;
        } else {
            wanted = folderOrFile.toAbsolutePath().normalize();
            folder = wanted.getParent();
            if (!DicomHeader.isDicomFile(wanted)) {
                throw new CalvariaException(folderOrFile + " is not a DICOM file (no DICM marker at byte 128)");
            }
        }
        Scan scan = scan(folder, wanted, options);
        List<Slice> stack = choose(scan, folder, wanted);
        return assemble(stack, folder, options, scan.skipped);
    }

    // ------------------------------------------------------------------ scanning the folder

    private static final class Scan {
        final Map<StackKey, List<Slice>> stacks = new LinkedHashMap<>();
        int files;
        int notDicom;
        int notImage;
        String unreadableSyntax;
        Path unreadableExample;
        /** Damaged files skipped under --allow-gaps. */
        final List<String> skipped = new ArrayList<>();
    }

    private static Scan scan(Path folder, Path wanted, ReadOptions options) {
        List<Path> files;
        try (Stream<Path> s = Files.list(folder)) {
            files = s.filter(Files::isRegularFile).map(p -> p.toAbsolutePath().normalize()).sorted()
                    .collect(Collectors.toList());
        } catch (IOException e) {
            throw new CalvariaException("cannot list folder " + folder + ": " + e.getMessage(), e);
        }
        Scan scan = new Scan();
        scan.files = files.size();
        for (Path f : files) {
            DicomHeader h;
            try {
                if (!DicomHeader.isDicomFile(f)) {
                    if (!namedLikeDicom(f)) {
                        scan.notDicom++;
                        LOG.debug("skipping {}: not a DICOM file", f.getFileName());
                        continue;
                    }
                    // A .dcm file that is empty or lost its DICM marker is a damaged slice, not a stray file.
                    throw new IOException(Files.size(f) == 0 ? "it is empty" : "no DICM marker at byte 128");
                }
                h = DicomHeader.read(f);
            } catch (IOException | RuntimeException e) {
                String why = e.getMessage() != null && e instanceof IOException ? e.getMessage()
                        : "its header cannot be parsed";
                if (f.equals(wanted)) {
                    throw new CalvariaException(f + " is a damaged DICOM file (" + why + ")");
                }
                if (!options.allowGaps()) {
                    throw new CalvariaException(f + " is a damaged DICOM file (" + why + "), so the series would miss"
                            + " a slice; re-export the series, or give --allow-gaps to read it without this file");
                }
                LOG.warn("skipping {}: damaged DICOM file ({}); reading the series without it (--allow-gaps)",
                        f.getFileName(), why);
                scan.skipped.add(f.getFileName().toString());
                scan.notImage++;
                continue;
            }
            if (!h.has(DicomHeader.ROWS) || !h.has(DicomHeader.COLUMNS)) {
                if (h.transferSyntax.equals("1.2.840.10008.1.2.1.99")) {
                    // deflated: its data set stays unparsed, so it may well be an image we cannot decode
                    scan.unreadableSyntax = h.transferSyntax;
                    scan.unreadableExample = f;
                }
                scan.notImage++;
                LOG.debug("skipping {}: DICOM without an image", f.getFileName());
                continue;
            }
            double[] ipp = h.numbers(DicomHeader.IMAGE_POSITION);
            double[] iop = h.numbers(DicomHeader.IMAGE_ORIENTATION);
            if (ipp == null || ipp.length != 3 || iop == null || iop.length != 6) {
                throw new CalvariaException(f + " has no usable ImagePositionPatient/ImageOrientationPatient, so its"
                        + " slice cannot be placed; Calvaria needs CT slices with patient geometry");
            }
            double[] normal = normal(iop, f);
            double along = ipp[0] * normal[0] + ipp[1] * normal[1] + ipp[2] * normal[2];
            String uid = h.text(DicomHeader.SERIES_UID);
            StackKey key = new StackKey(uid == null ? "" : uid, h.uint16(DicomHeader.ROWS, 0),
                    h.uint16(DicomHeader.COLUMNS, 0), rounded(unitOrientation(iop, f)),
                    rounded(pixelSpacing(h)));
            scan.stacks.computeIfAbsent(key, k -> new ArrayList<>()).add(new Slice(f, h, ipp, along));
        }
        return scan;
    }

    /** A name that says the file is a DICOM slice: .dcm, .dicom or .ima (case ignored). */
    /** A file name that says DICOM (.dcm, .dicom, .ima): such a file that does not parse is a damaged slice. */
    public static boolean namedLikeDicom(Path f) {
        return namedLikeDicom(f.getFileName().toString());
    }

    /** As {@link #namedLikeDicom(Path)}, for a bare file name. */
    public static boolean namedLikeDicom(String fileName) {
        String n = fileName.toLowerCase(java.util.Locale.ROOT);
        return n.endsWith(".dcm") || n.endsWith(".dicom") || n.endsWith(".ima");
    }

    private static String rounded(double[] values) {
        StringBuilder sb = new StringBuilder();
        for (double v : values) sb.append(String.format(Locale.ROOT, "%.4f ", v + 0.0));
        return sb.toString();
    }

    private static List<Slice> choose(Scan scan, Path folder, Path wanted) {
        if (scan.stacks.isEmpty()) {
            if (scan.unreadableSyntax != null) {
                throw new CalvariaException(scan.unreadableExample + " uses transfer syntax " + scan.unreadableSyntax
                        + " (" + syntaxName(scan.unreadableSyntax) + "), which Calvaria cannot decode; convert the"
                        + " series to uncompressed DICOM first (for example: dcmconv +te IN OUT)");
            }
            throw new CalvariaException("no DICOM images found in " + folder + " (" + scan.files + " files: "
                    + scan.notDicom + " not DICOM, " + scan.notImage + " DICOM without an image); give the folder"
                    + " of one CT series");
        }
        List<Map.Entry<StackKey, List<Slice>>> all = new ArrayList<>(scan.stacks.entrySet());
        Map.Entry<StackKey, List<Slice>> chosen = null;
        if (wanted != null) {
            for (Map.Entry<StackKey, List<Slice>> e : all) {
                for (Slice s : e.getValue()) if (s.file().equals(wanted)) chosen = e;
            }
            if (chosen == null) {
                throw new CalvariaException(wanted + " is a DICOM file without an image; give a CT slice or its"
                        + " folder");
            }
        } else {
            // The largest stack; ties go to the lower series number, then the UID, so the choice is reproducible.
            chosen = all.stream().min(Comparator.<Map.Entry<StackKey, List<Slice>>>comparingInt(e -> -e.getValue()
                    .size()).thenComparingDouble(e -> e.getValue().get(0).header().number(
                            DicomHeader.SERIES_NUMBER, Double.MAX_VALUE))
                    .thenComparing(e -> e.getKey().seriesUid())).orElseThrow();
        }
        if (all.size() > 1) {
            final Map.Entry<StackKey, List<Slice>> picked = chosen;
            String others = all.stream().filter(e -> e != picked).map(e -> describe(e.getValue()))
                    .collect(Collectors.joining("; "));
            LOG.warn("{} holds {} image series (or stacks of different size/orientation); reading {}; not read: {}."
                    + " To read another, give one of its files instead of the folder", folder, all.size(),
                    describe(chosen.getValue()), others);
        }
        return chosen.getValue();
    }

    private static String describe(List<Slice> stack) {
        DicomHeader h = stack.get(0).header();
        String desc = h.text(DicomHeader.SERIES_DESCRIPTION);
        String number = h.text(DicomHeader.SERIES_NUMBER);
        return String.format(Locale.ROOT, "series %s '%s' (%d slice%s of %dx%d, UID %s, e.g. %s)",
                shorten(number == null ? "?" : number), shorten(desc == null ? "" : desc), stack.size(),
                stack.size() == 1 ? "" : "s", h.uint16(DicomHeader.COLUMNS, 0), h.uint16(DicomHeader.ROWS, 0),
                shorten(String.valueOf(h.text(DicomHeader.SERIES_UID))), stack.get(0).file().getFileName());
    }

    /** Header text for messages: control characters as '?', at most 200 characters. */
    private static String shorten(String text) {
        String t = text.replaceAll("\\p{Cntrl}", "?");
        return t.length() > 200 ? t.substring(0, 200) + "..." : t;
    }

    // ------------------------------------------------------------------ geometry

    /** Unit row direction (x, along a row) and column direction (y, down the columns), from IOP. */
    private static double[] unitOrientation(double[] iop, Path f) {
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

    private static double[] normal(double[] iop, Path f) {
        double[] u = unitOrientation(iop, f);
        double[] n = {u[1] * u[5] - u[2] * u[4], u[2] * u[3] - u[0] * u[5], u[0] * u[4] - u[1] * u[3]};
        double len = Math.sqrt(n[0] * n[0] + n[1] * n[1] + n[2] * n[2]);
        if (len < 1e-3) {
            throw new CalvariaException(f + ": ImageOrientationPatient row and column directions are parallel;"
                    + " the file is damaged");
        }
        for (int i = 0; i < 3; i++) n[i] /= len;
        return n;
    }

    /** {row spacing, column spacing} in mm: PixelSpacing, else ImagerPixelSpacing. */
    private static double[] pixelSpacing(DicomHeader h) {
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
    private record Plan(Geometry grid, double[] targets, String note, double largestGap) {}

    private static Plan plan(List<Slice> slices, Path folder, ReadOptions options) {
        Slice first = slices.get(0);
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
                    steps[k][i] = slices.get(k + 1).position()[i] - slices.get(k).position()[i];
                    step[i] += steps[k][i] / (count - 1);
                }
                double gap = slices.get(k + 1).along() - slices.get(k).along();
                if (gap < 1e-3) {
                    throw new CalvariaException("two slices lie at the same position in " + folder + " ("
                            + slices.get(k).file().getFileName() + " and " + slices.get(k + 1).file().getFileName()
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
            u[2] * ps[1], u[5] * ps[0], step[2]};
        ReadLimits.requireSaneGeometry(first.file(), "DICOM", first.position(), m);
        try {
            return new Plan(new Geometry(columns, rows, count, first.position(), m), targets, note, largestGap);
        } catch (IllegalArgumentException e) {
            throw new CalvariaException("cannot build a grid from the DICOM series in " + folder + ": "
                    + e.getMessage());
        }
    }

    private record Resampling(double[] step, double[] targets, String note, double largestGap) {}

    /**
     * The even grid for slices with uneven gaps: slice positions must lie on one straight line; the spacing along the
     * normal is the median gap, adjusted so that the grid starts and ends on the first and last slices; a gap larger
     * than {@link ReadOptions#maxSliceGapRatio()} times the median is refused.
     */
    private static Resampling resampling(List<Slice> slices, double[] n, Path folder, ReadOptions options) {
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
            throw new CalvariaException(String.format(Locale.ROOT, "slices in %s are unevenly spaced: the gap between"
                    + " %s is %s mm, %s times the median gap of %s mm (more than --max-slice-gap-ratio %s); slices"
                    + " may be missing: export the complete series, or raise --max-slice-gap-ratio to resample across"
                    + " the gap", folder, between, ReadLimits.num(round(largest)), ReadLimits.num(round(largest
                    / median)), ReadLimits.num(round(median)), ReadLimits.num(options.maxSliceGapRatio())));
        }
        // The slices must stack along one straight line (the table's path), so that a voxel and its neighbours in
        // the slices before and after line up and can be interpolated.
        double[] p0 = slices.get(0).position();
        double[] p1 = slices.get(count - 1).position();
        double[] d = {p1[0] - p0[0], p1[1] - p0[1], p1[2] - p0[2]};
        double len = Math.sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]);
        for (int i = 0; i < 3; i++) d[i] /= len;
        double tolerance = STEP_TOLERANCE * median + STEP_SLACK_MM;
        for (Slice s : slices) {
            double[] v = {s.position()[0] - p0[0], s.position()[1] - p0[1], s.position()[2] - p0[2]};
            double t = v[0] * d[0] + v[1] * d[1] + v[2] * d[2];
            double off = Math.sqrt(Math.pow(v[0] - t * d[0], 2) + Math.pow(v[1] - t * d[1], 2)
                    + Math.pow(v[2] - t * d[2], 2));
            if (off > tolerance) {
                throw new CalvariaException(String.format(Locale.ROOT, "slices in %s are unevenly spaced and do not"
                        + " lie on one line (%s is %s mm off the line from %s to %s), so they cannot be resampled;"
                        + " export the series as one evenly spaced stack", folder, s.file().getFileName(),
                        ReadLimits.num(round(off)), slices.get(0).file().getFileName(),
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
        String note = String.format(Locale.ROOT, "uneven slice gaps of %s to %s mm (median %s mm, largest %s mm between"
                + " %s): %d slices resampled by linear interpolation onto %d slices %s mm apart",
                ReadLimits.num(round(sorted[0])), ReadLimits.num(round(largest)), ReadLimits.num(round(median)),
                ReadLimits.num(round(largest)), between, count, intervals + 1, ReadLimits.num(round(spacing)));
        return new Resampling(step, targets, note, largest);
    }

    /** Four decimals, enough for mm in messages. */
    private static double round(double v) {
        return Math.rint(v * 1e4) / 1e4;
    }

    // ------------------------------------------------------------------ pixels

    private static Volume assemble(List<Slice> unsorted, Path folder, ReadOptions options, List<String> skipped) {
        List<Slice> slices = new ArrayList<>();
        for (Slice s : unsorted) {
            checkSupported(s);
            String damage = pixelDamage(s);
            if (damage == null) {
                slices.add(s);
            } else if (options.allowGaps()) {
                LOG.warn("skipping {}: {}; reading the series without it (--allow-gaps)", s.file().getFileName(),
                        damage);
                skipped.add(s.file().getFileName().toString());
            } else {
                throw new CalvariaException(s.file() + ": " + damage + "; re-export the series, or give --allow-gaps"
                        + " to read it without this file");
            }
        }
        if (slices.isEmpty()) {
            throw new CalvariaException("every slice of the series in " + folder + " is damaged; re-export the"
                    + " series");
        }
        slices.sort(Comparator.comparingDouble(Slice::along));
        Plan plan = plan(slices, folder, options);
        Geometry g = plan.grid();
        ReadLimits.requireMemory(folder, g.sizes(), "DICOM", 2L * g.voxelCount());
        if (plan.note() != null) LOG.warn("{}: {} (as 3D Slicer does)", folder, plan.note());
        SliceSource source = new SliceSource(slices, plan.targets());
        int perSlice = g.nx() * g.ny();
        short[] shorts = new short[g.voxelCount()];
        float[] floats = null; // switched to when a value is not a 16-bit integer
        try (Progress progress = Progress.start("reading DICOM", g.nz())) {
            for (int k = 0; k < g.nz(); k++) {
                double[] hu = source.slice(k);
                int base = k * perSlice;
                for (int i = 0; i < perSlice; i++) {
                    double v = hu[i];
                    if (floats == null) {
                        if (v == Math.rint(v) && v >= Short.MIN_VALUE && v <= Short.MAX_VALUE) {
                            shorts[base + i] = (short) v;
                            continue;
                        }
                        floats = new float[g.voxelCount()];
                        for (int j = 0; j < base + i; j++) floats[j] = shorts[j];
                        shorts = null;
                    }
                    floats[base + i] = (float) v;
                }
                progress.step();
            }
        }
        Volume v = floats == null ? new ShortVolume(g, shorts, VoxelType.INT16)
                : new FloatVolume(g, floats, VoxelType.FLOAT32);
        DicomHeader h = slices.get(0).header();
        putIfPresent(v, "dicom_series_uid", h.text(DicomHeader.SERIES_UID));
        putIfPresent(v, "dicom_series_description", h.text(DicomHeader.SERIES_DESCRIPTION));
        putIfPresent(v, "dicom_modality", h.text(DicomHeader.MODALITY));
        v.metadata().put("dicom_slices", Integer.toString(slices.size()));
        if (plan.note() != null) {
            v.metadata().put("dicom_resampled", plan.note());
            v.metadata().put("dicom_largest_slice_gap_mm", ReadLimits.num(round(plan.largestGap())));
        }
        if (!skipped.isEmpty()) v.metadata().put("dicom_skipped_files", String.join(" ", skipped));
        LOG.info("read DICOM {} from {}: {}", describe(slices), folder, g);
        return v;
    }

    /**
     * The HU values of each volume slice: the source slices themselves, or, on a resampled grid, linear
     * interpolation along the stack between the two source slices around each target position (rounded to whole HU
     * when every source slice's values are whole numbers). Reads each source slice once, in order.
     */
    private static final class SliceSource {
        private final List<Slice> slices;
        private final double[] targets;
        private final boolean wholeHu;
        private int loadedAt = -1;
        private double[] lower, upper;

        SliceSource(List<Slice> slices, double[] targets) {
            this.slices = slices;
            this.targets = targets;
            boolean whole = true;
            for (Slice s : slices) {
                double slope = s.header().number(DicomHeader.RESCALE_SLOPE, 1);
                double intercept = s.header().number(DicomHeader.RESCALE_INTERCEPT, 0);
                if (slope != Math.rint(slope) || intercept != Math.rint(intercept)) whole = false;
            }
            this.wholeHu = whole;
        }

        double[] slice(int k) {
            if (targets == null) return huValues(slices.get(k));
            double a = targets[k];
            int below = 0;
            while (below + 2 < slices.size() && slices.get(below + 1).along() <= a) below++;
            if (below != loadedAt) {
                lower = below == loadedAt + 1 && upper != null ? upper : huValues(slices.get(below));
                upper = huValues(slices.get(below + 1));
                loadedAt = below;
            }
            double a0 = slices.get(below).along(), a1 = slices.get(below + 1).along();
            double t = Math.max(0, Math.min(1, (a - a0) / (a1 - a0)));
            double[] out = new double[lower.length];
            for (int i = 0; i < out.length; i++) {
                double v = lower[i] + t * (upper[i] - lower[i]);
                out[i] = wholeHu ? Math.rint(v) : v;
            }
            return out;
        }
    }

    /**
     * What identifies a scan, from the first readable DICOM file in {@code folder} (by name order): patient name and
     * ID, study date, series description, slice thickness, spacing between slices and gantry tilt, each only when
     * present. For display by the caller (the web app masks the patient's name and ID by default); never stored in a
     * volume's metadata, so it cannot travel into output files.
     */
    public static java.util.Map<String, String> identity(Path folder) {
        java.util.Map<String, String> m = new java.util.LinkedHashMap<>();
        List<Path> files;
        try (java.util.stream.Stream<Path> s = java.nio.file.Files.list(folder)) {
            files = s.filter(java.nio.file.Files::isRegularFile).sorted().limit(50).toList();
        } catch (IOException e) {
            return m;
        }
        for (Path f : files) {
            DicomHeader h;
            try {
                h = DicomHeader.read(f);
            } catch (IOException | RuntimeException e) {
                continue;
            }
            if (h == null || !h.has(DicomHeader.ROWS)) continue;
            putText(m, "patientName", h.text(0x00100010));
            putText(m, "patientId", h.text(0x00100020));
            putText(m, "studyDate", h.text(0x00080020));
            putText(m, "seriesDescription", h.text(DicomHeader.SERIES_DESCRIPTION));
            putText(m, "sliceThicknessMm", h.text(DicomHeader.SLICE_THICKNESS));
            putText(m, "sliceSpacingMm", h.text(DicomHeader.SPACING_BETWEEN_SLICES));
            putText(m, "gantryTiltDeg", h.text(0x00181120));
            break;
        }
        return m;
    }

    private static void putText(java.util.Map<String, String> m, String key, String value) {
        if (value == null) return;
        String v = value.replaceAll("\\p{Cntrl}", "").strip();
        if (v.length() > 120) v = v.substring(0, 120);
        if (!v.isEmpty()) m.put(key, v);
    }

    private static void putIfPresent(Volume v, String key, String value) {
        if (value != null && !value.isEmpty()) v.metadata().put(key, value);
    }

    /** Refuses slices Calvaria cannot decode at all (compressed, multi-frame, colour, odd bit depths). */
    private static void checkSupported(Slice s) {
        DicomHeader h = s.header();
        if (!h.uncompressed() || h.pixelLength < 0) {
            throw new CalvariaException(s.file() + " uses transfer syntax " + ReadMessages.quote(h.transferSyntax) + " ("
                    + syntaxName(h.transferSyntax) + "), which Calvaria cannot decode (only uncompressed DICOM is"
                    + " read); decompress the series first, for example with dcmtk: dcmdjpeg IN OUT");
        }
        int frames = (int) h.number(DicomHeader.NUMBER_OF_FRAMES, 1);
        if (frames > 1) {
            throw new CalvariaException(s.file() + " is a multi-frame DICOM (" + frames + " frames), which is not"
                    + " supported; export the series as one file per slice");
        }
        int samples = h.uint16(DicomHeader.SAMPLES_PER_PIXEL, 1);
        if (samples != 1) {
            throw new CalvariaException(s.file() + " has " + samples + " samples per pixel (a colour image); a CT"
                    + " series is greyscale");
        }
        int bits = h.uint16(DicomHeader.BITS_ALLOCATED, 16);
        if (bits != 8 && bits != 16 && bits != 32) {
            throw new CalvariaException(s.file() + " has " + bits + " bits per pixel; supported: 8, 16, 32");
        }
    }

    /** Why the slice's pixel data cannot be read whole (truncated, unreadable), or null when it can. */
    private static String pixelDamage(Slice s) {
        DicomHeader h = s.header();
        int bits = h.uint16(DicomHeader.BITS_ALLOCATED, 16);
        long need = (long) h.uint16(DicomHeader.ROWS, 0) * h.uint16(DicomHeader.COLUMNS, 0) * (bits / 8);
        long available;
        try {
            available = Files.size(s.file()) - h.pixelOffset;
        } catch (IOException e) {
            return "the file cannot be read (" + e.getMessage() + ")";
        }
        if (h.pixelLength < need || available < need) {
            return "pixel data has " + Math.min(h.pixelLength, available) + " bytes but " + need + " are needed for"
                    + " its rows, columns and bits; the file is truncated or damaged";
        }
        return null;
    }

    /** The slice's values in HU (stored value * RescaleSlope + RescaleIntercept), row by row. */
    private static double[] huValues(Slice s) {
        DicomHeader h = s.header();
        int rows = h.uint16(DicomHeader.ROWS, 0);
        int columns = h.uint16(DicomHeader.COLUMNS, 0);
        int bits = h.uint16(DicomHeader.BITS_ALLOCATED, 16);
        int stored = h.uint16(DicomHeader.BITS_STORED, bits);
        boolean signed = h.uint16(DicomHeader.PIXEL_REPRESENTATION, 0) == 1;
        double slope = h.number(DicomHeader.RESCALE_SLOPE, 1);
        double intercept = h.number(DicomHeader.RESCALE_INTERCEPT, 0);
        if (slope == 0 || !Double.isFinite(slope)) {
            LOG.warn("{}: RescaleSlope {} is unusable; taking 1", s.file().getFileName(), slope);
            slope = 1;
        }
        if (!Double.isFinite(intercept)) intercept = 0;

        FileInfo fi = new FileInfo();
        fi.width = columns;
        fi.height = rows;
        fi.nImages = 1;
        fi.longOffset = h.pixelOffset;
        fi.offset = (int) Math.min(Integer.MAX_VALUE, h.pixelOffset);
        fi.intelByteOrder = h.order == ByteOrder.LITTLE_ENDIAN;
        fi.fileType = bits == 8 ? FileInfo.GRAY8
                : bits == 16 ? (signed ? FileInfo.GRAY16_SIGNED : FileInfo.GRAY16_UNSIGNED)
                : (signed ? FileInfo.GRAY32_INT : FileInfo.GRAY32_UNSIGNED);
        Object pixels;
        try (InputStream in = Files.newInputStream(s.file())) {
            pixels = new ImageReader(fi).readPixels(in);
        } catch (IOException e) {
            throw new CalvariaException("cannot read " + s.file() + ": " + e.getMessage(), e);
        }
        if (pixels == null) {
            throw new CalvariaException(s.file() + ": ImageJ could not decode the pixel data; the file is damaged");
        }
        int n = rows * columns;
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            long raw;
            if (pixels instanceof short[] sh) {
                // ImageJ returns signed 16-bit data shifted by +32768 into unsigned range; undo that.
                raw = signed ? (sh[i] & 0xffff) - 32768 : sh[i] & 0xffff;
            } else if (pixels instanceof byte[] b) {
                raw = signed ? b[i] : b[i] & 0xff;
            } else {
                raw = (long) ((float[]) pixels)[i];
            }
            if (stored > 0 && stored < bits && bits <= 16) raw = fromStoredBits(raw, stored, signed);
            out[i] = raw * slope + intercept;
        }
        return out;
    }

    /** Keeps the low {@code stored} bits (junk above BitsStored is allowed by the standard), sign-extended if signed. */
    static long fromStoredBits(long raw, int stored, boolean signed) {
        long mask = (1L << stored) - 1;
        long v = raw & mask;
        if (signed && (v & (1L << (stored - 1))) != 0) v -= 1L << stored;
        return v;
    }

    static String syntaxName(String uid) {
        switch (uid) {
            case "1.2.840.10008.1.2.1.99": return "deflated explicit VR little endian";
            case "1.2.840.10008.1.2.4.50": return "JPEG baseline";
            case "1.2.840.10008.1.2.4.51": return "JPEG extended";
            case "1.2.840.10008.1.2.4.57": return "JPEG lossless";
            case "1.2.840.10008.1.2.4.70": return "JPEG lossless, first-order prediction";
            case "1.2.840.10008.1.2.4.80": return "JPEG-LS lossless";
            case "1.2.840.10008.1.2.4.81": return "JPEG-LS near-lossless";
            case "1.2.840.10008.1.2.4.90": return "JPEG 2000 lossless";
            case "1.2.840.10008.1.2.4.91": return "JPEG 2000";
            case "1.2.840.10008.1.2.5": return "RLE lossless";
            default: return uid.startsWith("1.2.840.10008.1.2.4") ? "compressed" : "not an uncompressed syntax";
        }
    }
}
