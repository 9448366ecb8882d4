package org.calvaria.mesh;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.calvaria.CalvariaException;

/** Parses a PLY held in memory: the header, then the vertex x y z and the face vertex lists (fan-triangulated). */
final class PlyReader {
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
            case "ascii":
                ascii = true;
                break;
            case "binary_little_endian":
                order = ByteOrder.LITTLE_ENDIAN;
                break;
            case "binary_big_endian":
                order = ByteOrder.BIG_ENDIAN;
                break;
            default:
                throw error("has unknown format '" + format + "'");
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
                                    throw error(
                                            "has a face with vertex index " + id + " (there are " + vertexCount + ")");
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
            case "char":
            case "uchar":
            case "int8":
            case "uint8":
                return 1;
            case "short":
            case "ushort":
            case "int16":
            case "uint16":
                return 2;
            case "int":
            case "uint":
            case "int32":
            case "uint32":
            case "float":
            case "float32":
                return 4;
            case "double":
            case "float64":
                return 8;
            default:
                throw error("has unknown property type '" + type + "'");
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
            case "char":
            case "int8":
                return b.get();
            case "uchar":
            case "uint8":
                return b.get() & 0xff;
            case "short":
            case "int16":
                return b.getShort();
            case "ushort":
            case "uint16":
                return b.getShort() & 0xffff;
            case "int":
            case "int32":
                return b.getInt();
            case "uint":
            case "uint32":
                return b.getInt() & 0xffffffffL;
            case "float":
            case "float32":
                return b.getFloat();
            default:
                return b.getDouble();
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
