package org.calvaria.io;

/**
 * How tolerant reading is of an imperfect DICOM series. The defaults refuse anything doubtful; the command line sets
 * them with {@code --allow-gaps}.
 *
 * @param allowGaps read a DICOM series whose damaged or unreadable slices are skipped (each named in a warning and in
 *                  the volume's {@code dicom_skipped_files} key) instead of refusing it
 */
public record ReadOptions(boolean allowGaps) {
    /** Refuse damaged slices. */
    public static ReadOptions defaults() {
        return new ReadOptions(false);
    }

    public ReadOptions withAllowGaps(boolean allow) {
        return new ReadOptions(allow);
    }
}
