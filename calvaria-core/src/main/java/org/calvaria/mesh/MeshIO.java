package org.calvaria.mesh;

import org.calvaria.CalvariaException;
import org.calvaria.files.Outputs;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Reader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Mesh files: STL (binary and ASCII) read and write, PLY (binary little-endian written; ASCII and both binary byte
 * orders read), OBJ read and write, and surface point clouds with normals as PLY or XYZ text.
 *
 * <p>Every file written records how it was made: the STL 80-byte header (or ASCII solid name), a PLY comment, an
 * OBJ or XYZ comment line. Files are written atomically (whole or not at all). Readers reject damaged files with a
 * one-line message. STL corners are welded by exact coordinates, so a mesh written by this class reads back with its
 * shared vertices and stays watertight.
 */
public final class MeshIO {
    /** Mesh file formats, chosen for output by file extension. */
    public enum Format { STL, PLY, OBJ }

    private static final int STL_RECORD = 50;

    private MeshIO() {}

    public static Format formatForName(Path path) {
        String n = path.getFileName().toString().toLowerCase(Locale.ROOT);
        if (n.endsWith(".stl")) return Format.STL;
        if (n.endsWith(".ply")) return Format.PLY;
        if (n.endsWith(".obj")) return Format.OBJ;
        throw new CalvariaException("cannot tell the mesh format of '" + path.getFileName()
                + "'; use a .stl, .ply or .obj name");
    }

    /** True when the name ends in a mesh extension (.stl .ply .obj). */
    public static boolean isMeshName(Path path) {
        String n = path.getFileName().toString().toLowerCase(Locale.ROOT);
        return n.endsWith(".stl") || n.endsWith(".ply") || n.endsWith(".obj");
    }

    /** Writes by extension; {@code asciiStl} selects ASCII for .stl. {@code provenance}: one line, how it was made. */
    public static void write(TriangleMesh mesh, Path path, boolean asciiStl, String provenance) {
        switch (formatForName(path)) {
            case STL:
                if (asciiStl) writeStlAscii(mesh, path, provenance);
                else writeStlBinary(mesh, path, provenance);
                break;
            case PLY: writePly(mesh, path, provenance); break;
            case OBJ: writeObj(mesh, path, provenance); break;
            default: throw new IllegalStateException();
        }
    }

