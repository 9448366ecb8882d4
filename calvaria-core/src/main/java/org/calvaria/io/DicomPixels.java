package org.calvaria.io;

import ij.io.FileInfo;
import ij.io.ImageReader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.util.List;
import org.calvaria.CalvariaException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pixel data of DICOM slices: checks that a slice can be decoded, reads its values in HU with ImageJ's
 * {@link ImageReader}, and interpolates between slices when the stack is resampled.
 */
final class DicomPixels {
    private static final Logger LOG = LoggerFactory.getLogger(DicomSeriesReader.class);

    private DicomPixels() {}

    /**
     * The HU values of each volume slice: the source slices themselves, or, on a resampled grid, linear
     * interpolation along the stack between the two source slices around each target position (rounded to whole HU
     * when every source slice's values are whole numbers). Reads each source slice once, in order.
     */
    static final class SliceSource {
        private final List<DicomSlice> slices;
        private final double[] targets;
        private final boolean wholeHu;
        private int loadedAt = -1;
        private double[] lower, upper;

        SliceSource(List<DicomSlice> slices, double[] targets) {
            this.slices = slices;
            this.targets = targets;
            boolean whole = true;
            for (DicomSlice s : slices) {
                double slope = s.header().number(DicomHeader.RESCALE_SLOPE, 1);
                double intercept = s.header().number(DicomHeader.RESCALE_INTERCEPT, 0);
                if (slope != Math.rint(slope) || intercept != Math.rint(intercept)) whole = false;
            }
            this.wholeHu = whole;
        }

        double[] slice(int k) {
            if (targets == null) return huValues(slices.get(k));
            double a = targets[k];
            int below = 0;
            while (below + 2 < slices.size() && slices.get(below + 1).along() <= a) below++;
            if (below != loadedAt) {
                lower = below == loadedAt + 1 && upper != null ? upper : huValues(slices.get(below));
                upper = huValues(slices.get(below + 1));
                loadedAt = below;
            }
            double a0 = slices.get(below).along(), a1 = slices.get(below + 1).along();
            double t = Math.max(0, Math.min(1, (a - a0) / (a1 - a0)));
            double[] out = new double[lower.length];
            for (int i = 0; i < out.length; i++) {
                double v = lower[i] + t * (upper[i] - lower[i]);
                out[i] = wholeHu ? Math.rint(v) : v;
            }
            return out;
        }
    }

    /** Refuses slices Calvaria cannot decode at all (compressed, multi-frame, colour, odd bit depths). */
    static void checkSupported(DicomSlice s) {
        DicomHeader h = s.header();
        if (!h.uncompressed() || h.pixelLength < 0) {
            throw new CalvariaException(s.file() + " uses transfer syntax " + ReadMessages.quote(h.transferSyntax)
                    + " ("
                    + syntaxName(h.transferSyntax) + "), which Calvaria cannot decode (only uncompressed DICOM is"
                    + " read); decompress the series first, for example with dcmtk: dcmdjpeg IN OUT");
        }
        int frames = (int) h.number(DicomHeader.NUMBER_OF_FRAMES, 1);
        if (frames > 1) {
            throw new CalvariaException(s.file() + " is a multi-frame DICOM (" + frames + " frames), which is not"
                    + " supported; export the series as one file per slice");
        }
        int samples = h.uint16(DicomHeader.SAMPLES_PER_PIXEL, 1);
        if (samples != 1) {
            throw new CalvariaException(s.file() + " has " + samples + " samples per pixel (a colour image); a CT"
                    + " series is greyscale");
        }
        int bits = h.uint16(DicomHeader.BITS_ALLOCATED, 16);
        if (bits != 8 && bits != 16 && bits != 32) {
            throw new CalvariaException(s.file() + " has " + bits + " bits per pixel; supported: 8, 16, 32");
        }
    }

    /** Why the slice's pixel data cannot be read whole (truncated, unreadable), or null when it can. */
    static String pixelDamage(DicomSlice s) {
        DicomHeader h = s.header();
        int bits = h.uint16(DicomHeader.BITS_ALLOCATED, 16);
        long need = (long) h.uint16(DicomHeader.ROWS, 0) * h.uint16(DicomHeader.COLUMNS, 0) * (bits / 8);
        long available;
        try {
            available = Files.size(s.file()) - h.pixelOffset;
        } catch (IOException e) {
            return "the file cannot be read (" + e.getMessage() + ")";
        }
        if (h.pixelLength < need || available < need) {
            return "pixel data has " + Math.min(h.pixelLength, available) + " bytes but " + need + " are needed for"
                    + " its rows, columns and bits; the file is truncated or damaged";
        }
        return null;
    }

