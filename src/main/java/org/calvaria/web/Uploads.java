package org.calvaria.web;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** Streams request bodies to disk under a size limit, so a 1 GB scan never sits in memory. */
final class Uploads {
    private Uploads() {}

    /** Thrown when a body is larger than the limit; the partial file has been deleted. */
    static final class TooLarge extends Exception {
        private static final long serialVersionUID = 1L;

        TooLarge(String message) {
            super(message, null, false, false);
        }
    }

    /** Copies {@code body} to {@code target} and returns the number of bytes, failing once {@code limit} is passed. */
    static long receive(InputStream body, Path target, long limit) throws IOException, TooLarge {
        long total = 0;
        byte[] buffer = new byte[1 << 16];
        boolean ok = false;
        try (OutputStream out = Files.newOutputStream(target)) {
            int n;
            while ((n = body.read(buffer)) > 0) {
                total += n;
                if (total > limit) throw new TooLarge(tooLargeMessage(limit));
                out.write(buffer, 0, n);
            }
            ok = true;
        } finally {
            if (!ok) Files.deleteIfExists(target);
        }
        return total;
    }

    /** Reads and drops up to {@code maxBytes} of {@code body}; errors are ignored (the client may have gone). */
    static void discard(InputStream body, long maxBytes) {
        byte[] buffer = new byte[1 << 16];
        long total = 0;
        try {
            int n;
            while (total < maxBytes && (n = body.read(buffer)) > 0) total += n;
        } catch (IOException e) {
            // nothing to save
        }
    }

    static String tooLargeMessage(long limit) {
        return "the file is larger than this server accepts (" + describeBytes(limit) + "); restart it with a larger"
                + " --max-upload-mb, or crop the scan first";
    }

    /** "1 GB", "12.5 MB", "800 bytes": sizes in the units people use for files (1 MB = 2^20 bytes here). */
    static String describeBytes(long bytes) {
        if (bytes >= 1L << 30) return trim(bytes / (double) (1L << 30)) + " GB";
        if (bytes >= 1L << 20) return trim(bytes / (double) (1L << 20)) + " MB";
        if (bytes >= 1L << 10) return trim(bytes / 1024.0) + " KB";
        return bytes + " bytes";
    }

    private static String trim(double v) {
        String s = String.format(Locale.ROOT, "%.1f", v);
        return s.endsWith(".0") ? s.substring(0, s.length() - 2) : s;
    }
}