    /** Reads STL, PLY or OBJ; the format is detected from content (OBJ from its extension or first lines). */
    public static TriangleMesh read(Path path) {
        if (!Files.exists(path)) throw new CalvariaException(path + " does not exist");
        if (Files.isDirectory(path)) throw new CalvariaException(path + " is a folder; give a mesh file (.stl .ply .obj)");
        byte[] head = head(path, 1024);
        if (head.length == 0) throw new CalvariaException(path + " is empty (0 bytes)");
        String text = new String(head, StandardCharsets.ISO_8859_1);
        if (text.startsWith("ply\n") || text.startsWith("ply\r\n")) return readPly(path);
        String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".obj") || (!name.endsWith(".stl") && looksLikeObj(text))) return readObj(path);
        if (name.endsWith(".ply")) throw new CalvariaException(path + " does not start with 'ply': not a PLY file");
        return readStl(path);
    }

    private static boolean looksLikeObj(String text) {
        for (String line : text.split("\n", 20)) {
            String l = line.trim();
            if (l.isEmpty() || l.startsWith("#")) continue;
            return l.startsWith("v ") || l.startsWith("o ") || l.startsWith("g ") || l.startsWith("mtllib");
        }
        return false;
    }

    private static byte[] head(Path path, int n) {
        try (InputStream in = Files.newInputStream(path)) {
            return in.readNBytes(n);
        } catch (IOException e) {
            throw new CalvariaException("cannot read " + path + ": " + e.getMessage(), e);
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // STL

    /** Reads a binary or ASCII STL, welding corners with identical coordinates into shared vertices. */
    public static TriangleMesh readStl(Path path) {
        long size;
        try {
            size = Files.size(path);
        } catch (IOException e) {
            throw new CalvariaException("cannot read " + path + ": " + e.getMessage(), e);
        }
        byte[] head = head(path, 1024);
        boolean asciiStart = isAsciiStl(head);
        if (!asciiStart && size >= 84) {
            long declared = ByteBuffer.wrap(head, 80, 4).order(ByteOrder.LITTLE_ENDIAN).getInt() & 0xffffffffL;
            if (84 + STL_RECORD * declared == size) return readStlBinary(path, (int) Math.min(declared, Integer.MAX_VALUE));
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
            throw new CalvariaException(path + " has " + count + " triangles, more than one mesh can hold; decimate it first");
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
        try (Tokens in = new Tokens(Files.newBufferedReader(path, StandardCharsets.ISO_8859_1), path)) {
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

    /** Whitespace-separated tokens with line numbers, for ASCII STL and PLY. */
    private static final class Tokens implements AutoCloseable {
        private final Reader in;
        private final Path path;
        private final char[] buf = new char[1 << 16];
        private int len, pos;
        private int line = 1;
        private final StringBuilder sb = new StringBuilder();

        Tokens(Reader in, Path path) {
            this.in = in;
            this.path = path;
        }

        private int read() throws IOException {
            if (pos == len) {
                len = in.read(buf, 0, buf.length);
                pos = 0;
                if (len <= 0) {
                    len = 0;
                    return -1;
                }
            }
            return buf[pos++];
        }

        String next() throws IOException {
            int c;
            do {
                c = read();
                if (c == '\n') line++;
            } while (c >= 0 && Character.isWhitespace(c));
            if (c < 0) return null;
            sb.setLength(0);
            while (c >= 0 && !Character.isWhitespace(c)) {
                sb.append((char) c);
                c = read();
            }
            if (c == '\n') line++;
            return sb.toString();
        }

        void skipLine() throws IOException {
            // the token just read may have ended the line already
            if (pos > 0 && buf[pos - 1] == '\n') return;
            int c;
            do {
                c = read();
            } while (c >= 0 && c != '\n');
            if (c == '\n') line++;
        }

        void expect(String word) throws IOException {
            String t = next();
            if (t == null) throw error("ends in the middle of a facet: the file is truncated");
            if (!t.equalsIgnoreCase(word)) throw error("has '" + t + "' where '" + word + "' was expected");
        }

        float number() throws IOException {
            String t = next();
            if (t == null) throw error("ends in the middle of a facet: the file is truncated");
            float f;
            try {
                f = Float.parseFloat(t);
            } catch (NumberFormatException e) {
                throw error("has '" + t + "' where a number was expected");
            }
            if (!Float.isFinite(f)) throw error("has a non-finite number '" + t + "'");
            return f;
        }

        CalvariaException error(String what) {
            return new CalvariaException(path + " " + what + " (line " + line + "); the file is corrupt, export it again");
        }

        @Override
        public void close() throws IOException { in.close(); }
    }

    /** Binary STL; the 80-byte header holds the provenance line. */
    public static void writeStlBinary(TriangleMesh mesh, Path path, String provenance) {
        mesh.requireFinite("the mesh for " + path);
        byte[] header = new byte[80];
        byte[] text = ascii(provenance).getBytes(StandardCharsets.US_ASCII);
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
    public static void writeStlAscii(TriangleMesh mesh, Path path, String provenance) {
        mesh.requireFinite("the mesh for " + path);
        String name = ascii(provenance).replace('\n', ' ');
        float[] v = mesh.vertices();
        int[] t = mesh.triangles();
        int n = mesh.triangleCount();
        Outputs.writeAtomically(path, out -> {
            StringBuilder sb = new StringBuilder(1 << 17);
            sb.append("solid ").append(name).append('\n');
            for (int i = 0; i < n; i++) {
                int a = 3 * t[3 * i], b = 3 * t[3 * i + 1], c = 3 * t[3 * i + 2];
                float[] normal = unitNormal(v, a, b, c);
                sb.append("facet normal ").append(normal[0]).append(' ').append(normal[1]).append(' ')
                        .append(normal[2]).append("\n outer loop\n");
                for (int p : new int[] {a, b, c}) {
                    sb.append("  vertex ").append(v[p]).append(' ').append(v[p + 1]).append(' ').append(v[p + 2])
                            .append('\n');
                }
                sb.append(" endloop\nendfacet\n");
                if (sb.length() > (1 << 16)) flush(sb, out);
            }
            sb.append("endsolid ").append(name).append('\n');
            flush(sb, out);
        });
    }

    private static void flush(StringBuilder sb, OutputStream out) throws IOException {
        out.write(sb.toString().getBytes(StandardCharsets.US_ASCII));
        sb.setLength(0);
    }

    private static String ascii(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) b.append(c >= 32 && c < 127 ? c : ' ');
        return b.toString();
    }

    private static float[] unitNormal(float[] v, int a, int b, int c) {
        double ux = v[b] - v[a], uy = v[b + 1] - v[a + 1], uz = v[b + 2] - v[a + 2];
        double wx = v[c] - v[a], wy = v[c + 1] - v[a + 1], wz = v[c + 2] - v[a + 2];
        double nx = uy * wz - uz * wy, ny = uz * wx - ux * wz, nz = ux * wy - uy * wx;
        double len = Math.sqrt(nx * nx + ny * ny + nz * nz);
        if (len == 0) return new float[3];
        return new float[] {(float) (nx / len), (float) (ny / len), (float) (nz / len)};
    }

    // ------------------------------------------------------------------------------------------------------------
    // PLY

    /** Binary little-endian PLY with float x y z vertices and triangle faces. */
    public static void writePly(TriangleMesh mesh, Path path, String provenance) {
        mesh.requireFinite("the mesh for " + path);
        float[] v = mesh.vertices();
        int[] t = mesh.triangles();
        String header = "ply\nformat binary_little_endian 1.0\ncomment " + ascii(provenance) + "\nelement vertex "
                + mesh.vertexCount() + "\nproperty float x\nproperty float y\nproperty float z\nelement face "
                + mesh.triangleCount() + "\nproperty list uchar int vertex_indices\nend_header\n";
        Outputs.writeAtomically(path, out -> {
            out.write(header.getBytes(StandardCharsets.US_ASCII));
            ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
            for (float x : v) {
                if (buf.remaining() < 4) drain(buf, out);
                buf.putFloat(x);
            }
            for (int i = 0; i < t.length; i += 3) {
                if (buf.remaining() < 13) drain(buf, out);
                buf.put((byte) 3).putInt(t[i]).putInt(t[i + 1]).putInt(t[i + 2]);
            }
            drain(buf, out);
        });
    }

    @SuppressWarnings("ByteBufferBackingArray") // buf always comes from ByteBuffer.allocate (array offset 0)
    private static void drain(ByteBuffer buf, OutputStream out) throws IOException {
        out.write(buf.array(), 0, buf.position());
        buf.clear();
    }

    /** Reads PLY (ascii, binary_little_endian, binary_big_endian): the vertex x y z and face vertex lists. */
    public static TriangleMesh readPly(Path path) {
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

    /** Surface points with unit normals (area-weighted vertex normals). PLY (binary) or XYZ text by extension. */
    public static void writePointCloud(TriangleMesh mesh, Path path, String provenance) {
        mesh.requireFinite("the mesh for " + path);
        String n = path.getFileName().toString().toLowerCase(Locale.ROOT);
        TriangleMesh m = mesh.compacted();
        float[] v = m.vertices();
        float[] normals = m.vertexNormals();
        if (n.endsWith(".ply")) {
            String header = "ply\nformat binary_little_endian 1.0\ncomment " + ascii(provenance) + "\nelement vertex "
                    + m.vertexCount() + "\nproperty float x\nproperty float y\nproperty float z\nproperty float nx\n"
                    + "property float ny\nproperty float nz\nend_header\n";
            Outputs.writeAtomically(path, out -> {
                out.write(header.getBytes(StandardCharsets.US_ASCII));
                ByteBuffer buf = ByteBuffer.allocate(24 * 4096).order(ByteOrder.LITTLE_ENDIAN);
                for (int i = 0; i < m.vertexCount(); i++) {
                    if (!buf.hasRemaining()) drain(buf, out);
                    buf.putFloat(v[3 * i]).putFloat(v[3 * i + 1]).putFloat(v[3 * i + 2]);
                    buf.putFloat(normals[3 * i]).putFloat(normals[3 * i + 1]).putFloat(normals[3 * i + 2]);
                }
                drain(buf, out);
            });
        } else if (n.endsWith(".xyz")) {
            Outputs.writeAtomically(path, out -> {
                StringBuilder sb = new StringBuilder(1 << 17);
                sb.append("# ").append(ascii(provenance)).append("; columns: x y z nx ny nz (LPS mm)\n");
                for (int i = 0; i < m.vertexCount(); i++) {
                    sb.append(v[3 * i]).append(' ').append(v[3 * i + 1]).append(' ').append(v[3 * i + 2]).append(' ')
                            .append(normals[3 * i]).append(' ').append(normals[3 * i + 1]).append(' ')
                            .append(normals[3 * i + 2]).append('\n');
                    if (sb.length() > (1 << 16)) flush(sb, out);
                }
                flush(sb, out);
            });
        } else {
            throw new CalvariaException("cannot tell the point cloud format of '" + path.getFileName()
                    + "'; use a .ply or .xyz name");
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // OBJ

    public static void writeObj(TriangleMesh mesh, Path path, String provenance) {
        mesh.requireFinite("the mesh for " + path);
        float[] v = mesh.vertices();
        int[] t = mesh.triangles();
        Outputs.writeAtomically(path, out -> {
            StringBuilder sb = new StringBuilder(1 << 17);
            sb.append("# ").append(ascii(provenance)).append("\n# units: mm, LPS coordinates\n");
            for (int i = 0; i < v.length; i += 3) {
                sb.append("v ").append(v[i]).append(' ').append(v[i + 1]).append(' ').append(v[i + 2]).append('\n');
                if (sb.length() > (1 << 16)) flush(sb, out);
            }
            for (int i = 0; i < t.length; i += 3) {
                sb.append("f ").append(t[i] + 1).append(' ').append(t[i + 1] + 1).append(' ').append(t[i + 2] + 1)
                        .append('\n');
                if (sb.length() > (1 << 16)) flush(sb, out);
            }
            flush(sb, out);
        });
    }

    /** Reads the vertices and faces of an OBJ (polygons are fan-triangulated; other records are ignored). */
    public static TriangleMesh readObj(Path path) {
        GrowableArrays.Floats v = new GrowableArrays.Floats(1 << 12);
        GrowableArrays.Ints tri = new GrowableArrays.Ints(1 << 12);
        int lineNo = 0;
        try (BufferedReader r = Files.newBufferedReader(path, StandardCharsets.ISO_8859_1)) {
            String line;
            List<Integer> face = new ArrayList<>();
            while ((line = r.readLine()) != null) {
                lineNo++;
                String l = line.trim();
                if (l.startsWith("v ") || l.startsWith("v\t")) {
                    String[] p = l.split("\\s+");
                    if (p.length < 4) throw objError(path, lineNo, "a vertex needs three coordinates");
                    float x = parseObj(path, lineNo, p[1]), y = parseObj(path, lineNo, p[2]), z = parseObj(path, lineNo, p[3]);
                    v.add3(x, y, z);
                } else if (l.startsWith("f ") || l.startsWith("f\t")) {
                    String[] p = l.split("\\s+");
                    face.clear();
                    int n = v.size / 3;
                    for (int k = 1; k < p.length; k++) {
                        String idx = p[k];
                        int slash = idx.indexOf('/');
                        if (slash >= 0) idx = idx.substring(0, slash);
                        int i;
                        try {
                            i = Integer.parseInt(idx);
                        } catch (NumberFormatException e) {
                            throw objError(path, lineNo, "'" + p[k] + "' is not a vertex index");
                        }
                        int id = i > 0 ? i - 1 : n + i;
                        if (i == 0 || id < 0 || id >= n) throw objError(path, lineNo, "vertex index " + i + " is out of range");
                        face.add(id);
                    }
                    if (face.size() < 3) throw objError(path, lineNo, "a face needs at least three vertices");
                    for (int k = 1; k + 1 < face.size(); k++) tri.add3(face.get(0), face.get(k), face.get(k + 1));
                }
            }
        } catch (IOException e) {
            throw new CalvariaException("cannot read " + path + ": " + e.getMessage(), e);
        }
        if (tri.size == 0) throw new CalvariaException(path + " has no faces; give a triangle mesh");
        return new TriangleMesh(v.toArray(), tri.toArray());
    }

    private static float parseObj(Path path, int line, String s) {
        try {
            float f = Float.parseFloat(s);
            if (Float.isFinite(f)) return f;
        } catch (NumberFormatException e) {
            // reported below
        }
        throw objError(path, line, "'" + s + "' is not a finite number");
    }

    private static CalvariaException objError(Path path, int line, String what) {
        return new CalvariaException(path + " line " + line + ": " + what + "; the OBJ is corrupt, export it again");
    }

    // ------------------------------------------------------------------------------------------------------------

    private static final class PlyReader {
        private final Path path;
        private final byte[] data;
        private int pos;
        private ByteOrder order;
        private boolean ascii;
        private int textPos;

        PlyReader(Path path, byte[] data) {
            this.path = path;
            this.data = data;
        }

        private CalvariaException error(String what) {
            return new CalvariaException(path + " " + what + "; the PLY is corrupt or unsupported, export it again");
        }

        private static final class Property {
            String name, type, countType;
        }

        private static final class Element {
            String name;
            long count;
            List<Property> properties = new ArrayList<>();
        }

        TriangleMesh read() {
            List<Element> elements = new ArrayList<>();
            String format = null;
            while (true) {
                String line = headerLine();
                if (line == null) throw error("has no 'end_header'");
                String[] p = line.trim().split("\\s+");
                if (p[0].equals("end_header")) break;
                switch (p[0]) {
                    case "format":
                        if (p.length < 2) throw error("has an incomplete 'format' line");
                        format = p[1];
                        break;
                    case "element":
                        if (p.length < 3) throw error("has an incomplete 'element' line");
                        Element e = new Element();
                        e.name = p[1];
                        try {
                            e.count = Long.parseLong(p[2]);
                        } catch (NumberFormatException ex) {
                            throw error("has element count '" + p[2] + "'");
                        }
                        if (e.count < 0 || e.count > Integer.MAX_VALUE / 3) throw error("has element count " + e.count);
                        elements.add(e);
                        break;
                    case "property":
                        if (elements.isEmpty()) throw error("has a property before any element");
                        Property pr = new Property();
                        if (p.length >= 5 && p[1].equals("list")) {
                            pr.countType = p[2];
                            pr.type = p[3];
                            pr.name = p[4];
                        } else if (p.length >= 3) {
                            pr.type = p[1];
                            pr.name = p[2];
                        } else {
                            throw error("has an incomplete 'property' line");
                        }
                        size(pr.type);
                        if (pr.countType != null) size(pr.countType);
                        elements.get(elements.size() - 1).properties.add(pr);
                        break;
                    default:
                        break; // comment, obj_info
                }
            }
            if (format == null) throw error("has no 'format' line");
            switch (format) {
                case "ascii": ascii = true; break;
                case "binary_little_endian": order = ByteOrder.LITTLE_ENDIAN; break;
                case "binary_big_endian": order = ByteOrder.BIG_ENDIAN; break;
                default: throw error("has unknown format '" + format + "'");
            }
            if (ascii) textPos = pos;
            // Before allocating: every item takes at least some bytes (ASCII: a character and a separator per
            // property; binary: the fixed sizes), so the counts must fit in what the file holds after its header.
            long least = 0;
            for (Element e : elements) {
                if (e.count > 0 && e.properties.isEmpty()) {
                    throw error("declares " + e.count + " '" + e.name + "' items without properties");
                }
                long per = 0;
                for (Property pr : e.properties) {
                    per += ascii ? 2 : size(pr.countType != null ? pr.countType : pr.type);
                }
                least += e.count * per;
            }
            if (least - (ascii ? 1 : 0) > data.length - (long) pos) { // (the last ASCII value needs no separator)
                throw error("declares at least " + least + " bytes of data but holds " + (data.length - pos)
                        + " after its header (truncated, or its counts are wrong)");
            }
            float[] vertices = null;
            GrowableArrays.Ints tri = new GrowableArrays.Ints(1 << 12);
            int vertexCount = 0;
            for (Element e : elements) {
                boolean isVertex = e.name.equals("vertex"), isFace = e.name.equals("face");
                int xi = -1, yi = -1, zi = -1, fi = -1;
                for (int k = 0; k < e.properties.size(); k++) {
                    String n = e.properties.get(k).name;
                    if (n.equals("x")) xi = k;
                    if (n.equals("y")) yi = k;
                    if (n.equals("z")) zi = k;
                    if (n.equals("vertex_indices") || n.equals("vertex_index")) fi = k;
                }
                if (isVertex) {
                    if (xi < 0 || yi < 0 || zi < 0) throw error("has vertices without x, y and z");
                    vertices = new float[(int) (3 * e.count)];
                    vertexCount = (int) e.count;
                }
                if (isFace && fi < 0) throw error("has faces without a vertex_indices list");
                if (isFace && e.properties.get(fi).countType == null) throw error("has vertex_indices that is not a list");
                int[] face = new int[16];
                for (long r = 0; r < e.count; r++) {
                    for (int k = 0; k < e.properties.size(); k++) {
                        Property pr = e.properties.get(k);
                        if (pr.countType != null) {
                            long n = (long) value(pr.countType);
                            if (n < 0 || n > 1 << 20) throw error("has a list of " + n + " entries");
                            if (isFace && k == fi) {
                                if (n > face.length) face = new int[(int) n];
                                for (int q = 0; q < n; q++) {
                                    double id = value(pr.type);
                                    if (id < 0 || id >= vertexCount || id != Math.rint(id)) {
                                        throw error("has a face with vertex index " + id + " (there are " + vertexCount + ")");
                                    }
                                    face[q] = (int) id;
                                }
                                for (int q = 1; q + 1 < n; q++) tri.add3(face[0], face[q], face[q + 1]);
                            } else {
                                for (int q = 0; q < n; q++) value(pr.type);
                            }
                        } else {
                            double x = value(pr.type);
                            if (isVertex && (k == xi || k == yi || k == zi)) {
                                if (!Double.isFinite(x)) throw error("has a non-finite vertex coordinate");
                                vertices[(int) (3 * r) + (k == xi ? 0 : k == yi ? 1 : 2)] = (float) x;
                            }
                        }
                    }
                }
            }
            if (vertices == null || tri.size == 0) throw error("has no vertices or no faces");
            return new TriangleMesh(vertices, tri.toArray());
        }

        private String headerLine() {
            if (pos >= data.length) return null;
            int start = pos;
            while (pos < data.length && data[pos] != '\n') pos++;
            String line = new String(data, start, pos - start, StandardCharsets.ISO_8859_1);
            if (pos < data.length) pos++;
            return line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
        }

        private int size(String type) {
            switch (type) {
                case "char": case "uchar": case "int8": case "uint8": return 1;
                case "short": case "ushort": case "int16": case "uint16": return 2;
                case "int": case "uint": case "int32": case "uint32": case "float": case "float32": return 4;
                case "double": case "float64": return 8;
                default: throw error("has unknown property type '" + type + "'");
            }
        }

        private double value(String type) {
            if (ascii) {
                String t = nextText();
                try {
                    return Double.parseDouble(t);
                } catch (NumberFormatException e) {
                    throw error("has '" + t + "' where a number was expected");
                }
            }
            int n = size(type);
            if (pos + n > data.length) throw error("ends early: the file is truncated");
            ByteBuffer b = ByteBuffer.wrap(data, pos, n).order(order);
            pos += n;
            switch (type) {
                case "char": case "int8": return b.get();
                case "uchar": case "uint8": return b.get() & 0xff;
                case "short": case "int16": return b.getShort();
                case "ushort": case "uint16": return b.getShort() & 0xffff;
                case "int": case "int32": return b.getInt();
                case "uint": case "uint32": return b.getInt() & 0xffffffffL;
                case "float": case "float32": return b.getFloat();
                default: return b.getDouble();
            }
        }

        private String nextText() {
            while (textPos < data.length && data[textPos] <= ' ') textPos++;
            if (textPos >= data.length) throw error("ends early: the file is truncated");
            int start = textPos;
            while (textPos < data.length && data[textPos] > ' ') textPos++;
            return new String(data, start, textPos - start, StandardCharsets.ISO_8859_1);
        }
    }
}
