package org.calvaria.web;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.calvaria.Json;
import org.calvaria.mesh.MeshIO;
import org.calvaria.mesh.TriangleMesh;
import org.calvaria.normalise.Hole;

/**
 * The holes' rims for the page: the points as JSON (physical LPS mm, at most {@link #MAX_POINTS} per hole), and a
 * small mesh of markers along them for the 3-D view. The viewer's world is RAS (like NIfTI), so the marker mesh has
 * x and y negated; it is a view file, not a download.
 */
final class RimMarks {
    static final int MAX_POINTS = 300;
    /** Half the size of one marker, mm. */
    static final double MARKER_MM = 1.6;

    private RimMarks() {}

    /** Every k-th point, so that at most {@code max} remain (in their order). */
    static List<double[]> subsample(List<double[]> rim, int max) {
        if (rim.size() <= max) return rim;
        int step = (rim.size() + max - 1) / max;
        List<double[]> out = new ArrayList<>();
        for (int i = 0; i < rim.size(); i += step) out.add(rim.get(i));
        return out;
    }

    /** {"holes": [{region, centre_mm, closedFraction, rim_mm: [[x, y, z], ...]}]}; closed may be null. */
    static Map<String, Object> json(List<Hole> holes, List<Double> closed) {
        List<Map<String, Object>> list = new ArrayList<>();
        for (int k = 0; k < holes.size(); k++) {
            Hole h = holes.get(k);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("region", h.region());
            m.put("centre_mm", round(h.centreMm()));
            m.put("outward_normal", round(h.normal()));
            if (closed != null && k < closed.size()) m.put("closedFraction", closed.get(k));
            List<double[]> pts = new ArrayList<>();
            for (double[] p : subsample(h.rim(), MAX_POINTS)) pts.add(round(p));
            m.put("rim_mm", pts);
            list.add(m);
        }
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("space", "LPS mm");
        root.put("holes", list);
        return root;
    }

    /** Octahedra at the (subsampled) rim points, in RAS mm for the viewer; null when there are no points. */
    static TriangleMesh markers(List<Hole> holes) {
        List<double[]> pts = new ArrayList<>();
        for (Hole h : holes) pts.addAll(subsample(h.rim(), MAX_POINTS));
        if (pts.isEmpty()) return null;
        float[] v = new float[pts.size() * 6 * 3];
        int[] t = new int[pts.size() * 8 * 3];
        int[][] faces = {{0, 2, 4}, {2, 1, 4}, {1, 3, 4}, {3, 0, 4}, {2, 0, 5}, {1, 2, 5}, {3, 1, 5}, {0, 3, 5}};
        double r = MARKER_MM;
        for (int p = 0; p < pts.size(); p++) {
            double x = -pts.get(p)[0], y = -pts.get(p)[1], z = pts.get(p)[2];
            double[][] corners = {
                {x + r, y, z}, {x - r, y, z}, {x, y + r, z}, {x, y - r, z}, {x, y, z + r}, {x, y, z - r}
            };
            for (int c = 0; c < 6; c++) {
                for (int a = 0; a < 3; a++) v[(p * 6 + c) * 3 + a] = (float) corners[c][a];
            }
            for (int f = 0; f < 8; f++) {
                for (int a = 0; a < 3; a++) t[(p * 8 + f) * 3 + a] = p * 6 + faces[f][a];
            }
        }
        return new TriangleMesh(v, t);
    }

    /** Writes {@code holes.json} and, when there are rim points, {@code rims.stl}; answers the mesh's path or null. */
    static java.nio.file.Path write(List<Hole> holes, List<Double> closed, java.nio.file.Path folder)
            throws java.io.IOException {
        Json.compact().writeValue(folder.resolve("holes.json").toFile(), json(holes, closed));
        TriangleMesh m = markers(holes);
        if (m == null) return null;
        java.nio.file.Path stl = folder.resolve("rims.stl");
        MeshIO.writeStlBinary(m, stl, "defect rim markers (RAS mm, for the viewer)");
        return stl;
    }

    private static double[] round(double[] v) {
        double[] r = new double[v.length];
        for (int i = 0; i < v.length; i++) r[i] = Math.round(v[i] * 100) / 100.0;
        return r;
    }
}
