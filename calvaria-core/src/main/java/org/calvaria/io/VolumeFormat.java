package org.calvaria.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import org.calvaria.CalvariaException;

/** File formats Calvaria recognises, detected from content (magic bytes), with the extension only as a tie-breaker. */
public enum VolumeFormat {
    NRRD,
    NIFTI,
    DICOM_SERIES,
    DICOM_FILE,
    STL,
    UNKNOWN;

    public static VolumeFormat detect(Path path) {
        if (!Files.exists(path)) throw new CalvariaException(path + " does not exist");
        if (Files.isDirectory(path)) return DICOM_SERIES;
        if (!Files.isReadable(path)) throw new CalvariaException(path + " is not readable (check permissions)");
        byte[] head;
        try (InputStream in = Files.newInputStream(path)) {
            head = in.readNBytes(544);
        } catch (IOException e) {
            throw new CalvariaException("cannot read " + path + ": " + e.getMessage(), e);
        }
        if (head.length == 0) throw new CalvariaException(path + " is empty (0 bytes)");
        if (NrrdIO.looksLikeNrrd(head)) return NRRD;
        if (isGzip(head)) {
            byte[] inner;
            try (InputStream in = new GZIPInputStream(Files.newInputStream(path))) {
                inner = in.readNBytes(544);
            } catch (IOException e) {
                throw new CalvariaException(path + " is a gzip file that cannot be decompressed (" + gzipProblem(e)
                        + "); it is damaged or truncated");
            }
            if (isNiftiHeader(inner)) return NIFTI;
            return UNKNOWN;
        }
        if (isNiftiHeader(head)) return NIFTI;
        if (head.length >= 132 && new String(head, 128, 4, StandardCharsets.US_ASCII).equals("DICM")) return DICOM_FILE;
        if (isStl(path, head)) return STL;
        return UNKNOWN;
    }

    /** What went wrong in a gzip stream, in words: an early end has no message of its own. */
    static String gzipProblem(IOException e) {
        String m = e.getMessage();
        if (e instanceof java.io.EOFException || m == null || m.isBlank()) return "it ends too early";
        return m.length() > 200 ? m.substring(0, 200) + "..." : m;
    }

    /**
     * A NIfTI-1 (or ANALYZE 7.5) header starts with its size, 348, in either byte order. NIfTI-2 (540) counts too, so
     * that the NIfTI reader can say it is not supported rather than "unknown format".
     */
    static boolean isNiftiHeader(byte[] h) {
        if (h.length < 348) return false;
        ByteBuffer le = ByteBuffer.wrap(h).order(ByteOrder.LITTLE_ENDIAN);
        int size = le.getInt(0);
        int swapped = Integer.reverseBytes(size);
        if (size == 348 || swapped == 348) return true;
        return h.length >= 540
                && (size == 540 || swapped == 540)
                && new String(h, 4, 3, StandardCharsets.US_ASCII).startsWith("n+2");
    }

    /** True when the file starts with the gzip magic bytes. */
    static boolean isGzip(byte[] head) {
        return head.length >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b;
    }

    private static boolean isStl(Path path, byte[] head) {
        String start = new String(head, 0, Math.min(head.length, 80), StandardCharsets.US_ASCII)
                .trim()
                .toLowerCase(Locale.ROOT);
        try {
            long size = Files.size(path);
            if (head.length >= 84) {
                long tri = ByteBuffer.wrap(head, 80, 4)
                                .order(ByteOrder.LITTLE_ENDIAN)
                                .getInt()
                        & 0xffffffffL;
                if (84 + 50 * tri == size) return true;
            }
        } catch (IOException e) {
            return false;
        }
        return start.startsWith("solid") && new String(head, StandardCharsets.US_ASCII).contains("facet");
    }
}