    /** The slice's values in HU (stored value * RescaleSlope + RescaleIntercept), row by row. */
    static double[] huValues(DicomSlice s) {
        DicomHeader h = s.header();
        int rows = h.uint16(DicomHeader.ROWS, 0);
        int columns = h.uint16(DicomHeader.COLUMNS, 0);
        int bits = h.uint16(DicomHeader.BITS_ALLOCATED, 16);
        int stored = h.uint16(DicomHeader.BITS_STORED, bits);
        boolean signed = h.uint16(DicomHeader.PIXEL_REPRESENTATION, 0) == 1;
        double slope = h.number(DicomHeader.RESCALE_SLOPE, 1);
        double intercept = h.number(DicomHeader.RESCALE_INTERCEPT, 0);
        if (slope == 0 || !Double.isFinite(slope)) {
            LOG.warn("{}: RescaleSlope {} is unusable; taking 1", s.file().getFileName(), slope);
            slope = 1;
        }
        if (!Double.isFinite(intercept)) intercept = 0;

        FileInfo fi = new FileInfo();
        fi.width = columns;
        fi.height = rows;
        fi.nImages = 1;
        fi.longOffset = h.pixelOffset;
        fi.offset = (int) Math.min(Integer.MAX_VALUE, h.pixelOffset);
        fi.intelByteOrder = h.order == ByteOrder.LITTLE_ENDIAN;
        fi.fileType = bits == 8
                ? FileInfo.GRAY8
                : bits == 16
                        ? (signed ? FileInfo.GRAY16_SIGNED : FileInfo.GRAY16_UNSIGNED)
                        : (signed ? FileInfo.GRAY32_INT : FileInfo.GRAY32_UNSIGNED);
        Object pixels;
        try (InputStream in = Files.newInputStream(s.file())) {
            pixels = new ImageReader(fi).readPixels(in);
        } catch (IOException e) {
            throw new CalvariaException("cannot read " + s.file() + ": " + e.getMessage(), e);
        }
        if (pixels == null) {
            throw new CalvariaException(s.file() + ": ImageJ could not decode the pixel data; the file is damaged");
        }
        int n = rows * columns;
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            long raw;
            if (pixels instanceof short[] sh) {
                // ImageJ returns signed 16-bit data shifted by +32768 into unsigned range; undo that.
                raw = signed ? (sh[i] & 0xffff) - 32768 : sh[i] & 0xffff;
            } else if (pixels instanceof byte[] b) {
                raw = signed ? b[i] : b[i] & 0xff;
            } else {
                raw = (long) ((float[]) pixels)[i];
            }
            if (stored > 0 && stored < bits && bits <= 16) raw = fromStoredBits(raw, stored, signed);
            out[i] = raw * slope + intercept;
        }
        return out;
    }

    /** Keeps the low {@code stored} bits (junk above BitsStored is allowed by the standard), sign-extended if signed. */
    static long fromStoredBits(long raw, int stored, boolean signed) {
        long mask = (1L << stored) - 1;
        long v = raw & mask;
        if (signed && (v & (1L << (stored - 1))) != 0) v -= 1L << stored;
        return v;
    }

    static String syntaxName(String uid) {
        switch (uid) {
            case "1.2.840.10008.1.2.1.99":
                return "deflated explicit VR little endian";
            case "1.2.840.10008.1.2.4.50":
                return "JPEG baseline";
            case "1.2.840.10008.1.2.4.51":
                return "JPEG extended";
            case "1.2.840.10008.1.2.4.57":
                return "JPEG lossless";
            case "1.2.840.10008.1.2.4.70":
                return "JPEG lossless, first-order prediction";
            case "1.2.840.10008.1.2.4.80":
                return "JPEG-LS lossless";
            case "1.2.840.10008.1.2.4.81":
                return "JPEG-LS near-lossless";
            case "1.2.840.10008.1.2.4.90":
                return "JPEG 2000 lossless";
            case "1.2.840.10008.1.2.4.91":
                return "JPEG 2000";
            case "1.2.840.10008.1.2.5":
                return "RLE lossless";
            default:
                return uid.startsWith("1.2.840.10008.1.2.4") ? "compressed" : "not an uncompressed syntax";
        }
    }
}
