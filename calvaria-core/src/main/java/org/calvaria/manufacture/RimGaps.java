package org.calvaria.manufacture;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.IntStream;
import org.calvaria.mesh.MarchingCubes;
import org.calvaria.mesh.TriangleMesh;
import org.calvaria.volume.Geometry;
import org.calvaria.volume.MaskVolume;

/**
 * The gap between an implant mesh and the bone, measured on the mesh's own vertices against the skull mask's surface
 * (its marching-cubes surface, half-way between bone and non-bone voxel centres, with exact point-to-triangle
 * distances). A vertex faces bone when the ray along its outward normal meets the skull within
 * {@link #FACING_MM}; the rim figures are over those vertices.
 */
public final class RimGaps {
    /** How far along its outward normal a vertex looks for bone to count as facing it. */
    public static final double FACING_MM = 5;
    /** Distances are exact up to this; farther bone counts as this far (the rim figures never reach it). */
    static final double MAX_MM = FACING_MM;
    /** Rounds of one-ring averaging of the normals the facing rays are cast along. */
    static final int FACING_NORMAL_SMOOTHING = 2;

    /**
     * Per vertex: gap to the skull surface (mm; negative when the vertex lies in bone) and whether it faces bone.
     * Gaps are exact up to {@link #MAX_MM} for bone-facing vertices; for the others they are exact below the
     * smallest bone-facing gap and hold that value otherwise (a lower bound), which keeps {@link #minOverall()} exact.
     */
    public record Gaps(double[] gapMm, boolean[] facesBone) {
        public int facingCount() {
            int n = 0;
            for (boolean b : facesBone) if (b) n++;
            return n;
        }

        /** Smallest gap over every vertex. */
        public double minOverall() {
            double m = Double.POSITIVE_INFINITY;
            for (double g : gapMm) m = Math.min(m, g);
            return m;
        }

        /** {min, median, max} of the gap over the bone-facing vertices (NaN when none). */
        public double[] rim() {
            double[] v = new double[gapMm.length];
            int k = 0;
            for (int i = 0; i < gapMm.length; i++) if (facesBone[i]) v[k++] = gapMm[i];
            if (k == 0) return new double[] {Double.NaN, Double.NaN, Double.NaN};
            v = Arrays.copyOf(v, k);
            Arrays.sort(v);
            return new double[] {v[0], Thickness.percentile(v, 0.5), v[k - 1]};
        }

        public Map<String, Object> describe(double clearanceMm) {
            double[] r = rim();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("clearanceMm", clearanceMm);
            m.put("rimGapMinMm", Thickness.r2(r[0]));
            m.put("rimGapMedianMm", Thickness.r2(r[1]));
            m.put("rimGapMaxMm", Thickness.r2(r[2]));
            m.put("smallestGapAnyVertexMm", Thickness.r2(minOverall()));
            m.put("boneFacingVertices", facingCount());
            m.put("measuredOn", "final mesh vertices against the skull mask's surface");
            return m;
        }

        public String line() {
            double[] r = rim();
            return String.format(
                    Locale.ROOT,
                    "gap to bone along the rim: smallest %.2f mm, median %.2f mm, largest"
                            + " %.2f mm (%d bone-facing vertices)",
                    r[0],
                    r[1],
                    r[2],
                    facingCount());
        }
    }

    private RimGaps() {}

    /** Gaps of {@code mesh}'s vertices to {@code skull}, looking at bone within {@link #MAX_MM} of the mesh. */
    public static Gaps measure(TriangleMesh mesh, MaskVolume skull) {
        return measure(new OneRing(mesh), skull);
    }

    /** The same, casting along {@code ring}'s normals (which the thickness map then continues smoothing). */
    static Gaps measure(OneRing ring, MaskVolume skull) {
        TriangleMesh mesh = ring.mesh();
        Geometry g = skull.geometry();
        // The skull's surface near the implant only: crop the skull to the mesh's box plus a margin.
        double[] b = mesh.boundingBox();
        int[] lo = {Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE};
        int[] hi = {Integer.MIN_VALUE, Integer.MIN_VALUE, Integer.MIN_VALUE};
        double[] idx = new double[3];
        double m = MAX_MM;
        for (int c = 0; c < 8; c++) {
            g.physicalToIndex(
                    (c & 1) == 0 ? b[0] - m : b[3] + m,
                    (c & 2) == 0 ? b[1] - m : b[4] + m,
                    (c & 4) == 0 ? b[2] - m : b[5] + m,
                    idx);
            for (int a = 0; a < 3; a++) {
                lo[a] = Math.min(lo[a], (int) Math.floor(idx[a]));
                hi[a] = Math.max(hi[a], (int) Math.ceil(idx[a]));
            }
        }
        int[] n = g.sizes();
        for (int a = 0; a < 3; a++) {
            lo[a] = Math.max(0, lo[a]);
            hi[a] = Math.min(n[a] - 1, hi[a]);
        }
        int nv = mesh.vertexCount();
        double[] gap = new double[nv];
        boolean[] facing = new boolean[nv];
        if (lo[0] > hi[0] || lo[1] > hi[1] || lo[2] > hi[2]) {
            Arrays.fill(gap, MAX_MM);
            return new Gaps(gap, facing);
        }
        MaskVolume part =
                new Crop(lo[0], lo[1], lo[2], hi[0] - lo[0] + 1, hi[1] - lo[1] + 1, hi[2] - lo[2] + 1).cut(skull);
        if (part.isEmpty()) {
            Arrays.fill(gap, MAX_MM);
            return new Gaps(gap, facing);
        }
        TriangleMesh bone = MarchingCubes.extract(part);
        TriangleGrid grid = new TriangleGrid(bone, Math.max(1.0, Thickness.cellFor(bone)));
        float[] v = mesh.vertices();
        float[] normals = ring.normalsAfter(FACING_NORMAL_SMOOTHING);
        boolean[] inBone = new boolean[nv];
        // First which vertices face bone (a ray along the outward normal meets it) or lie in it ...
        IntStream.range(0, nv).parallel().forEach(i -> {
            double x = v[3 * i], y = v[3 * i + 1], z = v[3 * i + 2];
            double[] q = new double[3];
            part.geometry().physicalToIndex(x, y, z, q);
            inBone[i] = part.isSetSafe((int) Math.round(q[0]), (int) Math.round(q[1]), (int) Math.round(q[2]));
            double h =
                    grid.rayHit(x, y, z, normals[3 * i], normals[3 * i + 1], normals[3 * i + 2], -1e-6, FACING_MM, -1);
            facing[i] = Double.isFinite(h) || inBone[i];
        });
        // ... then their exact gaps, which the rim figures are made of ...
        IntStream.range(0, nv).parallel().forEach(i -> {
            if (!facing[i]) return;
            double d = grid.distance(v[3 * i], v[3 * i + 1], v[3 * i + 2], MAX_MM);
            gap[i] = inBone[i] ? -d : d;
        });
        double smallestFacing = MAX_MM;
        for (int i = 0; i < nv; i++) if (facing[i]) smallestFacing = Math.min(smallestFacing, gap[i]);
        // ... and for the other vertices only whether they come closer than that (the smallest gap of any vertex);
        // searching farther would cost most of the time and change no figure.
        double cap = Math.max(1e-3, smallestFacing);
        IntStream.range(0, nv).parallel().forEach(i -> {
            if (facing[i]) return;
            gap[i] = grid.distance(v[3 * i], v[3 * i + 1], v[3 * i + 2], cap);
        });
        return new Gaps(gap, facing);
    }
}
