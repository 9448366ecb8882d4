package org.calvaria.manufacture;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.calvaria.files.Outputs;
import org.calvaria.mesh.TriangleMesh;
import org.calvaria.render.PreviewRenderer;

/**
 * The wall-thickness map of an implant as files: a mesh with the thickness (mm) of every vertex, for the web viewer
 * and for MeshLab or 3D Slicer, and a picture coloured by thickness with a scale in millimetres.
 *
 * <p>The mesh is a binary little-endian PLY: per vertex {@code float x y z} (LPS mm, the STL's coordinates),
 * {@code uchar red green blue} (the colour of the picture's scale) and {@code float thickness} (mm; -1 where the
 * vertex has no value: its inward ray found no opposite surface within {@link Thickness#MAX_RAY_MM}, which happens on
 * the rim's side walls); faces as {@code list uchar int vertex_indices}, outward-facing. The vertices and faces are
 * exactly the implant STL's.
 */
public final class ThicknessMap {
    /** The scale runs from 0 to this many mm (thicker places get the last colour). */
    public static final double SCALE_MAX_MM = 10;
    /** Colour of vertices without a value. */
    public static final Color NO_VALUE = new Color(150, 150, 150);

    /** Colour stops of the scale, at fractions of {@link #SCALE_MAX_MM}: red (thin) - yellow - green - blue (thick). */
    private static final double[] STOPS = {0, 0.2, 0.35, 0.5, 0.7, 1};

    private static final int[][] RGB = {
        {165, 0, 38}, {244, 109, 67}, {254, 224, 139}, {217, 239, 139}, {102, 189, 99}, {49, 104, 170}
    };

    private ThicknessMap() {}

    /** The scale's colour for a thickness in mm (NaN: {@link #NO_VALUE}). */
    public static Color colour(double mm) {
        if (!Double.isFinite(mm)) return NO_VALUE;
        double t = Math.max(0, Math.min(1, mm / SCALE_MAX_MM));
        int k = 0;
        while (k < STOPS.length - 2 && t > STOPS[k + 1]) k++;
        double f = (t - STOPS[k]) / (STOPS[k + 1] - STOPS[k]);
        int[] a = RGB[k], b = RGB[k + 1];
        return new Color((int) Math.round(a[0] + f * (b[0] - a[0])), (int) Math.round(a[1] + f * (b[1] - a[1])), (int)
                Math.round(a[2] + f * (b[2] - a[2])));
    }

    /** 0xRRGGBB per vertex. */
    public static int[] vertexColours(double[] thicknessMm) {
        int[] c = new int[thicknessMm.length];
        for (int i = 0; i < c.length; i++) c[i] = colour(thicknessMm[i]).getRGB() & 0xffffff;
        return c;
    }

    /** Writes the PLY described above (atomically, so it joins an open output set). */
    public static void writePly(TriangleMesh mesh, double[] thicknessMm, Path path, String provenance) {
        if (thicknessMm.length != mesh.vertexCount()) {
            throw new IllegalArgumentException("one thickness per vertex needed");
        }
        mesh.requireFinite("the thickness map for " + path);
        float[] v = mesh.vertices();
        int[] t = mesh.triangles();
        int[] rgb = vertexColours(thicknessMm);
        String header = "ply\nformat binary_little_endian 1.0\ncomment " + ascii(provenance)
                + "\ncomment thickness: wall thickness in mm along the inward normal; -1 = no value"
                + "\ncomment coordinates: LPS millimetres\nelement vertex " + mesh.vertexCount()
                + "\nproperty float x\nproperty float y\nproperty float z\nproperty uchar red\nproperty uchar green"
                + "\nproperty uchar blue\nproperty float thickness\nelement face " + mesh.triangleCount()
                + "\nproperty list uchar int vertex_indices\nend_header\n";
        Outputs.writeAtomically(path, out -> {
            out.write(header.getBytes(StandardCharsets.US_ASCII));
            ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < mesh.vertexCount(); i++) {
                if (buf.remaining() < 19) drain(buf, out);
                buf.putFloat(v[3 * i]).putFloat(v[3 * i + 1]).putFloat(v[3 * i + 2]);
                buf.put((byte) (rgb[i] >> 16)).put((byte) (rgb[i] >> 8)).put((byte) rgb[i]);
                double th = thicknessMm[i];
                buf.putFloat(Double.isFinite(th) ? (float) th : -1f);
            }
            for (int i = 0; i < t.length; i += 3) {
                if (buf.remaining() < 13) drain(buf, out);
                buf.put((byte) 3).putInt(t[i]).putInt(t[i + 1]).putInt(t[i + 2]);
            }
            drain(buf, out);
        });
    }

    /** The implant coloured by thickness (top and isometric views) with the scale in mm underneath. */
    public static BufferedImage render(TriangleMesh mesh, double[] thicknessMm, String title, int viewSize) {
        PreviewRenderer r = new PreviewRenderer(viewSize);
        BufferedImage img = r.render(
                List.of(new PreviewRenderer.Layer(mesh, PreviewRenderer.IMPLANT, vertexColours(thicknessMm))), title);
        return r.withColourBar(
                img,
                new PreviewRenderer.ColourBar(
                        "wall thickness, mm (grey: rim side wall)", 0, SCALE_MAX_MM, ThicknessMap::colour, 1));
    }

    /** Writes {@link #render} as a PNG (atomically). */
    public static void writePng(TriangleMesh mesh, double[] thicknessMm, String title, Path png) {
        PreviewRenderer.writePng(render(mesh, thicknessMm, title, 500), png);
    }

    @SuppressWarnings("ByteBufferBackingArray") // buf always comes from ByteBuffer.allocate (array offset 0)
    private static void drain(ByteBuffer buf, OutputStream out) throws IOException {
        out.write(buf.array(), 0, buf.position());
        buf.clear();
    }

    private static String ascii(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) b.append(c >= 32 && c < 127 ? c : '?');
        return b.toString();
    }
}
