package org.calvaria.web;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.calvaria.volume.Geometry;
import org.calvaria.volume.MaskVolume;

/** A minimal binary STL writer and checker for the web tests (the project's real mesher lives elsewhere). */
final class TestStl {
    private TestStl() {}

    /**
     * Writes a closed UV sphere (outward normals) and returns its surface area in mm^2.
     * {@code rings} latitude bands and {@code 2*rings} longitude sectors.
     */
    static double writeSphere(Path file, double[] centre, double radius, int rings) throws IOException {
        int sectors = 2 * rings;
        int triangles = 2 * sectors * (rings - 1);
        ByteBuffer b = ByteBuffer.allocate(84 + 50 * triangles).order(ByteOrder.LITTLE_ENDIAN);
        byte[] header = "calvaria web test sphere".getBytes(StandardCharsets.US_ASCII);
        b.put(header).position(80);
        b.putInt(triangles);
        double area = 0;
        int written = 0;
        for (int r = 0; r < rings; r++) {
            double t0 = Math.PI * r / rings, t1 = Math.PI * (r + 1) / rings;
            for (int s = 0; s < sectors; s++) {
                double p0 = 2 * Math.PI * s / sectors, p1 = 2 * Math.PI * (s + 1) / sectors;
                double[] a = point(centre, radius, t0, p0), bb = point(centre, radius, t1, p0);
                double[] c = point(centre, radius, t1, p1), d = point(centre, radius, t0, p1);
                if (r != 0) {
                    area += triangle(b, a, bb, d);
                    written++;
                }
                if (r != rings - 1) {
                    area += triangle(b, d, bb, c);
                    written++;
                }
            }
        }
        if (written != triangles) throw new IllegalStateException(written + " != " + triangles);
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(b.array());
        }
        return area;
    }

    private static double[] point(double[] c, double r, double theta, double phi) {
        return new double[] {
            c[0] + r * Math.sin(theta) * Math.cos(phi),
            c[1] + r * Math.sin(theta) * Math.sin(phi),
            c[2] + r * Math.cos(theta)
        };
    }

    private static double triangle(ByteBuffer b, double[] p, double[] q, double[] s) {
        double ux = q[0] - p[0], uy = q[1] - p[1], uz = q[2] - p[2];
        double vx = s[0] - p[0], vy = s[1] - p[1], vz = s[2] - p[2];
        double nx = uy * vz - uz * vy, ny = uz * vx - ux * vz, nz = ux * vy - uy * vx;
        double len = Math.sqrt(nx * nx + ny * ny + nz * nz);
        b.putFloat((float) (nx / len)).putFloat((float) (ny / len)).putFloat((float) (nz / len));
        for (double[] v : new double[][] {p, q, s})
            b.putFloat((float) v[0]).putFloat((float) v[1]).putFloat((float) v[2]);
        b.putShort((short) 0);
        return len / 2;
    }

    /**
     * Writes the outer surface of a mask as voxel faces (two triangles per face between a set and an unset voxel;
     * closed and outward-facing) and returns its area in mm^2.
     */
    static double writeVoxelSurface(MaskVolume mask, Path file) throws IOException {
        Geometry g = mask.geometry();
        int[][] steps = {{1, 0, 0}, {-1, 0, 0}, {0, 1, 0}, {0, -1, 0}, {0, 0, 1}, {0, 0, -1}};
        List<double[][]> faces = new ArrayList<>();
        mask.forEachSet(i -> {
            int x = i % g.nx(), y = (i / g.nx()) % g.ny(), z = i / (g.nx() * g.ny());
            for (int[] s : steps) {
                if (mask.isSetSafe(x + s[0], y + s[1], z + s[2])) continue;
                // The face's four corners, half a voxel out along s, ordered counter-clockwise seen from outside.
                int a = s[0] != 0 ? 0 : s[1] != 0 ? 1 : 2;
                int u = (a + 1) % 3, v = (a + 2) % 3;
                double sign = s[a];
                double[][] corners = new double[4][];
                double[][] uv = {{-0.5, -0.5}, {0.5, -0.5}, {0.5, 0.5}, {-0.5, 0.5}};
                for (int k = 0; k < 4; k++) {
                    double[] idx = {x, y, z};
                    idx[a] += 0.5 * sign;
                    idx[u] += uv[k][0];
                    idx[v] += sign * uv[k][1];
                    corners[k] = g.indexToPhysical(idx[0], idx[1], idx[2]);
                }
                faces.add(corners);
            }
        });
        // A left-handed grid (negative determinant) mirrors the faces: swap the order to keep normals outward.
        boolean mirrored = Geometry.det(g.matrix()) < 0;
        int triangles = 2 * faces.size();
        ByteBuffer b = ByteBuffer.allocate(84 + 50 * triangles).order(ByteOrder.LITTLE_ENDIAN);
        b.put("calvaria web test voxel surface".getBytes(StandardCharsets.US_ASCII))
                .position(80);
        b.putInt(triangles);
        double area = 0;
        for (double[][] c : faces) {
            if (mirrored) {
                area += triangle(b, c[0], c[2], c[1]);
                area += triangle(b, c[0], c[3], c[2]);
            } else {
                area += triangle(b, c[0], c[1], c[2]);
                area += triangle(b, c[0], c[2], c[3]);
            }
        }
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(b.array());
        }
        return area;
    }

    /**
     * Checks that {@code bytes} is a binary STL (84 + 50 n bytes, every number finite) and returns n; throws with
     * the reason otherwise.
     */
    static int checkBinary(byte[] bytes) {
        if (bytes.length < 84) throw new AssertionError("STL shorter than its 84-byte header: " + bytes.length);
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long n = b.getInt(80) & 0xffffffffL;
        if (84 + 50 * n != bytes.length) {
            throw new AssertionError("STL declares " + n + " triangles but has " + bytes.length + " bytes");
        }
        for (int t = 0; t < n; t++) {
            for (int f = 0; f < 12; f++) {
                float v = b.getFloat(84 + 50 * t + 4 * f);
                if (!Float.isFinite(v)) throw new AssertionError("triangle " + t + " has a non-finite number");
            }
        }
        return (int) n;
    }
}
