package org.calvaria.web;

import java.util.Locale;

/** Sizes of uploads, in words. (Bodies are streamed to disk by {@link BodyReader}, so a 1 GB scan never sits in memory.) */
final class Uploads {
    private Uploads() {}

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
