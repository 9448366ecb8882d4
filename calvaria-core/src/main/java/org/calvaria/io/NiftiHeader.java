package org.calvaria.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.calvaria.CalvariaException;
import org.calvaria.volume.Geometry;
import org.calvaria.volume.VoxelType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A NIfTI-1 header: the fields Calvaria uses, decoded in the file's byte order, and the sizes, voxel type and
 * geometry they give (RAS in the file, LPS in Calvaria; sform, else qform, else pixdim).
 */
final class NiftiHeader {
    private static final Logger LOG = LoggerFactory.getLogger(NiftiIO.class);

    static final int HEADER_SIZE = 348;
    /** Header plus the 4-byte extension flag: where data may start at the earliest in a .nii file. */
    static final int MIN_DATA_OFFSET = 352;

    static final int NIFTI2_HEADER_SIZE = 540;
    /** NIFTI_ECODE_COMMENT: plain text extension; we keep the volume's key/value metadata in one. */
    static final int ECODE_COMMENT = 6;

    static final String METADATA_MARKER = "calvaria-metadata\n";
    static final int UNITS_MM = 2;
    static final int XFORM_SCANNER_ANAT = 1;
    static final long MAX_VOXELS = 1_500_000_000L;

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

    private NiftiHeader() {}

    static NiftiHeader parseHeader(byte[] bytes, Path path) {
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
            throw new CalvariaException(
                    path + " is not a NIfTI-1 file (header size field is " + sizeLe + ", expected 348)");
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(order);
        NiftiHeader h = new NiftiHeader();
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
    static int[] sizesOf(NiftiHeader h, Path path) {
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

    static VoxelType typeOf(NiftiHeader h, Path path) {
        VoxelType t = VoxelType.fromNifti(h.datatype);
        if (t == null) {
            throw new CalvariaException(path + ": unsupported NIfTI datatype " + h.datatype + datatypeName(h.datatype)
                    + "; supported: uint8 int8 int16 uint16 int32 uint32 float32 float64");
        }
        if (h.bitpix != t.bytes() * 8) {
            LOG.warn(
                    "{}: bitpix {} does not match datatype {} ({} bits); trusting the datatype",
                    path,
                    h.bitpix,
                    t.nrrdName(),
                    t.bytes() * 8);
        }
        return t;
    }

    private static String datatypeName(int code) {
        switch (code) {
            case 0:
                return " (unknown)";
            case 1:
                return " (binary)";
            case 32:
                return " (complex64)";
            case 128:
                return " (rgb24)";
            case 1024:
                return " (int64)";
            case 1280:
                return " (uint64)";
            case 1536:
                return " (float128)";
            case 1792:
                return " (complex128)";
            case 2048:
                return " (complex256)";
            case 2304:
                return " (rgba32)";
            default:
                return "";
        }
    }

    /** Placement in LPS from the header (sform, else qform, else pixdim), as a Geometry. */
    static Geometry geometryOf(NiftiHeader h, int[] sizes, Path path) {
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
                    throw new CalvariaException(path + ": NIfTI sform is "
                            + (allFinite(m) && allFinite(o)
                                    ? "singular (zero spacing or collinear axes)"
                                    : "not finite")
                            + " and there is no qform"
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
            case 1:
                return 1000.0; // NIFTI_UNITS_METER
            case 3:
                return 0.001; // NIFTI_UNITS_MICRON
            default:
                return 1.0; // mm, or unknown (0), which readers take as mm
        }
    }

    private static boolean allFinite(double[] a) {
        for (double v : a) if (!Double.isFinite(v)) return false;
        return true;
    }

    /** Rotation * diag(dx, dy, qfac*dz) from the quaternion fields, in RAS. */
    static double[] qformMatrix(NiftiHeader h) {
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
        for (int row = 0; row < 3; row++)
            for (int col = 0; col < 3; col++) m[3 * row + col] = r[3 * row + col] * s[col];
        return m;
    }

    static double[] rotationFromQuaternion(double a, double b, double c, double d) {
        return new double[] {
            a * a + b * b - c * c - d * d,
            2 * (b * c - a * d),
            2 * (b * d + a * c),
            2 * (b * c + a * d),
            a * a + c * c - b * b - d * d,
            2 * (c * d - a * b),
            2 * (b * d - a * c),
            2 * (c * d + a * b),
            a * a + d * d - b * b - c * c
        };
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
}
