package org.calvaria.io;

import java.nio.file.Path;
import org.calvaria.CalvariaException;

/** One-line messages shared by the volume readers (NRRD, NIfTI, DICOM). */
final class ReadMessages {
    private ReadMessages() {}

    /** The one-line message for damaged compressed data. */
    static CalvariaException corrupt(Path path, StrictGzipInputStream.CorruptGzipException e) {
        return new CalvariaException(
                path + " is corrupt: " + e.getMessage() + "; the file is damaged, re-export or re-download it", e);
    }

    /** Header text for a message: quoted, control characters shown as '?', at most 200 characters. */
    static String quote(String text) {
        String t = text.replaceAll("\\p{Cntrl}", "?");
        return "'" + (t.length() > 200 ? t.substring(0, 200) + "...' (" + t.length() + " characters)" : t + "'");
    }
}
