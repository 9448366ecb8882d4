package org.calvaria.io;

import org.calvaria.CalvariaException;
import org.calvaria.files.Outputs;
import org.calvaria.Provenance;
import org.calvaria.volume.FloatVolume;
import org.calvaria.volume.Geometry;
import org.calvaria.volume.Volume;
import org.calvaria.volume.VoxelType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/**
 * NIfTI-1 single-file reader and writer ({@code .nii}, {@code .nii.gz}).
 *
 * <p>NIfTI world coordinates are RAS; Calvaria's {@link Geometry} is LPS, so the first two rows of the affine (and of
 * the origin) change sign in both directions. Reading takes the sform when {@code sform_code > 0}, else the qform
 * (quaternion) when {@code qform_code > 0}, else the bare pixdim spacing. Both byte orders are read; little endian is
 * written. {@code scl_slope}/{@code scl_inter} are applied on reading (the result is then a float volume).
 */
public final class NiftiIO {
    private static final Logger LOG = LoggerFactory.getLogger(NiftiIO.class);

    static final int HEADER_SIZE = 348;
    /** Header plus the 4-byte extension flag: where data may start at the earliest in a .nii file. */
    static final int MIN_DATA_OFFSET = 352;
    static final int NIFTI2_HEADER_SIZE = 540;
    /** NIFTI_ECODE_COMMENT: plain text extension; we keep the volume's key/value metadata in one. */
    static final int ECODE_COMMENT = 6;
    private static final String METADATA_MARKER = "calvaria-metadata\n";
    private static final int UNITS_MM = 2;
    private static final int XFORM_SCANNER_ANAT = 1;
    private static final long MAX_VOXELS = 1_500_000_000L;

    private NiftiIO() {}

    // ------------------------------------------------------------------ header

    /** The header fields Calvaria uses, decoded in the file's byte order. */
    static final class Header {
        ByteOrder order;
        int[] dim = new int[8];
        int datatype;
        int bitpix;
        float[] pixdim = new float[8];
        float voxOffset;
        float sclSlope, sclInter;
        int xyztUnits;
        String descrip;
        int qformCode, sformCode;
        float quaternB, quaternC, quaternD, qoffsetX, qoffsetY, qoffsetZ;
        float[][] srow = new float[3][4];
        String magic;
    }

