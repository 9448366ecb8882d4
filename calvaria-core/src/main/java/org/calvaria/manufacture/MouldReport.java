package org.calvaria.manufacture;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.calvaria.mesh.TriangleMesh;
import org.calvaria.volume.Geometry;
import org.calvaria.volume.MaskVolume;

/** The mould's draft (undercut) check and the pieces of its report. */
final class MouldReport {
    private MouldReport() {}

    /** Undercut check on the cavity's faces (a half must not have cavity on the side it is pulled towards); returns {outerBlocked, innerBlocked}. */
    static long[] undercuts(
            MaskVolume cavity, MaskVolume outer, MaskVolume inner, int reentrantColumns, List<String> warnings) {
        Geometry g = cavity.geometry();
        int nx = g.nx(), ny = g.ny(), nz = g.nz();
        long outerBlocked = 0, innerBlocked = 0;
        for (int z = 0; z < nz; z++) {
            for (int y = 0; y < ny; y++) {
                for (int x = 0; x < nx; x++) {
                    if (!cavity.isSet(x, y, z)) continue;
                    if (z > 0 && outer.isSet(x, y, z - 1)) outerBlocked++;
                    if (z + 1 < nz && inner.isSet(x, y, z + 1)) innerBlocked++;
                }
            }
        }
        if (reentrantColumns > 0 || outerBlocked + innerBlocked > 0) {
            warnings.add(String.format(
                    Locale.ROOT,
                    "the implant cannot be moulded in two parts along its plate normal:"
                            + " %d column(s) along the pull direction pass through it twice (a re-entrant or folded shape),"
                            + " leaving %d cavity face(s) that lock a half; check the implant or cast it another way",
                    reentrantColumns,
                    outerBlocked + innerBlocked));
        }
        return new long[] {outerBlocked, innerBlocked};
    }

    static Map<String, Object> describeHalf(MaskVolume half, TriangleMesh mesh, String file, Mould.Options o) {
        Geometry g = half.geometry();
        int[] lo = {Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE};
        int[] hi = {-1, -1, -1};
        int nx = g.nx(), ny = g.ny();
        half.forEachSet(i -> {
            int[] p = {i % nx, (i / nx) % ny, i / (nx * ny)};
            for (int q = 0; q < 3; q++) {
                lo[q] = Math.min(lo[q], p[q]);
                hi[q] = Math.max(hi[q], p[q]);
            }
        });
        double s = o.voxelMm();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("file", file);
        m.put("printSizeMm", new double[] {
            Thickness.r2((hi[0] - lo[0] + 1) * s),
            Thickness.r2((hi[1] - lo[1] + 1) * s),
            Thickness.r2((hi[2] - lo[2] + 1) * s)
        });
        m.put("printSizeAxes", "in-plane, in-plane, along the pull direction (print it standing on its flat face)");
        m.put("volumeMl", Math.round(half.cardinality() * g.voxelVolumeMm3() / 10) / 100.0);
        m.put("triangles", mesh.triangleCount());
        m.put("watertight", mesh.isWatertight());
        return m;
    }

    static double[] round(double[] x, int digits) {
        double f = Math.pow(10, digits);
        double[] r = new double[x.length];
        for (int i = 0; i < x.length; i++) r[i] = Math.round(x[i] * f) / f;
        return r;
    }
}
