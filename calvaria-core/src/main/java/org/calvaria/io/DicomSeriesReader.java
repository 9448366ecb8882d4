package org.calvaria.io;

import ij.io.ImageReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.calvaria.CalvariaException;
import org.calvaria.Progress;
import org.calvaria.volume.FloatVolume;
import org.calvaria.volume.Geometry;
import org.calvaria.volume.ShortVolume;
import org.calvaria.volume.Volume;
import org.calvaria.volume.VoxelType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 *
 * <p>This class reads the series; {@link DicomFolderScan} finds and groups the slices, {@link DicomStackGeometry}
 * places them and {@link DicomPixels} decodes their values.
 */
public final class DicomSeriesReader {
    private static final Logger LOG = LoggerFactory.getLogger(DicomSeriesReader.class);

    private DicomSeriesReader() {}

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
        DicomFolderScan.Scan scan = DicomFolderScan.scan(folder, wanted, options);
        List<DicomSlice> stack = DicomFolderScan.choose(scan, folder, wanted);
        return assemble(stack, folder, options, scan.skipped);
    }

    /** A file name that says DICOM (.dcm, .dicom, .ima): such a file that does not parse is a damaged slice. */
    public static boolean namedLikeDicom(Path f) {
        return namedLikeDicom(f.getFileName().toString());
    }

    /** As {@link #namedLikeDicom(Path)}, for a bare file name. */
    public static boolean namedLikeDicom(String fileName) {
        String n = fileName.toLowerCase(java.util.Locale.ROOT);
        return n.endsWith(".dcm") || n.endsWith(".dicom") || n.endsWith(".ima");
    }

    private static Volume assemble(List<DicomSlice> unsorted, Path folder, ReadOptions options, List<String> skipped) {
        List<DicomSlice> slices = new ArrayList<>();
        for (DicomSlice s : unsorted) {
            DicomPixels.checkSupported(s);
            String damage = DicomPixels.pixelDamage(s);
            if (damage == null) {
                slices.add(s);
            } else if (options.allowGaps()) {
                LOG.warn(
                        "skipping {}: {}; reading the series without it (--allow-gaps)",
                        s.file().getFileName(),
                        damage);
                skipped.add(s.file().getFileName().toString());
            } else {
                throw new CalvariaException(s.file() + ": " + damage + "; re-export the series, or give --allow-gaps"
                        + " to read it without this file");
            }
        }
        if (slices.isEmpty()) {
            throw new CalvariaException(
                    "every slice of the series in " + folder + " is damaged; re-export the" + " series");
        }
        slices.sort(Comparator.comparingDouble(DicomSlice::along));
        DicomStackGeometry.Plan plan = DicomStackGeometry.plan(slices, folder, options);
        Geometry g = plan.grid();
        ReadLimits.requireMemory(folder, g.sizes(), "DICOM", 2L * g.voxelCount());
        if (plan.note() != null) LOG.warn("{}: {} (as 3D Slicer does)", folder, plan.note());
        DicomPixels.SliceSource source = new DicomPixels.SliceSource(slices, plan.targets());
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
        Volume v = floats == null
                ? new ShortVolume(g, shorts, VoxelType.INT16)
                : new FloatVolume(g, floats, VoxelType.FLOAT32);
        DicomHeader h = slices.get(0).header();
        putIfPresent(v, "dicom_series_uid", h.text(DicomHeader.SERIES_UID));
        putIfPresent(v, "dicom_series_description", h.text(DicomHeader.SERIES_DESCRIPTION));
        putIfPresent(v, "dicom_modality", h.text(DicomHeader.MODALITY));
        v.metadata().put("dicom_slices", Integer.toString(slices.size()));
        if (plan.note() != null) {
            v.metadata().put("dicom_resampled", plan.note());
            v.metadata().put("dicom_largest_slice_gap_mm", ReadLimits.num(DicomStackGeometry.round(plan.largestGap())));
        }
        if (!skipped.isEmpty()) v.metadata().put("dicom_skipped_files", String.join(" ", skipped));
        LOG.info("read DICOM {} from {}: {}", DicomFolderScan.describe(slices), folder, g);
        return v;
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
            files = s.filter(java.nio.file.Files::isRegularFile)
                    .sorted()
                    .limit(50)
                    .toList();
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
}
