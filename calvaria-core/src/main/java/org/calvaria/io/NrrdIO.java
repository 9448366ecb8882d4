package org.calvaria.io;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.calvaria.CalvariaException;
import org.calvaria.volume.Volume;
import org.calvaria.volume.VoxelType;

/**
 * NRRD (teem) reader and writer for 3-D volumes: attached and detached headers, raw/gzip/ascii encodings, both
 * endians, all scalar types, {@code space}, {@code space directions}, {@code space origin}, {@code spacings}, comments
 * and key/value pairs. RAS and LAS spaces are converted to LPS on reading.
 *
 * <p>This class is the entry point; the work is done by {@link NrrdHeader} (parsing), {@link NrrdReader} (voxels),
 * {@link NrrdDataFiles} (detached data files) and {@link NrrdWriter}.
 */
public final class NrrdIO {
    private NrrdIO() {}

    /** Encodings we write. */
    public enum Encoding {
        RAW,
        GZIP
    }

    public static boolean looksLikeNrrd(byte[] head) {
        return head.length >= 8 && new String(head, 0, 7, StandardCharsets.US_ASCII).equals("NRRD000");
    }

    public static Volume read(Path path) {
        return NrrdReader.read(path);
    }

    /** Writes an NRRD with gzip encoding and the volume's source type; a {@code .nhdr} name writes a detached pair. */
    public static void write(Volume v, Path path) {
        write(v, path, null, Encoding.GZIP);
    }

    /**
     * Writes {@code v} as NRRD in LPS space. {@code type} null means the volume's source type. A path ending in
     * {@code .nhdr} writes a detached header plus a {@code .raw} or {@code .raw.gz} data file beside it.
     */
    public static void write(Volume v, Path path, VoxelType type, Encoding encoding) {
        NrrdWriter.write(v, path, type, encoding);
    }

    /**
     * The data files a detached NRRD header names, checked with {@link #resolveDataFile}: none for an attached
     * header, one for {@code data file: NAME}, several for {@code data file: LIST} or a format string
     * ({@code data file: I.%03d 1 100 1}). For callers that must vet a header before reading it (the web app).
     *
     * @throws CalvariaException when the header is not NRRD, or a named file would lie outside the header's folder
     */
    public static List<Path> dataFiles(Path header) {
        return NrrdDataFiles.dataFiles(header);
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
        return NrrdDataFiles.resolveDataFile(header, name);
    }
}
