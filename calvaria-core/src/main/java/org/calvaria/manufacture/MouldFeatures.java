package org.calvaria.manufacture;

import java.util.ArrayList;
import java.util.List;
import org.calvaria.volume.Geometry;
import org.calvaria.volume.MaskVolume;

/** The mould's registration keys, pour spout and vent, cut into the halves. */
final class MouldFeatures {
    private MouldFeatures() {}

    /** Registration keys on the flange: farthest-point choice among columns at one key radius + 1 mm off the rim; returns their centres. */
    static List<double[]> placeKeys(
            Geometry g, Mould.Options o, float[] d2, double[] h, MaskVolume outer, MaskVolume inner) {
        int nx = g.nx(), cols = g.nx() * g.ny();
        double s = o.voxelMm();
        double keyDist = o.keyRadiusMm() + 1;
        List<int[]> candidates = new ArrayList<>();
        for (int c = 0; c < cols; c++) {
            double d = Math.sqrt(d2[c]);
            if (Math.abs(d - keyDist) <= s * 0.75) candidates.add(new int[] {c % nx, c / nx});
        }
        List<int[]> keys = MouldFrame.farthestPoints(candidates, 4);
        double kr = o.keyRadiusMm() / s, sock = (o.keyRadiusMm() + 0.3) / s;
        List<double[]> keyCentres = new ArrayList<>();
        for (int[] key : keys) {
            int c = key[0] + nx * key[1];
            double cz = Math.floor(h[c]) + 0.5; // on the parting plane between voxel layers
            keyCentres.add(g.indexToPhysical(key[0], key[1], cz));
            int r = (int) Math.ceil(sock) + 1;
            for (int z = (int) cz - r; z <= (int) cz + r + 1; z++) {
                for (int yy = key[1] - r; yy <= key[1] + r; yy++) {
                    for (int xx = key[0] - r; xx <= key[0] + r; xx++) {
                        if (!g.contains(xx, yy, z) || z <= cz) continue;
                        double dd = Math.sqrt(
                                (xx - key[0]) * (xx - key[0]) + (yy - key[1]) * (yy - key[1]) + (z - cz) * (z - cz));
                        if (dd <= kr && outer.isSet(xx, yy, z)) {
                            outer.set(xx, yy, z, false);
                            inner.set(xx, yy, z, true);
                        } else if (dd <= sock) {
                            outer.set(xx, yy, z, false);
                        }
                    }
                }
            }
        }
        return keyCentres;
    }

    /** Pour spout at the highest cavity point, vent at the highest point at least 15 mm (or 4 spout radii) away; returns {spout, vent} columns (vent -1: none). */
    static int[] spoutAndVent(
            Geometry g, Mould.Options o, int[] zTop, double[] h, MaskVolume outer, List<String> warnings) {
        int nx = g.nx(), cols = g.nx() * g.ny();
        double s = o.voxelMm();
        int spout = -1;
        for (int c = 0; c < cols; c++) if (zTop[c] >= 0 && (spout < 0 || zTop[c] > zTop[spout])) spout = c;
        double minApart = Math.max(15, 4 * o.spoutRadiusMm()) / s;
        int vent = -1;
        for (int c = 0; c < cols; c++) {
            if (zTop[c] < 0) continue;
            double dx = c % nx - spout % nx, dy = c / nx - spout / nx;
            if (dx * dx + dy * dy < minApart * minApart) continue;
            if (vent < 0 || zTop[c] > zTop[vent]) vent = c;
        }
        drill(outer, g, spout, o.spoutRadiusMm() / s, zTop, h);
        if (vent >= 0) drill(outer, g, vent, o.ventRadiusMm() / s, zTop, h);
        else warnings.add("the implant is too small for a separate vent 15 mm from the pour spout; the spout vents");
        return new int[] {spout, vent};
    }

    /** Removes a vertical channel of the given radius (voxels) from the outer half, above the cavity or parting. */
    static void drill(MaskVolume outer, Geometry g, int column, double radius, int[] zTop, double[] h) {
        int nx = g.nx(), ny = g.ny(), nz = g.nz();
        int cx = column % nx, cy = column / nx;
        int r = (int) Math.ceil(radius);
        for (int y = cy - r; y <= cy + r; y++) {
            for (int x = cx - r; x <= cx + r; x++) {
                if (x < 0 || y < 0 || x >= nx || y >= ny) continue;
                if ((x - cx) * (x - cx) + (y - cy) * (y - cy) > radius * radius) continue;
                int c = x + nx * y;
                int from = zTop[c] >= 0 ? zTop[c] + 1 : (int) Math.floor(h[c]) + 1;
                for (int z = Math.max(0, from); z < nz; z++) outer.set(x, y, z, false);
            }
        }
    }
}
