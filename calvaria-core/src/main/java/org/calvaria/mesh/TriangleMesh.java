package org.calvaria.mesh;

import java.util.Arrays;
import org.calvaria.CalvariaException;

/**
 * A triangle mesh in physical LPS millimetres, stored compactly: {@code vertices} holds x, y, z of vertex v at
 * {@code 3v .. 3v+2}; {@code triangles} holds the three vertex indices of triangle t at {@code 3t .. 3t+2}, ordered
 * counter-clockwise when seen from outside (right-hand rule normal points out of the enclosed solid).
 *
 * <p>The arrays are used as given (not copied) so that multi-million-triangle meshes are not duplicated; treat a
 * mesh as immutable once built. Operations that change geometry return a new mesh.
 */
public final class TriangleMesh {
    private final float[] vertices;
    private final int[] triangles;

    public TriangleMesh(float[] vertices, int[] triangles) {
        if (vertices.length % 3 != 0) throw new IllegalArgumentException("vertex array length must be a multiple of 3");
        if (triangles.length % 3 != 0)
            throw new IllegalArgumentException("triangle array length must be a multiple of 3");
        int n = vertices.length / 3;
        for (int i : triangles) {
            if (i < 0 || i >= n) throw new IllegalArgumentException("triangle refers to vertex " + i + " of " + n);
        }
        this.vertices = vertices;
        this.triangles = triangles;
    }

    /** A mesh with no triangles. */
    public static TriangleMesh empty() {
        return new TriangleMesh(new float[0], new int[0]);
    }

    public int vertexCount() {
        return vertices.length / 3;
    }

    public int triangleCount() {
        return triangles.length / 3;
    }

    public boolean isEmpty() {
        return triangles.length == 0;
    }

    /** Backing vertex array (x, y, z per vertex). Do not modify. */
    public float[] vertices() {
        return vertices;
    }

    /** Backing triangle array (three vertex indices per triangle). Do not modify. */
    public int[] triangles() {
        return triangles;
    }

    /**
     * True when every vertex coordinate, the surface area and the enclosed volume are finite numbers. They are not when
     * the source grid's geometry is absurd (a spacing or origin near 1e38 mm overflows the float coordinates; then
     * areas are NaN while the connectivity still looks watertight).
     */
    public boolean isFinite() {
        float largest = 0;
        for (float x : vertices) {
            if (!Float.isFinite(x)) return false;
            largest = Math.max(largest, Math.abs(x));
        }
        // Below this, no product of three coordinates summed over 2^31 triangles comes near the double range, so
        // area and volume are finite without computing them (which would cost a pass over every triangle).
        if (largest <= 1e12f) return true;
        return Double.isFinite(surfaceAreaMm2()) && Double.isFinite(enclosedVolumeMm3());
    }

    /** Fails with one line when {@link #isFinite()} is false; {@code what} names the mesh. Returns this mesh. */
    public TriangleMesh requireFinite(String what) {
        if (!isFinite()) {
            throw new CalvariaException(what + " has coordinates or an area that are not finite numbers (NaN or"
                    + " overflow), so no usable mesh can be made; check the input's spacing, origin and directions"
                    + " (millimetres, e.g. 0.5, not 1e38)");
        }
        return this;
    }

    /** Total triangle area, mm^2. */
    public double surfaceAreaMm2() {
        double sum = 0;
        int t = triangleCount();
        for (int i = 0; i < t; i++) sum += triangleArea(i);
        return sum;
    }

    public double triangleArea(int t) {
        double[] n = new double[3];
        crossOf(t, n);
        return 0.5 * Math.sqrt(n[0] * n[0] + n[1] * n[1] + n[2] * n[2]);
    }

    /** Un-normalised normal (edge1 x edge2, length = twice the area) of triangle {@code t} into {@code out}. */
    public void crossOf(int t, double[] out) {
        int a = 3 * triangles[3 * t], b = 3 * triangles[3 * t + 1], c = 3 * triangles[3 * t + 2];
        double ux = vertices[b] - vertices[a],
                uy = vertices[b + 1] - vertices[a + 1],
                uz = vertices[b + 2] - vertices[a + 2];
        double vx = vertices[c] - vertices[a],
                vy = vertices[c + 1] - vertices[a + 1],
                vz = vertices[c + 2] - vertices[a + 2];
        out[0] = uy * vz - uz * vy;
        out[1] = uz * vx - ux * vz;
        out[2] = ux * vy - uy * vx;
    }

