package org.calvaria.io;

import org.calvaria.CalvariaException;
import org.calvaria.files.Outputs;
import org.calvaria.volume.FloatVolume;
import org.calvaria.volume.Geometry;
import org.calvaria.volume.MaskVolume;
import org.calvaria.volume.ShortVolume;
import org.calvaria.volume.Volume;
import org.calvaria.volume.VoxelType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/**
 * NRRD (teem) reader and writer for 3-D volumes: attached and detached headers, raw/gzip/ascii encodings, both
 * endians, all scalar types, {@code space}, {@code space directions}, {@code space origin}, {@code spacings}, comments
 * and key/value pairs. RAS and LAS spaces are converted to LPS on reading.
 */
public final class NrrdIO {
    private static final Logger LOG = LoggerFactory.getLogger(NrrdIO.class);
    private static final int MAX_HEADER_BYTES = 1 << 20;

    private NrrdIO() {}

    /** Encodings we write. */
    public enum Encoding { RAW, GZIP }

    /** Parsed header: fields (lower-case names), key/value pairs, comments. */
    public static final class Header {
        final Map<String, String> fields = new LinkedHashMap<>();
        final Map<String, String> keyValues = new LinkedHashMap<>();
        /** File names that follow a {@code data file: LIST} line (the rest of a detached header). */
        final List<String> dataFileList = new ArrayList<>();
        int headerBytes;
        /** Neither 'space directions' nor 'spacings': 1 mm voxels are assumed. */
        boolean noSpacing;
        Path path;
    }

    public static boolean looksLikeNrrd(byte[] head) {
        return head.length >= 8 && new String(head, 0, 7, StandardCharsets.US_ASCII).equals("NRRD000");
    }

    public static Volume read(Path path) {
        if (Files.isDirectory(path)) throw new CalvariaException(path + " is a folder, not an NRRD file");
        try {
            byte[] headBytes = readHeaderBytes(path);
            Header h = parseHeader(headBytes, path);
            return readData(path, h);
        } catch (IOException e) {
            throw new CalvariaException("cannot read NRRD " + path + ": " + e.getMessage(), e);
        }
    }

