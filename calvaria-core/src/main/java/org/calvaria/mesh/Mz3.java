package org.calvaria.mesh;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import org.calvaria.CalvariaException;
import org.calvaria.files.Outputs;

/**
 * The MZ3 mesh format (Surf Ice, read natively by the NiiVue web viewer): a 16-byte little-endian header, then the
 * triangles (three uint32 each), the vertices (three float32 each) and, optionally, one float32 scalar per vertex.
 * Uncompressed it is 12 bytes per vertex and 12 per triangle, a quarter of binary STL's 50 per triangle, and the
 * viewer reads it without parsing text. Used for the web app's view files.
 *
 * <p>Header: uint16 magic 0x5A4D ("MZ"), uint16 attribute bits (1 faces, 2 vertices, 4 RGBA, 8 scalars), uint32
 * triangle count, uint32 vertex count, uint32 bytes to skip after the header (always 0 here).
 */
public final class Mz3 {
    static final int MAGIC = 0x5A4D;
    static final int FACES = 1, VERTICES = 2, RGBA = 4, SCALARS = 8;

    private Mz3() {}

    /** A mesh read back, with its per-vertex scalars (null when there are none). */
    public record Contents(TriangleMesh mesh, float[] scalars) {}

    /** Writes {@code mesh} (and, when not null, one scalar per vertex) to {@code path}, uncompressed. */
    public static void write(TriangleMesh mesh, float[] scalars, Path path) {
        write(mesh, null, scalars, path);
    }

    /**
     * Writes {@code mesh} with, when not null, a colour per vertex ({@code rgb}: 0xRRGGBB, stored as opaque RGBA
     * bytes, which the viewer draws as they are) and one scalar per vertex, uncompressed.
     */
    public static void write(TriangleMesh mesh, int[] rgb, float[] scalars, Path path) {
        int nv = mesh.vertexCount(), nt = mesh.triangleCount();
        if (scalars != null && scalars.length != nv) {
            throw new IllegalArgumentException(scalars.length + " scalars for " + nv + " vertices");
        }
        if (rgb != null && rgb.length != nv) {
            throw new IllegalArgumentException(rgb.length + " colours for " + nv + " vertices");
        }
        long size = 16L + 12L * nt + 12L * nv + (rgb == null ? 0 : 4L * nv) + (scalars == null ? 0 : 4L * nv);
        if (size > Integer.MAX_VALUE) throw new CalvariaException("mesh too large for one MZ3 file");
        ByteBuffer b = ByteBuffer.allocate((int) size).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort((short) MAGIC);
        b.putShort((short) (FACES | VERTICES | (rgb == null ? 0 : RGBA) | (scalars == null ? 0 : SCALARS)));
        b.putInt(nt);
        b.putInt(nv);
        b.putInt(0);
        for (int i : mesh.triangles()) b.putInt(i);
        for (float f : mesh.vertices()) b.putFloat(f);
        if (rgb != null) {
            for (int c : rgb) {
                b.put((byte) (c >> 16)).put((byte) (c >> 8)).put((byte) c).put((byte) 255);
            }
        }
        if (scalars != null) for (float s : scalars) b.putFloat(s);
        Outputs.writeAtomically(path, out -> out.write(b.array()));
    }

    /** Reads an MZ3 file with faces and vertices (gzip-compressed or not); RGBA colours are skipped. */
    public static Contents read(Path path) throws IOException {
        byte[] bytes = Files.readAllBytes(path);
        if (bytes.length >= 2 && (bytes[0] & 0xff) == 0x1f && (bytes[1] & 0xff) == 0x8b) {
            try (InputStream in = new GZIPInputStream(Files.newInputStream(path))) {
                bytes = in.readAllBytes();
            }
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length < 16 || (b.getShort(0) & 0xffff) != MAGIC) throw new CalvariaException(path + " is not MZ3");
        int attr = b.getShort(2) & 0xffff;
        int nt = b.getInt(4), nv = b.getInt(8), skip = b.getInt(12);
        if ((attr & (FACES | VERTICES)) != (FACES | VERTICES) || nt < 0 || nv < 0 || skip < 0) {
            throw new CalvariaException(path + " is not an MZ3 mesh with faces and vertices");
        }
        long need = 16L
                + skip
                + 12L * nt
                + 12L * nv
                + ((attr & RGBA) != 0 ? 4L * nv : 0)
                + ((attr & SCALARS) != 0 ? 4L * nv : 0);
        if (need > bytes.length) throw new CalvariaException(path + " is shorter than its MZ3 header says");
        b.position(16 + skip);
        int[] t = new int[3 * nt];
        for (int i = 0; i < t.length; i++) {
            t[i] = b.getInt();
            if (t[i] < 0 || t[i] >= nv) throw new CalvariaException(path + ": triangle index out of range");
        }
        float[] v = new float[3 * nv];
        for (int i = 0; i < v.length; i++) v[i] = b.getFloat();
        if ((attr & RGBA) != 0) b.position(b.position() + 4 * nv);
        float[] s = null;
        if ((attr & SCALARS) != 0) {
            s = new float[nv];
            for (int i = 0; i < nv; i++) s[i] = b.getFloat();
        }
        return new Contents(new TriangleMesh(v, t), s);
    }
}