    /**
     * Signed enclosed volume by the divergence theorem, mm^3: positive for a closed mesh with outward normals.
     * Coordinates are taken relative to the bounding-box centre so that large offsets do not cost precision.
     */
    public double enclosedVolumeMm3() {
        if (isEmpty()) return 0;
        double[] b = boundingBox();
        double cx = (b[0] + b[3]) / 2, cy = (b[1] + b[4]) / 2, cz = (b[2] + b[5]) / 2;
        double sum = 0;
        int t = triangleCount();
        for (int i = 0; i < t; i++) {
            int a = 3 * triangles[3 * i], bb = 3 * triangles[3 * i + 1], c = 3 * triangles[3 * i + 2];
            double ax = vertices[a] - cx, ay = vertices[a + 1] - cy, az = vertices[a + 2] - cz;
            double bx = vertices[bb] - cx, by = vertices[bb + 1] - cy, bz = vertices[bb + 2] - cz;
            double qx = vertices[c] - cx, qy = vertices[c + 1] - cy, qz = vertices[c + 2] - cz;
            sum += ax * (by * qz - bz * qy) + ay * (bz * qx - bx * qz) + az * (bx * qy - by * qx);
        }
        return sum / 6.0;
    }

    /**
     * True when the mesh is closed and consistently oriented: every directed edge (a, b) occurs exactly once and its
     * reverse (b, a) occurs exactly once too, so every undirected edge is shared by exactly two triangles that traverse
     * it in opposite directions. Triangles with a repeated vertex make the mesh not watertight. An empty mesh is not.
     */
    public boolean isWatertight() {
        if (isEmpty()) return false;
        int n = vertexCount();
        int[] start = new int[n + 1];
        int t = triangleCount();
        for (int i = 0; i < t; i++) {
            int a = triangles[3 * i], b = triangles[3 * i + 1], c = triangles[3 * i + 2];
            if (a == b || b == c || a == c) return false;
            start[a + 1]++;
            start[b + 1]++;
            start[c + 1]++;
        }
        for (int v = 0; v < n; v++) start[v + 1] += start[v];
        int[] fill = Arrays.copyOf(start, n);
        int[] to = new int[triangles.length];
        for (int i = 0; i < t; i++) {
            int a = triangles[3 * i], b = triangles[3 * i + 1], c = triangles[3 * i + 2];
            to[fill[a]++] = b;
            to[fill[b]++] = c;
            to[fill[c]++] = a;
        }
        for (int v = 0; v < n; v++) {
            int s = start[v], e = start[v + 1];
            if (e - s > 1) Arrays.sort(to, s, e);
            for (int k = s + 1; k < e; k++) if (to[k] == to[k - 1]) return false; // directed edge used twice
        }
        for (int v = 0; v < n; v++) {
            for (int k = start[v]; k < start[v + 1]; k++) {
                int w = to[k];
                if (Arrays.binarySearch(to, start[w], start[w + 1], v) < 0) return false; // no reverse edge
            }
        }
        return true;
    }

    /** Axis-aligned bounds {minX, minY, minZ, maxX, maxY, maxZ} of the vertices used by triangles, mm. */
    public double[] boundingBox() {
        double[] b = {
            Double.POSITIVE_INFINITY,
            Double.POSITIVE_INFINITY,
            Double.POSITIVE_INFINITY,
            Double.NEGATIVE_INFINITY,
            Double.NEGATIVE_INFINITY,
            Double.NEGATIVE_INFINITY
        };
        boolean[] used = usedVertices();
        for (int v = 0; v < used.length; v++) {
            if (!used[v]) continue;
            for (int a = 0; a < 3; a++) {
                double x = vertices[3 * v + a];
                if (x < b[a]) b[a] = x;
                if (x > b[3 + a]) b[3 + a] = x;
            }
        }
        return b;
    }

