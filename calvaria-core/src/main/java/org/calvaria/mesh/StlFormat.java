package org.calvaria.mesh;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.calvaria.CalvariaException;
import org.calvaria.files.Outputs;

/**
 * STL, binary and ASCII: read (corners welded by exact coordinates into shared vertices) and written atomically with
 * the provenance line in the 80-byte header or the solid's name.
 */
final class StlFormat {
    static final int STL_RECORD = 50;

    private StlFormat() {}

    /** Reads a binary or ASCII STL, welding corners with identical coordinates into shared vertices. */
    static TriangleMesh read(Path path) {
        long size;
        try {
            size = Files.size(path);
        } catch (IOException e) {
            throw new CalvariaException("cannot read " + path + ": " + e.getMessage(), e);
        }
        byte[] head = MeshFiles.head(path, 1024);
        boolean asciiStart = isAsciiStl(head);
        if (!asciiStart && size >= 84) {
            long declared =
                    ByteBuffer.wrap(head, 80, 4).order(ByteOrder.LITTLE_ENDIAN).getInt() & 0xffffffffL;
            if (84 + STL_RECORD * declared == size)
                return readStlBinary(path, (int) Math.min(declared, Integer.MAX_VALUE));
            String start = new String(head, 0, Math.min(5, head.length), StandardCharsets.ISO_8859_1);
            if (!start.equalsIgnoreCase("solid")) {
                throw new CalvariaException(path + " is a truncated or corrupt binary STL: its header declares "
                        + declared + " triangles (" + (84 + STL_RECORD * declared) + " bytes) but the file has " + size
                        + " bytes; export the mesh again");
            }
        }
        String start = new String(head, 0, Math.min(5, head.length), StandardCharsets.ISO_8859_1);
        if (start.equalsIgnoreCase("solid")) return readStlAscii(path);
        throw new CalvariaException(path + " is not an STL file (" + size + " bytes, too short for a binary STL and"
                + " not starting with 'solid'); give a binary or ASCII STL");
    }

    /** ASCII when the file starts with "solid" and the next line begins a facet or ends the solid. */
    private static boolean isAsciiStl(byte[] head) {
        String s = new String(head, StandardCharsets.ISO_8859_1);
        if (!s.regionMatches(true, 0, "solid", 0, 5)) return false;
        int nl = s.indexOf('\n');
        if (nl < 0) return head.length < 1024; // a one-line file: not binary data either
        String rest = s.substring(nl + 1).stripLeading().toLowerCase(Locale.ROOT);
        return rest.startsWith("facet") || rest.startsWith("endsolid") || rest.isEmpty();
    }

    private static TriangleMesh readStlBinary(Path path, int count) {
        if (count == 0) throw new CalvariaException(path + " is an STL with no triangles; export the mesh again");
        if (count > (Integer.MAX_VALUE - 16) / 3) {
            throw new CalvariaException(
                    path + " has " + count + " triangles, more than one mesh can hold; decimate it first");
        }
        VertexWelder welder = new VertexWelder(count / 2 + 16);
        int[] tri = new int[3 * count];
        int kept = 0;
        try (SeekableByteChannel ch = Files.newByteChannel(path)) {
            ch.position(84);
            ByteBuffer buf = ByteBuffer.allocate(STL_RECORD * 4096).order(ByteOrder.LITTLE_ENDIAN);
            int done = 0;
            while (done < count) {
                int n = Math.min(4096, count - done);
                buf.clear().limit(n * STL_RECORD);
                while (buf.hasRemaining()) {
                    if (ch.read(buf) < 0) {
                        throw new CalvariaException(path + " ends early (triangle " + done + " of " + count
                                + "); the STL is truncated, export it again");
                    }
                }
                buf.flip();
                for (int i = 0; i < n; i++) {
                    int at = i * STL_RECORD + 12;
                    int a = stlVertex(path, welder, buf, at, done + i);
                    int b = stlVertex(path, welder, buf, at + 12, done + i);
                    int c = stlVertex(path, welder, buf, at + 24, done + i);
                    if (a == b || b == c || a == c) continue; // zero-area sliver: nothing to keep
                    tri[kept++] = a;
                    tri[kept++] = b;
                    tri[kept++] = c;
                }
                done += n;
            }
        } catch (IOException e) {
            throw new CalvariaException("cannot read " + path + ": " + e.getMessage(), e);
        }
        return new TriangleMesh(welder.vertices(), java.util.Arrays.copyOf(tri, kept));
    }

    private static int stlVertex(Path path, VertexWelder welder, ByteBuffer buf, int at, int triangle) {
        float x = buf.getFloat(at), y = buf.getFloat(at + 4), z = buf.getFloat(at + 8);
        if (!Float.isFinite(x) || !Float.isFinite(y) || !Float.isFinite(z)) {
            throw new CalvariaException(path + " has a non-finite coordinate in triangle " + triangle
                    + "; the STL is corrupt, export it again");
        }
        return welder.id(x, y, z);
    }

