package org.calvaria.mesh;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.calvaria.CalvariaException;
import org.calvaria.files.Outputs;

/** Wavefront OBJ: vertices and faces written with a provenance comment; read with polygons fan-triangulated. */
final class ObjFormat {
    private ObjFormat() {}

    static void write(TriangleMesh mesh, Path path, String provenance) {
        mesh.requireFinite("the mesh for " + path);
        float[] v = mesh.vertices();
        int[] t = mesh.triangles();
        Outputs.writeAtomically(path, out -> {
            StringBuilder sb = new StringBuilder(1 << 17);
            sb.append("# ").append(MeshFiles.ascii(provenance)).append("\n# units: mm, LPS coordinates\n");
            for (int i = 0; i < v.length; i += 3) {
                sb.append("v ")
                        .append(v[i])
                        .append(' ')
                        .append(v[i + 1])
                        .append(' ')
                        .append(v[i + 2])
                        .append('\n');
                if (sb.length() > (1 << 16)) MeshFiles.flush(sb, out);
            }
            for (int i = 0; i < t.length; i += 3) {
                sb.append("f ")
                        .append(t[i] + 1)
                        .append(' ')
                        .append(t[i + 1] + 1)
                        .append(' ')
                        .append(t[i + 2] + 1)
                        .append('\n');
                if (sb.length() > (1 << 16)) MeshFiles.flush(sb, out);
            }
            MeshFiles.flush(sb, out);
        });
    }

    /** Reads the vertices and faces of an OBJ (polygons are fan-triangulated; other records are ignored). */
    static TriangleMesh read(Path path) {
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
                    float x = parseObj(path, lineNo, p[1]),
                            y = parseObj(path, lineNo, p[2]),
                            z = parseObj(path, lineNo, p[3]);
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
                        if (i == 0 || id < 0 || id >= n)
                            throw objError(path, lineNo, "vertex index " + i + " is out of range");
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
}
