package org.calvaria.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.calvaria.files.Outputs;
import org.calvaria.io.NrrdIO.Encoding;
import org.calvaria.volume.Geometry;
import org.calvaria.volume.Volume;
import org.calvaria.volume.VoxelType;

/** Writes NRRD in LPS space: attached, or a detached header with its {@code .raw}/{@code .raw.gz} data file. */
final class NrrdWriter {
    private NrrdWriter() {}

    /**
     * Writes {@code v} as NRRD in LPS space. {@code type} null means the volume's source type. A path ending in
     * {@code .nhdr} writes a detached header plus a {@code .raw} or {@code .raw.gz} data file beside it.
     */
    static void write(Volume v, Path path, VoxelType type, Encoding encoding) {
        VoxelType t = type != null ? type : v.sourceType();
        if (t == null) t = VoxelType.FLOAT32;
        final VoxelType wt = t;
        String name = path.getFileName().toString();
        boolean detached = name.toLowerCase(Locale.ROOT).endsWith(".nhdr");
        if (detached) {
            String dataName = name.substring(0, name.length() - 5) + (encoding == Encoding.GZIP ? ".raw.gz" : ".raw");
            Path dataPath = path.resolveSibling(dataName);
            Outputs.writeAtomically(dataPath, out -> writeData(v, out, wt, encoding));
            try {
                Outputs.writeAtomically(
                        path,
                        out -> out.write(header(v, wt, encoding, dataName).getBytes(StandardCharsets.ISO_8859_1)));
            } catch (RuntimeException e) {
                try {
                    Files.deleteIfExists(dataPath);
                } catch (IOException ignored) {
                    // the header failure is what the user needs to see
                }
                throw e;
            }
        } else {
            Outputs.writeAtomically(path, out -> {
                out.write(header(v, wt, encoding, null).getBytes(StandardCharsets.ISO_8859_1));
                writeData(v, out, wt, encoding);
            });
        }
    }

    static String header(Volume v, VoxelType type, Encoding encoding, String dataFile) {
        Geometry g = v.geometry();
        double[] m = g.matrix();
        double[] o = g.origin();
        StringBuilder sb = new StringBuilder();
        sb.append("NRRD0004\n");
        sb.append("# Complete NRRD file format specification at:\n");
        sb.append("# http://teem.sourceforge.net/nrrd/format.html\n");
        sb.append("type: ").append(type.nrrdName()).append('\n');
        sb.append("dimension: 3\n");
        sb.append("space: left-posterior-superior\n");
        sb.append("sizes: ")
                .append(g.nx())
                .append(' ')
                .append(g.ny())
                .append(' ')
                .append(g.nz())
                .append('\n');
        sb.append("space directions:");
        for (int c = 0; c < 3; c++) {
            sb.append(" (")
                    .append(num(m[c]))
                    .append(',')
                    .append(num(m[3 + c]))
                    .append(',')
                    .append(num(m[6 + c]))
                    .append(')');
        }
        sb.append('\n');
        sb.append("kinds: domain domain domain\n");
        if (type.bytes() > 1) sb.append("endian: little\n");
        sb.append("encoding: ")
                .append(encoding == Encoding.GZIP ? "gzip" : "raw")
                .append('\n');
        sb.append("space origin: (")
                .append(num(o[0]))
                .append(',')
                .append(num(o[1]))
                .append(',')
                .append(num(o[2]))
                .append(")\n");
        if (dataFile != null) sb.append("data file: ").append(dataFile).append('\n');
        for (Map.Entry<String, String> e : v.metadata().entrySet()) {
            String k = escape(e.getKey()).replace(":=", ": =");
            sb.append(k).append(":=").append(escape(e.getValue())).append('\n');
        }
        sb.append('\n');
        return sb.toString();
    }

    private static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "");
    }

    private static String num(double d) {
        if (d == Math.rint(d) && Math.abs(d) < 1e15) return Long.toString((long) d);
        return Double.toString(d);
    }

    private static void writeData(Volume v, OutputStream out0, VoxelType type, Encoding encoding) throws IOException {
        OutputStream out = encoding == Encoding.GZIP ? new GZIPOutputStream(out0, 1 << 16) : out0;
        VoxelCodec.writeValues(v, out, type, ByteOrder.LITTLE_ENDIAN);
        if (out instanceof GZIPOutputStream gz) gz.finish();
        out.flush();
    }
}