    private static TriangleMesh readStlAscii(Path path) {
        try (MeshTokens in = new MeshTokens(Files.newBufferedReader(path, StandardCharsets.ISO_8859_1), path)) {
            VertexWelder welder = new VertexWelder(1 << 12);
            GrowableArrays.Ints tri = new GrowableArrays.Ints(1 << 12);
            String tok = in.next();
            if (tok == null || !tok.equalsIgnoreCase("solid")) throw in.error("does not start with 'solid'");
            in.skipLine();
            int[] corner = new int[3];
            while (true) {
                tok = in.next();
                if (tok == null) throw in.error("ends without 'endsolid': the ASCII STL is truncated");
                if (tok.equalsIgnoreCase("endsolid")) {
                    in.skipLine();
                    tok = in.next();
                    if (tok == null) break;
                    if (!tok.equalsIgnoreCase("solid")) throw in.error("has '" + tok + "' after 'endsolid'");
                    in.skipLine();
                    continue;
                }
                if (!tok.equalsIgnoreCase("facet")) throw in.error("has '" + tok + "' where 'facet' was expected");
                in.expect("normal");
                for (int k = 0; k < 3; k++) in.number();
                in.expect("outer");
                in.expect("loop");
                for (int k = 0; k < 3; k++) {
                    in.expect("vertex");
                    float x = in.number(), y = in.number(), z = in.number();
                    corner[k] = welder.id(x, y, z);
                }
                in.expect("endloop");
                in.expect("endfacet");
                if (corner[0] != corner[1] && corner[1] != corner[2] && corner[0] != corner[2]) {
                    tri.add3(corner[0], corner[1], corner[2]);
                }
            }
            if (tri.size == 0 && welder.count() == 0) {
                throw new CalvariaException(path + " is an STL with no triangles; export the mesh again");
            }
            return new TriangleMesh(welder.vertices(), tri.toArray());
        } catch (IOException e) {
            throw new CalvariaException("cannot read " + path + ": " + e.getMessage(), e);
        }
    }

    /** Binary STL; the 80-byte header holds the provenance line. */
    static void writeBinary(TriangleMesh mesh, Path path, String provenance) {
        mesh.requireFinite("the mesh for " + path);
        byte[] header = new byte[80];
        byte[] text = MeshFiles.ascii(provenance).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(text, 0, header, 0, Math.min(80, text.length));
        for (int i = Math.min(80, text.length); i < 80; i++) header[i] = ' ';
        float[] v = mesh.vertices();
        int[] t = mesh.triangles();
        int n = mesh.triangleCount();
        Outputs.writeAtomically(path, out -> {
            out.write(header);
            ByteBuffer buf = ByteBuffer.allocate(STL_RECORD * 4096).order(ByteOrder.LITTLE_ENDIAN);
            buf.putInt(n);
            out.write(buf.array(), 0, 4);
            buf.clear();
            for (int i = 0; i < n; i++) {
                int a = 3 * t[3 * i], b = 3 * t[3 * i + 1], c = 3 * t[3 * i + 2];
                float[] normal = unitNormal(v, a, b, c);
                buf.putFloat(normal[0]).putFloat(normal[1]).putFloat(normal[2]);
                buf.putFloat(v[a]).putFloat(v[a + 1]).putFloat(v[a + 2]);
                buf.putFloat(v[b]).putFloat(v[b + 1]).putFloat(v[b + 2]);
                buf.putFloat(v[c]).putFloat(v[c + 1]).putFloat(v[c + 2]);
                buf.putShort((short) 0);
                if (!buf.hasRemaining()) {
                    out.write(buf.array(), 0, buf.position());
                    buf.clear();
                }
            }
            out.write(buf.array(), 0, buf.position());
        });
    }

    /** ASCII STL; the solid's name holds the provenance line. Coordinates are written exactly (shortest form). */
    static void writeAscii(TriangleMesh mesh, Path path, String provenance) {
        mesh.requireFinite("the mesh for " + path);
        String name = MeshFiles.ascii(provenance).replace('\n', ' ');
        float[] v = mesh.vertices();
        int[] t = mesh.triangles();
        int n = mesh.triangleCount();
        Outputs.writeAtomically(path, out -> {
            StringBuilder sb = new StringBuilder(1 << 17);
            sb.append("solid ").append(name).append('\n');
            for (int i = 0; i < n; i++) {
                int a = 3 * t[3 * i], b = 3 * t[3 * i + 1], c = 3 * t[3 * i + 2];
                float[] normal = unitNormal(v, a, b, c);
                sb.append("facet normal ")
                        .append(normal[0])
                        .append(' ')
                        .append(normal[1])
                        .append(' ')
                        .append(normal[2])
                        .append("\n outer loop\n");
                for (int p : new int[] {a, b, c}) {
                    sb.append("  vertex ")
                            .append(v[p])
                            .append(' ')
                            .append(v[p + 1])
                            .append(' ')
                            .append(v[p + 2])
                            .append('\n');
                }
                sb.append(" endloop\nendfacet\n");
                if (sb.length() > (1 << 16)) MeshFiles.flush(sb, out);
            }
            sb.append("endsolid ").append(name).append('\n');
            MeshFiles.flush(sb, out);
        });
    }

    private static float[] unitNormal(float[] v, int a, int b, int c) {
        double ux = v[b] - v[a], uy = v[b + 1] - v[a + 1], uz = v[b + 2] - v[a + 2];
        double wx = v[c] - v[a], wy = v[c + 1] - v[a + 1], wz = v[c + 2] - v[a + 2];
        double nx = uy * wz - uz * wy, ny = uz * wx - ux * wz, nz = ux * wy - uy * wx;
        double len = Math.sqrt(nx * nx + ny * ny + nz * nz);
        if (len == 0) return new float[3];
        return new float[] {(float) (nx / len), (float) (ny / len), (float) (nz / len)};
    }
}
