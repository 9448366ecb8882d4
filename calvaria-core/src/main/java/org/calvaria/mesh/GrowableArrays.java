package org.calvaria.mesh;

import java.util.Arrays;

/** Growable primitive arrays, so that building multi-million-element meshes does not box numbers. */
final class GrowableArrays {
    private GrowableArrays() {}

    static final class Ints {
        int[] data;
        int size;

        Ints(int capacity) {
            data = new int[Math.max(16, capacity)];
        }

        void add(int v) {
            if (size == data.length) grow(size + 1);
            data[size++] = v;
        }

        void add3(int a, int b, int c) {
            if (size + 3 > data.length) grow(size + 3);
            data[size] = a;
            data[size + 1] = b;
            data[size + 2] = c;
            size += 3;
        }

        private void grow(int min) {
            long cap = Math.max(min, (long) data.length + (data.length >> 1) + 16);
            if (cap > Integer.MAX_VALUE - 16) throw new OutOfMemoryError("mesh too large for one array");
            data = Arrays.copyOf(data, (int) cap);
        }

        int[] toArray() {
            return Arrays.copyOf(data, size);
        }
    }

    static final class Floats {
        float[] data;
        int size;

        Floats(int capacity) {
            data = new float[Math.max(16, capacity)];
        }

        void add3(float a, float b, float c) {
            if (size + 3 > data.length) {
                long cap = Math.max(size + 3, (long) data.length + (data.length >> 1) + 16);
                if (cap > Integer.MAX_VALUE - 16) throw new OutOfMemoryError("mesh too large for one array");
                data = Arrays.copyOf(data, (int) cap);
            }
            data[size] = a;
            data[size + 1] = b;
            data[size + 2] = c;
            size += 3;
        }

        float[] toArray() {
            return Arrays.copyOf(data, size);
        }
    }
}
