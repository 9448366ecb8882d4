package org.calvaria.io;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.calvaria.files.FileClash;

/**
 * The top-level data elements of one DICOM Part-10 file, up to its pixel data, plus where the pixel data starts.
 *
 * <p>We parse the header ourselves because ImageJ's {@code DICOM.getInfo} lists the contents of explicit-length
 * sequences as if they were top-level elements (a ReferencedSeriesSequence's SeriesInstanceUID then looks like the
 * slice's own). Sequences are skipped here, whatever their length encoding, so only top-level values are kept.
 * Pixel decoding is left to ImageJ ({@link DicomSeriesReader}).
 */
final class DicomHeader {
    static final String IMPLICIT_LE = "1.2.840.10008.1.2";
    static final String EXPLICIT_LE = "1.2.840.10008.1.2.1";
    static final String EXPLICIT_BE = "1.2.840.10008.1.2.2";

    static final int TRANSFER_SYNTAX = 0x00020010;
    static final int MODALITY = 0x00080060;
    static final int SERIES_DESCRIPTION = 0x0008103E;
    static final int SLICE_THICKNESS = 0x00180050;
    static final int SPACING_BETWEEN_SLICES = 0x00180088;
    static final int IMAGER_PIXEL_SPACING = 0x00181164;
    static final int SERIES_UID = 0x0020000E;
    static final int SERIES_NUMBER = 0x00200011;
    static final int INSTANCE_NUMBER = 0x00200013;
    static final int IMAGE_POSITION = 0x00200032;
    static final int IMAGE_ORIENTATION = 0x00200037;
    static final int SAMPLES_PER_PIXEL = 0x00280002;
    static final int NUMBER_OF_FRAMES = 0x00280008;
    static final int ROWS = 0x00280010;
    static final int COLUMNS = 0x00280011;
    static final int PIXEL_SPACING = 0x00280030;
    static final int BITS_ALLOCATED = 0x00280100;
    static final int BITS_STORED = 0x00280101;
    static final int PIXEL_REPRESENTATION = 0x00280103;
    static final int RESCALE_INTERCEPT = 0x00281052;
    static final int RESCALE_SLOPE = 0x00281053;
    static final int PIXEL_DATA = 0x7FE00010;

    private static final int ITEM = 0xFFFEE000;
    private static final int ITEM_END = 0xFFFEE00D;
    private static final int SEQUENCE_END = 0xFFFEE0DD;
    private static final long UNDEFINED = 0xFFFFFFFFL;
    /** Values longer than this (overlays, private blobs) are skipped, not kept. */
    private static final int MAX_KEPT_VALUE = 4096;

    final Path path;
    final String transferSyntax;
    final ByteOrder order;
    private final Map<Integer, byte[]> values = new HashMap<>();
    /** Byte offset of the pixel data value, or -1 when the file has none. */
    long pixelOffset = -1;
    /** Length of the pixel data value; -1 when encapsulated (compressed, undefined length). */
    long pixelLength = -1;

    private DicomHeader(Path path, String transferSyntax) {
        this.path = path;
        this.transferSyntax = transferSyntax;
        this.order = EXPLICIT_BE.equals(transferSyntax) ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
    }

    /** True when the file starts with the 128-byte preamble and "DICM" (a DICOM Part-10 file). */
    static boolean isDicomFile(Path p) {
        return FileClash.isDicomFile(p);
    }

    boolean implicitVr() {
        return IMPLICIT_LE.equals(transferSyntax);
    }

    /** Uncompressed transfer syntaxes, whose pixel data is a plain array we can read. */
    boolean uncompressed() {
        return IMPLICIT_LE.equals(transferSyntax)
                || EXPLICIT_LE.equals(transferSyntax)
                || EXPLICIT_BE.equals(transferSyntax);
    }

    boolean has(int tag) {
        return values.containsKey(tag);
    }

    /** Text value with trailing padding removed, or null. */
    String text(int tag) {
        byte[] v = values.get(tag);
        if (v == null) return null;
        String s = new String(v, StandardCharsets.ISO_8859_1);
        int end = s.length();
        while (end > 0 && (s.charAt(end - 1) == ' ' || s.charAt(end - 1) == 0)) end--;
        return s.substring(0, end).trim();
    }

    /** Numbers of a DS/IS value (backslash-separated), or null when absent or not numbers. */
    double[] numbers(int tag) {
        String s = text(tag);
        if (s == null || s.isEmpty()) return null;
        String[] parts = s.split("\\\\");
        double[] d = new double[parts.length];
        try {
            for (int i = 0; i < parts.length; i++) d[i] = Double.parseDouble(parts[i].trim());
        } catch (NumberFormatException e) {
            return null;
        }
        return d;
    }

    double number(int tag, double fallback) {
        double[] d = numbers(tag);
        return d == null || d.length == 0 ? fallback : d[0];
    }

    /** An unsigned 16-bit (US) value, or {@code fallback}. */
    int uint16(int tag, int fallback) {
        byte[] v = values.get(tag);
        if (v == null || v.length < 2) return fallback;
        return ByteBuffer.wrap(v).order(order).getShort(0) & 0xffff;
    }

    // ------------------------------------------------------------------ parsing