    static Header parseHeader(byte[] bytes, Path path) {
        if (bytes.length < HEADER_SIZE) {
            throw new CalvariaException(path + " is too short for a NIfTI-1 header (" + bytes.length
                    + " of 348 bytes); the file is truncated or not NIfTI");
        }
        ByteBuffer le = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        ByteOrder order;
        int sizeLe = le.getInt(0);
        int sizeBe = Integer.reverseBytes(sizeLe);
        if (sizeLe == HEADER_SIZE) {
            order = ByteOrder.LITTLE_ENDIAN;
        } else if (sizeBe == HEADER_SIZE) {
            order = ByteOrder.BIG_ENDIAN;
        } else if (sizeLe == NIFTI2_HEADER_SIZE || sizeBe == NIFTI2_HEADER_SIZE) {
            throw new CalvariaException(path + " is NIfTI-2, which is not supported; save it as NIfTI-1 (for example"
                    + " with nibabel or 3D Slicer)");
        } else {
            throw new CalvariaException(path + " is not a NIfTI-1 file (header size field is " + sizeLe
                    + ", expected 348)");
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(order);
        Header h = new Header();
        h.order = order;
        h.magic = new String(bytes, 344, 3, StandardCharsets.ISO_8859_1);
        if (h.magic.equals("ni1")) {
            throw new CalvariaException(path + " is a NIfTI header of a .hdr/.img pair, which is not supported;"
                    + " save it as a single .nii or .nii.gz file");
        }
        if (!h.magic.equals("n+1")) {
            throw new CalvariaException(path + " has no NIfTI-1 magic 'n+1' (it may be an ANALYZE 7.5 header);"
                    + " save it as NIfTI-1 .nii or .nii.gz");
        }
        for (int i = 0; i < 8; i++) h.dim[i] = b.getShort(40 + 2 * i);
        h.datatype = b.getShort(70);
        h.bitpix = b.getShort(72);
        for (int i = 0; i < 8; i++) h.pixdim[i] = b.getFloat(76 + 4 * i);
        h.voxOffset = b.getFloat(108);
        h.sclSlope = b.getFloat(112);
        h.sclInter = b.getFloat(116);
        h.xyztUnits = bytes[123] & 0xff;
        h.descrip = cString(bytes, 148, 80);
        h.qformCode = b.getShort(252);
        h.sformCode = b.getShort(254);
        h.quaternB = b.getFloat(256);
        h.quaternC = b.getFloat(260);
        h.quaternD = b.getFloat(264);
        h.qoffsetX = b.getFloat(268);
        h.qoffsetY = b.getFloat(272);
        h.qoffsetZ = b.getFloat(276);
        for (int r = 0; r < 3; r++) for (int c = 0; c < 4; c++) h.srow[r][c] = b.getFloat(280 + 16 * r + 4 * c);
        return h;
    }

    private static String cString(byte[] bytes, int offset, int max) {
        int end = offset;
        while (end < offset + max && bytes[end] != 0) end++;
        return new String(bytes, offset, end - offset, StandardCharsets.ISO_8859_1).trim();
    }

    /** Grid sizes from dim[], which must describe one 3-D volume. */
    static int[] sizesOf(Header h, Path path) {
        int n = h.dim[0];
        if (n < 3 || n > 7) {
            throw new CalvariaException(path + ": NIfTI dim[0] is " + n + "; only 3-D volumes (dim[0] = 3, or 4 with"
                    + " a single time point) are supported");
        }
        for (int i = 4; i <= n; i++) {
            if (h.dim[i] != 1) {
                throw new CalvariaException(path + ": NIfTI has " + h.dim[i] + " entries along dimension " + i
                        + " (a time series or vector image); only single 3-D volumes are supported; extract one"
                        + " volume first");
            }
        }
        int[] sizes = {h.dim[1], h.dim[2], h.dim[3]};
        long count = 1;
        for (int s : sizes) {
            if (s <= 0) {
                throw new CalvariaException(path + ": NIfTI sizes " + sizes[0] + "x" + sizes[1] + "x" + sizes[2]
                        + " must be positive; the header is damaged");
            }
            count *= s;
        }
        if (count > MAX_VOXELS) {
            throw new CalvariaException(path + ": " + sizes[0] + "x" + sizes[1] + "x" + sizes[2]
                    + " voxels is too large (limit 1.5e9); crop the scan first");
        }
        return sizes;
    }

    static VoxelType typeOf(Header h, Path path) {
        VoxelType t = VoxelType.fromNifti(h.datatype);
        if (t == null) {
            throw new CalvariaException(path + ": unsupported NIfTI datatype " + h.datatype + datatypeName(h.datatype)
                    + "; supported: uint8 int8 int16 uint16 int32 uint32 float32 float64");
        }
        if (h.bitpix != t.bytes() * 8) {
            LOG.warn("{}: bitpix {} does not match datatype {} ({} bits); trusting the datatype", path, h.bitpix,
                    t.nrrdName(), t.bytes() * 8);
        }
        return t;
    }

    private static String datatypeName(int code) {
        switch (code) {
            case 0: return " (unknown)";
            case 1: return " (binary)";
            case 32: return " (complex64)";
            case 128: return " (rgb24)";
            case 1024: return " (int64)";
            case 1280: return " (uint64)";
            case 1536: return " (float128)";
            case 1792: return " (complex128)";
            case 2048: return " (complex256)";
            case 2304: return " (rgba32)";
            default: return "";
        }
    }

    /** Placement in LPS from the header (sform, else qform, else pixdim), as a Geometry. */
    static Geometry geometryOf(Header h, int[] sizes, Path path) {
        double[] m = null;
        double[] o = null;
        if (h.sformCode > 0) {
            m = new double[9];
            o = new double[3];
            for (int r = 0; r < 3; r++) {
                for (int c = 0; c < 3; c++) m[3 * r + c] = h.srow[r][c];
                o[r] = h.srow[r][3];
            }
            if (!allFinite(m) || !allFinite(o) || Geometry.invert(m) == null) {
                if (h.qformCode <= 0) {
                    throw new CalvariaException(path + ": NIfTI sform is " + (allFinite(m) && allFinite(o)
                            ? "singular (zero spacing or collinear axes)" : "not finite") + " and there is no qform"
                            + " to fall back on; the header is damaged, re-export the file");
                }
                LOG.warn("{}: sform is singular or not finite; using the qform instead", path);
                m = null;
            }
        }
        if (m == null) {
            // The qform and method 1 take the voxel size from pixdim: it must be a real, positive size.
            for (int i = 1; i <= 3; i++) {
                float p = h.pixdim[i];
                if (!(p > 0) || !Float.isFinite(p)) {
                    throw new CalvariaException(path + ": NIfTI pixdim[" + i + "] (voxel size along axis " + (i - 1)
                            + ") is " + p + "; voxel sizes must be positive numbers; the header is damaged, re-export"
                            + " the file");
                }
            }
        }
        if (m == null && h.qformCode > 0) {
            for (float q : new float[] {h.quaternB, h.quaternC, h.quaternD, h.qoffsetX, h.qoffsetY, h.qoffsetZ}) {
                if (!Float.isFinite(q)) {
                    throw new CalvariaException(path + ": NIfTI qform holds a non-finite number; the header is"
                            + " damaged, re-export the file");
                }
            }
            m = qformMatrix(h);
            o = new double[] {h.qoffsetX, h.qoffsetY, h.qoffsetZ};
        }
        if (m == null) {
            // Method 1 of the standard (no orientation): spacing only, read as RAS like ITK and 3D Slicer do.
            m = new double[] {h.pixdim[1], 0, 0, 0, h.pixdim[2], 0, 0, 0, h.pixdim[3]};
            o = new double[3];
        }
        // Spatial units other than mm (the default when unset) are rescaled to mm, as ITK does.
        double toMm = unitsToMm(h.xyztUnits & 0x07);
        for (int i = 0; i < 9; i++) m[i] *= toMm;
        for (int i = 0; i < 3; i++) o[i] *= toMm;
        // RAS -> LPS: x and y change sign.
        for (int c = 0; c < 3; c++) {
            m[c] = -m[c];
            m[3 + c] = -m[3 + c];
        }
        o[0] = -o[0];
        o[1] = -o[1];
        ReadLimits.requireSaneGeometry(path, "NIfTI", o, m);
        try {
            return new Geometry(sizes[0], sizes[1], sizes[2], o, m);
        } catch (IllegalArgumentException e) {
            throw new CalvariaException(path + ": invalid NIfTI orientation: " + e.getMessage()
                    + "; the header's pixdim/qform/sform are damaged");
        }
    }

    private static double unitsToMm(int spatialUnits) {
        switch (spatialUnits) {
            case 1: return 1000.0; // NIFTI_UNITS_METER
            case 3: return 0.001; // NIFTI_UNITS_MICRON
            default: return 1.0; // mm, or unknown (0), which readers take as mm
        }
    }

    private static boolean allFinite(double[] a) {
        for (double v : a) if (!Double.isFinite(v)) return false;
        return true;
    }

    /** Rotation * diag(dx, dy, qfac*dz) from the quaternion fields, in RAS. */
    static double[] qformMatrix(Header h) {
        double b = h.quaternB, c = h.quaternC, d = h.quaternD;
        double a = 1.0 - (b * b + c * c + d * d);
        if (a < 1e-7) {
            // b, c, d describe a 180-degree rotation up to rounding: renormalise them and take a = 0.
            a = 0;
            double n = Math.sqrt(b * b + c * c + d * d);
            b /= n;
            c /= n;
            d /= n;
        } else {
            a = Math.sqrt(a);
        }
        double[] r = rotationFromQuaternion(a, b, c, d);
        double qfac = h.pixdim[0] < 0 ? -1 : 1;
        double[] s = new double[3];
        for (int i = 0; i < 3; i++) {
            double p = h.pixdim[i + 1];
            s[i] = p > 0 && Double.isFinite(p) ? p : 1; // the reference library's rule for unusable pixdim
        }
        s[2] *= qfac;
        double[] m = new double[9];
        for (int row = 0; row < 3; row++) for (int col = 0; col < 3; col++) m[3 * row + col] = r[3 * row + col] * s[col];
        return m;
    }

    static double[] rotationFromQuaternion(double a, double b, double c, double d) {
        return new double[] {
            a * a + b * b - c * c - d * d, 2 * (b * c - a * d), 2 * (b * d + a * c),
            2 * (b * c + a * d), a * a + c * c - b * b - d * d, 2 * (c * d - a * b),
            2 * (b * d - a * c), 2 * (c * d + a * b), a * a + d * d - b * b - c * c};
    }

    /** Quaternion (a, b, c, d) with a >= 0 of a proper rotation matrix (row-major). */
    static double[] quaternionFromRotation(double[] r) {
        double trace = r[0] + r[4] + r[8];
        double a, b, c, d;
        if (trace > 0) {
            a = 0.5 * Math.sqrt(1 + trace);
            b = (r[7] - r[5]) / (4 * a);
            c = (r[2] - r[6]) / (4 * a);
            d = (r[3] - r[1]) / (4 * a);
        } else if (r[0] >= r[4] && r[0] >= r[8]) {
            b = 0.5 * Math.sqrt(1 + r[0] - r[4] - r[8]);
            a = (r[7] - r[5]) / (4 * b);
            c = (r[1] + r[3]) / (4 * b);
            d = (r[2] + r[6]) / (4 * b);
        } else if (r[4] >= r[8]) {
            c = 0.5 * Math.sqrt(1 - r[0] + r[4] - r[8]);
            a = (r[2] - r[6]) / (4 * c);
            b = (r[1] + r[3]) / (4 * c);
            d = (r[5] + r[7]) / (4 * c);
        } else {
            d = 0.5 * Math.sqrt(1 - r[0] - r[4] + r[8]);
            a = (r[3] - r[1]) / (4 * d);
            b = (r[2] + r[6]) / (4 * d);
            c = (r[5] + r[7]) / (4 * d);
        }
        if (a < 0) {
            a = -a;
            b = -b;
            c = -c;
            d = -d;
        }
        return new double[] {a, b, c, d};
    }

    /**
     * The rotation closest to {@code q} (orthogonal polar factor, by Newton iteration {@code Q <- (Q + Q^-T) / 2}),
     * for sheared grids, whose direction columns are not orthogonal. Null when q is singular.
     */
    static double[] closestRotation(double[] q) {
        double[] x = q.clone();
        for (int it = 0; it < 100; it++) {
            double[] inv = Geometry.invert(x);
            if (inv == null) return null;
            double[] next = new double[9];
            double change = 0;
            for (int r = 0; r < 3; r++) {
                for (int c = 0; c < 3; c++) {
                    next[3 * r + c] = 0.5 * (x[3 * r + c] + inv[3 * c + r]);
                    change = Math.max(change, Math.abs(next[3 * r + c] - x[3 * r + c]));
                }
            }
            x = next;
            if (change < 1e-15) break;
        }
        return x;
    }

    // ------------------------------------------------------------------ reading

    /** Reads a {@code .nii} or {@code .nii.gz} file (gzip recognised by content, not by name). */
    public static Volume read(Path path) {
        if (Files.isDirectory(path)) throw new CalvariaException(path + " is a folder, not a NIfTI file");
        if (!Files.exists(path)) throw new CalvariaException(path + " does not exist");
        boolean gzip;
        long fileSize;
        try {
            fileSize = Files.size(path);
            try (InputStream in = Files.newInputStream(path)) {
                byte[] magic = in.readNBytes(2);
                gzip = magic.length == 2 && (magic[0] & 0xff) == 0x1f && (magic[1] & 0xff) == 0x8b;
            }
        } catch (IOException e) {
            throw new CalvariaException("cannot read " + path + ": " + e.getMessage(), e);
        }
        try (InputStream in = open(path, gzip)) {
            byte[] head = in.readNBytes(HEADER_SIZE);
            Header h = parseHeader(head, path);
            int[] sizes = sizesOf(h, path);
            VoxelType type = typeOf(h, path);
            Geometry g = geometryOf(h, sizes, path);
            long voxOffset = dataOffset(h, path);
            long count = (long) sizes[0] * sizes[1] * sizes[2];
            long dataBytes = count * type.bytes();
            if (!gzip && fileSize != voxOffset + dataBytes) {
                throw new CalvariaException(path + ": header says " + sizes[0] + "x" + sizes[1] + "x" + sizes[2] + " "
                        + type.nrrdName() + " (" + dataBytes + " bytes from offset " + voxOffset + ") but the file has "
                        + fileSize + " bytes" + (fileSize < voxOffset + dataBytes ? "; the file is truncated or its"
                        + " header is wrong" : ", " + (fileSize - voxOffset - dataBytes) + " more than that; the"
                        + " header's dim or datatype are wrong, re-export the file"));
            }
            if (gzip) {
                ReadLimits.requireCompressedLength(path, sizes, type.nrrdName(), voxOffset + dataBytes, fileSize);
            }
            boolean scaledToFloats = type.fitsShort() && h.sclSlope != 0 && Float.isFinite(h.sclSlope)
                    && !(h.sclSlope == 1 && h.sclInter == 0);
            ReadLimits.requireMemory(path, sizes, type.nrrdName(),
                    count * (type.fitsShort() ? 2 : 4) + (scaledToFloats ? 4 * count : 0));
            Map<String, String> metadata = readExtensions(in, h, voxOffset, path);
            NrrdIO.Values values = NrrdIO.readBinary(in, (int) count, type, h.order, path);
            if (gzip) {
                // Reading on to the end checks the gzip trailer (CRC-32 and length) of the whole stream.
                long extra = StrictGzipInputStream.readToEnd(in);
                if (extra > 0) {
                    throw new CalvariaException(path + ": the compressed data holds " + extra + " bytes more than the"
                            + " header's " + sizes[0] + "x" + sizes[1] + "x" + sizes[2] + " " + type.nrrdName()
                            + " voxels; the header's dim or datatype are wrong, re-export the file");
                }
            }
            Volume v = scaled(values, g, type, h, path);
            v.metadata().putAll(metadata);
            return v;
        } catch (StrictGzipInputStream.CorruptGzipException e) {
            throw NrrdIO.corrupt(path, e);
        } catch (EOFException e) {
            throw new CalvariaException(path + ": data ends early (truncated file); re-export or re-download it");
        } catch (IOException e) {
            throw new CalvariaException("cannot read NIfTI " + path + ": " + e.getMessage(), e);
        }
    }

    private static InputStream open(Path path, boolean gzip) throws IOException {
        InputStream raw = Files.newInputStream(path);
        try {
            return gzip ? new BufferedInputStream(new StrictGzipInputStream(raw), 1 << 16)
                    : new BufferedInputStream(raw, 1 << 16);
        } catch (IOException e) {
            raw.close();
            throw e;
        }
    }

    private static long dataOffset(Header h, Path path) {
        float off = h.voxOffset;
        if (Float.isFinite(off) && off >= 0 && off < MIN_DATA_OFFSET) {
            // A single-file .nii keeps its data after the 348-byte header and the 4 extension bytes: a smaller offset
            // would put voxels inside the header, so the header is damaged (or belongs to a .hdr/.img pair).
            throw new CalvariaException(path + ": NIfTI vox_offset " + off + " is below 352, where the data of a"
                    + " single .nii file starts at the earliest; the header is damaged, re-export the file");
        }
        if (!Float.isFinite(off) || off < MIN_DATA_OFFSET || off != Math.rint(off)) {
            throw new CalvariaException(path + ": NIfTI vox_offset " + off + " is not a valid byte offset;"
                    + " the header is damaged, re-export the file");
        }
        return (long) off;
    }

    /**
     * Skips from the end of the header to the data start, reading extensions on the way; a Calvaria comment extension
     * gives back the metadata we wrote. Unknown extensions are skipped.
     */
    private static Map<String, String> readExtensions(InputStream in, Header h, long voxOffset, Path path)
            throws IOException {
        Map<String, String> meta = new LinkedHashMap<>();
        long pos = HEADER_SIZE;
        byte[] extender = in.readNBytes(4);
        pos += extender.length;
        if (extender.length < 4) throw new EOFException();
        if (extender[0] != 0) {
            while (pos + 8 <= voxOffset) {
                byte[] eh = in.readNBytes(8);
                if (eh.length < 8) throw new EOFException();
                pos += 8;
                ByteBuffer b = ByteBuffer.wrap(eh).order(h.order);
                int esize = b.getInt(0);
                int ecode = b.getInt(4);
                if (esize < 8 || esize % 16 != 0 || pos - 8 + esize > voxOffset) {
                    LOG.warn("{}: NIfTI extension of size {} is malformed; ignoring the remaining extensions", path,
                            esize);
                    break;
                }
                byte[] body = in.readNBytes(esize - 8);
                if (body.length < esize - 8) throw new EOFException();
                pos += body.length;
                if (ecode == ECODE_COMMENT) parseMetadata(body, meta);
            }
        }
        skipFully(in, voxOffset - pos);
        return meta;
    }

    private static void parseMetadata(byte[] body, Map<String, String> meta) {
        int end = 0;
        while (end < body.length && body[end] != 0) end++;
        String text = new String(body, 0, end, StandardCharsets.UTF_8);
        if (!text.startsWith(METADATA_MARKER.trim())) return;
        for (String line : text.split("\n")) {
            int kv = line.indexOf(":=");
            if (kv > 0) meta.put(unescape(line.substring(0, kv)), unescape(line.substring(kv + 2)));
        }
    }

    private static void skipFully(InputStream in, long n) throws IOException {
        while (n > 0) {
            long s = in.skip(n);
            if (s <= 0) {
                if (in.read() == -1) throw new EOFException();
                s = 1;
            }
            n -= s;
        }
    }

    /** Applies scl_slope/scl_inter when they change values (slope != 0 and not the identity); floats then. */
    private static Volume scaled(NrrdIO.Values values, Geometry g, VoxelType type, Header h, Path path) {
        double slope = h.sclSlope, inter = h.sclInter;
        boolean scale = slope != 0 && Double.isFinite(slope) && !(slope == 1 && inter == 0);
        if (!scale) {
            if (slope == 0 && inter != 0 && Double.isFinite(inter)) {
                LOG.debug("{}: scl_slope is 0, so scl_inter {} is ignored (NIfTI rule)", path, inter);
            }
            return NrrdIO.toVolume(values, g, type);
        }
        if (!Double.isFinite(inter)) inter = 0;
        int n = g.voxelCount();
        float[] out = values.floats() != null ? values.floats() : new float[n];
        if (values.shorts() != null) {
            short[] s = values.shorts();
            // Stored uint8 values came back as shorts 0..255, int8 as -128..127: both are the stored numbers.
            for (int i = 0; i < n; i++) out[i] = (float) (s[i] * slope + inter);
        } else {
            for (int i = 0; i < n; i++) out[i] = (float) (out[i] * slope + inter);
        }
        return new FloatVolume(g, out, VoxelType.FLOAT32);
    }

    // ------------------------------------------------------------------ writing

    /**
     * Writes {@code v} as NIfTI-1 ({@code .nii}, or gzip-compressed when the name ends in {@code .gz}) with voxel
     * type {@code type} (null: the volume's source type). Both the sform (exact) and the qform are set.
     */
    public static void write(Volume v, Path path, VoxelType type) {
        VoxelType t = type != null ? type : v.sourceType();
        if (t == null) t = VoxelType.FLOAT32;
        final VoxelType wt = t;
        boolean gzip = path.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".gz");
        byte[] extension = metadataExtension(v.metadata());
        byte[] header = header(v, wt, MIN_DATA_OFFSET + extension.length);
        Outputs.writeAtomically(path, out0 -> {
            OutputStream out = gzip ? new GZIPOutputStream(out0, 1 << 16) : out0;
            out.write(header);
            out.write(new byte[] {(byte) (extension.length > 0 ? 1 : 0), 0, 0, 0});
            out.write(extension);
            NrrdIO.writeValues(v, out, wt, ByteOrder.LITTLE_ENDIAN);
            if (out instanceof GZIPOutputStream gz) gz.finish();
            out.flush();
        });
    }

