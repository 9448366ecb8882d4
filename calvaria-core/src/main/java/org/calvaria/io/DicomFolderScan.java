package org.calvaria.io;

import static org.calvaria.io.DicomPixels.syntaxName;
import static org.calvaria.io.DicomStackGeometry.normal;
import static org.calvaria.io.DicomStackGeometry.pixelSpacing;
import static org.calvaria.io.DicomStackGeometry.unitOrientation;

import java.io.IOException;
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
import org.calvaria.CalvariaException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scans a folder of DICOM files: parses each header, groups the image slices into stacks (series, size, orientation,
 * pixel spacing) and chooses the one to read (the wanted file's, else the largest).
 */
final class DicomFolderScan {
    private static final Logger LOG = LoggerFactory.getLogger(DicomSeriesReader.class);

    private DicomFolderScan() {}

    /** Slices that can form one regular stack: same series, size, orientation and pixel spacing. */
    record StackKey(String seriesUid, int rows, int columns, String orientation, String pixelSpacing) {}

    static final class Scan {
        final Map<StackKey, List<DicomSlice>> stacks = new LinkedHashMap<>();
        int files;
        int notDicom;
        int notImage;
        String unreadableSyntax;
        Path unreadableExample;
        /** Damaged files skipped under --allow-gaps. */
        final List<String> skipped = new ArrayList<>();
    }

    static Scan scan(Path folder, Path wanted, ReadOptions options) {
        List<Path> files;
        try (Stream<Path> s = Files.list(folder)) {
            files = s.filter(Files::isRegularFile)
                    .map(p -> p.toAbsolutePath().normalize())
                    .sorted()
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
                    if (!DicomSeriesReader.namedLikeDicom(f)) {
                        scan.notDicom++;
                        LOG.debug("skipping {}: not a DICOM file", f.getFileName());
                        continue;
                    }
                    // A .dcm file that is empty or lost its DICM marker is a damaged slice, not a stray file.
                    throw new IOException(Files.size(f) == 0 ? "it is empty" : "no DICM marker at byte 128");
                }
                h = DicomHeader.read(f);
            } catch (IOException | RuntimeException e) {
                String why = e.getMessage() != null && e instanceof IOException
                        ? e.getMessage()
                        : "its header cannot be parsed";
                if (f.equals(wanted)) {
                    throw new CalvariaException(f + " is a damaged DICOM file (" + why + ")");
                }
                if (!options.allowGaps()) {
                    throw new CalvariaException(f + " is a damaged DICOM file (" + why + "), so the series would miss"
                            + " a slice; re-export the series, or give --allow-gaps to read it without this file");
                }
                LOG.warn(
                        "skipping {}: damaged DICOM file ({}); reading the series without it (--allow-gaps)",
                        f.getFileName(),
                        why);
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
            StackKey key = new StackKey(
                    uid == null ? "" : uid,
                    h.uint16(DicomHeader.ROWS, 0),
                    h.uint16(DicomHeader.COLUMNS, 0),
                    rounded(unitOrientation(iop, f)),
                    rounded(pixelSpacing(h)));
            scan.stacks.computeIfAbsent(key, k -> new ArrayList<>()).add(new DicomSlice(f, h, ipp, along));
        }
        return scan;
    }

    static String rounded(double[] values) {
        StringBuilder sb = new StringBuilder();
        for (double v : values) sb.append(String.format(Locale.ROOT, "%.4f ", v + 0.0));
        return sb.toString();
    }

    static List<DicomSlice> choose(Scan scan, Path folder, Path wanted) {
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
        List<Map.Entry<StackKey, List<DicomSlice>>> all = new ArrayList<>(scan.stacks.entrySet());
        Map.Entry<StackKey, List<DicomSlice>> chosen = null;
        if (wanted != null) {
            for (Map.Entry<StackKey, List<DicomSlice>> e : all) {
                for (DicomSlice s : e.getValue()) if (s.file().equals(wanted)) chosen = e;
            }
            if (chosen == null) {
                throw new CalvariaException(
                        wanted + " is a DICOM file without an image; give a CT slice or its" + " folder");
            }
        } else {
            // The largest stack; ties go to the lower series number, then the UID, so the choice is reproducible.
            chosen = all.stream()
                    .min(Comparator.<Map.Entry<StackKey, List<DicomSlice>>>comparingInt(
                                    e -> -e.getValue().size())
                            .thenComparingDouble(e ->
                                    e.getValue().get(0).header().number(DicomHeader.SERIES_NUMBER, Double.MAX_VALUE))
                            .thenComparing(e -> e.getKey().seriesUid()))
                    .orElseThrow();
        }
        if (all.size() > 1) {
            final Map.Entry<StackKey, List<DicomSlice>> picked = chosen;
            String others = all.stream()
                    .filter(e -> e != picked)
                    .map(e -> describe(e.getValue()))
                    .collect(Collectors.joining("; "));
            LOG.warn(
                    "{} holds {} image series (or stacks of different size/orientation); reading {}; not read: {}."
                            + " To read another, give one of its files instead of the folder",
                    folder,
                    all.size(),
                    describe(chosen.getValue()),
                    others);
        }
        return chosen.getValue();
    }

    static String describe(List<DicomSlice> stack) {
        DicomHeader h = stack.get(0).header();
        String desc = h.text(DicomHeader.SERIES_DESCRIPTION);
        String number = h.text(DicomHeader.SERIES_NUMBER);
        return String.format(
                Locale.ROOT,
                "series %s '%s' (%d slice%s of %dx%d, UID %s, e.g. %s)",
                shorten(number == null ? "?" : number),
                shorten(desc == null ? "" : desc),
                stack.size(),
                stack.size() == 1 ? "" : "s",
                h.uint16(DicomHeader.COLUMNS, 0),
                h.uint16(DicomHeader.ROWS, 0),
                shorten(String.valueOf(h.text(DicomHeader.SERIES_UID))),
                stack.get(0).file().getFileName());
    }

    /** Header text for messages: control characters as '?', at most 200 characters. */
    static String shorten(String text) {
        String t = text.replaceAll("\\p{Cntrl}", "?");
        return t.length() > 200 ? t.substring(0, 200) + "..." : t;
    }
}