    /** Parses the header of a Part-10 file; throws IOException when it is not one or is damaged. */
    static DicomHeader read(Path path) throws IOException {
        try (Reader r = new Reader(new BufferedInputStream(Files.newInputStream(path), 1 << 14))) {
            r.skip(128);
            if (!new String(r.bytes(4), StandardCharsets.US_ASCII).equals("DICM")) {
                throw new IOException("no DICM marker at byte 128");
            }
            // File meta information: always explicit VR little endian, group 0002.
            r.order = ByteOrder.LITTLE_ENDIAN;
            Map<Integer, byte[]> meta = new HashMap<>();
            while (true) {
                r.mark();
                int group = r.uint16();
                if (group != 0x0002) {
                    r.reset();
                    break;
                }
                int tag = (group << 16) | r.uint16();
                Element e = r.explicitElementHeader(tag);
                if (e.length == UNDEFINED) throw new IOException("undefined length in file meta information");
                if (e.length > MAX_KEPT_VALUE) {
                    throw new IOException(String.format(
                            "file meta element (%04X,%04X) claims %d bytes", tag >>> 16, tag & 0xffff, e.length));
                }
                meta.put(tag, r.bytes((int) e.length));
            }
            byte[] ts = meta.get(TRANSFER_SYNTAX);
            String syntax = ts == null
                    ? IMPLICIT_LE
                    : new String(ts, StandardCharsets.US_ASCII)
                            .replace("\0", "")
                            .trim();
            DicomHeader h = new DicomHeader(path, syntax);
            h.values.putAll(meta);
            if (syntax.equals("1.2.840.10008.1.2.1.99")) {
                return h; // deflated: the data set cannot be parsed without inflating; the reader refuses it
            }
            // Every other syntax but the two uncompressed ones above encodes its data set as explicit VR little
            // endian (compressed ones differ only in the pixel data), so their headers parse too.
            r.order = h.order;
            boolean implicit = h.implicitVr();
            while (true) {
                int tag;
                try {
                    tag = r.tag();
                } catch (EOFException end) {
                    return h; // a file without pixel data (report, presentation state...)
                }
                Element e = implicit ? r.implicitElementHeader(tag) : r.explicitElementHeader(tag);
                if (tag == PIXEL_DATA) {
                    h.pixelOffset = r.position;
                    h.pixelLength = e.length == UNDEFINED ? -1 : e.length;
                    return h;
                }
                if (e.length == UNDEFINED) {
                    r.skipUndefinedLength(implicit);
                } else if ("SQ".equals(e.vr) || e.length > MAX_KEPT_VALUE) {
                    r.skip(e.length);
                } else {
                    h.values.put(tag, r.bytes((int) e.length));
                }
            }
        }
    }

    private record Element(String vr, long length) {}

    /** Byte reader that tracks its position and reads in the data set's byte order. */
    private static final class Reader implements AutoCloseable {
        final InputStream in;
        ByteOrder order = ByteOrder.LITTLE_ENDIAN;
        long position;
        private long markedPosition;

        Reader(InputStream in) {
            this.in = in;
        }

        void mark() {
            in.mark(16);
            markedPosition = position;
        }

        void reset() throws IOException {
            in.reset();
            position = markedPosition;
        }

        byte[] bytes(int n) throws IOException {
            byte[] b = in.readNBytes(n);
            if (b.length < n) throw new EOFException("the file ends inside its header (truncated)");
            position += n;
            return b;
        }

        void skip(long n) throws IOException {
            long left = n;
            while (left > 0) {
                long s = in.skip(left);
                if (s <= 0) {
                    if (in.read() < 0) throw new EOFException("the file ends inside its header (truncated)");
                    s = 1;
                }
                left -= s;
            }
            position += n;
        }

        int uint16() throws IOException {
            return ByteBuffer.wrap(bytes(2)).order(order).getShort() & 0xffff;
        }

        long uint32() throws IOException {
            return ByteBuffer.wrap(bytes(4)).order(order).getInt() & 0xffffffffL;
        }

        int tag() throws IOException {
            int group = uint16();
            return (group << 16) | uint16();
        }

        Element explicitElementHeader(int tag) throws IOException {
            if ((tag >>> 16) == 0xFFFE) return new Element(null, uint32()); // items and delimiters have no VR
            String vr = new String(bytes(2), StandardCharsets.US_ASCII);
            switch (vr) {
                case "OB":
                case "OW":
                case "OF":
                case "OD":
                case "OL":
                case "OV":
                case "SQ":
                case "UT":
                case "UN":
                case "UC":
                case "UR":
                case "SV":
                case "UV":
                    skip(2);
                    return new Element(vr, uint32());
                default:
                    if (!Character.isLetter(vr.charAt(0)) || !Character.isLetter(vr.charAt(1))) {
                        throw new IOException(
                                String.format("bad value representation at tag (%04X,%04X)", tag >>> 16, tag & 0xffff));
                    }
                    return new Element(vr, uint16());
            }
        }

        Element implicitElementHeader(@SuppressWarnings("unused") int tag) throws IOException {
            return new Element(null, uint32());
        }

        /**
         * Skips a value of undefined length: a sequence of items, each of defined or undefined length, ended by a
         * sequence delimiter (an encapsulated pixel data value has the same shape).
         */
        void skipUndefinedLength(boolean implicit) throws IOException {
            while (true) {
                int tag = tag();
                long len = uint32();
                if (tag == SEQUENCE_END) return;
                if (tag != ITEM) {
                    throw new IOException(String.format(
                            "expected an item in a sequence, found (%04X,%04X)", tag >>> 16, tag & 0xffff));
                }
                if (len != UNDEFINED) {
                    skip(len);
                } else {
                    skipItemElements(implicit);
                }
            }
        }

        /** Skips the elements of an undefined-length item, up to and including its item delimiter. */
        private void skipItemElements(boolean implicit) throws IOException {
            while (true) {
                int tag = tag();
                if (tag == ITEM_END) {
                    uint32();
                    return;
                }
                Element e = implicit ? implicitElementHeader(tag) : explicitElementHeader(tag);
                if (e.length == UNDEFINED) {
                    skipUndefinedLength(implicit);
                } else {
                    skip(e.length);
                }
            }
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
