package org.calvaria.mesh;

/**
 * Merges vertices with bit-identical coordinates (files such as STL store every triangle's corners separately).
 * Open-addressing hash table on the float bits; no boxing, so millions of vertices weld quickly.
 */
final class VertexWelder {
    private final GrowableArrays.Floats vertices;
    private int[] table;
    private int mask;
    private int count;

    VertexWelder(int expectedVertices) {
        vertices = new GrowableArrays.Floats(3 * Math.max(16, expectedVertices));
        int cap = Integer.highestOneBit(Math.max(16, expectedVertices) * 2 - 1) << 1;
        table = new int[cap];
        java.util.Arrays.fill(table, -1);
        mask = cap - 1;
    }

    /** Id of the vertex at (x, y, z), adding it when new. */
    int id(float x, float y, float z) {
        // -0 and +0 are the same point
        x += 0.0f;
        y += 0.0f;
        z += 0.0f;
        int bx = Float.floatToIntBits(x), by = Float.floatToIntBits(y), bz = Float.floatToIntBits(z);
        int h = mix(bx, by, bz) & mask;
        float[] v = vertices.data;
        while (true) {
            int id = table[h];
            if (id < 0) break;
            if (v[3 * id] == x && v[3 * id + 1] == y && v[3 * id + 2] == z) return id;
            h = (h + 1) & mask;
        }
        int id = count++;
        vertices.add3(x, y, z);
        table[h] = id;
        if (2 * count > table.length) rehash();
        return id;
    }

    private static int mix(int a, int b, int c) {
        long h = a * 0x9E3779B97F4A7C15L + b * 0xC2B2AE3D27D4EB4FL + c * 0x165667B19E3779F9L;
        h ^= h >>> 29;
        h *= 0xBF58476D1CE4E5B9L;
        return (int) (h ^ (h >>> 32));
    }

    private void rehash() {
        int cap = table.length * 2;
        int[] t = new int[cap];
        java.util.Arrays.fill(t, -1);
        int m = cap - 1;
        float[] v = vertices.data;
        for (int id = 0; id < count; id++) {
            int h = mix(
                            Float.floatToIntBits(v[3 * id]),
                            Float.floatToIntBits(v[3 * id + 1]),
                            Float.floatToIntBits(v[3 * id + 2]))
                    & m;
            while (t[h] >= 0) h = (h + 1) & m;
            t[h] = id;
        }
        table = t;
        mask = m;
    }

    int count() {
        return count;
    }

    float[] vertices() {
        return vertices.toArray();
    }
}
