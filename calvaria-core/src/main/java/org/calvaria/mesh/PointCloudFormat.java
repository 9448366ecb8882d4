package org.calvaria.mesh;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import org.calvaria.CalvariaException;
import org.calvaria.files.Outputs;

/** Surface point clouds with unit normals, as binary PLY or XYZ text. */
final class PointCloudFormat {
    private PointCloudFormat() {}

    /** Surface points with unit normals (area-weighted vertex normals). PLY (binary) or XYZ text by extension. */
    static void write(TriangleMesh mesh, Path path, String provenance) {
        mesh.requireFinite("the mesh for " + path);
        String n = path.getFileName().toString().toLowerCase(Locale.ROOT);
        TriangleMesh m = mesh.compacted();
        float[] v = m.vertices();
        float[] normals = m.vertexNormals();
        if (n.endsWith(".ply")) {
            String header = "ply\nformat binary_little_endian 1.0\ncomment " + MeshFiles.ascii(provenance)
                    + "\nelement vertex "
                    + m.vertexCount() + "\nproperty float x\nproperty float y\nproperty float z\nproperty float nx\n"
                    + "property float ny\nproperty float nz\nend_header\n";
            Outputs.writeAtomically(path, out -> {
                out.write(header.getBytes(StandardCharsets.US_ASCII));
                ByteBuffer buf = ByteBuffer.allocate(24 * 4096).order(ByteOrder.LITTLE_ENDIAN);
                for (int i = 0; i < m.vertexCount(); i++) {
                    if (!buf.hasRemaining()) MeshFiles.drain(buf, out);
                    buf.putFloat(v[3 * i]).putFloat(v[3 * i + 1]).putFloat(v[3 * i + 2]);
                    buf.putFloat(normals[3 * i]).putFloat(normals[3 * i + 1]).putFloat(normals[3 * i + 2]);
                }
                MeshFiles.drain(buf, out);
            });
        } else if (n.endsWith(".xyz")) {
            Outputs.writeAtomically(path, out -> {
                StringBuilder sb = new StringBuilder(1 << 17);
                sb.append("# ").append(MeshFiles.ascii(provenance)).append("; columns: x y z nx ny nz (LPS mm)\n");
                for (int i = 0; i < m.vertexCount(); i++) {
                    sb.append(v[3 * i])
                            .append(' ')
                            .append(v[3 * i + 1])
                            .append(' ')
                            .append(v[3 * i + 2])
                            .append(' ')
                            .append(normals[3 * i])
                            .append(' ')
                            .append(normals[3 * i + 1])
                            .append(' ')
                            .append(normals[3 * i + 2])
                            .append('\n');
                    if (sb.length() > (1 << 16)) MeshFiles.flush(sb, out);
                }
                MeshFiles.flush(sb, out);
            });
        } else {
            throw new CalvariaException(
                    "cannot tell the point cloud format of '" + path.getFileName() + "'; use a .ply or .xyz name");
        }
    }
}
