package org.calvaria.web;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.calvaria.volume.VoxelType;

/**
 * Looks at an uploaded file's header before any volume reader does, and refuses what a reader must never be given
 * from a stranger:
 * <ul>
 *   <li>an NRRD header that names a separate data file: an upload would make the server read that file from its own
 *       disk ({@code data file: /etc/passwd}) and show it in the viewer;</li>
 *   <li>a header that declares more voxels than the file can hold (a 384-byte file declaring 5.8 GB of floats), or
 *       more than this server's memory can open.</li>
 * </ul>
 * The readers check their input too; this is the web layer's own line, which also knows the server's memory. Headers
 * it cannot make sense of are left to the readers, which refuse them with their own messages.
 */
final class UploadCheck {
    /** Deflate cannot expand data more than about 1032 times. */
    static final long MAX_DEFLATE_RATIO = 1032;

    private static final int MAX_NRRD_HEADER = 1 << 20;
    private static final int NIFTI1_HEADER = 348;

    private UploadCheck() {}

    /** The memory a volume may take while it is opened: half the heap, the rest is for the server and a design. */
    static long defaultMemoryBudget() {
        return Runtime.getRuntime().maxMemory() / 2;
    }

    /**
     * @param file         the upload, as stored
     * @param name         the name the user knows it by, for messages
     * @param memoryBudget bytes the decoded voxels may take
     * @throws HttpError 400 for a header naming another file, 422 for sizes the file cannot hold, 413 for sizes
     *                   beyond the memory budget
     */
    static void check(Path file, String name, long memoryBudget) throws IOException {
        byte[] head;
        try (InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(8);
        }
        if (head.length >= 7 && new String(head, 0, 7, StandardCharsets.US_ASCII).equals("NRRD000")) {
            checkNrrd(file, name, memoryBudget);
        } else {
            checkNifti(
                    file, name, memoryBudget, head.length >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b);
        }
    }

    // ------------------------------------------------------------------ NRRD

    /** Header fields (lower-case names) and the header's length in bytes; null when it is not a readable header. */
    private record NrrdHeader(Map<String, String> fields, long bytes) {}