    /** The 348-byte little-endian header for {@code v}, data at {@code voxOffset}. */
    static byte[] header(Volume v, VoxelType type, int voxOffset) {
        Geometry g = v.geometry();
        ByteBuffer b = ByteBuffer.allocate(HEADER_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, HEADER_SIZE);
        b.put(38, (byte) 'r'); // "regular", as ANALYZE readers expect
        short[] dim = {3, (short) g.nx(), (short) g.ny(), (short) g.nz(), 1, 1, 1, 1};
        if (g.nx() > Short.MAX_VALUE || g.ny() > Short.MAX_VALUE || g.nz() > Short.MAX_VALUE) {
            throw new CalvariaException("NIfTI-1 cannot hold " + g.nx() + "x" + g.ny() + "x" + g.nz()
                    + " (at most 32767 per axis); write NRRD instead");
        }
        for (int i = 0; i < 8; i++) b.putShort(40 + 2 * i, dim[i]);
        b.putShort(70, (short) type.niftiCode());
        b.putShort(72, (short) (type.bytes() * 8));

        // Affine in RAS: LPS rows x and y change sign.
        double[] m = g.matrix();
        double[] o = g.origin();
        for (int c = 0; c < 3; c++) {
            m[c] = -m[c];
            m[3 + c] = -m[3 + c];
        }
        o[0] = -o[0];
        o[1] = -o[1];
        double[] spacing = g.spacing();
        double[] dirs = new double[9];
        for (int r = 0; r < 3; r++) for (int c = 0; c < 3; c++) dirs[3 * r + c] = m[3 * r + c] / spacing[c];
        double qfac = 1;
        if (Geometry.det(dirs) < 0) {
            // A quaternion holds only proper rotations; NIfTI flips the third axis through qfac = pixdim[0].
            qfac = -1;
            for (int r = 0; r < 3; r++) dirs[3 * r + 2] = -dirs[3 * r + 2];
        }
        // On an orthogonal grid the direction columns are already a rotation. On a sheared (gantry-tilted) grid they
        // are not, and no quaternion can represent the matrix: the sform below keeps it exactly (readers prefer the
        // sform), and the qform gets the nearest rotation so qform-only readers are off by the shear alone.
        double[] rotation = closestRotation(dirs);
        if (rotation == null) rotation = new double[] {1, 0, 0, 0, 1, 0, 0, 0, 1};
        double[] q = quaternionFromRotation(rotation);

        b.putFloat(76, (float) qfac);
        for (int i = 0; i < 3; i++) b.putFloat(80 + 4 * i, (float) spacing[i]);
        for (int i = 3; i < 7; i++) b.putFloat(80 + 4 * i, 1f);
        b.putFloat(108, voxOffset);
        b.putFloat(112, 1f); // scl_slope 1, scl_inter 0: values are stored as they are
        b.putFloat(116, 0f);
        b.put(123, (byte) UNITS_MM);
        byte[] descrip = descrip(v).getBytes(StandardCharsets.US_ASCII);
        b.put(148, descrip, 0, Math.min(79, descrip.length));
        b.putShort(252, (short) XFORM_SCANNER_ANAT);
        b.putShort(254, (short) XFORM_SCANNER_ANAT);
        b.putFloat(256, (float) q[1]);
        b.putFloat(260, (float) q[2]);
        b.putFloat(264, (float) q[3]);
        b.putFloat(268, (float) o[0]);
        b.putFloat(272, (float) o[1]);
        b.putFloat(276, (float) o[2]);
        for (int r = 0; r < 3; r++) {
            for (int c = 0; c < 3; c++) b.putFloat(280 + 16 * r + 4 * c, (float) m[3 * r + c]);
            b.putFloat(280 + 16 * r + 12, (float) o[r]);
        }
        b.put(344, (byte) 'n').put(345, (byte) '+').put(346, (byte) '1').put(347, (byte) 0);
        return b.array();
    }

