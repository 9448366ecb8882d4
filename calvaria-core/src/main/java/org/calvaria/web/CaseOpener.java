package org.calvaria.web;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.calvaria.io.VolumeFormat;
import org.calvaria.io.VolumeIO;
import org.calvaria.volume.Volume;

/**
 * Opens one received upload ({@link CaseStore} calls it on its opening thread): unpacks a zip, recognises the format
 * from the content, checks the file before any reader sees it, reads it, and writes the viewer's files. Every name
 * on disk is generated here; the names the user gave the zip's files are kept only to put them back into messages.
 */
final class CaseOpener {
    private final long maxUploadBytes;
    private final long memoryBudget;

    CaseOpener(long maxUploadBytes, long memoryBudget) {
        this.maxUploadBytes = maxUploadBytes;
        this.memoryBudget = memoryBudget;
    }

    /** Forgets the user's file names of an upload that was not opened. */
    void forget(String caseId) {
        fileNames.remove(caseId);
    }

    /** Unpacked files' names as the user knows them, by case: generated name to the name in the zip. */
    private final Map<String, Map<String, String>> fileNames = new ConcurrentHashMap<>();

    /** The message with generated file names (f000012.dcm, f000013) replaced by the user's own ('scans/IM0012'). */
    String userNames(String message, String caseId) {
        Map<String, String> names = fileNames.get(caseId);
        if (message == null || names == null) return message;
        java.util.regex.Matcher m =
                java.util.regex.Pattern.compile("\\bf[0-9]{6}(?:\\.dcm)?\\b").matcher(message);
        StringBuilder b = new StringBuilder();
        while (m.find()) {
            String original = names.get(m.group());
            m.appendReplacement(
                    b, java.util.regex.Matcher.quoteReplacement(original == null ? m.group() : "'" + original + "'"));
        }
        m.appendTail(b);
        return b.toString();
    }

    OpenedCase identifyAndPrepare(String id, String name, Path upload, long bytes, Path inputFolder, Path viewFolder)
            throws IOException {
        Path input = upload;
        String format;
        Map<String, String> identity = null;
        if (DicomZip.looksLikeZip(upload)) {
            Path dicom = inputFolder.resolve("dicom");
            Files.createDirectories(dicom);
            Map<String, String> names = new java.util.TreeMap<>();
            int files;
            try {
                files = DicomZip.extract(upload, dicom, DicomZip.unpackLimit(bytes, maxUploadBytes), names);
            } finally {
                Files.deleteIfExists(upload);
            }
            fileNames.put(id, names);
            List<Path> headers = new ArrayList<>();
            for (String generated : names.keySet()) {
                Path f = dicom.resolve(generated);
                if (UploadCheck.isNrrd(f)) headers.add(f);
            }
            if (headers.size() > 1) {
                throw HttpError.badRequest("the upload holds " + headers.size() + " NRRD headers ("
                        + String.join(
                                ", ",
                                headers.stream()
                                        .map(h ->
                                                "'" + names.get(h.getFileName().toString()) + "'")
                                        .toList())
                        + "); send one skull at a time");
            }
            if (headers.size() == 1) {
                // An NRRD header with its data file (detached .nhdr + .raw/.raw.gz), sent together or zipped.
                input = UploadCheck.detachedNrrd(headers.get(0), names, memoryBudget);
                format = "NRRD (" + names.get(headers.get(0).getFileName().toString()) + " with its data file)";
            } else {
                // The DICOM reader reads no other format from a folder; headers pointing outside it are refused anyway.
                UploadCheck.checkUnpackedFolder(dicom);
                input = dicom;
                format = "DICOM (zip of " + files + " files)";
                identity = org.calvaria.io.DicomSeriesReader.identity(dicom);
            }
        } else {
            format = null;
            // Before any reader sees it: no header naming other files, no sizes the file or memory cannot hold.
            UploadCheck.check(upload, name, memoryBudget);
        }
        VolumeFormat detected = VolumeFormat.detect(input);
        if (detected == VolumeFormat.STL) {
            Path stl = Files.move(upload, viewFolder.resolve("skull.stl"));
            return new OpenedCase(
                    id,
                    name,
                    OpenedCase.Kind.MESH,
                    "STL mesh",
                    inputFolder.getParent(),
                    stl,
                    stl,
                    bytes,
                    null,
                    null,
                    null,
                    false);
        }
        if (format == null) {
            // A name with the right extension, for pipelines that look at it; the content decides the format.
            String inputName = switch (detected) {
                case NRRD -> "input.nrrd";
                case NIFTI -> isGzip(upload) ? "input.nii.gz" : "input.nii";
                case DICOM_FILE -> "input.dcm";
                default -> "upload.bin";
            };
            input = Files.move(upload, upload.resolveSibling(inputName));
            format = switch (detected) {
                case NRRD -> "NRRD";
                case NIFTI -> "NIfTI";
                case DICOM_FILE -> "DICOM file";
                default -> "unknown";
            };
        }
        Volume v = VolumeIO.read(input);
        boolean binary = v.isBinary();
        double[] range = v.valueRange();
        // What the viewer loads: a downsampled volume for the slices and a decimated skull surface (ViewFiles).
        Path view = ViewFiles.prepareCase(v, binary, range, viewFolder);
        OpenedCase c = new OpenedCase(
                id,
                name,
                OpenedCase.Kind.VOLUME,
                format,
                inputFolder.getParent(),
                input,
                view,
                bytes,
                v.geometry().sizes(),
                v.geometry().spacing(),
                range,
                binary);
        if (identity != null && !identity.isEmpty()) c.identity = identity;
        return c;
    }

    private static boolean isGzip(Path p) throws IOException {
        try (InputStream in = Files.newInputStream(p)) {
            byte[] h = in.readNBytes(2);
            return h.length == 2 && (h[0] & 0xff) == 0x1f && (h[1] & 0xff) == 0x8b;
        }
    }
}