    /** Reads the header the way {@code NrrdIO} does: lines up to the first empty one, CR ignored. */
    private static NrrdHeader readNrrdHeader(Path file) throws IOException {
        StringBuilder text = new StringBuilder();
        long bytes = 0;
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
            int prev = -1, c;
            while ((c = in.read()) != -1) {
                bytes++;
                text.append((char) c);
                if (c == '\n' && prev == '\n') break;
                if (c == '\r') continue;
                prev = c;
                if (bytes > MAX_NRRD_HEADER) return null;
            }
        }
        Map<String, String> fields = new LinkedHashMap<>();
        String[] lines = text.toString().split("\r?\n");
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i];
            if (line.isEmpty()) break;
            if (line.startsWith("#")) continue;
            int kv = line.indexOf(":=");
            int f = line.indexOf(": ");
            if (kv >= 0 && (f < 0 || kv < f)) continue;
            if (f >= 0) {
                fields.put(
                        line.substring(0, f).trim().toLowerCase(Locale.ROOT),
                        line.substring(f + 2).trim());
            } else if (line.endsWith(":")) {
                fields.put(line.substring(0, line.length() - 1).trim().toLowerCase(Locale.ROOT), "");
            }
        }
        return new NrrdHeader(fields, bytes);
    }

    /** The data file a header names ({@code data file} or {@code datafile}), or null. */
    private static String dataFile(Map<String, String> fields) {
        String d = fields.get("data file");
        return d != null ? d : fields.get("datafile");
    }

    /** Whether {@code file} starts like an NRRD header. */
    static boolean isNrrd(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return new String(in.readNBytes(7), StandardCharsets.US_ASCII).equals("NRRD000");
        }
    }

    /**
     * A detached NRRD header among unpacked files (a zip, or several files sent together): finds the data file it
     * names among the files the user sent, by comparing names only, and writes {@code input.nhdr} beside them: the
     * same header naming the data file by its generated name. The reader then resolves that name inside the folder
     * ({@code NrrdIO.resolveDataFile}). Answers the header to read.
     *
     * @param names generated file name to the name the user gave it (its path in the zip)
     * @throws HttpError 400 when the header names a file that was not sent, a list or a pattern of files, or a file
     *                   outside the upload; 413/422 for sizes the data or memory cannot hold
     */
    static Path detachedNrrd(Path header, Map<String, String> names, long memoryBudget) throws IOException {
        String shown = names.getOrDefault(header.getFileName().toString(), "the header");
        NrrdHeader h = readNrrdHeader(header);
        if (h == null) throw HttpError.badRequest("'" + shown + "' is not a readable NRRD header");
        String dataFile = dataFile(h.fields());
        if (dataFile == null) {
            checkNrrd(header, shown, memoryBudget);
            return header; // data attached: nothing to match
        }
        if (reachesOutside(dataFile)
                || dataFile.contains("%")
                || dataFile.trim().contains(" ")) {
            throw HttpError.badRequest("'" + shown + "' names its data as '" + dataFile + "': only one data file"
                    + " beside the header can be read (no lists, patterns or paths outside the upload)");
        }
        String wanted = dataFile.trim().replace('\\', '/');
        String headerDir = parent(names.getOrDefault(header.getFileName().toString(), ""));
        String match = null;
        for (Map.Entry<String, String> e : names.entrySet()) {
            String original = e.getValue().replace('\\', '/');
            if (original.equals(headerDir + wanted)
                    || (match == null && baseName(original).equals(baseName(wanted)))) {
                match = e.getKey();
                if (original.equals(headerDir + wanted)) break;
            }
        }
        if (match == null) {
            throw HttpError.badRequest("'" + shown + "' names its data file '" + dataFile + "', which was not sent"
                    + " with it; choose both files (or the folder, or a zip holding both)");
        }
        Path data = header.resolveSibling(match);
        long[] sizes = nrrdSizes(h.fields());
        VoxelType type = VoxelType.fromNrrd(h.fields().getOrDefault("type", ""));
        if (sizes != null && type != null) {
            long count = sizes[0] * sizes[1] * sizes[2];
            String declared = describe(sizes, type.nrrdName());
            String encoding = h.fields().getOrDefault("encoding", "").toLowerCase(Locale.ROOT);
            long available = Files.size(data);
            String who = names.getOrDefault(match, dataFile);
            switch (encoding) {
                case "raw" -> requireHolds(who, declared, count * type.bytes(), available, 1);
                case "gzip", "gz" -> requireHolds(who, declared, count * type.bytes(), available, MAX_DEFLATE_RATIO);
                case "ascii", "text", "txt" -> requireHolds(who, declared, count, available, 1);
                default -> {}
            }
            requireMemory(shown, declared, count, type, memoryBudget);
        }
        // The same header, naming the data file by its generated name (a plain name beside it).
        byte[] bytes = Files.readAllBytes(header);
        int end = (int) Math.min(h.bytes(), bytes.length);
        String text = new String(bytes, 0, end, StandardCharsets.ISO_8859_1);
        String rewritten = text.replaceAll("(?im)^(data ?file)\\s*:.*$", "$1: " + match);
        Path out = header.resolveSibling("input.nhdr");
        Files.write(out, rewritten.getBytes(StandardCharsets.ISO_8859_1));
        return out;
    }

    private static String parent(String path) {
        int slash = path.replace('\\', '/').lastIndexOf('/');
        return slash < 0 ? "" : path.substring(0, slash + 1);
    }

    private static String baseName(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    private static void checkNrrd(Path file, String name, long memoryBudget) throws IOException {
        NrrdHeader h = readNrrdHeader(file);
        if (h == null) return; // the reader says what is wrong with it
        String dataFile = dataFile(h.fields());
        if (dataFile != null) {
            throw HttpError.badRequest("'" + name + "' names a separate data file ('" + dataFile + "'): files outside"
                    + " the upload are never read, and an upload of one file has no other file to name; save the"
                    + " volume as one .nrrd file with its data attached (for example 'calvaria convert skull.nhdr"
                    + " skull.nrrd') and open that");
        }
        long[] sizes = nrrdSizes(h.fields());
        VoxelType type = VoxelType.fromNrrd(h.fields().getOrDefault("type", ""));
        if (sizes == null || type == null) return;
        long count = sizes[0] * sizes[1] * sizes[2];
        String declared = describe(sizes, type.nrrdName());
        long available = Files.size(file) - h.bytes();
        String encoding = h.fields().getOrDefault("encoding", "").toLowerCase(Locale.ROOT);
        switch (encoding) {
            case "raw" -> requireHolds(name, declared, count * type.bytes(), available, 1);
            case "gzip", "gz" -> requireHolds(name, declared, count * type.bytes(), available, MAX_DEFLATE_RATIO);
            // ASCII: at least one character per value (a digit; the separators make it more)
            case "ascii", "text", "txt" -> requireHolds(name, declared, count, available, 1);
            default -> {
                return;
            }
        }
        requireMemory(name, declared, count, type, memoryBudget);
    }

    private static long[] nrrdSizes(Map<String, String> fields) {
        String[] parts = fields.getOrDefault("sizes", "").trim().split("\\s+");
        if (parts.length != 3) return null;
        long[] sizes = new long[3];
        try {
            for (int i = 0; i < 3; i++) {
                sizes[i] = Long.parseLong(parts[i]);
                if (sizes[i] <= 0 || sizes[i] > Integer.MAX_VALUE) return null;
            }
        } catch (NumberFormatException e) {
            return null;
        }
        return sizes;
    }

    // ------------------------------------------------------------------ NIfTI-1

    private static void checkNifti(Path file, String name, long memoryBudget, boolean gzip) throws IOException {
        byte[] header;
        try (InputStream raw = Files.newInputStream(file);
                InputStream in = gzip ? new GZIPInputStream(raw, 4096) : raw) {
            header = in.readNBytes(NIFTI1_HEADER);
        } catch (IOException e) {
            return; // damaged gzip: the reader says so
        }
        if (header.length < NIFTI1_HEADER) return;
        ByteBuffer b = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
        if (b.getInt(0) != NIFTI1_HEADER) {
            b.order(ByteOrder.BIG_ENDIAN);
            if (b.getInt(0) != NIFTI1_HEADER) return; // not NIfTI-1
        }
        int dims = b.getShort(40);
        if (dims < 3 || dims > 7) return;
        long[] sizes = new long[3];
        for (int i = 0; i < 3; i++) {
            sizes[i] = b.getShort(42 + 2 * i);
            if (sizes[i] <= 0) return;
        }
        for (int i = 4; i <= dims; i++) if (b.getShort(40 + 2 * i) != 1) return;
        VoxelType type = VoxelType.fromNifti(b.getShort(70));
        float voxOffset = b.getFloat(108);
        if (type == null || !Float.isFinite(voxOffset) || voxOffset < 0) return;
        long count = sizes[0] * sizes[1] * sizes[2];
        String declared = describe(sizes, type.nrrdName());
        long offset = Math.max(352, (long) voxOffset);
        if (gzip) requireHolds(name, declared, count * type.bytes(), Files.size(file), MAX_DEFLATE_RATIO);
        else requireHolds(name, declared, count * type.bytes(), Files.size(file) - offset, 1);
        requireMemory(name, declared, count, type, memoryBudget);
    }

    // ------------------------------------------------------------------ common

    private static String describe(long[] sizes, String type) {
        return sizes[0] + " x " + sizes[1] + " x " + sizes[2] + " " + type + " voxels";
    }

    private static void requireHolds(String name, String declared, long needBytes, long availableBytes, long ratio) {
        long canHold = availableBytes <= 0
                ? 0
                : (availableBytes > Long.MAX_VALUE / ratio ? Long.MAX_VALUE : availableBytes * ratio);
        if (needBytes > canHold) {
            String holds = ratio == 1
                    ? "holds only " + Uploads.describeBytes(Math.max(0, availableBytes)) + " of data"
                    : "holds only " + Uploads.describeBytes(Math.max(0, availableBytes / ratio))
                            + " of compressed data, which cannot unpack to that much";
            throw new HttpError(
                    422,
                    "'" + name + "' declares " + declared + " (" + Uploads.describeBytes(needBytes) + ") but " + holds
                            + "; the file is truncated or its header is wrong: export it again");
        }
    }

    private static void requireMemory(String name, String declared, long count, VoxelType type, long budget) {
        // The readers hold 16-bit types as shorts and all others as floats.
        long memory = count * (type.fitsShort() ? 2 : 4);
        if (memory > budget) {
            throw new HttpError(
                    413,
                    "'" + name + "' declares " + declared + ", which take "
                            + Uploads.describeBytes(memory) + " of memory to open; this server can spend "
                            + Uploads.describeBytes(budget) + ": crop the scan, or restart the server with more memory"
                            + " (for example JAVA_OPTS=-Xmx16g)");
        }
    }

    // ------------------------------------------------------------------ unpacked zips

    /**
     * Refuses an unpacked folder in which an NRRD header names a data file outside that folder (an absolute path, a
     * path with "..", or a list of files); the readers never follow such a name.
     */
    static void checkUnpackedFolder(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            for (Path f : files.toList()) {
                if (!Files.isRegularFile(f)) continue;
                byte[] head;
                try (InputStream in = Files.newInputStream(f)) {
                    head = in.readNBytes(7);
                }
                if (!new String(head, StandardCharsets.US_ASCII).equals("NRRD000")) continue;
                NrrdHeader h = readNrrdHeader(f);
                String dataFile = h == null ? null : dataFile(h.fields());
                if (dataFile != null && reachesOutside(dataFile)) {
                    throw HttpError.badRequest("an NRRD header in the zip names a data file outside the upload ('"
                            + dataFile + "'); it is never read: zip the header with its data file beside it, or"
                            + " convert the volume to one .nrrd file");
                }
            }
        }
    }

    /** Whether a header's data file name could point outside the header's own folder. */
    static boolean reachesOutside(String dataFile) {
        String d = dataFile.trim();
        if (d.startsWith("LIST")
                || d.startsWith("/")
                || d.startsWith("\\")
                || d.startsWith("~")
                || d.matches("^[A-Za-z]:.*")) {
            return true;
        }
        for (String segment : d.split("[/\\\\\\s]+")) if (segment.equals("..")) return true;
        return false;
    }
}
