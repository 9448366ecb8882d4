package org.calvaria.io;

/**
 * How tolerant reading is of an imperfect DICOM series. The defaults refuse anything doubtful; the command line sets
 * them with {@code --allow-gaps} and {@code --max-slice-gap-ratio}.
 *
 * @param allowGaps         read a DICOM series whose damaged or unreadable slices are skipped (each named in a warning
 *                          and in the volume's {@code dicom_skipped_files} key) instead of refusing it
 * @param maxSliceGapRatio  a series with uneven slice gaps is resampled onto an even grid (median gap) unless a gap is
 *                          larger than this many times the median gap, when it is refused; at least 1
 */
public record ReadOptions(boolean allowGaps, double maxSliceGapRatio) {
    /** Gaps up to three times the median are bridged by interpolation (one or two missing slices). */
    public static final double DEFAULT_MAX_SLICE_GAP_RATIO = 3;

    public ReadOptions {
        if (!(maxSliceGapRatio >= 1)) {
            throw new IllegalArgumentException(
                    "the largest slice gap ratio must be at least 1, got " + maxSliceGapRatio);
        }
    }

    /** Refuse damaged slices; resample gaps up to 3 times the median. */
    public static ReadOptions defaults() {
        return new ReadOptions(false, DEFAULT_MAX_SLICE_GAP_RATIO);
    }

    public ReadOptions withAllowGaps(boolean allow) {
        return new ReadOptions(allow, maxSliceGapRatio);
    }

    public ReadOptions withMaxSliceGapRatio(double ratio) {
        return new ReadOptions(allowGaps, ratio);
    }
}
