package org.calvaria.mesh;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.calvaria.CalvariaException;

/**
 * Mesh files: STL (binary and ASCII) read and write, PLY (binary little-endian written; ASCII and both binary byte
 * orders read), OBJ read and write, and surface point clouds with normals as PLY or XYZ text.
 *
 * <p>Every file written records how it was made: the STL 80-byte header (or ASCII solid name), a PLY comment, an
 * OBJ or XYZ comment line. Files are written atomically (whole or not at all). Readers reject damaged files with a
 * one-line message. STL corners are welded by exact coordinates, so a mesh written by this class reads back with its
 * shared vertices and stays watertight.
 *
 * <p>This class chooses the format; each format has its own class ({@link StlFormat}, {@link PlyFormat},
 * {@link ObjFormat}, {@link PointCloudFormat}).
 */
public final class MeshIO {
    /** Mesh file formats, chosen for output by file extension. */
    public enum Format {
        STL,
        PLY,
        OBJ
    }

    private MeshIO() {}

    public static Format formatForName(Path path) {
        String n = path.getFileName().toString().toLowerCase(Locale.ROOT);
        if (n.endsWith(".stl")) return Format.STL;
        if (n.endsWith(".ply")) return Format.PLY;
        if (n.endsWith(".obj")) return Format.OBJ;
        throw new CalvariaException(
                "cannot tell the mesh format of '" + path.getFileName() + "'; use a .stl, .ply or .obj name");
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
                if (asciiStl) StlFormat.writeAscii(mesh, path, provenance);
                else StlFormat.writeBinary(mesh, path, provenance);
                break;
            case PLY:
                PlyFormat.write(mesh, path, provenance);
                break;
            case OBJ:
                ObjFormat.write(mesh, path, provenance);
                break;
            default:
                throw new IllegalStateException();
        }
    }

    /** Reads STL, PLY or OBJ; the format is detected from content (OBJ from its extension or first lines). */
    public static TriangleMesh read(Path path) {
        if (!Files.exists(path)) throw new CalvariaException(path + " does not exist");
        if (Files.isDirectory(path))
            throw new CalvariaException(path + " is a folder; give a mesh file (.stl .ply .obj)");
        byte[] head = MeshFiles.head(path, 1024);
        if (head.length == 0) throw new CalvariaException(path + " is empty (0 bytes)");
        String text = new String(head, StandardCharsets.ISO_8859_1);
        if (text.startsWith("ply\n") || text.startsWith("ply\r\n")) return PlyFormat.read(path);
        String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".obj") || (!name.endsWith(".stl") && looksLikeObj(text))) return ObjFormat.read(path);
        if (name.endsWith(".ply")) throw new CalvariaException(path + " does not start with 'ply': not a PLY file");
        return StlFormat.read(path);
    }

    private static boolean looksLikeObj(String text) {
        for (String line : text.split("\n", 20)) {
            String l = line.trim();
            if (l.isEmpty() || l.startsWith("#")) continue;
            return l.startsWith("v ") || l.startsWith("o ") || l.startsWith("g ") || l.startsWith("mtllib");
        }
        return false;
    }

    /** Reads a binary or ASCII STL, welding corners with identical coordinates into shared vertices. */
    public static TriangleMesh readStl(Path path) {
        return StlFormat.read(path);
    }

    /** Binary STL; the 80-byte header holds the provenance line. */
    public static void writeStlBinary(TriangleMesh mesh, Path path, String provenance) {
        StlFormat.writeBinary(mesh, path, provenance);
    }

    /** ASCII STL; the solid's name holds the provenance line. Coordinates are written exactly (shortest form). */
    public static void writeStlAscii(TriangleMesh mesh, Path path, String provenance) {
        StlFormat.writeAscii(mesh, path, provenance);
    }

    /** Binary little-endian PLY with float x y z vertices and triangle faces. */
    public static void writePly(TriangleMesh mesh, Path path, String provenance) {
        PlyFormat.write(mesh, path, provenance);
    }

    /** Reads PLY (ascii, binary_little_endian, binary_big_endian): the vertex x y z and face vertex lists. */
    public static TriangleMesh readPly(Path path) {
        return PlyFormat.read(path);
    }

    /** Surface points with unit normals (area-weighted vertex normals). PLY (binary) or XYZ text by extension. */
    public static void writePointCloud(TriangleMesh mesh, Path path, String provenance) {
        PointCloudFormat.write(mesh, path, provenance);
    }

    public static void writeObj(TriangleMesh mesh, Path path, String provenance) {
        ObjFormat.write(mesh, path, provenance);
    }

    /** Reads the vertices and faces of an OBJ (polygons are fan-triangulated; other records are ignored). */
    public static TriangleMesh readObj(Path path) {
        return ObjFormat.read(path);
    }
}