    /** Provenance line that fits the 80-byte descrip field. */
    static String descrip(Volume v) {
        String what = v.metadata().getOrDefault("calvaria_made_by", "nifti export");
        String line = Provenance.line(what);
        if (line.length() > 79) {
            int over = line.length() - 79;
            what = what.length() > over + 3 ? what.substring(0, what.length() - over - 3) + "..." : "";
            line = Provenance.line(what);
        }
        StringBuilder ascii = new StringBuilder();
        for (char ch : line.toCharArray()) ascii.append(ch >= 32 && ch < 127 ? ch : '?');
        return ascii.length() > 79 ? ascii.substring(0, 79) : ascii.toString();
    }

    /** A comment extension (padded to 16 bytes) holding key:=value lines, or nothing when there is no metadata. */
    static byte[] metadataExtension(Map<String, String> metadata) {
        if (metadata.isEmpty()) return new byte[0];
        StringBuilder sb = new StringBuilder(METADATA_MARKER);
        for (Map.Entry<String, String> e : metadata.entrySet()) {
            sb.append(escape(e.getKey()).replace(":=", ": =")).append(":=").append(escape(e.getValue())).append('\n');
        }
        byte[] text = sb.toString().getBytes(StandardCharsets.UTF_8);
        int size = (8 + text.length + 1 + 15) / 16 * 16; // at least one NUL terminates the text
        ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(size).putInt(ECODE_COMMENT).put(text);
        return b.array();
    }

    private static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "");
    }

    private static String unescape(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch == '\\' && i + 1 < s.length()) {
                char next = s.charAt(++i);
                sb.append(next == 'n' ? '\n' : next);
            } else {
                sb.append(ch);
            }
        }
        return sb.toString();
    }
}
