package org.calvaria.io;

import static org.calvaria.io.ReadMessages.quote;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.calvaria.CalvariaException;
import org.calvaria.volume.Geometry;

/**
 * A parsed NRRD header: fields (lower-case names), key/value pairs and comments, and the geometry it describes
 * (RAS and LAS spaces are converted to LPS).
 */
final class NrrdHeader {
    private static final int MAX_HEADER_BYTES = 1 << 20;

    final Map<String, String> fields = new LinkedHashMap<>();
    final Map<String, String> keyValues = new LinkedHashMap<>();
    /** File names that follow a {@code data file: LIST} line (the rest of a detached header). */
    final List<String> dataFileList = new ArrayList<>();

    int headerBytes;
    /** Neither 'space directions' nor 'spacings': 1 mm voxels are assumed. */
    boolean noSpacing;

    Path path;

    private NrrdHeader() {}

    static byte[] readHeaderBytes(Path path) throws IOException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(path))) {
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            int prev = -1, c;
            while ((c = in.read()) != -1) {
                buf.write(c);
                if (c == '\n' && prev == '\n') break;
                if (c == '\r') continue; // tolerate CRLF headers
                prev = c;
                if (buf.size() > MAX_HEADER_BYTES) {
                    throw new CalvariaException(
                            path + ": NRRD header is longer than 1 MB; the file is not a valid NRRD");
                }
            }
            return buf.toByteArray();
        }
    }

    static NrrdHeader parseHeader(byte[] bytes, Path path) {
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        if (!text.startsWith("NRRD000")) {
            throw new CalvariaException(path + " is not an NRRD file (no NRRD000x magic line)");
        }
        NrrdHeader h = new NrrdHeader();
        h.path = path;
        h.headerBytes = bytes.length;
        String[] lines = text.split("\r?\n");
        boolean list = false;
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i];
            if (line.isEmpty()) break;
            if (list) {
                h.dataFileList.add(line); // after 'data file: LIST' every line names a data file
                continue;
            }
            if (line.startsWith("#")) continue;
            int kv = line.indexOf(":=");
            int f = line.indexOf(": ");
            if (kv >= 0 && (f < 0 || kv < f)) {
                h.keyValues.put(unescape(line.substring(0, kv)), unescape(line.substring(kv + 2)));
            } else if (f >= 0) {
                String field = line.substring(0, f).trim().toLowerCase(Locale.ROOT);
                String value = line.substring(f + 2).trim();
                h.fields.put(field, value);
                if ((field.equals("data file") || field.equals("datafile")) && value.startsWith("LIST")) list = true;
            } else if (line.endsWith(":")) {
                h.fields.put(line.substring(0, line.length() - 1).trim().toLowerCase(Locale.ROOT), "");
            } else {
                throw new CalvariaException(path + ": malformed NRRD header line " + quote(line)
                        + " (neither 'field: value' nor 'key:=value'); the header is damaged");
            }
        }
        return h;
    }

    private static String unescape(String s) {
        return s.replace("\\n", "\n").replace("\\\\", "\\");
    }

    static String need(NrrdHeader h, String field, Path path) {
        String v = h.fields.get(field);
        if (v == null) throw new CalvariaException(path + ": NRRD header has no '" + field + "' field");
        return v;
    }

    /** A whole-number field such as {@code dimension} or {@code line skip}, or {@code fallback} when absent. */
    static long wholeNumber(NrrdHeader h, Path path, long fallback, String... names) {
        for (String name : names) {
            String v = h.fields.get(name);
            if (v == null) continue;
            try {
                return Long.parseLong(v.trim());
            } catch (NumberFormatException e) {
                throw new CalvariaException(path + ": NRRD field '" + names[0] + "' must be a whole number, got "
                        + quote(v) + "; the header is damaged");
            }
        }
        return fallback;
    }

    static Geometry geometryOf(NrrdHeader h, int[] sizes, Path path) {
        double[] origin = new double[3];
        double[] m = new double[9];
        String space = h.fields.getOrDefault("space", null);
        String dirs = h.fields.get("space directions");
        if (dirs != null) {
            String[] vecs = dirs.trim().split("\\)\\s*");
            int axis = 0;
            for (String v : vecs) {
                String t = v.trim();
                if (t.isEmpty()) continue;
                if (t.equals("none")) {
                    throw new CalvariaException(path + ": has a non-spatial axis ('none' in space directions); only 3-D"
                            + " scalar volumes are supported");
                }
                if (axis >= 3) {
                    throw new CalvariaException(path + ": more than 3 space directions in " + quote(dirs)
                            + "; only 3-D scalar volumes are supported");
                }
                if (!t.startsWith("(")) {
                    throw new CalvariaException(path + ": space directions " + quote(dirs) + " must be 3 vectors"
                            + " like (0.5,0,0); the header is damaged");
                }
                double[] vec = parseVector(t.substring(1), path, "space directions");
                for (int r = 0; r < 3; r++) m[3 * r + axis] = vec[r];
                axis++;
            }
            if (axis != 3) {
                throw new CalvariaException(path + ": expected 3 space directions, found " + axis + " in " + quote(dirs)
                        + "; the header is damaged");
            }
            String o = h.fields.get("space origin");
            if (o != null) origin = parseVector(o.replace("(", "").replace(")", ""), path, "space origin");
        } else {
            String sp = h.fields.get("spacings");
            double[] s = {1, 1, 1};
            if (sp != null) {
                String[] parts = sp.trim().split("\\s+");
                if (parts.length != 3) {
                    throw new CalvariaException(path + ": 'spacings' needs 3 values, got " + quote(sp)
                            + "; only 3-D scalar volumes are supported");
                }
                for (int i = 0; i < 3; i++) {
                    s[i] = parseNumber(parts[i], path, "spacings");
                    // NaN means "no spacing" in NRRD; a volume to be printed needs real, positive sizes
                    if (!(s[i] > 0) || Double.isInfinite(s[i])) {
                        throw new CalvariaException(path + ": spacing of axis " + i + " is " + parts[i].trim()
                                + " ('spacings: " + sp.trim() + "'); spacings must be positive numbers of mm: fix the"
                                + " header");
                    }
                }
            } else {
                h.noSpacing = true; // warned about once the volume is read (a failure stays one line)
            }
            m = new double[] {s[0], 0, 0, 0, s[1], 0, 0, 0, s[2]};
            String o = h.fields.get("space origin");
            if (o != null) origin = parseVector(o.replace("(", "").replace(")", ""), path, "space origin");
        }
        double toMm = spaceUnitsToMm(h, path);
        for (int i = 0; i < 9; i++) m[i] *= toMm;
        for (int i = 0; i < 3; i++) origin[i] *= toMm;
        ReadLimits.requireSaneGeometry(path, "NRRD", origin, m);
        if (space != null) {
            String sp = space.trim().toLowerCase(Locale.ROOT);
            boolean flipX, flipY;
            switch (sp) {
                case "left-posterior-superior":
                case "lps":
                case "3d-right-handed":
                case "scanner-xyz":
                    flipX = false;
                    flipY = false;
                    break;
                case "right-anterior-superior":
                case "ras":
                    flipX = true;
                    flipY = true;
                    break;
                case "left-anterior-superior":
                case "las":
                    flipX = false;
                    flipY = true;
                    break;
                default:
                    throw new CalvariaException(path + ": unsupported NRRD space " + quote(space)
                            + "; convert it to left-posterior-superior first");
            }
            if (flipX) {
                origin[0] = -origin[0];
                m[0] = -m[0];
                m[1] = -m[1];
                m[2] = -m[2];
            }
            if (flipY) {
                origin[1] = -origin[1];
                m[3] = -m[3];
                m[4] = -m[4];
                m[5] = -m[5];
            }
        }
        try {
            return new Geometry(sizes[0], sizes[1], sizes[2], origin, m);
        } catch (IllegalArgumentException e) {
            throw new CalvariaException(path + ": invalid NRRD geometry: " + e.getMessage());
        }
    }

    private static double[] parseVector(String s, Path path, String field) {
        String[] parts = s.trim().split("\\s*,\\s*");
        if (parts.length != 3) {
            throw new CalvariaException(path + ": NRRD '" + field + "' needs vectors of 3 numbers like (0.5,0,0), got "
                    + quote("(" + s.trim() + ")") + "; the header is damaged");
        }
        double[] v = new double[3];
        for (int i = 0; i < 3; i++) v[i] = parseNumber(parts[i], path, field);
        return v;
    }

    private static double parseNumber(String s, Path path, String field) {
        String t = s.trim();
        if (t.equalsIgnoreCase("nan")) return Double.NaN;
        if (t.equalsIgnoreCase("inf") || t.equalsIgnoreCase("+inf")) return Double.POSITIVE_INFINITY;
        if (t.equalsIgnoreCase("-inf")) return Double.NEGATIVE_INFINITY;
        try {
            return Double.parseDouble(t);
        } catch (NumberFormatException e) {
            throw new CalvariaException(path + ": " + quote(t) + " in NRRD field '" + field + "' is not a number;"
                    + " the header is damaged");
        }
    }

    /** Factor from the header's {@code space units} (all axes alike) to mm; 1 when absent. */
    private static double spaceUnitsToMm(NrrdHeader h, Path path) {
        String units = h.fields.get("space units");
        if (units == null) return 1;
        String[] parts = units.replace("\"", " ").trim().split("\\s+");
        double factor = Double.NaN;
        for (String u : parts) {
            double f;
            switch (u.toLowerCase(Locale.ROOT)) {
                case "mm":
                case "millimeter":
                case "millimeters":
                case "millimetre":
                case "millimetres":
                    f = 1;
                    break;
                case "m":
                case "meter":
                case "meters":
                case "metre":
                case "metres":
                    f = 1000;
                    break;
                case "cm":
                    f = 10;
                    break;
                case "um":
                case "\u00b5m":
                case "micron":
                case "microns":
                    f = 0.001;
                    break;
                default:
                    throw new CalvariaException(
                            path + ": unsupported NRRD space units " + quote(units) + "; use mm (or m, cm, um)");
            }
            if (!Double.isNaN(factor) && f != factor) {
                throw new CalvariaException(path + ": NRRD space units " + quote(units) + " differ between axes;"
                        + " convert the volume to mm first");
            }
            factor = f;
        }
        return Double.isNaN(factor) ? 1 : factor;
    }
}