    private static byte[] readHeaderBytes(Path path) throws IOException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(path))) {
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            int prev = -1, c;
            while ((c = in.read()) != -1) {
                buf.write(c);
                if (c == '\n' && prev == '\n') break;
                if (c == '\r') continue; // tolerate CRLF headers
                prev = c;
                if (buf.size() > MAX_HEADER_BYTES) {
                    throw new CalvariaException(path + ": NRRD header is longer than 1 MB; the file is not a valid NRRD");
                }
            }
            return buf.toByteArray();
        }
    }

    static Header parseHeader(byte[] bytes, Path path) {
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        if (!text.startsWith("NRRD000")) {
            throw new CalvariaException(path + " is not an NRRD file (no NRRD000x magic line)");
        }
        Header h = new Header();
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

    private static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "");
    }

    private static String need(Header h, String field, Path path) {
        String v = h.fields.get(field);
        if (v == null) throw new CalvariaException(path + ": NRRD header has no '" + field + "' field");
        return v;
    }

    /** A whole-number field such as {@code dimension} or {@code line skip}, or {@code fallback} when absent. */
    private static long wholeNumber(Header h, Path path, long fallback, String... names) {
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

    static Geometry geometryOf(Header h, int[] sizes, Path path) {
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
                throw new CalvariaException(path + ": expected 3 space directions, found " + axis + " in "
                        + quote(dirs) + "; the header is damaged");
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
                case "left-posterior-superior": case "lps": case "3d-right-handed": case "scanner-xyz":
                    flipX = false; flipY = false; break;
                case "right-anterior-superior": case "ras":
                    flipX = true; flipY = true; break;
                case "left-anterior-superior": case "las":
                    flipX = false; flipY = true; break;
                default:
                    throw new CalvariaException(path + ": unsupported NRRD space " + quote(space)
                            + "; convert it to left-posterior-superior first");
            }
            if (flipX) { origin[0] = -origin[0]; m[0] = -m[0]; m[1] = -m[1]; m[2] = -m[2]; }
            if (flipY) { origin[1] = -origin[1]; m[3] = -m[3]; m[4] = -m[4]; m[5] = -m[5]; }
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
    private static double spaceUnitsToMm(Header h, Path path) {
        String units = h.fields.get("space units");
        if (units == null) return 1;
        String[] parts = units.replace("\"", " ").trim().split("\\s+");
        double factor = Double.NaN;
        for (String u : parts) {
            double f;
            switch (u.toLowerCase(Locale.ROOT)) {
                case "mm": case "millimeter": case "millimeters": case "millimetre": case "millimetres": f = 1; break;
                case "m": case "meter": case "meters": case "metre": case "metres": f = 1000; break;
                case "cm": f = 10; break;
                case "um": case "\u00b5m": case "micron": case "microns": f = 0.001; break;
                default:
                    throw new CalvariaException(path + ": unsupported NRRD space units " + quote(units)
                            + "; use mm (or m, cm, um)");
            }
            if (!Double.isNaN(factor) && f != factor) {
                throw new CalvariaException(path + ": NRRD space units " + quote(units) + " differ between axes;"
                        + " convert the volume to mm first");
            }
            factor = f;
        }
        return Double.isNaN(factor) ? 1 : factor;
    }

    private static Volume readData(Path path, Header h) throws IOException {
        need(h, "dimension", path);
        long dim = wholeNumber(h, path, 0, "dimension");
        String[] sizeText = need(h, "sizes", path).trim().split("\\s+");
        if (dim != 3) {
            throw new CalvariaException(path + ": NRRD has dimension " + dim + "; only 3-D scalar volumes are supported");
        }
        if (sizeText.length != 3) {
            throw new CalvariaException(path + ": NRRD 'sizes' " + quote(need(h, "sizes", path)) + " must give 3"
                    + " sizes for dimension 3; the header is damaged");
        }
        int[] sizes = new int[3];
        long count = 1;
        for (int i = 0; i < 3; i++) {
            try {
                sizes[i] = Integer.parseInt(sizeText[i]);
            } catch (NumberFormatException e) {
                throw new CalvariaException(path + ": NRRD sizes " + quote(need(h, "sizes", path)) + " must be whole"
                        + " numbers below 2^31; the header is damaged");
            }
            if (sizes[i] <= 0) throw new CalvariaException(path + ": NRRD size " + sizes[i] + " must be positive");
            count *= sizes[i];
        }
        if (count > 1_500_000_000L) {
            throw new CalvariaException(path + ": " + sizes[0] + "x" + sizes[1] + "x" + sizes[2]
                    + " voxels is too large (limit 1.5e9); crop the scan first");
        }
        String typeName = need(h, "type", path);
        VoxelType type = VoxelType.fromNrrd(typeName);
        if (type == null) {
            throw new CalvariaException(path + ": unsupported NRRD type " + quote(typeName)
                    + "; supported: int8 uint8 int16 uint16 int32 uint32 float double");
        }
        String enc = need(h, "encoding", path).trim().toLowerCase(Locale.ROOT);
        String endian = h.fields.getOrDefault("endian", "little").trim().toLowerCase(Locale.ROOT);
        ByteOrder order;
        switch (endian) {
            case "little": order = ByteOrder.LITTLE_ENDIAN; break;
            case "big": order = ByteOrder.BIG_ENDIAN; break;
            default:
                throw new CalvariaException(path + ": NRRD 'endian' must be little or big, got "
                        + quote(h.fields.get("endian")) + "; the header is damaged");
        }
        Geometry g = geometryOf(h, sizes, path);

        String dataFile = dataFileField(h);
        Path dataPath = path;
        if (dataFile != null) {
            List<Path> files = dataFiles(h, path);
            if (files.size() != 1) {
                throw new CalvariaException(path + ": multi-file NRRD data (" + files.size() + " data files) is not"
                        + " supported; join the files into one (for example with 3D Slicer or unu join)");
            }
            dataPath = files.get(0);
            if (!Files.isRegularFile(dataPath)) {
                throw new CalvariaException(path + ": detached data file " + quote(dataFile)
                        + " not found next to the header");
            }
        }
        long lineSkip = wholeNumber(h, path, 0, "line skip", "lineskip");
        long byteSkip = wholeNumber(h, path, 0, "byte skip", "byteskip");
        if (lineSkip < 0) {
            throw new CalvariaException(path + ": 'line skip: " + lineSkip + "' must be 0 or more; the header is wrong");
        }
        if (byteSkip < -1 || (byteSkip == -1 && !enc.equals("raw"))) {
            throw new CalvariaException(path + ": 'byte skip: " + byteSkip + "' is not allowed" + (byteSkip == -1
                    ? " with " + enc + " encoding (-1, 'data at the end of the file', works only for raw data)"
                    : "; it must be 0 or more, or -1 for raw data at the end of the file") + "; the header is wrong");
        }
        long fileSize = Files.size(dataPath);
        long position = dataFile == null ? h.headerBytes : 0;
        long declared = count * type.bytes();
        // Every skipped line takes at least one byte: a line skip beyond the file's length is refused at once
        // instead of being counted out one read at a time.
        if (lineSkip > fileSize - position) {
            throw new CalvariaException(path + ": 'line skip: " + lineSkip + "' asks to skip more lines than the "
                    + Math.max(0, fileSize - position) + " bytes of data in " + dataPath.getFileName() + " can hold;"
                    + " the header is wrong");
        }
        try (InputStream in0 = new BufferedInputStream(Files.newInputStream(dataPath), 1 << 16)) {
            InputStream in = in0;
            skipFully(in, position);
            for (long i = 0; i < lineSkip; i++) {
                int c;
                while ((c = in.read()) != -1 && c != '\n') position++;
                if (c == -1) {
                    throw new CalvariaException(path + ": 'line skip: " + lineSkip + "' asks to skip more lines than "
                            + dataPath.getFileName() + " has; the header is wrong");
                }
                position++;
            }
            long available = fileSize - position;
            switch (enc) {
                case "raw":
                    if (byteSkip == -1) {
                        // -1: the data is the last bytes of the file, whatever comes before it
                        ReadLimits.requireRawLength(path, sizes, type.nrrdName(), declared, available);
                        skipFully(in, available - declared);
                    } else {
                        ReadLimits.requireRawLength(path, sizes, type.nrrdName(), declared, available - byteSkip);
                        if (available - byteSkip > declared) {
                            throw new CalvariaException(String.format(Locale.ROOT, "%s: the file holds %d bytes of"
                                    + " data, %d more than its header's %s (%d bytes); the header's sizes or type are"
                                    + " wrong, or set 'byte skip: -1' if the data is the end of the file", path,
                                    available - byteSkip, available - byteSkip - declared,
                                    ReadLimits.describe(sizes, type.nrrdName()), declared));
                        }
                        skipFully(in, byteSkip);
                    }
                    break;
                case "gzip": case "gz":
                    ReadLimits.requireCompressedLength(path, sizes, type.nrrdName(), declared + Math.max(0, byteSkip),
                            available);
                    in = new BufferedInputStream(new StrictGzipInputStream(in), 1 << 16);
                    break;
                case "ascii": case "text": case "txt":
                    // every value takes at least one character and a separator
                    if (available < 2 * count - 1) {
                        throw new CalvariaException(path + ": the file is too short for its declared size: "
                                + count + " ASCII values need at least " + (2 * count - 1) + " bytes, the file holds "
                                + Math.max(0, available) + "; the file is truncated or its header is wrong");
                    }
                    // the text, and one small String per value while it is parsed
                    ReadLimits.requireMemory(path, sizes, type.nrrdName(), 60 * count + 2 * available);
                    return toVolume(readAscii(in, (int) count, path), g, type, h);
                default:
                    throw new CalvariaException(path + ": unsupported NRRD encoding " + quote(enc)
                            + "; supported: raw, gzip, ascii");
            }
            ReadLimits.requireMemory(path, sizes, type.nrrdName(), count * (type.fitsShort() ? 2 : 4));
            if (!enc.equals("raw") && byteSkip > 0) skipFully(in, byteSkip);
            Values values = readBinary(in, (int) count, type, order, path);
            if (!enc.equals("raw")) {
                // Reading on to the end checks the gzip trailer (CRC-32 and length) of the whole stream.
                long extra = StrictGzipInputStream.readToEnd(in);
                if (extra > 0) {
                    throw new CalvariaException(path + ": the compressed data holds " + extra + " bytes more than"
                            + " the " + count + " " + type.nrrdName() + " voxels its header declares; the header's"
                            + " sizes or type are wrong, fix the header or re-export the file");
                }
            }
            return toVolume(values, g, type, h);
        } catch (StrictGzipInputStream.CorruptGzipException e) {
            throw corrupt(dataPath, e);
        } catch (EOFException e) {
            throw new CalvariaException(path + ": data ends early (truncated file): expected " + count
                    + " voxels of " + type.nrrdName() + "; re-export or re-download it");
        }
    }

    /** The one-line message for damaged compressed data. Shared with NiftiIO. */
    static CalvariaException corrupt(Path path, StrictGzipInputStream.CorruptGzipException e) {
        return new CalvariaException(path + " is corrupt: " + e.getMessage()
                + "; the file is damaged, re-export or re-download it", e);
    }

    // ---------------------------------------------------------------- detached data files

    /** Most files one {@code data file} format string may name. */
    static final int MAX_DATA_FILES = 100_000;

    private static String dataFileField(Header h) {
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
    public static List<Path> dataFiles(Path header) {
        try {
            return dataFiles(parseHeader(readHeaderBytes(header), header), header);
        } catch (IOException e) {
            throw new CalvariaException("cannot read NRRD " + header + ": " + e.getMessage(), e);
        }
    }

    static List<Path> dataFiles(Header h, Path header) {
        String field = dataFileField(h);
        List<Path> out = new ArrayList<>();
        if (field == null) return out;
        if (field.startsWith("LIST")) {
            if (h.dataFileList.isEmpty()) {
                throw new CalvariaException(header + ": 'data file: LIST' is followed by no file names; the header is"
                        + " incomplete");
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
        if (!format.replace("%%", "").matches("[^%]*%0?[0-9]{0,3}[diu][^%]*")) {
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
        String javaFormat = format.replaceAll("%(0?[0-9]{0,3})[iu]", "%$1d");
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
    public static Path resolveDataFile(Path header, String name) {
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
            throw new CalvariaException(header + ": data file " + quote(name) + " lies outside the header's folder"
                    + fix);
        }
        return resolved;
    }

    /** Header text for a message: quoted, control characters shown as '?', at most 200 characters. */
    static String quote(String text) {
        String t = text.replaceAll("\\p{Cntrl}", "?");
        return "'" + (t.length() > 200 ? t.substring(0, 200) + "...' (" + t.length() + " characters)" : t + "'");
    }

    private static void skipFully(InputStream in, long n) throws IOException {
        while (n > 0) {
            long s = in.skip(n);
            if (s <= 0) {
                if (in.read() == -1) throw new EOFException();
                s = 1;
            }
            n -= s;
        }
    }

    /** Decoded voxel values: exactly one of the arrays is set. Shared with {@link NiftiIO}. */
    record Values(short[] shorts, float[] floats, boolean binary) {}

    /** Reads {@code count} binary voxels; throws EOFException when the stream ends early. Shared with NiftiIO. */
    static Values readBinary(InputStream in, int count, VoxelType type, ByteOrder order, Path path)
            throws IOException {
        int bytes = type.bytes();
        byte[] chunk = new byte[(1 << 20) / bytes * bytes];
        ByteBuffer bb = ByteBuffer.wrap(chunk).order(order);
        boolean toShort = type.fitsShort();
        short[] s = toShort ? new short[count] : null;
        float[] f = toShort ? null : new float[count];
        boolean binary = true;
        int done = 0;
        while (done < count) {
            // long: (count - done) * bytes passes 2^31 for more than 2 GiB of voxel data
            int want = (int) Math.min(chunk.length, (long) (count - done) * bytes);
            int got = 0;
            while (got < want) {
                int r = in.read(chunk, got, want - got);
                if (r < 0) throw new EOFException();
                got += r;
            }
            int n = want / bytes;
            bb.clear();
            if (type == VoxelType.FLOAT32) {
                // floats are never a mask (only integer 0/1 data is), so they are copied in bulk
                bb.asFloatBuffer().get(f, done, n);
                binary = false;
                done += n;
                continue;
            }
            for (int i = 0; i < n; i++) {
                double v;
                switch (type) {
                    case INT8: v = bb.get(i); break;
                    case UINT8: v = bb.get(i) & 0xff; break;
                    case INT16: v = bb.getShort(2 * i); break;
                    case UINT16: v = bb.getShort(2 * i) & 0xffff; break;
                    case INT32: v = bb.getInt(4 * i); break;
                    case UINT32: v = bb.getInt(4 * i) & 0xffffffffL; break;
                    case FLOAT32: v = bb.getFloat(4 * i); break;
                    default: v = bb.getDouble(8 * i); break;
                }
                if (binary && v != 0 && v != 1) binary = false;
                if (toShort) s[done + i] = (short) v;
                else f[done + i] = (float) v;
            }
            done += n;
        }
        return new Values(s, f, binary);
    }

    private static Values readAscii(InputStream in, int count, Path path) throws IOException {
        String text = new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim();
        String[] parts = text.isEmpty() ? new String[0] : text.split("[\\s,]+");
        if (parts.length < count) {
            throw new CalvariaException(path + ": ASCII data has " + parts.length + " values, expected " + count);
        }
        float[] f = new float[count];
        boolean binary = true;
        for (int i = 0; i < count; i++) {
            try {
                f[i] = Float.parseFloat(parts[i]);
            } catch (NumberFormatException e) {
                throw new CalvariaException(path + ": ASCII value " + (i + 1) + ", " + quote(parts[i]) + ", is not a"
                        + " number; the data is damaged");
            }
            if (f[i] != 0 && f[i] != 1) binary = false;
        }
        return new Values(null, f, binary);
    }

    private static Volume toVolume(Values v, Geometry g, VoxelType type, Header h) {
        if (h.noSpacing) {
            LOG.warn("{}: NRRD header has neither 'space directions' nor 'spacings'; assuming 1 mm voxels", h.path);
        }
        Volume out = toVolume(v, g, type);
        out.metadata().putAll(h.keyValues);
        return out;
    }

    /** Integer 0/1 data becomes a mask, types that fit a short a ShortVolume, the rest floats. Shared with NiftiIO. */
    static Volume toVolume(Values v, Geometry g, VoxelType type) {
        Volume out;
        if (v.binary() && type.isInteger()) {
            MaskVolume m = new MaskVolume(g);
            int n = g.voxelCount();
            if (v.shorts() != null) {
                short[] s = v.shorts();
                for (int i = 0; i < n; i++) if (s[i] != 0) m.set(i, true);
            } else {
                float[] f = v.floats();
                for (int i = 0; i < n; i++) if (f[i] != 0) m.set(i, true);
            }
            m.setSourceType(type);
            out = m;
        } else if (v.shorts() != null) {
            out = new ShortVolume(g, v.shorts(), type);
        } else {
            out = new FloatVolume(g, v.floats(), type);
        }
        return out;
    }

    // ---------------------------------------------------------------- writing

    /** Writes an NRRD with gzip encoding and the volume's source type; a {@code .nhdr} name writes a detached pair. */
    public static void write(Volume v, Path path) {
        write(v, path, null, Encoding.GZIP);
    }

    /**
     * Writes {@code v} as NRRD in LPS space. {@code type} null means the volume's source type. A path ending in
     * {@code .nhdr} writes a detached header plus a {@code .raw} or {@code .raw.gz} data file beside it.
     */
    public static void write(Volume v, Path path, VoxelType type, Encoding encoding) {
        VoxelType t = type != null ? type : v.sourceType();
        if (t == null) t = VoxelType.FLOAT32;
        final VoxelType wt = t;
        String name = path.getFileName().toString();
        boolean detached = name.toLowerCase(Locale.ROOT).endsWith(".nhdr");
        if (detached) {
            String dataName = name.substring(0, name.length() - 5) + (encoding == Encoding.GZIP ? ".raw.gz" : ".raw");
            Path dataPath = path.resolveSibling(dataName);
            Outputs.writeAtomically(dataPath, out -> writeData(v, out, wt, encoding));
            try {
                Outputs.writeAtomically(path, out -> out.write(header(v, wt, encoding, dataName)
                        .getBytes(StandardCharsets.ISO_8859_1)));
            } catch (RuntimeException e) {
                try {
                    Files.deleteIfExists(dataPath);
                } catch (IOException ignored) {
                    // the header failure is what the user needs to see
                }
                throw e;
            }
        } else {
            Outputs.writeAtomically(path, out -> {
                out.write(header(v, wt, encoding, null).getBytes(StandardCharsets.ISO_8859_1));
                writeData(v, out, wt, encoding);
            });
        }
    }

    static String header(Volume v, VoxelType type, Encoding encoding, String dataFile) {
        Geometry g = v.geometry();
        double[] m = g.matrix();
        double[] o = g.origin();
        StringBuilder sb = new StringBuilder();
        sb.append("NRRD0004\n");
        sb.append("# Complete NRRD file format specification at:\n");
        sb.append("# http://teem.sourceforge.net/nrrd/format.html\n");
        sb.append("type: ").append(type.nrrdName()).append('\n');
        sb.append("dimension: 3\n");
        sb.append("space: left-posterior-superior\n");
        sb.append("sizes: ").append(g.nx()).append(' ').append(g.ny()).append(' ').append(g.nz()).append('\n');
        sb.append("space directions:");
        for (int c = 0; c < 3; c++) {
            sb.append(" (").append(num(m[c])).append(',').append(num(m[3 + c])).append(',').append(num(m[6 + c]))
                    .append(')');
        }
        sb.append('\n');
        sb.append("kinds: domain domain domain\n");
        if (type.bytes() > 1) sb.append("endian: little\n");
        sb.append("encoding: ").append(encoding == Encoding.GZIP ? "gzip" : "raw").append('\n');
        sb.append("space origin: (").append(num(o[0])).append(',').append(num(o[1])).append(',').append(num(o[2]))
                .append(")\n");
        if (dataFile != null) sb.append("data file: ").append(dataFile).append('\n');
        for (Map.Entry<String, String> e : v.metadata().entrySet()) {
            String k = escape(e.getKey()).replace(":=", ": =");
            sb.append(k).append(":=").append(escape(e.getValue())).append('\n');
        }
        sb.append('\n');
        return sb.toString();
    }

    private static String num(double d) {
        if (d == Math.rint(d) && Math.abs(d) < 1e15) return Long.toString((long) d);
        return Double.toString(d);
    }

    private static void writeData(Volume v, OutputStream out0, VoxelType type, Encoding encoding) throws IOException {
        OutputStream out = encoding == Encoding.GZIP ? new GZIPOutputStream(out0, 1 << 16) : out0;
        writeValues(v, out, type, ByteOrder.LITTLE_ENDIAN);
        if (out instanceof GZIPOutputStream gz) gz.finish();
        out.flush();
    }

    /** Writes all voxel values in x-fastest order, converted to {@code type} (clamped and rounded for integers). */
    public static void writeValues(Volume v, OutputStream out, VoxelType type, ByteOrder order) throws IOException {
        int n = v.voxelCount();
        int bytes = type.bytes();
        byte[] chunk = new byte[(1 << 20) / bytes * bytes];
        ByteBuffer bb = ByteBuffer.wrap(chunk).order(order);
        int perChunk = chunk.length / bytes;
        for (int start = 0; start < n; start += perChunk) {
            int end = Math.min(n, start + perChunk);
            for (int i = start; i < end; i++) {
                double x = v.get(i);
                int p = (i - start) * bytes;
                if (type.isInteger()) {
                    x = Math.rint(Math.max(type.min(), Math.min(type.max(), x)));
                }
                switch (type) {
                    case INT8: case UINT8: bb.put(p, (byte) (long) x); break;
                    case INT16: case UINT16: bb.putShort(p, (short) (long) x); break;
                    case INT32: case UINT32: bb.putInt(p, (int) (long) x); break;
                    case FLOAT32: bb.putFloat(p, (float) x); break;
                    default: bb.putDouble(p, x); break;
                }
            }
            out.write(chunk, 0, (end - start) * bytes);
        }
    }
}