    private boolean[] usedVertices() {
        boolean[] used = new boolean[vertexCount()];
        for (int i : triangles) used[i] = true;
        return used;
    }

    /** Number of connected pieces (triangles connected through shared vertices). */
    public int componentCount() {
        int n = vertexCount();
        int[] parent = new int[n];
        for (int i = 0; i < n; i++) parent[i] = i;
        int t = triangleCount();
        for (int i = 0; i < t; i++) {
            union(parent, triangles[3 * i], triangles[3 * i + 1]);
            union(parent, triangles[3 * i], triangles[3 * i + 2]);
        }
        boolean[] used = usedVertices();
        int count = 0;
        for (int v = 0; v < n; v++) if (used[v] && find(parent, v) == v) count++;
        return count;
    }

    private static int find(int[] parent, int v) {
        while (parent[v] != v) {
            parent[v] = parent[parent[v]];
            v = parent[v];
        }
        return v;
    }

    private static void union(int[] parent, int a, int b) {
        int ra = find(parent, a), rb = find(parent, b);
        if (ra != rb) {
            if (ra < rb) parent[rb] = ra;
            else parent[ra] = rb;
        }
    }

    /** Area-weighted unit vertex normals (x, y, z per vertex); zero for unused vertices. */
    public float[] vertexNormals() {
        double[] acc = new double[vertices.length];
        double[] c = new double[3];
        int t = triangleCount();
        for (int i = 0; i < t; i++) {
            crossOf(i, c);
            for (int k = 0; k < 3; k++) {
                int v = triangles[3 * i + k];
                acc[3 * v] += c[0];
                acc[3 * v + 1] += c[1];
                acc[3 * v + 2] += c[2];
            }
        }
        float[] out = new float[vertices.length];
        for (int v = 0; v < vertexCount(); v++) {
            double x = acc[3 * v], y = acc[3 * v + 1], z = acc[3 * v + 2];
            double len = Math.sqrt(x * x + y * y + z * z);
            if (len > 0) {
                out[3 * v] = (float) (x / len);
                out[3 * v + 1] = (float) (y / len);
                out[3 * v + 2] = (float) (z / len);
            }
        }
        return out;
    }

    /** The same surface with every triangle's winding reversed (normals flipped). */
    public TriangleMesh flipped() {
        int[] t = triangles.clone();
        for (int i = 0; i < t.length; i += 3) {
            int s = t[i + 1];
            t[i + 1] = t[i + 2];
            t[i + 2] = s;
        }
        return new TriangleMesh(vertices, t);
    }

    /** A mesh with this mesh's triangles followed by {@code other}'s (vertices are not merged). */
    public TriangleMesh append(TriangleMesh other) {
        float[] v = Arrays.copyOf(vertices, vertices.length + other.vertices.length);
        System.arraycopy(other.vertices, 0, v, vertices.length, other.vertices.length);
        int[] t = Arrays.copyOf(triangles, triangles.length + other.triangles.length);
        int off = vertexCount();
        for (int i = 0; i < other.triangles.length; i++) t[triangles.length + i] = other.triangles[i] + off;
        return new TriangleMesh(v, t);
    }

    /** Drops vertices no triangle uses, renumbering the rest in order. Returns this mesh when none are unused. */
    public TriangleMesh compacted() {
        boolean[] used = usedVertices();
        int n = 0;
        for (boolean u : used) if (u) n++;
        if (n == used.length) return this;
        int[] map = new int[used.length];
        float[] v = new float[3 * n];
        int k = 0;
        for (int i = 0; i < used.length; i++) {
            if (!used[i]) continue;
            map[i] = k;
            System.arraycopy(vertices, 3 * i, v, 3 * k, 3);
            k++;
        }
        int[] t = new int[triangles.length];
        for (int i = 0; i < t.length; i++) t[i] = map[triangles[i]];
        return new TriangleMesh(v, t);
    }

    @Override
    public String toString() {
        return "TriangleMesh[" + vertexCount() + " vertices, " + triangleCount() + " triangles]";
    }
}
