package org.calvaria.io;

import static org.calvaria.io.NiftiHeader.ECODE_COMMENT;
import static org.calvaria.io.NiftiHeader.HEADER_SIZE;
import static org.calvaria.io.NiftiHeader.METADATA_MARKER;
import static org.calvaria.io.NiftiHeader.MIN_DATA_OFFSET;
import static org.calvaria.io.NiftiHeader.UNITS_MM;
import static org.calvaria.io.NiftiHeader.XFORM_SCANNER_ANAT;
import static org.calvaria.io.NiftiHeader.closestRotation;
import static org.calvaria.io.NiftiHeader.quaternionFromRotation;

import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.calvaria.CalvariaException;
import org.calvaria.Provenance;
import org.calvaria.files.Outputs;
import org.calvaria.volume.Geometry;
import org.calvaria.volume.Volume;
import org.calvaria.volume.VoxelType;

/**
 * Writes NIfTI-1 little endian, with both sform (exact) and qform, and the volume's metadata in a comment
 * extension.
 */
final class NiftiWriter {
    private NiftiWriter() {}

    /**
     * Writes {@code v} as NIfTI-1 ({@code .nii}, or gzip-compressed when the name ends in {@code .gz}) with voxel
     * type {@code type} (null: the volume's source type). Both the sform (exact) and the qform are set.
     */
    static void write(Volume v, Path path, VoxelType type) {
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
            VoxelCodec.writeValues(v, out, wt, ByteOrder.LITTLE_ENDIAN);
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
            sb.append(escape(e.getKey()).replace(":=", ": ="))
                    .append(":=")
                    .append(escape(e.getValue()))
                    .append('\n');
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
}
