package org.calvaria.io;

import static org.calvaria.io.ReadMessages.quote;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.calvaria.CalvariaException;

/** The data files a detached NRRD header names ({@code data file: NAME}, {@code LIST} or a format string), checked. */
final class NrrdDataFiles {
    private NrrdDataFiles() {}

    /** Most files one {@code data file} format string may name. */
    static final int MAX_DATA_FILES = 100_000;

    static String dataFileField(NrrdHeader h) {
        String v = h.fields.get("data file");
        return v != null ? v : h.fields.get("datafile");
    }

    /**
     * The data files a detached NRRD header names, checked with {@link #resolveDataFile}: none for an attached
     * header, one for {@code data file: NAME}, several for {@code data file: LIST} or a format string
     * ({@code data file: I.%03d 1 100 1}). For callers that must vet a header before reading it (the web app).
     *
     * @throws CalvariaException when the header is not NRRD, or a named file would lie outside the header's folder
     */
    static List<Path> dataFiles(Path header) {
        try {
            return dataFiles(NrrdHeader.parseHeader(NrrdHeader.readHeaderBytes(header), header), header);
        } catch (IOException e) {
            throw new CalvariaException("cannot read NRRD " + header + ": " + e.getMessage(), e);
        }
    }

    static List<Path> dataFiles(NrrdHeader h, Path header) {
        String field = dataFileField(h);
        List<Path> out = new ArrayList<>();
        if (field == null) return out;
        if (field.startsWith("LIST")) {
            if (h.dataFileList.isEmpty()) {
                throw new CalvariaException(
                        header + ": 'data file: LIST' is followed by no file names; the header is" + " incomplete");
            }
            for (String name : h.dataFileList) out.add(resolveDataFile(header, name.trim()));
            return out;
        }
        String[] parts = field.split("\\s+");
        if (field.contains("%") && parts.length >= 4) {
            for (String name : formattedNames(parts, header)) out.add(resolveDataFile(header, name));
            return out;
        }
        out.add(resolveDataFile(header, field));
        return out;
    }

    /** Names of {@code data file: FORMAT MIN MAX STEP [SUBDIM]}; FORMAT holds one integer conversion like %03d. */
    private static List<String> formattedNames(String[] parts, Path header) {
        String format = parts[0];
        // %d, %Nd or %0Nd only: Java's formatter refuses a repeated 0 flag (%00d) or a 0 flag without a width (%0d).
        if (!format.replace("%%", "").matches("[^%]*%(0?[1-9][0-9]{0,2})?[diu][^%]*")) {
            throw new CalvariaException(header + ": data file format " + quote(format) + " must hold one integer"
                    + " conversion such as %03d");
        }
        long min, max, step;
        try {
            min = Long.parseLong(parts[1]);
            max = Long.parseLong(parts[2]);
            step = Long.parseLong(parts[3]);
        } catch (NumberFormatException e) {
            throw new CalvariaException(header + ": data file " + quote(String.join(" ", parts)) + " needs integer"
                    + " MIN MAX STEP after the format");
        }
        if (step == 0 || (max - min) / step < 0 || (max - min) / step >= MAX_DATA_FILES) {
            throw new CalvariaException(header + ": data file " + quote(String.join(" ", parts)) + " does not name"
                    + " between 1 and " + MAX_DATA_FILES + " files (MIN MAX STEP)");
        }
        String javaFormat = format.replaceAll("%((?:0?[1-9][0-9]{0,2})?)[iu]", "%$1d");
        List<String> names = new ArrayList<>();
        for (long i = min; step > 0 ? i <= max : i >= max; i += step) {
            names.add(String.format(Locale.ROOT, javaFormat, i));
        }
        return names;
    }

    /**
     * The file a detached header at {@code header} names as {@code name}, which must lie in the header's own folder
     * or a subfolder of it: absolute paths and paths whose {@code ..} leave that folder are refused, so a header
     * cannot make Calvaria read an unrelated file (the CLI and the web app use the same rule). The file need not
     * exist.
     *
     * @throws CalvariaException with a one-line message naming the header and the refused name
     */
    static Path resolveDataFile(Path header, String name) {
        String fix = "; Calvaria reads detached data only from the header's own folder or its subfolders: move the"
                + " data file there and name it relative to the header";
        if (name == null || name.isBlank()) {
            throw new CalvariaException(header + ": the 'data file' field names no file; the header is incomplete");
        }
        for (int i = 0; i < name.length(); i++) {
            if (Character.isISOControl(name.charAt(i))) {
                throw new CalvariaException(header + ": data file " + quote(name) + " holds control characters; the"
                        + " header is damaged");
            }
        }
        Path folder = header.toAbsolutePath().normalize().getParent();
        Path rel;
        try {
            rel = Path.of(name);
        } catch (java.nio.file.InvalidPathException e) {
            throw new CalvariaException(header + ": data file " + quote(name) + " is not a valid file name" + fix);
        }
        if (rel.isAbsolute() || name.startsWith("/") || name.startsWith("\\") || name.matches("^[A-Za-z]:.*")) {
            throw new CalvariaException(header + ": data file " + quote(name) + " is an absolute path" + fix);
        }
        Path resolved = folder.resolve(rel).normalize();
        if (!resolved.startsWith(folder) || resolved.equals(folder)) {
            throw new CalvariaException(
                    header + ": data file " + quote(name) + " lies outside the header's folder" + fix);
        }
        return resolved;
    }
}
