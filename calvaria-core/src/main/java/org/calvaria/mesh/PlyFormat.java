package org.calvaria.mesh;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.calvaria.CalvariaException;
import org.calvaria.files.Outputs;

/** PLY meshes: written as binary little-endian, read as ASCII or either binary byte order (through {@link PlyReader}). */
final class PlyFormat {
    private PlyFormat() {}

    /** Binary little-endian PLY with float x y z vertices and triangle faces. */
    static void write(TriangleMesh mesh, Path path, String provenance) {
        mesh.requireFinite("the mesh for " + path);
        float[] v = mesh.vertices();
        int[] t = mesh.triangles();
        String header =
                "ply\nformat binary_little_endian 1.0\ncomment " + MeshFiles.ascii(provenance) + "\nelement vertex "
                        + mesh.vertexCount() + "\nproperty float x\nproperty float y\nproperty float z\nelement face "
                        + mesh.triangleCount() + "\nproperty list uchar int vertex_indices\nend_header\n";
        Outputs.writeAtomically(path, out -> {
            out.write(header.getBytes(StandardCharsets.US_ASCII));
            ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
            for (float x : v) {
                if (buf.remaining() < 4) MeshFiles.drain(buf, out);
                buf.putFloat(x);
            }
            for (int i = 0; i < t.length; i += 3) {
                if (buf.remaining() < 13) MeshFiles.drain(buf, out);
                buf.put((byte) 3).putInt(t[i]).putInt(t[i + 1]).putInt(t[i + 2]);
            }
            MeshFiles.drain(buf, out);
        });
    }

    /** Reads PLY (ascii, binary_little_endian, binary_big_endian): the vertex x y z and face vertex lists. */
    static TriangleMesh read(Path path) {
        byte[] all;
        try {
            if (Files.size(path) > Integer.MAX_VALUE - 64) {
                throw new CalvariaException(path + " is larger than 2 GB; PLY files that large are not supported");
            }
            all = Files.readAllBytes(path);
        } catch (IOException e) {
            throw new CalvariaException("cannot read " + path + ": " + e.getMessage(), e);
        }
        return new PlyReader(path, all).read();
    }
}
